import type { Static } from "@sinclair/typebox";
/** Reading a domain's mailboxes: the list with its search, one mailbox, and the rows and views both use. */
import { type Selectable, sql } from "kysely";
import type { RequestContext } from "../access/actor.js";
import { authorizeDomain, type DomainGrant } from "../access/domain-access.js";
import type { Executor } from "../db/database.js";
import { preparedQuery } from "../db/prepared.js";
import type { MailboxesTable } from "../db/schema-mailboxes.js";
import { isoTime } from "../lib/clock.js";
import { lookupName } from "../lib/domain-names.js";
import { AppError } from "../lib/errors.js";
import { keysetPage } from "../lib/paging.js";
import { decodeCursor, encodeCursor, loginOrNull, prefixRange, searchKey } from "./logins.js";
import type * as schemas from "./mailboxes.schemas.js";

/** What leaves the server about a mailbox (never its hash): the route's schema, so the two cannot drift. */
export type MailboxView = Static<typeof schemas.Mailbox>;

export interface ListQuery {
  limit: number;
  /** `next` of the previous page. */
  after?: string;
  /** Login prefix, or the start of the first or last name (case-insensitive). */
  q?: string;
  /** `login` (A to Z, the default) or `-login` (Z to A). */
  order?: "login" | "-login";
}

export type MailboxPage = Static<typeof schemas.MailboxPage>;

type MailboxRow = Selectable<MailboxesTable>;

const iso = (ms: number) => isoTime(Number(ms));

/** What a listing reads of a mailbox: what its view shows, and its id for the aliases — never the hash. */
const LISTED = [
  "id",
  "login",
  "firstName",
  "lastName",
  "enabled",
  "quotaMb",
  "createdAt",
  "updatedAt",
] as const;
type ListedRow = Pick<MailboxRow, (typeof LISTED)[number]>;

// A page without a search, the count and the aliases: built once (src/db/prepared.ts).
const firstPage = preparedQuery((db, p: { domainId: string; limit: number }) =>
  db
    .selectFrom("mailboxes")
    .select(LISTED)
    .where("domainId", "=", p.domainId)
    .orderBy("login")
    .limit(p.limit),
);
const pageAfter = preparedQuery((db, p: { domainId: string; after: string; limit: number }) =>
  db
    .selectFrom("mailboxes")
    .select(LISTED)
    .where("domainId", "=", p.domainId)
    .where("login", ">", p.after)
    .orderBy("login")
    .limit(p.limit),
);
const countOf = preparedQuery((db, p: { domainId: string }) =>
  db.selectFrom("domainMailboxCounts").select("count").where("domainId", "=", p.domainId),
);
const aliasesIn = preparedQuery((db, p: { mailboxIds: readonly string[] }) =>
  db
    .selectFrom("mailboxAliases")
    .select(["mailboxId", "alias"])
    .where("mailboxId", "in", p.mailboxIds)
    .orderBy("alias"),
);

export async function listMailboxes(
  db: Executor,
  ctx: RequestContext,
  rawDomain: string,
  query: ListQuery,
): Promise<MailboxPage> {
  const domain = domainName(rawDomain);
  // Reads run outside a transaction: on SQLite a transaction is BEGIN IMMEDIATE and would queue
  // every listing behind the writers.
  const grant = await authorizeDomain(db, ctx.actor, domain, "mailboxes:read");
  const after = query.after === undefined ? null : decodeCursor(query.after);
  const search = query.q === undefined ? null : searchRanges(query.q);
  const limit = query.limit + 1;
  const desc = query.order === "-login";
  const [rows, total] = await Promise.all([
    search !== null || desc
      ? pageQuery(db, grant.domainId, { after, search, limit, desc }).execute()
      : after === null
        ? firstPage.all(db, { domainId: grant.domainId, limit })
        : pageAfter.all(db, { domainId: grant.domainId, after, limit }),
    search === null ? mailboxCount(db, grant.domainId) : countMatches(db, grant.domainId, search),
  ]);
  const { shown, next } = keysetPage(rows, query.limit, (last) => encodeCursor(last.login));
  const aliases = await aliasesOf(
    db,
    shown.map((r) => r.id),
  );
  return {
    mailboxes: shown.map((row) => view(grant.name, row, aliases.get(row.id) ?? [])),
    next,
    total,
  };
}

