import type SQLite from "better-sqlite3";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteAdapter,
  SqliteDialect,
} from "kysely";
import { type RowReader, rowReader } from "./prepared.js";

/**
 * Makes callers take turns on SQLite's one connection, first come first served. Each unlock hands
 * the connection to the next waiter alone: waking every waiter to race for it (as a shared
 * promise would) costs each query as many wake-ups as requests are waiting, which under load was
 * a large part of a request's CPU (issue 13). Also keeps the event loop free while another
 * process holds SQLite's write lock (see retryWhileBusy).
 */
class ConnectionMutex {
  #locked = false;
  readonly #waiting: Array<() => void> = [];
  /** Takes the connection if it is free now; false when someone holds it. */
  tryLock(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }
  lock(): Promise<void> | undefined {
    if (!this.#locked) {
      this.#locked = true;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  unlock(): void {
    const next = this.#waiting.shift();
    // The lock stays taken: it passes to `next`.
    if (next) next();
    else this.#locked = false;
  }
}

const isBusy = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
};

/**
 * Kysely's SQLite driver, changed where a second process (an import, a backup, another mfd) shares
 * the file. better-sqlite3 is synchronous, so SQLite's own busy_timeout would freeze the whole
 * process while it waits for that process's write lock. Instead the lock is asked for without
 * waiting (busy_timeout 0) and, while it is taken, asked again after a growing pause in which the
 * one connection serves other requests; past `lockWaitMs` the SQLITE_BUSY error stands (503).
 * Write transactions start with BEGIN IMMEDIATE so two writers never deadlock on upgrade.
 */
export class LockAwareSqliteDriver implements Driver {
  readonly #mutex = new ConnectionMutex();
  readonly #connection: LockAwareSqliteConnection;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly lockWaitMs: number,
  ) {
    this.#connection = new LockAwareSqliteConnection(sqlite, (attempt) => this.retryWhileBusy(attempt));
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // SQLite has one connection; the mutex makes callers take turns on it.
    await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(): Promise<void> {
    await this.retryWhileBusy(() => this.sqlite.exec("begin immediate"));
  }

  async commitTransaction(): Promise<void> {
    this.sqlite.exec("commit");
  }

  async rollbackTransaction(): Promise<void> {
    // After SQLITE_FULL, an I/O error or an interrupted commit SQLite has already rolled the
    // transaction back; a second ROLLBACK would fail and hide the real error behind "cannot
    // rollback - no transaction is active".
    if (this.sqlite.inTransaction) this.sqlite.exec("rollback");
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  /**
   * One statement on the connection, taking its turn as Kysely's acquire and release would
   * (prepared.ts). A free connection — the usual case: only a transaction holds it across awaits,
   * as better-sqlite3 runs a statement to its end without yielding — runs it at once and answers
   * without a promise (a read of the request path made five per query, issue 13); a held
   * connection, or another process's write lock, takes the turn-taking path.
   */
  run(
    sql: string,
    parameters: readonly unknown[],
    firstOnly: boolean,
  ): QueryResult<Record<string, unknown>> | Promise<QueryResult<Record<string, unknown>>> {
    if (this.#mutex.tryLock()) {
      try {
        return this.#connection.runPrepared(sql, parameters, firstOnly);
      } catch (error) {
        if (!isBusy(error)) throw error;
      } finally {
        this.#mutex.unlock();
      }
    }
    return this.#runInTurn(sql, parameters, firstOnly);
  }

  async #runInTurn(
    sql: string,
    parameters: readonly unknown[],
    firstOnly: boolean,
  ): Promise<QueryResult<Record<string, unknown>>> {
    const pending = this.#mutex.lock();
    if (pending) await pending;
    try {
      return await this.retryWhileBusy(() => this.#connection.runPrepared(sql, parameters, firstOnly));
    } finally {
      this.#mutex.unlock();
    }
  }

  async destroy(): Promise<void> {
    this.sqlite.close();
  }

  /**
   * Runs `attempt` (which holds the connection); while it fails with SQLITE_BUSY outside a
   * transaction (nothing was done yet), lets others use the connection during a pause and tries
   * again, until `lockWaitMs` have passed.
   */
  private async retryWhileBusy<T>(attempt: () => T): Promise<T> {
    const deadline = Date.now() + this.lockWaitMs;
    let pause = 2;
    for (;;) {
      try {
        return attempt();
      } catch (error) {
        if (!isBusy(error) || this.sqlite.inTransaction || Date.now() + pause > deadline) throw error;
      }
      this.#mutex.unlock();
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 50);
      await this.#mutex.lock();
    }
  }
}

/** Prepared statements kept per SQL text; past this the least recently used is dropped. */
const STATEMENT_CACHE_SIZE = 500;

