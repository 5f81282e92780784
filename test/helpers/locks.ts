import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../../src/db/database.js";
import type { DB } from "../../src/db/schema.js";
import { WAIT_MS } from "./patience.js";

export interface HeldTransaction {
  /** PostgreSQL: resolves once another session waits for a lock this transaction holds. */
  waitedOn(): Promise<void>;
  /** Lets the transaction commit and waits for it. */
  commit(): Promise<void>;
}

/**
 * Runs `work` in a transaction and holds it open, locks and all, until `commit()`: for tests that
 * put a request in the middle of another change. `waitedOn()` asks PostgreSQL whether some
 * session is blocked by this very transaction (`pg_blocking_pids`), so a lock wait of another test
 * file sharing the database never counts.
 */
export async function holdTransaction(
  database: Database,
  work: (tx: Transaction<DB>) => Promise<void>,
): Promise<HeldTransaction> {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached = (_pid: number | null) => {};
  const ready = new Promise<number | null>((resolve) => {
    reached = resolve;
  });
  const postgres = database.dialect === "postgres";
  const transaction = database.db.transaction().execute(async (tx) => {
    const pid = postgres ? await backendPid(tx) : null;
    await work(tx);
    reached(pid);
    await held;
  });
  // A failing `work` rejects the transaction before it is ever ready.
  const pid = await Promise.race([ready, transaction.then(() => null)]);
  let committed = false;
  return {
    waitedOn: async () => {
      if (pid === null) throw new Error("lock waits are a PostgreSQL matter");
      // Bounded by time, not by a number of tries: on a busy machine the request may need long
      // to get as far as the lock, and asking in a tight loop would only slow it further.
      const deadline = Date.now() + WAIT_MS;
      while (Date.now() < deadline) {
        // The test moved on (the request finished without waiting): stop asking.
        if (committed) return;
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where ${pid} = any(pg_blocking_pids(pid))`.execute(database.db);
        if ((rows[0]?.n ?? 0) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`no session waited for the held transaction within ${WAIT_MS / 1000} s`);
    },
    commit: async () => {
      committed = true;
      release();
      await transaction;
    },
  };
}

async function backendPid(db: Kysely<DB> | Transaction<DB>): Promise<number> {
  const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  return Number(rows[0]?.pid);
}
