import type { Executor } from "../db/database.js";
import type { RowLocks } from "../db/transactions.js";
import { lookupName } from "../lib/domain-names.js";
import { AppError } from "../lib/errors.js";
import { type Actor, type Permission, TOKEN_PERMISSIONS } from "./actor.js";

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

/** The token permission an action needs; owner-only actions have none (security.md 21). */
const TOKEN_PERMISSION: Record<DomainAction, Permission | null> = {
  "domain:read": "domains:read",
  "domain:manage": null,
  "mailboxes:read": "mailboxes:read",
  "mailboxes:write": "mailboxes:write",
  "dns:read": "dns:read",
  "dns:write": "dns:write",
};

/**
 * The one check for every domain-scoped operation (product.md §5, security.md 20, 23, 25, 26).
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
  if (actor.kind === "visitor") throw new AppError("UNAUTHENTICATED");
  // Unicode or punycode, any case, as typed in a URL; a name that cannot be a domain is nobody's.
  const name = lookupName(domainName);
  if (!name) throw new AppError("NOT_FOUND");
  const row = await db
    .selectFrom("domains")
    .leftJoin("deputies", (join) =>
      join.onRef("deputies.domainId", "=", "domains.id").on("deputies.accountId", "=", actor.accountId),
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
    .where("domains.name", "=", name)
    .executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND");
  const role: DomainRole | null =
    row.ownerAccountId === actor.accountId ? "owner" : row.deputyAccountId ? "deputy" : null;
  if (!role) throw new AppError("NOT_FOUND");

  if (actor.kind === "token") {
    if (actor.domains !== null && !actor.domains.includes(row.id)) throw new AppError("NOT_FOUND");
    // A token issued before this membership began (an earlier one, since removed) has no part in it.
    if (role === "deputy" && actor.issuedAt < Number(row.deputySince)) throw new AppError("NOT_FOUND");
    const needed = TOKEN_PERMISSION[action];
    if (needed === null) throw new AppError("TOKEN_NOT_ALLOWED");
    if (!actor.permissions.includes(needed))
      throw new AppError("FORBIDDEN", `This token lacks the ${needed} permission.`);
  }

  const grant: DomainGrant = {
    domainId: row.id,
    name: row.name,
    ownerAccountId: row.ownerAccountId,
    role,
    dnsGranted: row.dnsGranted === 1,
    delegated: row.delegated === 1,
  };
  if (role === "owner") return grant;
  if (action === "domain:manage") throw new AppError("FORBIDDEN", "Only the domain's owner may do this.");
  if ((action === "dns:read" || action === "dns:write") && !(grant.dnsGranted && grant.delegated)) {
    throw new AppError(
      "FORBIDDEN",
      "The owner has not let additional administrators manage this domain's DNS.",
    );
  }
  return grant;
}

/**
 * `authorizeDomain` for a transaction that hands on a right (a token scope, a deputy): on
 * PostgreSQL the row behind the role — the domain for its owner, the deputy row for a deputy — is
 * held FOR SHARE until the transaction ends and the grant is read again, so a removal, withdrawal or
 * disconnect running at the same time either waits for this transaction (and then cleans up what it
 * made) or, having come first, makes it refuse. Without this, a token created while its holder was
 * being removed would keep the domain (security.md 20, 25, 26). SQLite serialises writers.
 */
export async function authorizeDomainHeld(
  db: Executor,
  locks: RowLocks,
  actor: Actor,
  domainName: string,
  action: DomainAction,
): Promise<DomainGrant> {
  const grant = await authorizeDomain(db, actor, domainName, action);
  if (!locks.taken || actor.kind === "visitor") return grant;
  if (grant.role === "owner") await locks.row("domains", grant.domainId, "share");
  else
    await locks
      .query(
        db
          .selectFrom("deputies")
          .select("accountId")
          .where("domainId", "=", grant.domainId)
          .where("accountId", "=", actor.accountId),
        "share",
      )
      .execute();
  return authorizeDomain(db, actor, domainName, action);
}

/** The highest actions a role allows: tokens and grants can never exceed these (security.md 26). */
export function actionsOf(grant: Pick<DomainGrant, "role" | "dnsGranted" | "delegated">): DomainAction[] {
  if (grant.role === "owner")
    return ["domain:read", "domain:manage", "mailboxes:read", "mailboxes:write", "dns:read", "dns:write"];
  const actions: DomainAction[] = ["domain:read", "mailboxes:read", "mailboxes:write"];
  if (grant.dnsGranted && grant.delegated) actions.push("dns:read", "dns:write");
  return actions;
}

/**
 * The token permissions a grant allows on its domain: what a token of this holder may be given for
 * it (security.md 20, 26). An owner may give every token permission; a deputy mailboxes and
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
