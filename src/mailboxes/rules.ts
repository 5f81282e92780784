/** The rules every change of a domain's mailboxes applies, one at a time or in a batch. */
import type { RequestContext } from "../access/actor.js";
import { authorizeDomain, type DomainGrant } from "../access/domain-access.js";
import { ownerContactLocalParts } from "../credentials/recovery-email.js";
import type { Executor } from "../db/database.js";
import { inDomainTransaction, type RowLocks } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { AppError } from "../lib/errors.js";
import { type LoginField, parseLogin, RESERVED_LOGINS } from "./logins.js";
import { mailboxCount } from "./queries.js";

const NAME_MAX = 100;
/** Control characters (newlines, tabs, NUL …) have no place in a name. */
const hasControl = (value: string) => [...value].some((c) => c.charCodeAt(0) < 0x20 || c === "\u007f");

export function cleanNames(input: { firstName?: string; lastName?: string }): {
  firstName?: string;
  lastName?: string;
} {
  const out: { firstName?: string; lastName?: string } = {};
  for (const field of ["firstName", "lastName"] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const trimmed = value.trim();
    if ([...trimmed].length > NAME_MAX)
      throw new AppError("VALIDATION_FAILED", `${field} has at most ${NAME_MAX} characters.`, { field });
    if (hasControl(trimmed))
      throw new AppError("VALIDATION_FAILED", `${field} cannot contain control characters.`, { field });
    out[field] = trimmed;
  }
  return out;
}

/**
 * A new address's local part, with the reserved names and `ownerContacts` (from `ownerOnly`)
 * kept for the owner.
 */
export function newAddress(
  grant: DomainGrant,
  input: string,
  field: LoginField,
  ownerContacts: ReadonlySet<string>,
): string {
  const login = parseLogin(input, grant.name, field);
  if (grant.role !== "owner" && RESERVED_LOGINS.has(login))
    throw new AppError(
      "LOGIN_RESERVED",
      `${login}@${grant.name} speaks for the domain; only its owner may create it.`,
      { field },
    );
  if (grant.role !== "owner" && ownerContacts.has(login)) throw ownerContactError(grant, login, field);
  return login;
}

/**
 * The local parts that are the owner's own contacts on the domain (their recovery e-mail), closed
 * to deputies and their tokens: whoever holds that mailbox reads the owner's mail. Empty for the
 * owner.
 */
export async function ownerOnly(db: Executor, grant: DomainGrant): Promise<ReadonlySet<string>> {
  if (grant.role === "owner") return new Set();
  return ownerContactLocalParts(db, grant.ownerAccountId, grant.name);
}

export function ownerContactError(grant: DomainGrant, login: string, field: string): AppError {
  return new AppError(
    "LOGIN_IS_OWNER_CONTACT",
    `${login}@${grant.name} is a contact address of the domain's owner; only the owner may create it or set its password.`,
    { field },
  );
}

/** Which of these local parts are taken on the domain, by a mailbox or by an alias. */
export async function takenAddresses(
  db: Executor,
  grant: DomainGrant,
  logins: readonly string[],
): Promise<Map<string, "mailbox" | "alias">> {
  const taken = new Map<string, "mailbox" | "alias">();
  if (logins.length === 0) return taken;
  const [mailboxes, aliases] = await Promise.all([
    db
      .selectFrom("mailboxes")
      .select("login")
      .where("domainId", "=", grant.domainId)
      .where("login", "in", [...logins])
      .execute(),
    db
      .selectFrom("mailboxAliases")
      .select("alias")
      .where("domainId", "=", grant.domainId)
      .where("alias", "in", [...logins])
      .execute(),
  ]);
  for (const a of aliases) taken.set(a.alias, "alias");
  for (const m of mailboxes) taken.set(m.login, "mailbox");
  return taken;
}

/** Mailboxes and aliases share one address space per domain (the unique index covers mailboxes). */
export async function assertAddressFree(db: Executor, grant: DomainGrant, login: string): Promise<void> {
  const kind = (await takenAddresses(db, grant, [login])).get(login);
  if (kind)
    throw new AppError(
      "MAILBOX_EXISTS",
      kind === "mailbox"
        ? `${login}@${grant.name} already exists.`
        : `${login}@${grant.name} is an alias of another mailbox.`,
    );
}

/** How many more mailboxes the domain may have. */
export async function roomLeft(db: Executor, grant: DomainGrant, limit: number): Promise<number> {
  return limit - (await mailboxCount(db, grant.domainId));
}

export function limitError(limit: number): AppError {
  return new AppError("MAILBOX_LIMIT_REACHED", `A domain may have at most ${limit} mailboxes.`, { limit });
}

/** A mailbox change: one transaction, with the domain locked through `writeAccess`. */
export function writeMailboxes<T>(
  deps: Deps,
  work: (tx: Executor, locks: RowLocks) => Promise<T>,
): Promise<T> {
  return inDomainTransaction(deps.database, work);
}

/**
 * `authorizeDomain` for a change, then the domain's write lock for the rest of the transaction.
 * SQLite transactions hold the database's already (BEGIN IMMEDIATE); on PostgreSQL the domain's
 * row is locked, so two creations cannot both pass the limit or both take an address, and a
 * domain disconnected meanwhile is NOT_FOUND. FOR NO KEY UPDATE does not block the foreign-key
 * checks of other tables' rows that point at the domain.
 */
export async function writeAccess(
  tx: Executor,
  locks: RowLocks,
  ctx: RequestContext,
  domain: string,
): Promise<DomainGrant> {
  const grant = await authorizeDomain(tx, ctx.actor, domain, "mailboxes:write");
  if (!(await locks.row("domains", grant.domainId, "no key update"))) throw new AppError("NOT_FOUND");
  return grant;
}

/** Who made a change, in words a notice can carry without naming anyone. */
export function byWhom(ctx: RequestContext, grant: DomainGrant): string {
  const who = grant.role === "owner" ? "the owner" : "an additional administrator";
  return ctx.actor.kind === "token" ? `by an API token of ${who}` : `by ${who}`;
}
