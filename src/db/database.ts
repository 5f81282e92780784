import { chmodSync, closeSync as closeFileSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import {
  CamelCasePlugin,
  type Driver,
  Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresDriver,
  type PostgresPool,
  type PostgresPoolClient,
  type QueryResult,
  type Transaction,
} from "kysely";
import pg from "pg";
import type { Config } from "../config.js";
import { ConnectFailed, databaseFault } from "./faults.js";
import { preparedStatementName, type RowReader, registerDirectRunner, rowReader } from "./prepared.js";
import type { DB } from "./schema.js";
import { LockAwareSqliteDialect, type LockAwareSqliteDriver } from "./sqlite-driver.js";

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
  const dialect = new LockAwareSqliteDialect(
    sqlite,
    lockWaitMs,
    file === ":memory:" ? null : openReader(file),
  );
  const db = new Kysely<DB>({ dialect, plugins: [new CamelCasePlugin()] });
  const driver = dialect.driver as LockAwareSqliteDriver;
  registerDirectRunner(db, (sql, parameters, firstOnly) => driver.run(sql, parameters, firstOnly));
  const destroy = async () => {
    await db.destroy();
    if (sqlite.open) sqlite.close();
  };
  return { db, dialect: "sqlite", schema: null, destroy };
}

/** The query-only second connection reads go to while a transaction holds the first (sqlite-driver.ts). */
function openReader(file: string): SQLite.Database {
  const reader = new SQLite(file);
  reader.pragma("query_only = ON");
  reader.pragma("busy_timeout = 0");
  return reader;
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
