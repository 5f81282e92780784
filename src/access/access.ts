import { AppError } from "../lib/errors.js";
import { type Actor, type Permission, TOKEN_PERMISSIONS } from "./actor.js";

/** How long after entering the password a sensitive change is allowed (docs/SECURITY.md §15). */
export const REAUTH_WINDOW_MS = 10 * 60_000;

export type RouteAccess = { public: true } | { permission: Permission; reauth?: boolean };

/**
 * The one place a request's right to run a route is decided. Object-level rules (is this the
 * owner of that domain?) are decided by the services through the same actor, via `authorizeDomain`
 * (domain-access.ts).
 */
export function authorizeRoute(actor: Actor, access: RouteAccess, now: number): void {
  if ("public" in access) return;
  if (actor.kind === "visitor") throw new AppError("UNAUTHENTICATED");
  if (actor.kind === "token") {
    if (!TOKEN_PERMISSIONS.includes(access.permission)) throw new AppError("TOKEN_NOT_ALLOWED");
    if (!actor.permissions.includes(access.permission)) {
      throw new AppError("FORBIDDEN", `This token lacks the ${access.permission} permission.`);
    }
    return;
  }
  if (actor.kind !== "account") throw notAdmitted(actor);
  if (access.permission === "support:work") {
    if (!actor.isSupportAgent) throw new AppError("NOT_FOUND");
    // docs/SECURITY.md §6: the desk needs two-factor at every request, not just on the account.
    if (!actor.twoFactor) throw new AppError("TWO_FACTOR_SESSION_REQUIRED");
  }
  if (access.reauth) requireRecentAuth(actor, now);
}

/**
 * The refusal for an actor no route admits: the system and the operator never come through HTTP,
 * and a support agent acting in a ticket has no rights until tickets exist (issue 11).
 */
export function notAdmitted(actor: Extract<Actor, { kind: "system" | "operator" | "agent" }>): AppError {
  return new AppError(
    "FORBIDDEN",
    actor.kind === "agent"
      ? "A support agent acts on accounts and domains only through a ticket's workflows."
      : `The ${actor.kind} does not call the API.`,
  );
}

export function requireRecentAuth(actor: Actor, now: number): void {
  if (actor.kind === "system" || actor.kind === "operator" || actor.kind === "agent")
    throw notAdmitted(actor);
  if (actor.kind !== "account") throw new AppError("TOKEN_NOT_ALLOWED");
  if (now - actor.reauthAt > REAUTH_WINDOW_MS) throw new AppError("REAUTH_REQUIRED");
}
