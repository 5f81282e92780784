import { AppError } from "../lib/errors.js";
import { type Actor, type Permission, TOKEN_PERMISSIONS } from "./actor.js";

/** How long after entering the password a sensitive change is allowed (security.md 15). */
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
  if (access.permission === "support:work" && !actor.isSupportAgent) throw new AppError("NOT_FOUND");
  if (access.reauth) requireRecentAuth(actor, now);
}

export function requireRecentAuth(actor: Actor, now: number): void {
  if (actor.kind !== "account") throw new AppError("TOKEN_NOT_ALLOWED");
  if (now - actor.reauthAt > REAUTH_WINDOW_MS) throw new AppError("REAUTH_REQUIRED");
}
