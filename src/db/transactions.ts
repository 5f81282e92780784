import type { Transaction } from "kysely";
import type { Database } from "./database.js";
import { type PreparedQuery, preparedQuery } from "./prepared.js";
import type { DB } from "./schema.js";

/** A unique index refused the row (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/**
 * PostgreSQL row-lock strengths. `no key update` does not block the foreign-key checks of other
 * tables' rows that point at the locked row; `share` lets other holders in but keeps writers out.
 */
export type RowLock = "update" | "no key update" | "share";

/** A select that can lock the rows it reads (Kysely's SelectQueryBuilder). */
interface Lockable<Q> {
  forUpdate(): Q;
  forNoKeyUpdate(): Q;
  forShare(): Q;
}

/** A row to lock first thing in the transaction: one such transaction at a time per row. */
export interface LockFirst {
  table: "accounts" | "domains";
  id: string;
  strength?: RowLock;
}

/**
 * The locking steps of a write transaction. PostgreSQL needs row locks so that concurrent
 * transactions take turns on what they check and then change; SQLite's write transactions start
 * with BEGIN IMMEDIATE and so hold the whole database already, and every step is a no-op there.
 */
export interface RowLocks {
  /** Whether this database takes row locks (PostgreSQL) rather than serialising writers (SQLite). */
  readonly taken: boolean;
  /** `query` locking the rows it reads (FOR UPDATE by default) on PostgreSQL; unchanged on SQLite. */
  query<Q extends Lockable<Q>>(query: Q, strength?: RowLock): Q;
  /** Locks one row by id; false when it does not exist (never checked, so always true, on SQLite). */
  row(table: "accounts" | "domains", id: string, strength?: RowLock): Promise<boolean>;
}

function withLock<Q extends Lockable<Q>>(query: Q, strength: RowLock): Q {
  if (strength === "share") return query.forShare();
  if (strength === "no key update") return query.forNoKeyUpdate();
  return query.forUpdate();
}

/** `row`'s statements, one per table and strength, built once (src/db/prepared.ts): most writes take one. */
const rowLockQueries = new Map<string, PreparedQuery<{ id: string }, { id: string }>>();
function rowLockQuery(table: "accounts" | "domains", strength: RowLock) {
  const key = `${table} ${strength}`;
  let query = rowLockQueries.get(key);
  if (!query) {
    query = preparedQuery((db, p: { id: string }) =>
      withLock(db.selectFrom(table).select("id").where("id", "=", p.id), strength),
    );
    rowLockQueries.set(key, query);
  }
  return query;
}

/** The locking steps for `tx` on `dialect` (see RowLocks). */
export function rowLocks(tx: Transaction<DB>, dialect: Database["dialect"]): RowLocks {
  const taken = dialect === "postgres";
  return {
    taken,
    query: (query, strength = "update") => (taken ? withLock(query, strength) : query),
    async row(table, id, strength = "update") {
      if (!taken) return true;
      return (await rowLockQuery(table, strength).first(tx, { id })) !== undefined;
    },
  };
}

/**
 * Runs `fn` in one write transaction with the row locks PostgreSQL needs (see RowLocks); `lock`
 * locks a row before `fn` starts. The one place that knows which database needs which lock.
 */
export function inDomainTransaction<T>(
  database: Pick<Database, "db" | "dialect">,
  fn: (tx: Transaction<DB>, locks: RowLocks) => Promise<T>,
  options: { lock?: LockFirst } = {},
): Promise<T> {
  return database.db.transaction().execute(async (tx) => {
    const locks = rowLocks(tx, database.dialect);
    const first = options.lock;
    if (first) await locks.row(first.table, first.id, first.strength);
    return fn(tx, locks);
  });
}
