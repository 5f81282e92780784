import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * Hand-overs of a confirmed domain from its owner to another account (src/handovers/): a transfer
 * the owner starts (or confirms through support), or a restore of access proven by DNS. The
 * secrets of the single-use links are stored as SHA-256 hashes only. `domain_id` has no foreign
 * key: a hand-over's history outlives a disconnected domain. `ticket_id` names a support ticket
 * (no foreign key: the desk's table is its own capability's).
 *
 * `domains.owned_since`: when the current owner got the domain by a move; the domain's activity
 * shows its owner the events from then on (docs/handovers.md). Null: since confirmation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("handovers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("domain_id", "text", (c) => c.notNull())
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("from_account_id", "text", (c) => c.notNull())
    .addColumn("to_account_id", "text")
    .addColumn("to_login", "text")
    .addColumn("ticket_id", "text")
    .addColumn("accept_secret_hash", "text")
    .addColumn("owner_secret_hash", "text")
    .addColumn("cancel_secret_hash", "text")
    .addColumn("challenge_token", "text")
    .addColumn("approvals", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("letter_from", "text")
    .addColumn("end_reason", "text")
    .addColumn("wait_until", "bigint")
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("handovers_domain").on("handovers").columns(["domain_id", "state"]).execute();
  await db.schema.createIndex("handovers_from").on("handovers").column("from_account_id").execute();
  await db.schema.createIndex("handovers_to").on("handovers").column("to_account_id").execute();
  await db.schema.createIndex("handovers_ticket").on("handovers").column("ticket_id").execute();
  await db.schema.createIndex("handovers_due").on("handovers").columns(["state", "wait_until"]).execute();
  await db.schema.alterTable("domains").addColumn("owned_since", "bigint").execute();
}