export async function getMailbox(
  db: Executor,
  ctx: RequestContext,
  rawDomain: string,
  rawLogin: string,
): Promise<MailboxView> {
  const domain = domainName(rawDomain);
  const grant = await authorizeDomain(db, ctx.actor, domain, "mailboxes:read");
  const row = await findMailbox(db, grant, rawLogin);
  return view(grant.name, row, (await aliasesOf(db, [row.id])).get(row.id) ?? []);
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
 * One page of a domain's mailboxes in login order (`desc`: reversed) after the cursor
 * (bench/mailboxes.ts explains it). Without a search: the (domain_id, login) index from the cursor
 * on, walked backwards for `desc` (`listMailboxes` runs the ascending query prepared: `firstPage`,
 * `pageAfter`). With one: the page's logins from the search indexes alone, then only those rows.
 */
export function pageQuery(
  db: Executor,
  domainId: string,
  page: { after: string | null; search: SearchRanges | null; limit: number; desc?: boolean },
) {
  const { after, search, limit } = page;
  const direction = page.desc ? "desc" : "asc";
  const beyond = page.desc ? "<" : ">";
  const rows = db
    .selectFrom("mailboxes")
    .select(LISTED)
    .where("domainId", "=", domainId)
    .orderBy("login", direction);
  if (search === null)
    return rows.$if(after !== null, (qb) => qb.where("login", beyond, after as string)).limit(limit);
  return rows.where("login", "in", (eb) =>
    eb
      .selectFrom(matchingLogins(db, domainId, search, after, beyond).as("matches"))
      .select("matches.login")
      .orderBy("matches.login", direction)
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
function matchingLogins(
  db: Executor,
  domainId: string,
  search: SearchRanges,
  after: string | null,
  beyond: ">" | "<" = ">",
) {
  const range = (column: "login" | "firstLastKey" | "lastFirstKey", [from, to]: [string, string | null]) =>
    db
      .selectFrom("mailboxes")
      .select("login")
      .where("domainId", "=", domainId)
      .where(column, ">=", from)
      .$if(to !== null, (qb) => qb.where(column, "<", to as string));
  const byName = (column: "firstLastKey" | "lastFirstKey") =>
    range(column, search.names).$if(after !== null, (qb) =>
      qb.where(sql<string>`${sql.ref("login")} || ''`, beyond, after as string),
    );
  const names = byName("firstLastKey").union(byName("lastFirstKey"));
  if (!search.logins) return names;
  return names.union(
    range("login", search.logins).$if(after !== null, (qb) => qb.where("login", beyond, after as string)),
  );
}

/** A domain's number of mailboxes, kept by triggers (migration 005). */
export async function mailboxCount(db: Executor, domainId: string): Promise<number> {
  const row = await countOf.first(db, { domainId });
  return Number(row?.count ?? 0);
}

/** The ASCII name from a path, or NOT_FOUND when it cannot be a domain. */
export function domainName(raw: string): string {
  const name = lookupName(raw);
  if (!name) throw new AppError("NOT_FOUND");
  return name;
}

export async function findMailbox(db: Executor, grant: DomainGrant, rawLogin: string): Promise<MailboxRow> {
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

export async function aliasesOf(db: Executor, mailboxIds: readonly string[]): Promise<Map<string, string[]>> {
  const byMailbox = new Map<string, string[]>();
  if (mailboxIds.length === 0) return byMailbox;
  for (const row of await aliasesIn.all(db, { mailboxIds })) {
    const list = byMailbox.get(row.mailboxId);
    if (list) list.push(row.alias);
    else byMailbox.set(row.mailboxId, [row.alias]);
  }
  return byMailbox;
}

export function view(domain: string, row: Omit<ListedRow, "id">, aliases: string[]): MailboxView {
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
