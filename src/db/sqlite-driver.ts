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
 * At most this many transactions share one COMMIT (see LockAwareSqliteDriver); the one that fills
 * the group commits it at once.
 */
const GROUP_LIMIT = 32;

/** A transaction that ended into the open group, waiting for the group's COMMIT. */
interface GroupMember {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Kysely's SQLite driver, changed in three ways.
 *
 * **Another process** (an import, a backup, another mfd) may share the file. better-sqlite3 is
 * synchronous, so SQLite's own busy_timeout would freeze the whole process while it waits for
 * that process's write lock. Instead the lock is asked for without waiting (busy_timeout 0) and,
 * while it is taken, asked again after a growing pause in which the one connection serves other
 * requests; past `lockWaitMs` the SQLITE_BUSY error stands (503). Write transactions start with
 * BEGIN IMMEDIATE so two writers never deadlock on upgrade.
 *
 * **Group commit.** With `synchronous = FULL` every COMMIT waits for the disk (fsync), on the
 * event loop's thread (better-sqlite3 is synchronous): with many writers that wait was most of a
 * write's time (issue 10). A transaction that ends does not commit: its work stays in SQLite's
 * open transaction, the connection is free for the next, whose transaction runs in a savepoint of
 * the same one, and once the event loop has taken in what arrived meanwhile (setImmediate) one
 * COMMIT makes the whole group durable. Every transaction's promise settles only after that
 * COMMIT: no answer is sent for a change that is not on disk. A transaction that fails rolls back
 * to its savepoint and takes only its own changes back; a COMMIT that fails, or a failure after
 * which SQLite itself rolled everything back (SQLITE_FULL, an I/O error), fails every transaction
 * of the group.
 *
 * **A second, query-only connection** (a file database) answers prepared reads while a group is
 * open or a transaction holds the first: in WAL mode it sees exactly what was committed, so no
 * read ever sees a change that may still be undone, and reads do not queue behind writes. A
 * statement outside a transaction that needs the first connection while a group is open commits
 * the group first.
 */
export class LockAwareSqliteDriver implements Driver {
  readonly #mutex = new ConnectionMutex();
  readonly #statements: SqliteStatements;
  /** The query-only second connection; null for a database in memory (it would be another one). */
  readonly #reads: SqliteStatements | null;
  /** Transactions that ended into SQLite's open transaction, waiting for its COMMIT; null when none is open. */
  #group: GroupMember[] | null = null;
  #commitScheduled = false;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly lockWaitMs: number,
    reader: SQLite.Database | null,
  ) {
    this.#statements = new SqliteStatements(sqlite);
    this.#reads = reader && new SqliteStatements(reader);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    // SQLite has one connection for writes; the mutex makes callers take turns on it.
    await this.#mutex.lock();
    return new SqliteTurn(this, this.#statements);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const turn = connection as SqliteTurn;
    await this.retryWhileBusy(() => {
      // Decided at each try: during a pause for another process's lock a group may have opened.
      if (this.#group !== null) {
        this.sqlite.exec("savepoint mfd_group");
        turn.transaction = "savepoint";
      } else {
        this.sqlite.exec("begin immediate");
        this.#group = [];
        turn.transaction = "first";
      }
    });
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const turn = connection as SqliteTurn;
    if (turn.transaction === "savepoint") this.sqlite.exec("release mfd_group");
    turn.transaction = "none";
    const group = this.#group;
    if (group === null) throw new Error("SQLite rolled the transaction back");
    const committed = new Promise<void>((resolve, reject) => group.push({ resolve, reject }));
    if (group.length >= GROUP_LIMIT) this.#settleGroup();
    else this.#scheduleCommit();
    // Kysely releases the connection only after this promise: free it now for the group's next.
    turn.released = true;
    this.#mutex.unlock();
    return committed;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const turn = connection as SqliteTurn;
    const { transaction } = turn;
    turn.transaction = "none";
    // A transaction that ended into the group (its COMMIT failed) has nothing left to take back.
    if (transaction === "none") return;
    if (!this.sqlite.inTransaction) {
      // SQLITE_FULL, an I/O error or RAISE(ROLLBACK) made SQLite roll the whole transaction back,
      // the group's earlier transactions with it; a ROLLBACK now would fail and hide the real error
      // behind "cannot rollback - no transaction is active".
      this.#failGroup(turn.failure ?? new Error("SQLite rolled the transaction back"));
      return;
    }
    if (transaction === "savepoint") {
      this.sqlite.exec("rollback to mfd_group; release mfd_group");
      return;
    }
    // The first transaction of a group: no other has ended into it yet.
    this.sqlite.exec("rollback");
    this.#group = null;
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const turn = connection as SqliteTurn;
    if (turn.released) return;
    if (this.#group !== null) this.#scheduleCommit();
    this.#mutex.unlock();
  }

  /** Before a statement of `turn` on the first connection: one outside a transaction commits an open group. */
  beforeStatement(turn: SqliteTurn): void {
    if (this.#group !== null && turn.transaction === "none") this.#settleGroup();
  }

  /** Commits the group once the event loop has taken in what arrived meanwhile, if the connection is free then. */
  #scheduleCommit(): void {
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    setImmediate(() => {
      this.#commitScheduled = false;
      // A held connection: its holder schedules again when it ends or releases.
      if (this.#group === null || !this.#mutex.tryLock()) return;
      try {
        this.#settleGroup();
      } finally {
        this.#mutex.unlock();
      }
    });
  }

  /** Commits the open group; its transactions' promises settle, failed with the error if it fails. */
  #settleGroup(): void {
    const group = this.#group ?? [];
    this.#group = null;
    try {
      this.sqlite.exec("commit");
    } catch (error) {
      try {
        // A COMMIT refused (a constraint checked at the end, a busy lock) leaves the transaction open.
        if (this.sqlite.inTransaction) this.sqlite.exec("rollback");
      } catch {
        // The COMMIT's error is the one the group's transactions report.
      }
      for (const member of group) member.reject(error);
      return;
    }
    for (const member of group) member.resolve();
  }

  #failGroup(error: unknown): void {
    const group = this.#group ?? [];
    this.#group = null;
    for (const member of group) member.reject(error);
  }

  /**
   * One statement on the connection, taking its turn as Kysely's acquire and release would
   * (prepared.ts). A free connection — the usual case: only a transaction holds it across awaits,
   * as better-sqlite3 runs a statement to its end without yielding — runs it at once and answers
   * without a promise (a read of the request path made five per query, issue 13); a held
   * connection, or another process's write lock, takes the turn-taking path. While a group waits
   * for its COMMIT a read goes to the second connection (what is committed), and anything else
   * commits the group first (#runInTurn).
   */
  run(
    sql: string,
    parameters: readonly unknown[],
    firstOnly: boolean,
  ): QueryResult<Record<string, unknown>> | Promise<QueryResult<Record<string, unknown>>> {
    if (this.#group === null && this.#mutex.tryLock()) {
      try {
        return this.#statements.runPrepared(sql, parameters, firstOnly);
      } catch (error) {
        if (!isBusy(error)) throw error;
      } finally {
        this.#mutex.unlock();
      }
    }
    if (this.#reads !== null) {
      try {
        const read = this.#reads.runRead(sql, parameters, firstOnly);
        if (read !== null) return read;
      } catch (error) {
        if (!isBusy(error)) throw error;
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
      return await this.retryWhileBusy(() => {
        if (this.#group !== null) this.#settleGroup();
        return this.#statements.runPrepared(sql, parameters, firstOnly);
      });
    } finally {
      this.#mutex.unlock();
    }
  }

  async destroy(): Promise<void> {
    // A group whose COMMIT was still to come is committed, unless a transaction is under way in it
    // (closing rolls it back: then its ended transactions fail rather than wait for ever).
    if (this.#group !== null) {
      if (this.#mutex.tryLock()) this.#settleGroup();
      else this.#failGroup(new Error("the database was closed"));
    }
    this.#reads?.close();
    this.sqlite.close();
  }

  /**
   * Runs `attempt` (which holds the connection); while it fails with SQLITE_BUSY outside a
   * transaction (nothing was done yet), lets others use the connection during a pause and tries
   * again, until `lockWaitMs` have passed.
   */
  async retryWhileBusy<T>(attempt: () => T): Promise<T> {
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

/**
 * What Kysely holds from acquireConnection to releaseConnection: the one connection, for one turn.
 * Its statements run on the shared statement cache; it knows its own place in a group.
 */
class SqliteTurn implements DatabaseConnection {
  /** Its transaction: none, the first of a group (BEGIN), or a later one (a savepoint inside it). */
  transaction: "none" | "first" | "savepoint" = "none";
  /** Its transaction ended into the group and freed the connection: release does nothing more. */
  released = false;
  /** The last statement's error: the cause when SQLite rolled the whole transaction back. */
  failure: unknown = null;

  constructor(
    private readonly driver: LockAwareSqliteDriver,
    private readonly statements: SqliteStatements,
  ) {}

  executeQuery<R>({ sql, parameters }: CompiledQuery): Promise<QueryResult<R>> {
    return this.#run(() => this.statements.runNow<R>(sql, parameters, false));
  }

  /**
   * A prepared query's statement in this turn — a transaction's, through Kysely's connection
   * provider — its rows read as runPrepared reads them (prepared.ts).
   */
  executePrepared(
    sql: string,
    parameters: readonly unknown[],
    firstOnly: boolean,
  ): Promise<QueryResult<Record<string, unknown>>> {
    return this.#run(() => this.statements.runPrepared(sql, parameters, firstOnly));
  }

  async #run<T>(statement: () => T): Promise<T> {
    try {
      return await this.driver.retryWhileBusy(() => {
        this.driver.beforeStatement(this);
        return statement();
      });
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  // biome-ignore lint/correctness/useYield: mfd never streams; Kysely's interface wants the method.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not supported on SQLite");
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

/** The connection's statements, prepared once per SQL text and run on the caller's turn. */
class SqliteStatements {
  /**
   * Preparing a statement (parsing the SQL and planning it) cost more than running most of mfd's
   * queries: each text is prepared once and reused (issue 13). Past STATEMENT_CACHE_SIZE texts one
   * is dropped by the clock (second-chance) rule: a hit only marks its entry used — moving it to
   * the end of the Map, as a strict LRU does, cost ≈ 0.9 µs a query — and eviction passes over
   * used entries once, clearing their mark. SQLite prepares a statement again by itself when the
   * schema changes under it (a migration by another process).
   */
  readonly #statements = new Map<string, CachedStatement>();

  constructor(private readonly sqlite: SQLite.Database) {}

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

  /** runPrepared for a statement that only reads; null (nothing run) for one that writes. */
  runRead(
    sql: string,
    parameters: readonly unknown[],
    firstOnly: boolean,
  ): QueryResult<Record<string, unknown>> | null {
    const cached = this.#cached(sql);
    if (!cached.statement.readonly) return null;
    return this.#runCached(cached, sql, parameters, firstOnly);
  }

  close(): void {
    this.sqlite.close();
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
    return this.#runCached(this.#cached(sql), sql, parameters, firstOnly);
  }

  #runCached(
    cached: CachedStatement,
    sql: string,
    parameters: readonly unknown[],
    firstOnly: boolean,
  ): QueryResult<Record<string, unknown>> {
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
    private readonly reader: SQLite.Database | null,
  ) {
    super({ database: sqlite });
  }
  driver: LockAwareSqliteDriver | undefined;
  override createDriver(): Driver {
    this.driver = new LockAwareSqliteDriver(this.sqlite, this.lockWaitMs, this.reader);
    return this.driver;
  }
  override createAdapter() {
    return new TransactionalDdlSqliteAdapter();
  }
}
