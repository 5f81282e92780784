import { type Kysely, type Migration, Migrator } from "kysely";
import type { Database, Dialect } from "./database.js";
import * as m001 from "./migrations/001_accounts.js";
import * as m002 from "./migrations/002_domains.js";
import * as m003 from "./migrations/003_mailboxes.js";
import * as m004 from "./migrations/004_mailbox_search.js";
import * as m005 from "./migrations/005_mailbox_counts.js";
import * as m007 from "./migrations/007_sign_in_devices.js";
import * as m008 from "./migrations/008_outbox_expiry.js";
import * as m009 from "./migrations/009_domain_activity.js";
import * as m010 from "./migrations/010_zones.js";
import * as m011 from "./migrations/011_dns_health.js";
import * as m012 from "./migrations/012_handovers.js";
import * as m013 from "./migrations/013_recovery_codes.js";
import * as m014 from "./migrations/014_support.js";
import * as m015 from "./migrations/015_who_and_where.js";

type Step = (db: Kysely<unknown>, dialect: Dialect) => Promise<void>;

/**
 * The ordered list of migrations. Append only; each must run on SQLite and PostgreSQL (CI runs
 * the whole suite on both).
 */
const STEPS: Array<[name: string, up: Step]> = [
  [
    "001_accounts",
    async (db, dialect) => {
      await m001.up(db);
      await m001.appendOnlyAudit(db, dialect);
    },
  ],
  ["002_domains", (db) => m002.up(db)],
  ["003_mailboxes", (db) => m003.up(db)],
  ["004_mailbox_search", (db, dialect) => m004.up(db, dialect)],
  ["005_mailbox_counts", (db, dialect) => m005.up(db, dialect)],
  ["007_sign_in_devices", (db) => m007.up(db)],
  ["008_outbox_expiry", (db) => m008.up(db)],
  ["009_domain_activity", (db) => m009.up(db)],
  ["010_zones", (db) => m010.up(db)],
  ["011_dns_health", (db) => m011.up(db)],
  ["012_handovers", (db) => m012.up(db)],
  ["013_recovery_codes", (db) => m013.up(db)],
  ["014_support", (db) => m014.up(db)],
  ["015_who_and_where", (db) => m015.up(db)],
];

/** Runs pending migrations. Kysely's migrator takes a lock (advisory lock on PostgreSQL). */
export async function migrate(database: Database): Promise<string[]> {
  const migrations: Record<string, Migration> = {};
  for (const [name, up] of STEPS) migrations[name] = { up: (db) => up(db, database.dialect) };
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: "mfd_migrations",
    migrationLockTableName: "mfd_migrations_lock",
    // Without a schema Kysely looks for its tables in every schema of the database.
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
