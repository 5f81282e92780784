import { chmodSync, closeSync as closeFileSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import {
  CamelCasePlugin,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresDriver,
  type PostgresPool,
  type PostgresPoolClient,
  type QueryResult,
  SqliteAdapter,
  SqliteDialect,
  type Transaction,
} from "kysely";
import pg from "pg";
import type { Config } from "../config.js";
import { ConnectFailed, databaseFault } from "./faults.js";
import { preparedStatementName, type RowReader, registerDirectRunner, rowReader } from "./prepared.js";
import type { DB } from "./schema.js";

export type Dialect = "sqlite" | "postgres";

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** PostgreSQL schema the tables live in (migrations look only there); null on SQLite. */
  schema: string | null;
  destroy(): Promise<void>;
}

export type Executor = Kysely<DB> | Transaction<DB>;

// int8 columns hold epoch milliseconds: well inside Number's exact range, so read them as numbers.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

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
class LockAwareSqliteDriver implements Driver {
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

class LockAwareSqliteDialect extends SqliteDialect {
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

/** The connection itself is gone (killed, reset, refused), as opposed to a slow or failed statement. */
const connectionLost = (error: unknown) =>
  databaseFault(error)?.code === "DATABASE_UNAVAILABLE" &&
  !/timeout/i.test(String((error as { message?: unknown }).message));

/**
 * A named statement prepared on this connection before a migration changed the rows it returns
 * ("cached plan must not change result type"): the connection is dropped, so the statement is
 * prepared afresh on the next, and a first SELECT is sent again at once.
 */
const planOutdated = (error: unknown) =>
  (error as { code?: unknown } | null)?.code === "0A000" &&
  /cached plan/i.test(String((error as { message?: unknown }).message));

/** A first statement that changed nothing if it failed: safe to send again on another connection. */
const SAFE_TO_RESEND = /^\s*(begin|select)\b/i;

/**
 * The pg pool as Kysely sees it, made to outlive the server going away. A connection that lost
 * its server or stopped answering (read timeout) is destroyed rather than handed out again; and
 * when the first statement on a checked-out connection (BEGIN or a SELECT) finds it dead — idle
 * connections killed by a restart or a network reset — it is sent again once on a new connection,
 * so those stale connections cost no request an error. The same for a named statement whose plan a
 * migration made outdated (`planOutdated`).
 */
class ResilientPool implements PostgresPool {
  constructor(private readonly pool: pg.Pool) {}

  async connect(): Promise<PostgresPoolClient> {
    let client: pg.PoolClient | null = await this.open();
    let broken = false;
    let first = true;
    const send = async (
      current: pg.PoolClient,
      text: string,
      parameters: ReadonlyArray<unknown>,
      arrays: boolean,
    ) => {
      // A prepared query (prepared.ts) goes as a named statement: parsed and planned once per connection.
      const name = preparedStatementName(text);
      // Kysely hands over a fresh array of parameters: no copy of it is needed.
      const values = parameters as unknown[];
      try {
        if (arrays) return await current.query({ name, text, values, rowMode: "array" });
        return await (name === undefined
          ? current.query(text, values)
          : current.query({ name, text, values }));
      } catch (error) {
        if (databaseFault(error)?.code === "DATABASE_UNAVAILABLE" || planOutdated(error)) broken = true;
        throw error;
      }
    };
    /** `arrays`: each row as an array of values (ResilientPool.run); Kysely's own queries get objects. */
    const query = async (text: string, parameters: ReadonlyArray<unknown>, arrays = false) => {
      if (!client) throw new Error("the connection was already released");
      const wasFirst = first;
      first = false;
      try {
        return await send(client, text, parameters, arrays);
      } catch (error) {
        const resendable = wasFirst && SAFE_TO_RESEND.test(text);
        if (!resendable || !(connectionLost(error) || planOutdated(error))) throw error;
        client.release(true);
        client = null;
        client = await this.open();
        broken = false;
        return await send(client, text, parameters, arrays);
      }
    };
    return {
      query: query as unknown as PostgresPoolClient["query"],
      release: (destroy?: boolean) => {
        client?.release(destroy || broken);
        client = null;
      },
    };
  }

  /**
   * One statement on a connection of its own, as Kysely's PostgreSQL driver runs it (prepared.ts):
   * a prepared query's rows come as arrays of values, made into camelCase objects by its rowReader.
   */
  async run(sql: string, parameters: readonly unknown[]): Promise<QueryResult<Record<string, unknown>>> {
    const client = await this.connect();
    try {
      const query = client.query as unknown as (
        text: string,
        parameters: readonly unknown[],
        arrays: boolean,
      ) => Promise<pg.QueryResult<unknown[]>>;
      const { command, rowCount, rows: values, fields } = await query(sql, parameters, true);
      const changed =
        command === "INSERT" || command === "UPDATE" || command === "DELETE" || command === "MERGE";
      let rows: Record<string, unknown>[] = [];
      if (values.length > 0) {
        let reader = this.#readers.get(sql);
        // `select *` has new columns after a migration (the statement is prepared again, planOutdated).
        if (reader === undefined || reader.columns !== fields.length) {
          reader = rowReader(fields.map((field) => field.name));
          this.#readers.set(sql, reader);
        }
        rows = new Array(values.length);
        for (let i = 0; i < values.length; i++) rows[i] = reader.read(values[i] as unknown[]);
      }
      return changed ? { numAffectedRows: BigInt(rowCount ?? 0), rows } : { rows };
    } finally {
      client.release();
    }
  }

