import type { Executor } from "../db/database.js";
import { removeDomainFromTokens } from "../tokens/tokens.service.js";

/**
 * What hangs off a confirmed domain (mailboxes, the hosted zone, deputies, domain-scoped tokens).
 * Disconnect and My domains go through these two functions, so each capability adds its part here.
 */

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

/**
 * Removes what is scoped to a domain being disconnected, inside the disconnect transaction
 * (security.md 34: a later owner of the name must find none of it). Deputies go with the domain row
 * (ON DELETE CASCADE); API tokens lose the domain, and those limited to it alone are deleted; the
 * claims and their checks are deleted by the caller; mailboxes never get here (disconnect is
 * refused while any exist). The hosted zone arrives with DNS hosting and adds its delete here.
 */
export async function removeDomainScopedData(tx: Executor, domainId: string): Promise<void> {
  // Aliases leave with their mailbox (ON DELETE CASCADE), so none should be left; their
  // domain_id has no cascade, and a stray one must neither block the delete nor outlive it.
  await tx.deleteFrom("mailboxAliases").where("domainId", "=", domainId).execute();
  await removeDomainFromTokens(tx, domainId);
}
