import type { Executor } from "../db/database.js";

// What hangs off a confirmed domain is removed on disconnect by the capabilities that keep it,
// through the `domain.released` lifecycle event (src/lifecycle.ts), not from here.

/**
 * Mailboxes per domain id (0 for a domain without any): one row each from the counts the triggers
 * of migration 005 keep, instead of counting every mailbox (100,000 in a large domain).
 */
export async function mailboxCounts(
  db: Executor,
  domainIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map(domainIds.map((id) => [id, 0]));
  if (domainIds.length === 0) return counts;
  const rows = await db
    .selectFrom("domainMailboxCounts")
    .select(["domainId", "count"])
    .where("domainId", "in", [...domainIds])
    .execute();
  for (const row of rows) counts.set(row.domainId, Number(row.count));
  return counts;
}
