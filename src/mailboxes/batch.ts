/** Many mailboxes at once: the batch endpoint and the CLI import, and deleting all of a domain's. */
import type { RequestContext } from "../access/actor.js";
import { authorizeDomain, type DomainGrant } from "../access/domain-access.js";
import { recordEvent } from "../audit/audit.service.js";
import { checkMailboxPassword, hashMailboxPasswords } from "../credentials/mailbox-passwords.js";
import type { Executor } from "../db/database.js";
import type { Deps } from "../deps.js";
import { lookupName } from "../lib/domain-names.js";
import { AppError, type ErrorCode } from "../lib/errors.js";
import { newId } from "../lib/random.js";
import { tellDomainManagers } from "../notify/account-notices.js";
import { loginOrNull, nameKeys } from "./logins.js";
import { aliasesOf, domainName } from "./queries.js";
import {
  byWhom,
  cleanNames,
  limitError,
  newAddress,
  ownerOnly,
  roomLeft,
  takenAddresses,
  writeAccess,
  writeMailboxes,
} from "./rules.js";

export interface BatchRow {
  login: string;
  password: string;
  firstName?: string;
  lastName?: string;
}

export interface BatchRowResult {
  /** The stored login when the row's login is valid, else the login as given. */
  login: string;
  status: "created" | "skipped" | "failed";
  code?: ErrorCode;
  detail?: string;
}

export interface BatchResult {
  /** One per input row, in input order. */
  results: BatchRowResult[];
  created: number;
  skipped: number;
  failed: number;
}

export interface BatchOptions {
  /** Recorded in each creation's audit event: "batch" (API) or "import" (CLI). */
  via: "batch" | "import";
  /** Called after each chunk is written with the number of rows handled so far. */
  onProgress?: (handled: number) => void;
  /**
   * Check every row as a creation would (rules, existing addresses, the limit) without hashing or
   * writing anything: "created" then means "would be created".
   */
  dryRun?: boolean;
}

/** Batch rows are hashed and written this many at a time (one transaction each). */
const BATCH_CHUNK = 100;

/**
 * Creates many mailboxes, each row on its own: a row whose address already has a mailbox is
 * skipped and never overwritten (so an import can be run again), a row that breaks a rule fails
 * with the code a single create would give, the others are created — in chunks, each hashed
 * first and then written in one transaction with an audit event per mailbox. A login that
 * appears twice is created once and skipped the second time. Access is checked before anything
 * and again in every chunk; losing it half-way fails the remaining rows with its code.
 */
