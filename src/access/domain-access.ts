import type { Executor } from "../db/database.js";
import { preparedQuery } from "../db/prepared.js";
import type { RowLocks } from "../db/transactions.js";
import { lookupName } from "../lib/domain-names.js";
import { AppError } from "../lib/errors.js";
import { authorizeRoute, notAdmitted } from "./access.js";
import { type Actor, actingAccountOf, type Permission, TOKEN_PERMISSIONS } from "./actor.js";

/**
 * What can be done on a confirmed domain. `domain:manage` is everything that belongs to the owner
 * alone: disconnect, transfer, deputies, the domain's tokens.
 */
export type DomainAction =
  | "domain:read"
  | "domain:manage"
  | "mailboxes:read"
  | "mailboxes:write"
  | "dns:read"
  | "dns:write";

export type DomainRole = "owner" | "deputy";

export interface DomainGrant {
  domainId: string;
  name: string;
  ownerAccountId: string;
  role: DomainRole;
  dnsGranted: boolean;
  delegated: boolean;
}

/** The caller's role on a domain by name: every domain-scoped request runs it (built once, src/db/prepared.ts). */
const domainGrant = preparedQuery((db, p: { accountId: string; name: string }) =>
  db
    .selectFrom("domains")
    .leftJoin("deputies", (join) =>
      join.onRef("deputies.domainId", "=", "domains.id").on("deputies.accountId", "=", p.accountId),
    )
    .select([
      "domains.id",
      "domains.name",
      "domains.ownerAccountId",
      "domains.delegated",
      "deputies.accountId as deputyAccountId",
      "deputies.dnsGranted",
      "deputies.createdAt as deputySince",
    ])
    .where("domains.name", "=", p.name),
);

/** authorizeDomainHeld's owner's case (PostgreSQL): the domain by name if `accountId` owns it, held FOR SHARE. */
const ownedDomainHeld = preparedQuery((db, p: { accountId: string; name: string }) =>
  db
    .selectFrom("domains")
    .select(["id", "name", "ownerAccountId", "delegated"])
    .where("name", "=", p.name)
    .where("ownerAccountId", "=", p.accountId)
    .forShare(),
);

/** The token permission an action needs; owner-only actions have none (docs/SECURITY.md §21). */
const TOKEN_PERMISSION: Record<DomainAction, Permission | null> = {
  "domain:read": "domains:read",
  "domain:manage": null,
  "mailboxes:read": "mailboxes:read",
  "mailboxes:write": "mailboxes:write",
  "dns:read": "dns:read",
  "dns:write": "dns:write",
};

/**
 * The one check for every domain-scoped operation (docs/SECURITY.md §20, §23, §25, §26).
 * Read fresh on every call — nothing is cached past a request, so a removed deputy or a moved
 * domain is refused at once. Someone with no role on the domain gets NOT_FOUND, exactly as for a
 * domain that does not exist; a deputy asking for an owner-only action gets FORBIDDEN (they know
 * the domain exists).
 */
export async function authorizeDomain(
  db: Executor,
  actor: Actor,
  domainName: string,
  action: DomainAction,
): Promise<DomainGrant> {
  const { accountId, name } = askedFor(actor, domainName);
  const row = await domainGrant.first(db, { accountId, name });
  if (!row) throw new AppError("NOT_FOUND");
  return grantOf(actor, accountId, row, action);
}

/** Who asks for which domain, checked before anything is read: authorizeDomain's first refusals. */
function askedFor(actor: Actor, domainName: string): { accountId: string; name: string } {
  if (actor.kind === "visitor") throw new AppError("UNAUTHENTICATED");
  if (actor.kind === "agent" || actor.kind === "system") throw notAdmitted(actor);
  // A session's or token's holder, or the account an operator's command acts as.
  const accountId = actingAccountOf(actor);
  if (accountId === null) throw new AppError("UNAUTHENTICATED");
  // Unicode or punycode, any case, as typed in a URL; a name that cannot be a domain is nobody's.
  const name = lookupName(domainName);
  if (!name) throw new AppError("NOT_FOUND");
  return { accountId, name };
}

