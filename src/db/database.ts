import { chmodSync, closeSync as closeFileSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import {
  CamelCasePlugin,
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type Transaction,
} from "kysely";
import pg from "pg";
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

/** SQLite write transactions start with BEGIN IMMEDIATE so two writers never deadlock on upgrade. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
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

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly options: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(options);
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.options);
  }
  override createAdapter() {
    return new TransactionalDdlSqliteAdapter();
  }
}

export interface DatabaseOptions {
  /** For Postgres: a schema to create and use (tests get one each). */
  schema?: string;
  poolSize?: number;
}

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  if (url.startsWith("postgres://")) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
    return { db, dialect: "postgres", schema: options.schema ?? "public", destroy: () => db.destroy() };
  }
  const file = url.slice("sqlite:".length);
  if (file !== ":memory:") createPrivately(file);
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("foreign_keys = ON");
  const db = new Kysely<DB>({
    dialect: new ImmediateSqliteDialect({ database: sqlite }),
    plugins: [new CamelCasePlugin()],
  });
  return { db, dialect: "sqlite", schema: null, destroy: () => db.destroy() };
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