export async function createMailboxes(
  deps: Deps,
  ctx: RequestContext,
  rawDomain: string,
  rows: readonly BatchRow[],
  options: BatchOptions,
): Promise<BatchResult> {
  const domain = domainName(rawDomain);
  const grant = await authorizeDomain(deps.database.db, ctx.actor, domain, "mailboxes:write");
  const results: BatchRowResult[] = rows.map((row) => ({ login: row.login, status: "failed" }));
  const fail = (i: number, error: AppError) => {
    results[i] = {
      login: results[i]?.login ?? "",
      status: "failed",
      code: error.code,
      detail: error.message,
    };
  };
  const seen = new Set<string>();
  const reserved = await ownerOnly(deps.database.db, grant);
  // A dry run writes nothing, so the rows it would create count against the limit by hand.
  let planned = 0;

  for (let start = 0; start < rows.length; start += BATCH_CHUNK) {
    const end = Math.min(rows.length, start + BATCH_CHUNK);
    // 1. Rules that need no database, in input order (a login's first valid row wins).
    const candidates: Array<{ index: number; login: string; names: ReturnType<typeof cleanNames> }> = [];
    for (let i = start; i < end; i++) {
      const row = rows[i] as BatchRow;
      try {
        const login = newAddress(grant, row.login, "login", reserved);
        (results[i] as BatchRowResult).login = login;
        if (seen.has(login)) {
          results[i] = {
            login,
            status: "skipped",
            detail: "The same login appears earlier in this batch.",
          };
          continue;
        }
        checkMailboxPassword(row.password, login, grant.name, deps.config.serviceDomain);
        const names = cleanNames(row);
        seen.add(login);
        candidates.push({ index: i, login, names });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        fail(i, error);
      }
    }
    // 2. What already exists is not hashed at all: a re-run costs no argon2 time.
    const taken = await takenAddresses(
      deps.database.db,
      grant,
      candidates.map((c) => c.login),
    );
    const fresh = candidates.filter((c) => !settleTaken(results, c.index, c.login, grant, taken));
    const room = (await roomLeft(deps.database.db, grant, deps.config.mailboxLimit)) - planned;
    for (const c of fresh.slice(Math.max(0, room))) fail(c.index, limitError(deps.config.mailboxLimit));
    const toCreate = fresh.slice(0, Math.max(0, room));
    if (options.dryRun) {
      for (const c of toCreate) results[c.index] = { login: c.login, status: "created" };
      planned += toCreate.length;
      options.onProgress?.(end);
      continue;
    }
    const hashes = await hashMailboxPasswords(toCreate.map((c) => (rows[c.index] as BatchRow).password));

    // 3. Write the chunk: access, existence and the limit again, under the domain's lock.
    try {
      await writeMailboxes(deps, async (tx, locks) => {
        const current = await writeAccess(tx, locks, ctx, domain);
        const nowTaken = await takenAddresses(
          tx,
          current,
          toCreate.map((c) => c.login),
        );
        let room = await roomLeft(tx, current, deps.config.mailboxLimit);
        const values = [];
        for (const [k, c] of toCreate.entries()) {
          if (settleTaken(results, c.index, c.login, current, nowTaken)) continue;
          if (room <= 0) {
            fail(c.index, limitError(deps.config.mailboxLimit));
            continue;
          }
          room--;
          const firstName = c.names.firstName ?? "";
          const lastName = c.names.lastName ?? "";
          values.push({
            id: newId(),
            domainId: current.domainId,
            login: c.login,
            passwordHash: hashes[k] as string,
            firstName,
            lastName,
            ...nameKeys(firstName, lastName),
            createdAt: ctx.now,
            updatedAt: ctx.now,
          });
          results[c.index] = { login: c.login, status: "created" };
        }
        if (values.length > 0) await tx.insertInto("mailboxes").values(values).execute();
        for (const value of values) {
          await recordEvent(tx, ctx, {
            action: "mailbox.create",
            domain: current.name,
            domainId: current.domainId,
            target: `${value.login}@${current.name}`,
            details: { via: options.via },
          });
        }
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // Access lost (or the domain disconnected) half-way: nothing of this chunk was written, so
      // its pending rows and every later row fail with that answer; earlier chunks stay created.
      for (const c of toCreate) fail(c.index, error);
      for (let i = end; i < rows.length; i++) fail(i, error);
      options.onProgress?.(rows.length);
      return summarise(results);
    }
    options.onProgress?.(end);
  }
  return summarise(results);
}

/**
 * The mailboxes of these logins under the domain's lock, all or nothing: one that does not exist
 * (any more) fails the whole request with NOT_FOUND naming it, and nothing changes.
 */
async function allOf(tx: Executor, grant: DomainGrant, rawLogins: readonly string[]) {
  const logins = [...new Set(rawLogins.map((raw) => loginOrNull(raw, grant.name) ?? raw))];
  const rows =
    logins.length === 0
      ? []
      : await tx
          .selectFrom("mailboxes")
          .selectAll()
          .where("domainId", "=", grant.domainId)
          .where("login", "in", logins)
          .orderBy("login")
          .execute();
  const found = new Set(rows.map((r) => r.login));
  const missing = logins.filter((login) => !found.has(login));
  if (missing.length > 0)
    throw new AppError(
      "NOT_FOUND",
      `There is no mailbox ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ""} on ${grant.name}; nothing was changed.`,
      { logins: missing },
    );
  return rows;
}

/**
 * Blocks (enabled: false) or unblocks several mailboxes in one transaction, all or nothing, with
 * an audit event for each mailbox whose state changes; those already so are left as they are.
 */
export async function setMailboxesEnabled(
  deps: Deps,
  ctx: RequestContext,
  rawDomain: string,
  logins: readonly string[],
  enabled: boolean,
): Promise<{ changed: number; unchanged: number }> {
  const domain = domainName(rawDomain);
  return writeMailboxes(deps, async (tx, locks) => {
    const grant = await writeAccess(tx, locks, ctx, domain);
    const rows = await allOf(tx, grant, logins);
    const toChange = rows.filter((r) => (r.enabled === 1) !== enabled);
    if (toChange.length > 0)
      await tx
        .updateTable("mailboxes")
        .set({ enabled: enabled ? 1 : 0, updatedAt: ctx.now })
        .where(
          "id",
          "in",
          toChange.map((r) => r.id),
        )
        .execute();
    for (const row of toChange)
      await recordEvent(tx, ctx, {
        action: "mailbox.update",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${row.login}@${grant.name}`,
        details: { changed: ["enabled"], enabled, via: "batch" },
      });
    return { changed: toChange.length, unchanged: rows.length - toChange.length };
  });
}

/**
 * Deletes several mailboxes and their aliases in one transaction, all or nothing, with an audit
 * event for each (re-authentication of sessions: the route). Their mail is gone.
 */
export async function deleteMailboxes(
  deps: Deps,
  ctx: RequestContext,
  rawDomain: string,
  logins: readonly string[],
): Promise<{ deleted: number }> {
  const domain = domainName(rawDomain);
  return writeMailboxes(deps, async (tx, locks) => {
    const grant = await writeAccess(tx, locks, ctx, domain);
    const rows = await allOf(tx, grant, logins);
    const ids = rows.map((r) => r.id);
    const aliases = await aliasesOf(tx, ids);
    if (ids.length > 0) {
      await tx.deleteFrom("mailboxAliases").where("mailboxId", "in", ids).execute();
      await tx.deleteFrom("mailboxes").where("id", "in", ids).execute();
    }
    for (const row of rows)
      await recordEvent(tx, ctx, {
        action: "mailbox.delete",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${row.login}@${grant.name}`,
        details: { aliases: aliases.get(row.id) ?? [], via: "batch" },
      });
    return { deleted: rows.length };
  });
}

/** Deletes every mailbox of the domain once its name is typed again (re-authentication: the route). */
export async function deleteAllMailboxes(
  deps: Deps,
  ctx: RequestContext,
  rawDomain: string,
  typed: string,
): Promise<{ deleted: number }> {
  const domain = domainName(rawDomain);
  return writeMailboxes(deps, async (tx, locks) => {
    const grant = await writeAccess(tx, locks, ctx, domain);
    if (lookupName(typed) !== grant.name)
      throw new AppError("CONFIRMATION_MISMATCH", `Type the domain name (${grant.name}) to confirm.`, {
        field: "confirm",
      });
    await tx.deleteFrom("mailboxAliases").where("domainId", "=", grant.domainId).execute();
    const result = await tx.deleteFrom("mailboxes").where("domainId", "=", grant.domainId).executeTakeFirst();
    const deleted = Number(result.numDeletedRows);
    await recordEvent(tx, ctx, {
      action: "mailbox.delete-all",
      domain: grant.name,
      domainId: grant.domainId,
      target: grant.name,
      details: { deleted },
    });
    await tellDomainManagers(
      tx,
      deps,
      ctx.now,
      { id: grant.domainId, name: grant.name, ownerAccountId: grant.ownerAccountId },
      {
        what: `All mailboxes of ${grant.name} were deleted (${deleted}, ${byWhom(ctx, grant)})`,
        detail: "Their mail is gone.",
      },
    );
    return { deleted };
  });
}

/** Marks a row whose address is taken: skipped for a mailbox (re-runs), failed for an alias. */
function settleTaken(
  results: BatchRowResult[],
  index: number,
  login: string,
  grant: DomainGrant,
  taken: Map<string, "mailbox" | "alias">,
): boolean {
  const kind = taken.get(login);
  if (kind === "mailbox")
    results[index] = { login, status: "skipped", detail: `${login}@${grant.name} already exists.` };
  else if (kind === "alias")
    results[index] = {
      login,
      status: "failed",
      code: "MAILBOX_EXISTS",
      detail: `${login}@${grant.name} is an alias of another mailbox.`,
    };
  return kind !== undefined;
}

function summarise(results: BatchRowResult[]): BatchResult {
  const count = (status: BatchRowResult["status"]) => results.filter((r) => r.status === status).length;
  return { results, created: count("created"), skipped: count("skipped"), failed: count("failed") };
}