/** A cached statement, and for a prepared query's reads its twin that answers arrays (runPrepared). */
interface CachedStatement {
  statement: SQLite.Statement;
  used: boolean;
  arrays: { statement: SQLite.Statement; reader: RowReader | null } | null;
}

class LockAwareSqliteConnection implements DatabaseConnection {
  /**
   * Preparing a statement (parsing the SQL and planning it) cost more than running most of mfd's
   * queries: each text is prepared once and reused (issue 13). Past STATEMENT_CACHE_SIZE texts one
   * is dropped by the clock (second-chance) rule: a hit only marks its entry used — moving it to
   * the end of the Map, as a strict LRU does, cost ≈ 0.9 µs a query — and eviction passes over
   * used entries once, clearing their mark. SQLite prepares a statement again by itself when the
   * schema changes under it (a migration by another process).
   */
  readonly #statements = new Map<string, CachedStatement>();

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly retryWhileBusy: <T>(attempt: () => T) => Promise<T>,
  ) {}

  #cached(sql: string): CachedStatement {
    const cached = this.#statements.get(sql);
    if (cached) {
      cached.used = true;
      return cached;
    }
    const entry: CachedStatement = { statement: this.sqlite.prepare(sql), used: false, arrays: null };
    if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#evictOne();
    this.#statements.set(sql, entry);
    return entry;
  }

  #statement(sql: string): SQLite.Statement {
    return this.#cached(sql).statement;
  }

  /** Drops the oldest entry not used since the clock last passed it; used ones go round once more. */
  #evictOne(): void {
    for (const [sql, entry] of this.#statements) {
      this.#statements.delete(sql);
      if (!entry.used) return;
      entry.used = false;
      this.#statements.set(sql, entry);
    }
  }

  async executeQuery<R>({ sql, parameters }: CompiledQuery): Promise<QueryResult<R>> {
    return this.retryWhileBusy(() => this.runNow<R>(sql, parameters, false));
  }

  /** Runs the statement now, on a connection the caller holds; SQLITE_BUSY is the caller's to handle. */
  runNow<R>(sql: string, parameters: readonly unknown[], firstOnly: boolean): QueryResult<R> {
    const statement = this.#statement(sql);
    if (statement.reader && firstOnly) {
      const row = statement.get(parameters) as R | undefined;
      return { rows: row === undefined ? [] : [row] };
    }
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  /**
   * Runs a prepared query's statement now (prepared.ts), its rows read as arrays and made into
   * camelCase objects by the statement's rowReader. The array-reading statement is a second one of
   * the same text: Kysely's queries of that text still get objects.
   */
  runPrepared(
    sql: string,
    parameters: readonly unknown[],
    firstOnly: boolean,
  ): QueryResult<Record<string, unknown>> {
    const cached = this.#cached(sql);
    if (!cached.statement.reader) return this.runNow(sql, parameters, firstOnly);
    if (cached.arrays === null)
      cached.arrays = { statement: this.sqlite.prepare(sql).raw(true), reader: null };
    const arrays = cached.arrays;
    const { statement } = arrays;
    const all = firstOnly
      ? [statement.get(parameters) as unknown[] | undefined]
      : (statement.all(parameters) as unknown[][]);
    const rows: Record<string, unknown>[] = [];
    for (const values of all) {
      if (values === undefined) break;
      // `select *` gets its columns anew when SQLite prepares the statement again after a change of
      // the table (a migration by another process): the maker follows the number of columns.
      if (arrays.reader === null || arrays.reader.columns !== values.length)
        arrays.reader = rowReader(statement.columns().map((column) => column.name));
      rows.push(arrays.reader.read(values));
    }
    return { rows };
  }

  /**
   * A prepared query's statement on this connection held by the caller — a transaction's, through
   * Kysely's connection provider — its rows read as runPrepared reads them (prepared.ts).
   */
  executePrepared(
    sql: string,
    parameters: readonly unknown[],
    firstOnly: boolean,
  ): Promise<QueryResult<Record<string, unknown>>> {
    return this.retryWhileBusy(() => this.runPrepared(sql, parameters, firstOnly));
  }

  // biome-ignore lint/correctness/useYield: mfd never streams; Kysely's interface wants the method.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not supported on SQLite");
  }
}

/**
 * SQLite does run DDL inside transactions; telling Kysely so makes its migrator wrap every run in
 * one (BEGIN IMMEDIATE above), which is the lock that keeps two processes from migrating at once.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class LockAwareSqliteDialect extends SqliteDialect {
  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly lockWaitMs: number,
  ) {
    super({ database: sqlite });
  }
  driver: LockAwareSqliteDriver | undefined;
  override createDriver(): Driver {
    this.driver = new LockAwareSqliteDriver(this.sqlite, this.lockWaitMs);
    return this.driver;
  }
  override createAdapter() {
    return new TransactionalDdlSqliteAdapter();
  }
}
