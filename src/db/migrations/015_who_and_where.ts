import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * Who and where, for the activity pages (issue 12): the browser (User-Agent) of the request behind
 * each audit event, shown as "Firefox on Linux" beside its address; and the account that ran a
 * domain check by hand, so a domain's check history says "by you", "by the owner" or "by an
 * administrator" to each of its managers. Both stay empty for older rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("audit_events").addColumn("user_agent", "text").execute();
  await db.schema.alterTable("domain_checks").addColumn("checked_by", "text").execute();
}
