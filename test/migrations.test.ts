import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { randomSecret } from "../src/lib/random.js";
import { ensureBuilt, mfd } from "./helpers/cli.js";
import { SCHEMA_LOCK, TEST_DATABASE_URL } from "./helpers/database.js";

await ensureBuilt();

/**
 * `mfd serve` migrates at start; several processes may start at once against one database.
 * Kysely's migrator takes a lock (an advisory lock on PostgreSQL, the write lock on SQLite):
 * three concurrent runs apply every migration exactly once and none fails.
 */
it.skipIf(!TEST_DATABASE_URL)(
  "applies migrations once when several connections migrate at the same moment (PostgreSQL)",
  async () => {
    const schema = `m_${randomSecret(9)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "x")}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const processes = [0, 1, 2].map(() => openDatabase(TEST_DATABASE_URL, { schema }));
    // Kysely's migrator reads every schema's tables; other files' schema drops must wait.
    await admin.query("SELECT pg_advisory_lock_shared($1)", [SCHEMA_LOCK]);
    try {
      const applied = (await Promise.all(processes.map((database) => migrate(database)))).flat();
      expect(applied).toContain("001_accounts");
      expect(new Set(applied).size).toBe(applied.length); // no migration ran twice
    } finally {
      await admin.query("SELECT pg_advisory_unlock_shared($1)", [SCHEMA_LOCK]);
      for (const database of processes) await database.destroy();
      await admin.query("SELECT pg_advisory_lock($1)", [SCHEMA_LOCK]);
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  },
);

it("applies migrations once when several mfd processes migrate one SQLite file at the same moment", async () => {
  // Real processes: better-sqlite3 is synchronous, so connections inside one process cannot wait
  // for each other the way separate processes do.
  const dataDir = mkdtempSync(join(tmpdir(), "mfd-migrate-"));
  const env = { ...process.env, MFD_DATA_DIR: dataDir, MFD_DATABASE_URL: "" };
  const runs = await Promise.all([0, 1, 2].map(() => mfd(["migrate"], env)));
  for (const run of runs) expect(run.code, run.stderr).toBe(0);
  const applied = runs.filter((r) => r.stdout.includes("applied:"));
  expect(applied).toHaveLength(1);
  expect(applied[0]?.stdout).toContain("001_accounts");
  expect(runs.filter((r) => r.stdout.includes("up to date"))).toHaveLength(2);
});
