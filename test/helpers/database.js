import { sql } from "kysely";
import pg from "pg";
import { openDatabase } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { randomSecret } from "../../src/lib/random.js";
/** Which database this run uses: SQLite in memory, or PostgreSQL when MFD_TEST_DATABASE_URL is set. */
export const TEST_DATABASE_URL = process.env.MFD_TEST_DATABASE_URL ?? "";
/** Advisory lock: migrations hold it shared, schema drops exclusively (see createTestDatabase). */
export const SCHEMA_LOCK = 7_231_977;
export const testDialect = TEST_DATABASE_URL ? "postgres" : "sqlite";
/**
 * A fresh, migrated database for one test app: an in-memory SQLite file, or its own schema in the
 * PostgreSQL test database (dropped again by `destroy`).
 */
export async function createTestDatabase() {
    if (!TEST_DATABASE_URL) {
        const database = openDatabase("sqlite::memory:");
        await migrate(database);
        return database;
    }
    const schema = `t_${randomSecret(9)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "x")}`;
    // Kysely's migrator looks at the tables of every schema; a schema dropped by another test file
    // at that moment makes it fail ("schema … does not exist"). Migrations hold a shared advisory
    // lock, drops an exclusive one, so the two never overlap (tests only; production has one schema).
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
        await admin.query(`CREATE SCHEMA ${schema}`);
    }
    finally {
        await admin.end();
    }
    const database = openDatabase(TEST_DATABASE_URL, { schema, poolSize: 20 });
    await migrateTestDatabase(database);
    return {
        ...database,
        destroy: async () => {
            await database.destroy();
            const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
            await cleanup.connect();
            await cleanup.query("SELECT pg_advisory_lock($1)", [SCHEMA_LOCK]);
            await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
            await cleanup.end();
        },
    };
}
/**
 * Runs the migrations of a test database. On PostgreSQL it holds the shared schema lock, since
 * Kysely's migrator reads the tables of every schema and fails on one dropped at that moment.
 */
export async function migrateTestDatabase(database) {
    if (database.dialect !== "postgres")
        return migrate(database);
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
        await admin.query("SELECT pg_advisory_lock_shared($1)", [SCHEMA_LOCK]);
        return await migrate(database);
    }
    finally {
        await admin.end();
    }
}
/**
 * The tables of this test database. Kysely's introspector reads every schema and trips over one
 * that another test file drops at that moment; this reads only the catalog rows of our own.
 */
export async function tableNames(db) {
    const query = testDialect === "postgres"
        ? sql `select c.relname as name from pg_catalog.pg_class c
          where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')`
        : sql `select name from sqlite_master where type = 'table'`;
    const { rows } = await query.execute(db);
    return rows.map((row) => row.name).sort();
}
//# sourceMappingURL=database.js.map