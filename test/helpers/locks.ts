import { sql } from "kysely";
import type { TestApp } from "./app.js";

/**
 * Resolves once some PostgreSQL session is waiting for a row lock in a statement containing
 * `marker` (such as "for share"); throws when none does within a few hundred polls. For tests that
 * hold one transaction open and need to know the other request has reached its lock.
 */
export async function waitForLockWait(app: TestApp, marker: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where wait_event_type = 'Lock' and datname = current_database() and query ilike ${`%${marker}%`}`.execute(
      app.db,
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`no statement with "${marker}" ever waited for a lock`);
}