/** The grant of `accountId` on the domain `row` (domainGrant's), or the refusal authorizeDomain throws. */
function grantOf(
  actor: Actor,
  accountId: string,
  row: {
    id: string;
    name: string;
    ownerAccountId: string;
    delegated: number;
    deputyAccountId: string | null;
    dnsGranted: number | null;
    deputySince: number | null;
  },
  action: DomainAction,
): DomainGrant {
  const role: DomainRole | null =
    row.ownerAccountId === accountId ? "owner" : row.deputyAccountId ? "deputy" : null;
  if (!role) throw new AppError("NOT_FOUND");

  if (actor.kind === "token") {
    if (actor.domains !== null && !actor.domains.includes(row.id)) throw new AppError("NOT_FOUND");
    // A token issued before this membership began (an earlier one, since removed) has no part in it.
    if (role === "deputy" && actor.issuedAt < Number(row.deputySince)) throw new AppError("NOT_FOUND");
  }

  const grant: DomainGrant = {
    domainId: row.id,
    name: row.name,
    ownerAccountId: row.ownerAccountId,
    role,
    dnsGranted: row.dnsGranted === 1,
    delegated: row.delegated === 1,
  };
  const refusal = domainActionRefusal(actor, grant, action);
  if (refusal) throw refusal;
  return grant;
}

/**
 * Why `actor`, holding `grant` on a domain it may see, may not take `action` there — or null when it
 * may. The rule `authorizeDomain` enforces, and the one a domain's view lists its actions by.
 */
export function domainActionRefusal(
  actor: Actor,
  grant: Pick<DomainGrant, "role" | "dnsGranted" | "delegated">,
  action: DomainAction,
): AppError | null {
  if (actor.kind === "token") {
    const needed = TOKEN_PERMISSION[action];
    if (needed === null) return new AppError("TOKEN_NOT_ALLOWED");
    if (!actor.permissions.includes(needed))
      return new AppError("FORBIDDEN", `This token lacks the ${needed} permission.`);
  }
  if (grant.role === "owner") return null;
  if (action === "domain:manage") return new AppError("FORBIDDEN", "Only the domain's owner may do this.");
  if ((action === "dns:read" || action === "dns:write") && !(grant.dnsGranted && grant.delegated)) {
    return new AppError(
      "FORBIDDEN",
      "The owner has not let additional administrators manage this domain's DNS.",
    );
  }
  return null;
}

/**
 * What a domain's view lists as its viewer's actions (`actions` in GET /api/v1/domains/{name}), each
 * the route permission (`authorizeRoute`) and the domain action (`authorizeDomain`) of the requests it
 * stands for. The console shows a control only when its action is listed, so it hides exactly what
 * the API refuses. The domain's state may still refuse a listed action (an expired claim, mailboxes
 * that remain): the list is about rights.
 */
export const VIEW_ACTIONS = {
  /** POST …/check. */
  "domain:check": { permission: "domains:write", action: "domain:read" },
  /** Renew or cancel a claim; disconnect and the activity page of a confirmed domain: the owner's alone. */
  "domain:manage": { permission: "domains:write", action: "domain:manage" },
  /** …/deputies: add, change, remove additional administrators (signed-in sessions only). */
  "deputies:manage": { permission: "account:delegation", action: "domain:manage" },
  "mailboxes:read": { permission: "mailboxes:read", action: "mailboxes:read" },
  "mailboxes:write": { permission: "mailboxes:write", action: "mailboxes:write" },
  "dns:read": { permission: "dns:read", action: "dns:read" },
  "dns:write": { permission: "dns:write", action: "dns:write" },
} as const satisfies Record<string, { permission: Permission; action: DomainAction }>;

export type ViewAction = keyof typeof VIEW_ACTIONS;
export const VIEW_ACTION_NAMES = Object.keys(VIEW_ACTIONS) as ViewAction[];

