import { type Selectable, sql } from "kysely";
import type { RequestContext } from "../access/actor.js";
import { authorizeDomain, type DomainGrant } from "../access/domain-access.js";
import { recordEvent } from "../audit/audit.service.js";
import {
  checkMailboxPassword,
  hashMailboxPassword,
  hashMailboxPasswords,
} from "../credentials/mailbox-passwords.js";
import { ownerContactLocalParts } from "../credentials/recovery-email.js";
import type { Executor } from "../db/database.js";
import type { MailboxesTable } from "../db/schema-mailboxes.js";
import { inDomainTransaction, type RowLocks } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { tellDomainManagers } from "../deputies/deputies.service.js";
import { lookupName } from "../lib/domain-names.js";
import { AppError, type ErrorCode } from "../lib/errors.js";
import { keysetPage } from "../lib/paging.js";
import { newId } from "../lib/random.js";
import {
  decodeCursor,
  encodeCursor,
  type LoginField,
  loginOrNull,
  nameKeys,
  parseLogin,
  prefixRange,
  RESERVED_LOGINS,
  searchKey,
} from "./logins.js";

/** What leaves the server about a mailbox (never its hash). */
export interface MailboxView {
  login: string;
  address: string;
  firstName: string;
  lastName: string;
  enabled: boolean;
  /** MiB; 0 = the installation's default quota. */
  quotaMb: number;
  /** Local parts of the mailbox's aliases, sorted. */
  aliases: string[];
  createdAt: string;
  updatedAt: string;
}

export interface CreateMailboxInput {
  login: string;
  password: string;
  firstName?: string;
  lastName?: string;
  quotaMb?: number;
  enabled?: boolean;
}

export interface UpdateMailboxInput {
  firstName?: string;
  lastName?: string;
  password?: string;
  enabled?: boolean;
  quotaMb?: number;
}

export interface ListQuery {
  limit: number;
  /** `next` of the previous page. */
  after?: string;
  /** Login prefix, or the start of the first or last name (case-insensitive). */
  q?: string;
}

export interface MailboxPage {
  mailboxes: MailboxView[];
  next: string | null;
  /** How many mailboxes match (the whole domain without `q`). */
  total: number;
}

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
}

/** Aliases one mailbox may have: enough for every real use, a bound on what a leaked token can add. */
export const ALIAS_LIMIT = 100;
/** Batch rows are hashed and written this many at a time (one transaction each). */
const BATCH_CHUNK = 100;
const NAME_MAX = 100;
/** Control characters (newlines, tabs, NUL …) have no place in a name. */
const hasControl = (value: string) => [...value].some((c) => c.charCodeAt(0) < 0x20 || c === "\u007f");

type MailboxRow = Selectable<MailboxesTable>;

const iso = (ms: number) => new Date(Number(ms)).toISOString();

/**
 * Mailboxes and aliases of a confirmed domain (product.md §4), for its owner and deputies and for
 * tokens with mailboxes:read / mailboxes:write. Every operation starts with `authorizeDomain`, so
 * a stranger gets NOT_FOUND and nothing else; every change runs in one transaction with its audit
 * event (domain set, target = the mailbox address) after taking the domain's write lock, so the
 * per-domain limit and the shared address space of mailboxes and aliases hold under concurrency.
 * Passwords are hashed before the transaction (argon2 takes tens of milliseconds, the lock must
 * not), which is why the checks that can be made early are made twice.
 */
export class MailboxesService {
  constructor(private readonly deps: Deps) {}

  private get db() {
    return this.deps.database.db;
  }

  /** Throws what any operation of this kind would (NOT_FOUND, FORBIDDEN); for the CLI's early check. */
  async checkAccess(
    ctx: RequestContext,
    rawDomain: string,
    action: "mailboxes:read" | "mailboxes:write",
  ): Promise<void> {
    await authorizeDomain(this.db, ctx.actor, domainName(rawDomain), action);
  }

