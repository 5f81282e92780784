import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * A message carrying a one-time code says when the code expires: the worker scrubs its body then,
 * delivered or not, so a code waiting for a retry (or kept readable in development mode) does not
 * stay at rest past its life. Scrubbed rows get NULL again, so the index holds live codes only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("outbox").addColumn("expires_at", "bigint").execute();
  await db.schema.createIndex("outbox_expires_at").on("outbox").column("expires_at").execute();
}