/**
 * The view actions `actor` may take on a confirmed domain it holds `grant` on, or — `grant` null —
 * on its own pending claim, where only the domains routes apply (mailboxes, deputies and DNS need a
 * confirmed domain).
 */
export function viewActions(
  actor: Actor,
  grant: Pick<DomainGrant, "role" | "dnsGranted" | "delegated"> | null,
  now: number,
): ViewAction[] {
  return VIEW_ACTION_NAMES.filter((name) => {
    const { permission, action } = VIEW_ACTIONS[name];
    try {
      // Whether re-authentication is due is not a question of rights: the console asks for the password.
      authorizeRoute(actor, { permission }, now);
    } catch {
      return false;
    }
    if (grant === null) return name === "domain:check" || name === "domain:manage";
    return domainActionRefusal(actor, grant, action) === null;
  });
}

/**
 * `authorizeDomain` for a transaction that hands on a right (a token scope, a deputy): on
 * PostgreSQL the row behind the role — the domain for its owner, the deputy row for a deputy — is
 * held FOR SHARE until the transaction ends and the grant is read again, so a removal, withdrawal or
 * disconnect running at the same time either waits for this transaction (and then cleans up what it
 * made) or, having come first, makes it refuse. Without this, a token created while its holder was
 * being removed would keep the domain (docs/SECURITY.md §20, §25, §26). SQLite serialises writers.
 */
export async function authorizeDomainHeld(
  db: Executor,
  locks: RowLocks,
  actor: Actor,
  domainName: string,
  action: DomainAction,
): Promise<DomainGrant> {
  if (locks.taken) {
    // The owner's case — nearly every call — in one statement instead of three: the domain's row
    // read FOR SHARE on the condition that the caller owns it. PostgreSQL reads a row it had to
    // wait for again, as committed by the transaction it waited for, before returning it: what the
    // read after the lock below sees. Anyone else (or an owner no longer) takes the way below.
    const { accountId, name } = askedFor(actor, domainName);
    const owned = await ownedDomainHeld.first(db, { accountId, name });
    if (owned)
      return grantOf(
        actor,
        accountId,
        { ...owned, deputyAccountId: null, dnsGranted: null, deputySince: null },
        action,
      );
  }
  const grant = await authorizeDomain(db, actor, domainName, action);
  const accountId = actingAccountOf(actor);
  if (!locks.taken || accountId === null) return grant;
  if (grant.role === "owner") await locks.row("domains", grant.domainId, "share");
  else
    await locks
      .query(
        db
          .selectFrom("deputies")
          .select("accountId")
          .where("domainId", "=", grant.domainId)
          .where("accountId", "=", accountId),
        "share",
      )
      .execute();
  return authorizeDomain(db, actor, domainName, action);
}

/** The highest actions a role allows: tokens and grants can never exceed these (docs/SECURITY.md §26). */
export function actionsOf(grant: Pick<DomainGrant, "role" | "dnsGranted" | "delegated">): DomainAction[] {
  if (grant.role === "owner")
    return ["domain:read", "domain:manage", "mailboxes:read", "mailboxes:write", "dns:read", "dns:write"];
  const actions: DomainAction[] = ["domain:read", "mailboxes:read", "mailboxes:write"];
  if (grant.dnsGranted && grant.delegated) actions.push("dns:read", "dns:write");
  return actions;
}

/**
 * The token permissions a grant allows on its domain: what a token of this holder may be given for
 * it (docs/SECURITY.md §20, §26). An owner may give every token permission; a deputy mailboxes and
 * `domains:read`, and DNS only while granted and delegated.
 */
export function tokenPermissionsOf(
  grant: Pick<DomainGrant, "role" | "dnsGranted" | "delegated">,
): Permission[] {
  const actions = actionsOf(grant);
  return TOKEN_PERMISSIONS.filter((permission) =>
    actions.some((action) => TOKEN_PERMISSION[action] === permission),
  );
}