  async create(ctx: RequestContext, rawDomain: string, input: CreateMailboxInput): Promise<MailboxView> {
    const domain = domainName(rawDomain);
    const check = async (db: Executor, grant: DomainGrant) => {
      const login = this.newAddress(grant, input.login, "login", await ownerOnly(db, grant));
      await assertAddressFree(db, grant, login);
      await this.assertRoom(db, grant, 1);
      return { grant, login };
    };
    const { grant, login } = await check(
      this.db,
      await authorizeDomain(this.db, ctx.actor, domain, "mailboxes:write"),
    );
    checkMailboxPassword(input.password, login, grant.name, this.deps.config.serviceDomain);
    const names = cleanNames(input);
    const passwordHash = await hashMailboxPassword(input.password);

    return this.write(async (tx, locks) => {
      const { grant } = await check(tx, await this.writeAccess(tx, locks, ctx, domain));
      const row = {
        id: newId(),
        domainId: grant.domainId,
        login,
        passwordHash,
        firstName: names.firstName ?? "",
        lastName: names.lastName ?? "",
        ...nameKeys(names.firstName ?? "", names.lastName ?? ""),
        enabled: input.enabled === false ? 0 : 1,
        quotaMb: input.quotaMb ?? 0,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      };
      await tx.insertInto("mailboxes").values(row).execute();
      await recordEvent(tx, ctx, {
        action: "mailbox.create",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${login}@${grant.name}`,
        details: { enabled: row.enabled === 1, quotaMb: row.quotaMb },
      });
      return view(grant.name, row, []);
    });
  }

  async list(ctx: RequestContext, rawDomain: string, query: ListQuery): Promise<MailboxPage> {
    const domain = domainName(rawDomain);
    // Reads run outside a transaction: on SQLite a transaction is BEGIN IMMEDIATE and would queue
    // every listing behind the writers.
    const grant = await authorizeDomain(this.db, ctx.actor, domain, "mailboxes:read");
    const after = query.after === undefined ? null : decodeCursor(query.after);
    const search = query.q === undefined ? null : searchRanges(query.q);
    const [rows, total] = await Promise.all([
      pageQuery(this.db, grant.domainId, { after, search, limit: query.limit + 1 }).execute(),
      search === null ? mailboxCount(this.db, grant.domainId) : countMatches(this.db, grant.domainId, search),
    ]);
    const { shown, next } = keysetPage(rows, query.limit, (last) => encodeCursor(last.login));
    const aliases = await aliasesOf(
      this.db,
      shown.map((r) => r.id),
    );
    return {
      mailboxes: shown.map((row) => view(grant.name, row, aliases.get(row.id) ?? [])),
      next,
      total,
    };
  }

  async get(ctx: RequestContext, rawDomain: string, rawLogin: string): Promise<MailboxView> {
    const domain = domainName(rawDomain);
    const grant = await authorizeDomain(this.db, ctx.actor, domain, "mailboxes:read");
    const row = await findMailbox(this.db, grant, rawLogin);
    return view(grant.name, row, (await aliasesOf(this.db, [row.id])).get(row.id) ?? []);
  }

  async update(
    ctx: RequestContext,
    rawDomain: string,
    rawLogin: string,
    input: UpdateMailboxInput,
  ): Promise<MailboxView> {
    const domain = domainName(rawDomain);
    const check = async (db: Executor, grant: DomainGrant) => {
      const row = await findMailbox(db, grant, rawLogin);
      // Setting the password of postmaster@ or admin@, or of the owner's own address, is taking
      // them over: the owner's alone, as creating them is.
      if (input.password !== undefined && grant.role !== "owner") {
        if (RESERVED_LOGINS.has(row.login))
          throw new AppError(
            "LOGIN_RESERVED",
            `Only the domain's owner may set the password of ${row.login}@${grant.name}.`,
            { field: "password" },
          );
        if ((await ownerOnly(db, grant)).has(row.login))
          throw ownerContactError(grant, row.login, "password");
      }
      return { grant, row };
    };
    const { grant, row } = await check(
      this.db,
      await authorizeDomain(this.db, ctx.actor, domain, "mailboxes:write"),
    );
    const changed = (Object.keys(input) as Array<keyof UpdateMailboxInput>)
      .filter((k) => input[k] !== undefined)
      .sort();
    if (changed.length === 0) throw new AppError("VALIDATION_FAILED", "Give at least one field to change.");
    if (input.password !== undefined)
      checkMailboxPassword(input.password, row.login, grant.name, this.deps.config.serviceDomain);
    const names = cleanNames(input);
    const passwordHash = input.password === undefined ? undefined : await hashMailboxPassword(input.password);

    return this.write(async (tx, locks) => {
      const { grant, row } = await check(tx, await this.writeAccess(tx, locks, ctx, domain));
      const firstName = names.firstName ?? row.firstName;
      const lastName = names.lastName ?? row.lastName;
      const set = {
        firstName,
        lastName,
        ...nameKeys(firstName, lastName),
        ...(passwordHash !== undefined ? { passwordHash } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
        ...(input.quotaMb !== undefined ? { quotaMb: input.quotaMb } : {}),
        updatedAt: ctx.now,
      };
      await tx.updateTable("mailboxes").set(set).where("id", "=", row.id).execute();
      await recordEvent(tx, ctx, {
        action: "mailbox.update",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${row.login}@${grant.name}`,
        details: {
          changed,
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
          ...(input.quotaMb !== undefined ? { quotaMb: input.quotaMb } : {}),
        },
      });
      return view(grant.name, { ...row, ...set }, (await aliasesOf(tx, [row.id])).get(row.id) ?? []);
    });
  }

  /** Deletes a mailbox and its aliases; its mail is gone (re-authentication of sessions: the route). */
  async remove(ctx: RequestContext, rawDomain: string, rawLogin: string): Promise<void> {
    const domain = domainName(rawDomain);
    await this.write(async (tx, locks) => {
      const grant = await this.writeAccess(tx, locks, ctx, domain);
      const row = await findMailbox(tx, grant, rawLogin);
      const aliases = (await aliasesOf(tx, [row.id])).get(row.id) ?? [];
      await tx.deleteFrom("mailboxAliases").where("mailboxId", "=", row.id).execute();
      await tx.deleteFrom("mailboxes").where("id", "=", row.id).execute();
      await recordEvent(tx, ctx, {
        action: "mailbox.delete",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${row.login}@${grant.name}`,
        details: { aliases },
      });
    });
  }

  /** Deletes every mailbox of the domain once its name is typed again (re-authentication: the route). */
  async removeAll(ctx: RequestContext, rawDomain: string, typed: string): Promise<{ deleted: number }> {
    const domain = domainName(rawDomain);
    return this.write(async (tx, locks) => {
      const grant = await this.writeAccess(tx, locks, ctx, domain);
      if (lookupName(typed) !== grant.name)
        throw new AppError("CONFIRMATION_MISMATCH", `Type the domain name (${grant.name}) to confirm.`, {
          field: "confirm",
        });
      await tx.deleteFrom("mailboxAliases").where("domainId", "=", grant.domainId).execute();
      const result = await tx
        .deleteFrom("mailboxes")
        .where("domainId", "=", grant.domainId)
        .executeTakeFirst();
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
        this.deps,
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

  async addAlias(
    ctx: RequestContext,
    rawDomain: string,
    rawLogin: string,
    rawAlias: string,
  ): Promise<MailboxView> {
    const domain = domainName(rawDomain);
    return this.write(async (tx, locks) => {
      const grant = await this.writeAccess(tx, locks, ctx, domain);
      const row = await findMailbox(tx, grant, rawLogin);
      const alias = this.newAddress(grant, rawAlias, "alias", await ownerOnly(tx, grant));
      await assertAddressFree(tx, grant, alias);
      const aliases = (await aliasesOf(tx, [row.id])).get(row.id) ?? [];
      if (aliases.length >= ALIAS_LIMIT)
        throw new AppError("ALIAS_LIMIT_REACHED", `A mailbox has at most ${ALIAS_LIMIT} aliases.`, {
          limit: ALIAS_LIMIT,
        });
      await tx
        .insertInto("mailboxAliases")
        .values({ id: newId(), domainId: grant.domainId, mailboxId: row.id, alias, createdAt: ctx.now })
        .execute();
      await recordEvent(tx, ctx, {
        action: "mailbox.alias.add",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${row.login}@${grant.name}`,
        details: { alias: `${alias}@${grant.name}` },
      });
      return view(grant.name, row, [...aliases, alias].sort());
    });
  }

  async removeAlias(
    ctx: RequestContext,
    rawDomain: string,
    rawLogin: string,
    rawAlias: string,
  ): Promise<MailboxView> {
    const domain = domainName(rawDomain);
    return this.write(async (tx, locks) => {
      const grant = await this.writeAccess(tx, locks, ctx, domain);
      const row = await findMailbox(tx, grant, rawLogin);
      const alias = loginOrNull(rawAlias, grant.name);
      const deleted =
        alias === null
          ? 0
          : Number(
              (
                await tx
                  .deleteFrom("mailboxAliases")
                  .where("mailboxId", "=", row.id)
                  .where("alias", "=", alias)
                  .executeTakeFirst()
              ).numDeletedRows,
            );
      if (deleted === 0) throw new AppError("NOT_FOUND", `${row.login}@${grant.name} has no such alias.`);
      await recordEvent(tx, ctx, {
        action: "mailbox.alias.remove",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${row.login}@${grant.name}`,
        details: { alias: `${alias}@${grant.name}` },
      });
      return view(grant.name, row, (await aliasesOf(tx, [row.id])).get(row.id) ?? []);
    });
  }

  /**
   * Creates many mailboxes, each row on its own: a row whose address already has a mailbox is
   * skipped and never overwritten (so an import can be run again), a row that breaks a rule fails
   * with the code a single create would give, the others are created — in chunks, each hashed
   * first and then written in one transaction with an audit event per mailbox. A login that
   * appears twice is created once and skipped the second time. Access is checked before anything
   * and again in every chunk; losing it half-way fails the remaining rows with its code.
   */
  async createMany(
    ctx: RequestContext,
    rawDomain: string,
    rows: readonly BatchRow[],
    options: BatchOptions,
  ): Promise<BatchResult> {
    const domain = domainName(rawDomain);
    const grant = await authorizeDomain(this.db, ctx.actor, domain, "mailboxes:write");
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
    const reserved = await ownerOnly(this.db, grant);

    for (let start = 0; start < rows.length; start += BATCH_CHUNK) {
      const end = Math.min(rows.length, start + BATCH_CHUNK);
      // 1. Rules that need no database, in input order (a login's first valid row wins).
      const candidates: Array<{ index: number; login: string; names: ReturnType<typeof cleanNames> }> = [];
      for (let i = start; i < end; i++) {
        const row = rows[i] as BatchRow;
        try {
          const login = this.newAddress(grant, row.login, "login", reserved);
          (results[i] as BatchRowResult).login = login;
          if (seen.has(login)) {
            results[i] = {
              login,
              status: "skipped",
              detail: "The same login appears earlier in this batch.",
            };
            continue;
          }
          checkMailboxPassword(row.password, login, grant.name, this.deps.config.serviceDomain);
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
        this.db,
        grant,
        candidates.map((c) => c.login),
      );
      const fresh = candidates.filter((c) => !this.settleTaken(results, c.index, c.login, grant, taken));
      const room = await this.roomLeft(this.db, grant);
      for (const c of fresh.slice(Math.max(0, room))) fail(c.index, this.limitError());
      const toCreate = fresh.slice(0, Math.max(0, room));
      const hashes = await hashMailboxPasswords(toCreate.map((c) => (rows[c.index] as BatchRow).password));

      // 3. Write the chunk: access, existence and the limit again, under the domain's lock.
      try {
        await this.write(async (tx, locks) => {
          const current = await this.writeAccess(tx, locks, ctx, domain);
          const nowTaken = await takenAddresses(
            tx,
            current,
            toCreate.map((c) => c.login),
          );
          let room = await this.roomLeft(tx, current);
          const values = [];
          for (const [k, c] of toCreate.entries()) {
            if (this.settleTaken(results, c.index, c.login, current, nowTaken)) continue;
            if (room <= 0) {
              fail(c.index, this.limitError());
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
   * A new address's local part, with the reserved names and `ownerContacts` (from `ownerOnly`)
   * kept for the owner.
   */
  private newAddress(
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

  /** Marks a row whose address is taken: skipped for a mailbox (re-runs), failed for an alias. */
  private settleTaken(
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

  private async roomLeft(db: Executor, grant: DomainGrant): Promise<number> {
    return this.deps.config.mailboxLimit - (await mailboxCount(db, grant.domainId));
  }

  private async assertRoom(db: Executor, grant: DomainGrant, wanted: number): Promise<void> {
    if ((await this.roomLeft(db, grant)) < wanted) throw this.limitError();
  }

  private limitError(): AppError {
    const limit = this.deps.config.mailboxLimit;
    return new AppError("MAILBOX_LIMIT_REACHED", `A domain may have at most ${limit} mailboxes.`, { limit });
  }

  private write<T>(work: (tx: Executor, locks: RowLocks) => Promise<T>): Promise<T> {
    return inDomainTransaction(this.deps.database, work);
  }

  /**
   * `authorizeDomain` for a change, then the domain's write lock for the rest of the transaction.
   * SQLite transactions hold the database's already (BEGIN IMMEDIATE); on PostgreSQL the domain's
   * row is locked, so two creations cannot both pass the limit or both take an address, and a
   * domain disconnected meanwhile is NOT_FOUND. FOR NO KEY UPDATE does not block the foreign-key
   * checks of other tables' rows that point at the domain.
   */
  private async writeAccess(
    tx: Executor,
    locks: RowLocks,
    ctx: RequestContext,
    domain: string,
  ): Promise<DomainGrant> {
    const grant = await authorizeDomain(tx, ctx.actor, domain, "mailboxes:write");
    if (!(await locks.row("domains", grant.domainId, "no key update"))) throw new AppError("NOT_FOUND");
    return grant;
  }
}

export interface SearchRanges {
  logins: [string, string | null] | null;
  names: [string, string | null];
}

/**
 * `q` as index ranges: logins starting with it (for "bob@exa…", with "bob"), and first or last
 * names starting with it ("anna", "smith", "anna sm", "smith a"), case-insensitively through the
 * normalised keys. Null for a blank `q`.
 */
export function searchRanges(q: string): SearchRanges | null {
  const key = searchKey(q);
  if (key === "") return null;
  const login = key.split("@")[0] as string;
  return {
    logins: /^[a-z0-9._-]+$/.test(login) ? prefixRange(login) : null,
    names: prefixRange(key),
  };
}

/**
 * One page of a domain's mailboxes in login order after the cursor (bench/mailboxes.ts explains
 * it). Without a search: the (domain_id, login) index from the cursor on. With one: the page's
 * logins from the search indexes alone, then only those rows.
 */
export function pageQuery(
  db: Executor,
  domainId: string,
  page: { after: string | null; search: SearchRanges | null; limit: number },
) {
  const { after, search, limit } = page;
  const rows = db.selectFrom("mailboxes").selectAll().where("domainId", "=", domainId).orderBy("login");
  if (search === null)
    return rows.$if(after !== null, (qb) => qb.where("login", ">", after as string)).limit(limit);
  return rows.where("login", "in", (eb) =>
    eb
      .selectFrom(matchingLogins(db, domainId, search, after).as("matches"))
      .select("matches.login")
      .orderBy("matches.login")
      .limit(limit),
  );
}

/** How many mailboxes a search matches: the same index ranges, counted. */
async function countMatches(db: Executor, domainId: string, search: SearchRanges): Promise<number> {
  const row = await db
    .selectFrom(matchingLogins(db, domainId, search, null).as("matches"))
    .select((eb) => eb.fn.countAll<number>().as("total"))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/**
 * The logins matching a search (after the cursor): a UNION of one range per index — the login
 * index and the two name-key indexes of migrations 004/005, which end in `login` so nothing else
 * is read. One range per arm leaves the planner no choice to get wrong: with the three ranges
 * OR-ed in one WHERE, SQLite and PostgreSQL both walked the whole domain in login order for rare
 * or absent names (20 ms at 100,000 mailboxes instead of 0.05). In the name arms the cursor is
 * compared as an expression (`login || ''`), which no index serves: given `login > ?`, SQLite
 * walked the login index from the cursor to feed its sorted UNION (6 ms instead of 0.6 for the
 * second page of a search).
 */
function matchingLogins(db: Executor, domainId: string, search: SearchRanges, after: string | null) {
  const range = (column: "login" | "firstLastKey" | "lastFirstKey", [from, to]: [string, string | null]) =>
    db
      .selectFrom("mailboxes")
      .select("login")
      .where("domainId", "=", domainId)
      .where(column, ">=", from)
      .$if(to !== null, (qb) => qb.where(column, "<", to as string));
  const byName = (column: "firstLastKey" | "lastFirstKey") =>
    range(column, search.names).$if(after !== null, (qb) =>
      qb.where(sql<string>`${sql.ref("login")} || ''`, ">", after as string),
    );
  const names = byName("firstLastKey").union(byName("lastFirstKey"));
  if (!search.logins) return names;
  return names.union(
    range("login", search.logins).$if(after !== null, (qb) => qb.where("login", ">", after as string)),
  );
}

/**
 * The local parts that are the owner's own contacts on the domain (their recovery e-mail), closed
 * to deputies and their tokens: whoever holds that mailbox reads the owner's mail. Empty for the
 * owner.
 */
async function ownerOnly(db: Executor, grant: DomainGrant): Promise<ReadonlySet<string>> {
  if (grant.role === "owner") return new Set();
  return ownerContactLocalParts(db, grant.ownerAccountId, grant.name);
}

function ownerContactError(grant: DomainGrant, login: string, field: string): AppError {
  return new AppError(
    "LOGIN_IS_OWNER_CONTACT",
    `${login}@${grant.name} is a contact address of the domain's owner; only the owner may create it or set its password.`,
    { field },
  );
}

/** A domain's number of mailboxes, kept by triggers (migration 005). */
async function mailboxCount(db: Executor, domainId: string): Promise<number> {
  const row = await db
    .selectFrom("domainMailboxCounts")
    .select("count")
    .where("domainId", "=", domainId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** The ASCII name from a path, or NOT_FOUND when it cannot be a domain. */
function domainName(raw: string): string {
  const name = lookupName(raw);
  if (!name) throw new AppError("NOT_FOUND");
  return name;
}

function cleanNames(input: { firstName?: string; lastName?: string }): {
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

async function findMailbox(db: Executor, grant: DomainGrant, rawLogin: string): Promise<MailboxRow> {
  const login = loginOrNull(rawLogin, grant.name);
  const row =
    login === null
      ? undefined
      : await db
          .selectFrom("mailboxes")
          .selectAll()
          .where("domainId", "=", grant.domainId)
          .where("login", "=", login)
          .executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", `There is no mailbox ${rawLogin} on ${grant.name}.`);
  return row;
}

/** Which of these local parts are taken on the domain, by a mailbox or by an alias. */
async function takenAddresses(
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
async function assertAddressFree(db: Executor, grant: DomainGrant, login: string): Promise<void> {
  const kind = (await takenAddresses(db, grant, [login])).get(login);
  if (kind)
    throw new AppError(
      "MAILBOX_EXISTS",
      kind === "mailbox"
        ? `${login}@${grant.name} already exists.`
        : `${login}@${grant.name} is an alias of another mailbox.`,
    );
}

async function aliasesOf(db: Executor, mailboxIds: readonly string[]): Promise<Map<string, string[]>> {
  const byMailbox = new Map<string, string[]>();
  if (mailboxIds.length === 0) return byMailbox;
  const rows = await db
    .selectFrom("mailboxAliases")
    .select(["mailboxId", "alias"])
    .where("mailboxId", "in", [...mailboxIds])
    .orderBy("alias")
    .execute();
  for (const row of rows) byMailbox.set(row.mailboxId, [...(byMailbox.get(row.mailboxId) ?? []), row.alias]);
  return byMailbox;
}

function view(domain: string, row: Omit<MailboxRow, "id" | "domainId">, aliases: string[]): MailboxView {
  return {
    login: row.login,
    address: `${row.login}@${domain}`,
    firstName: row.firstName,
    lastName: row.lastName,
    enabled: row.enabled === 1,
    quotaMb: Number(row.quotaMb),
    aliases,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function summarise(results: BatchRowResult[]): BatchResult {
  const count = (status: BatchRowResult["status"]) => results.filter((r) => r.status === status).length;
  return { results, created: count("created"), skipped: count("skipped"), failed: count("failed") };
}

/** Who made a change, in words a notice can carry without naming anyone. */
function byWhom(ctx: RequestContext, grant: DomainGrant): string {
  const who = grant.role === "owner" ? "the owner" : "an additional administrator";
  return ctx.actor.kind === "token" ? `by an API token of ${who}` : `by ${who}`;
}
