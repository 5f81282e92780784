import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * A domain's activity for its owner: events about what happens on a confirmed domain (mailbox
 * changes by the owner, deputies or tokens) carry the domain row's id. By id, not by name: a later
 * owner of the same name gets a new domain row and sees nothing of the previous ownership.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("audit_events").addColumn("domain_id", "text").execute();
  await db.schema
    .createIndex("audit_events_domain_id")
    .on("audit_events")
    .columns(["domain_id", "id"])
    .execute();
}
