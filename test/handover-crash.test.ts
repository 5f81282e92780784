import { rmSync } from "node:fs";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { type Database, openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { moveState, seedBigDomain, seedDueRestore } from "./helpers/big-domain.js";
import { TEST_DATABASE_URL, testDialect } from "./helpers/database.js";
import { type MfdProcess, mfdEnv, newDataDir, startMfd, waitFor } from "./helpers/mfd-process.js";

/**
 * Issue 11, security.md 38: a move is one transaction. A real `mfd serve` (web and worker roles)
 * completes a due restore of a domain with 10,000 mailboxes; it is killed with SIGKILL while the
 * move's transaction is open; after a restart the domain is wholly with the old owner (nothing of
 * the move committed), and the restarted worker then moves it wholly to the new owner — with all
 * its mailboxes — on SQLite and on PostgreSQL.
 *
 * "While the move runs" is observed two ways: on both databases with MFD_FAULT_PAUSE=handover-move
 * (development mode only: the process stops inside the transaction, after the domain row changed,
 * and says so); on PostgreSQL also without any hook, by holding a row lock the move needs after it
 * changed the domain row and watching the mfd backend wait for it in pg_stat_activity.
 */
const MAILBOXES = 10_000;
const dataDir = newDataDir();
const dbName = `mfd_crash_${process.pid}`;
let databaseUrl = "";
let database: Database;
const running: MfdProcess[] = [];

const env = (): Record<string, string> => ({
  MFD_SERVICE_DOMAIN: "crash.example",
  MFD_MAILBOX_LIMIT: String(2 * MAILBOXES),
  ...(databaseUrl ? { MFD_DATABASE_URL: databaseUrl } : {}),
});

const serve = async (extra: Record<string, string> = {}) => {
  const mfd = await startMfd(dataDir, { ...env(), ...extra }, ["serve", "--roles", "web,worker"]);
  running.push(mfd);
  return mfd;
};

const kill = async (mfd: MfdProcess) => {
  mfd.child.kill("SIGKILL");
  expect(await mfd.exited).toBe("SIGKILL");
};

beforeAll(async () => {
  if (testDialect === "postgres") {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const config = loadConfig(mfdEnv(dataDir, env()));
  database = openDatabase(config.databaseUrl);
  await migrate(database);
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await database?.destroy();
  if (testDialect === "postgres") {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function bigDomain(label: string) {
  const config = loadConfig(mfdEnv(dataDir, env()));
  const domain = await seedBigDomain(config, database, {
    mailboxes: MAILBOXES,
    name: `${label}-crash.org`,
    logins: [`${label}owner`, `${label}target`],
  });
  expect(await moveState(database, domain.domainId, "none")).toMatchObject({
    owner: domain.ownerId,
    mailboxes: MAILBOXES,
  });
  return domain;
}

/** After a restart the worker finishes the move: wholly the new owner's, every mailbox with it. */
async function restartAndFinish(domain: { domainId: string; targetId: string }, handoverId: string) {
  const again = await serve();
  await waitFor(
    "the restarted worker to complete the restore",
    async () => (await moveState(database, domain.domainId, handoverId)).handover === "done",
  );
  // Read again once it is done: moveState's reads are separate statements, and the first read of
  // a poll may predate the commit its last one saw.
  expect(await moveState(database, domain.domainId, handoverId)).toEqual({
    owner: domain.targetId,
    claimHolder: domain.targetId,
    mailboxes: MAILBOXES,
    handover: "done",
  });
  await again.stop();
}

describe("SIGKILL in the middle of moving a domain with 10,000 mailboxes", () => {
  it("leaves the domain wholly with the old owner; after a restart it moves wholly to the new one", async () => {
    const domain = await bigDomain("paused");
    const handoverId = await seedDueRestore(database, { ...domain }, domain.targetId);

    const mfd = await serve({ MFD_FAULT_PAUSE: "handover-move" });
    await waitFor("the worker to be inside the move", () =>
      mfd.output().includes(`paused inside the move of ${domain.name}`),
    );
    if (testDialect === "postgres") {
      // The move's transaction is open on the server: a backend of mfd idles inside it.
      const { rows } = await sql<{ n: string }>`
        SELECT count(*) AS n FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'idle in transaction'`.execute(database.db);
      expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    }
    await kill(mfd);

    expect(await moveState(database, domain.domainId, handoverId)).toEqual({
      owner: domain.ownerId,
      claimHolder: domain.ownerId,
      mailboxes: MAILBOXES,
      handover: "waiting",
    });
    await restartAndFinish(domain, handoverId);
  }, 600_000);

  it.runIf(testDialect === "postgres")(
    "PostgreSQL, no hook: killed while its move waits on a row lock after changing the domain row",
    async () => {
      const domain = await bigDomain("locked");
      const holder = new pg.Client({ connectionString: databaseUrl });
      // pg_stat_activity is read once per transaction: the watcher stays outside the holder's.
      const watcher = new pg.Client({ connectionString: databaseUrl });
      await holder.connect();
      await watcher.connect();
      try {
        // The move changes the domain row, then hands the claim over: hold the claim's row.
        await holder.query("BEGIN");
        await holder.query("SELECT id FROM claims WHERE id = $1 FOR UPDATE", [domain.claimId]);
        const handoverId = await seedDueRestore(database, { ...domain }, domain.targetId);
        // The move waits on the lock as long as the test holds it, not the default statement timeout.
        const mfd = await serve({ MFD_DB_STATEMENT_TIMEOUT_MS: "600000" });
        let seen = "";
        const waiting = await waitFor("mfd's move to wait for the claim's row", async () => {
          seen = JSON.stringify(
            (
              await watcher.query(
                "SELECT pid, state, wait_event_type, left(query, 80) AS q FROM pg_stat_activity WHERE datname = current_database()",
              )
            ).rows,
          );
          const { rows } = await watcher.query<{ pid: number; query: string }>(
            `SELECT pid, query FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'update "claims"%'`,
          );
          return rows[0] ?? null;
        }).catch((error: Error) => {
          throw new Error(`${error.message}; backends: ${seen}; mfd said: ${mfd.output()}`);
        });
        // The same backend already holds the domain row it changed (a row-exclusive lock on domains).
        const { rows: held } = await watcher.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE l.pid = $1 AND c.relname = 'domains' AND l.mode = 'RowExclusiveLock' AND l.granted`,
          [waiting.pid],
        );
        expect(Number(held[0]?.n)).toBe(1);
        await kill(mfd);
        await holder.query("ROLLBACK");
        // The orphaned backend finds its client gone and rolls back.
        await waitFor("the killed process's backend to end", async () => {
          const { rows } = await watcher.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [
            waiting.pid,
          ]);
          return rows.length === 0;
        });
        expect(await moveState(database, domain.domainId, handoverId)).toEqual({
          owner: domain.ownerId,
          claimHolder: domain.ownerId,
          mailboxes: MAILBOXES,
          handover: "waiting",
        });
        await restartAndFinish(domain, handoverId);
      } finally {
        await holder.end();
        await watcher.end();
      }
    },
    600_000,
  );
});