  /** Each prepared query's row maker, by its text. */
  readonly #readers = new Map<string, RowReader>();

  end(): Promise<void> {
    return this.pool.end();
  }

  /** Whatever stops a connection from opening means the database is unavailable to us. */
  private async open(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw new ConnectFailed(error);
    }
  }
}

/**
 * Kysely's rollback after a lost connection fails too, and its error ("not queryable") would
 * replace the one that says what happened. The server rolls back a transaction whose connection
 * died, so that failure is dropped and the connection discarded.
 */
class ResilientPostgresDriver extends PostgresDriver {
  override async rollbackTransaction(
    connection: Parameters<PostgresDriver["rollbackTransaction"]>[0],
  ): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (error) {
      if (databaseFault(error)?.code !== "DATABASE_UNAVAILABLE") throw error;
    }
  }
}

class ResilientPostgresDialect extends PostgresDialect {
  constructor(private readonly config: PostgresDialectConfig) {
    super(config);
  }
  override createDriver(): Driver {
    return new ResilientPostgresDriver(this.config);
  }
}

export interface DatabaseOptions {
  /** For Postgres: a schema to create and use (tests get one each). */
  schema?: string;
  poolSize?: number;
  /** PostgreSQL: longest wait for a connection (opening one, or a free one in the pool). */
  connectTimeoutMs?: number;
  /** PostgreSQL: the server cancels a statement running (or waiting for a lock) longer. */
  statementTimeoutMs?: number;
  /** SQLite: longest wait of a write for another process's write lock. */
  lockWaitMs?: number;
  /** Where trouble outside any request goes (an idle connection lost); stderr by default. */
  log?: (message: string, error: unknown) => void;
}

/** The timeouts of the configuration, for the database a running mfd serves from. */
export const databaseOptions = (config: Config): DatabaseOptions => ({
  connectTimeoutMs: config.timeouts.dbConnectMs,
  statementTimeoutMs: config.timeouts.dbStatementMs,
  lockWaitMs: config.timeouts.dbLockWaitMs,
});

/** A statement whose answer never comes (server stalled, network black hole) is given up this much after the server would have cancelled it. */
const READ_GRACE_MS = 2000;

const logToStderr = (message: string, error: unknown) =>
  console.error(`mfd: ${message}: ${error instanceof Error ? error.message : String(error)}`);

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  const log = options.log ?? logToStderr;
  if (url.startsWith("postgres://")) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      // The URL may name another (…?application_name=…); it wins over this one.
      application_name: "mfd",
      keepAlive: true,
      ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
      ...(options.statementTimeoutMs
        ? {
            statement_timeout: options.statementTimeoutMs,
            query_timeout: options.statementTimeoutMs + READ_GRACE_MS,
          }
        : {}),
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // Without these a connection that dies while idle in the pool (server restart,
    // pg_terminate_backend, network reset) is an unhandled 'error' event that ends the process.
    // The pool drops such a connection itself and opens a new one on the next use.
    pool.on("error", (error) => log("database connection lost while idle; reconnecting on next use", error));
    // A connection checked out but between statements has no pool listener; its failure surfaces
    // in the next statement, which answers 503.
    pool.on("connect", (client) => client.on("error", () => {}));
    const resilient = new ResilientPool(pool);
    const db = new Kysely<DB>({
      dialect: new ResilientPostgresDialect({ pool: resilient }),
      plugins: [new CamelCasePlugin()],
    });
    registerDirectRunner(db, (sql, parameters) => resilient.run(sql, parameters));
    // Kysely ends the pool only if it used it itself; prepared queries may have been the only users.
    const destroy = async () => {
      await db.destroy();
      if (!pool.ended) await pool.end();
    };
    return { db, dialect: "postgres", schema: options.schema ?? "public", destroy };
  }
  const file = url.slice("sqlite:".length);
  if (file !== ":memory:") createPrivately(file);
  const lockWaitMs = options.lockWaitMs ?? 5000;
  const sqlite = new SQLite(file);
  // Opening may meet another process's lock: wait for it here, where nothing else is served yet.
  sqlite.pragma(`busy_timeout = ${lockWaitMs}`);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  // From now on the lock is waited for without blocking the event loop (LockAwareSqliteDriver).
  sqlite.pragma("busy_timeout = 0");
  const dialect = new LockAwareSqliteDialect(sqlite, lockWaitMs);
  const db = new Kysely<DB>({ dialect, plugins: [new CamelCasePlugin()] });
  const driver = dialect.driver as LockAwareSqliteDriver;
  registerDirectRunner(db, (sql, parameters, firstOnly) => driver.run(sql, parameters, firstOnly));
  const destroy = async () => {
    await db.destroy();
    if (sqlite.open) sqlite.close();
  };
  return { db, dialect: "sqlite", schema: null, destroy };
}

/**
 * The database holds password hashes and account data: its folder is created 0700 and the file
 * 0600 before SQLite opens it (SQLite gives its -wal and -shm files the database file's mode).
 * Files an older mfd left readable to others are closed too.
 */
function createPrivately(file: string): void {
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  closeFileSync(openSync(file, "a", 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(path) && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  }
}

/** Booleans are stored as 0/1 on both databases; this is the one codec. */
export const bool = {
  to: (value: boolean): number => (value ? 1 : 0),
  from: (value: number | boolean | null | undefined): boolean => value === 1 || value === true,
};
