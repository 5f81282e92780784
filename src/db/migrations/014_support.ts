import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * The support desk (src/support/): tickets and their threads.
 *
 * - `tickets`: one request from the feedback form. `link_hash` is the SHA-256 of the newest
 *   single-use link mailed to the reply address (null once used); `access_hash` the key that link
 *   was exchanged for, which the requester's browser keeps. `requester_account_id` is set when the
 *   form was sent signed in.
 * - `ticket_messages`: the thread. `internal` notes are the agents' only; inbound e-mail keeps the
 *   header and envelope senders (a transfer needs to know whether the letter came from the owner's
 *   address) and its Message-ID, so a message delivered twice is added once.
 * - `sessions.two_factor_at`: when the session last passed a two-factor code (sign-in or
 *   re-authentication); the agent desk admits only such sessions.
 * - `outbox.reply_to`: the Reply-To of an e-mail (the ticket's inbound address).
 * - `audit_events.ticket_id`: the ticket an event belongs to (every agent action names one).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("tickets")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("domain", "text", (c) => c.notNull())
    .addColumn("reply_to", "text", (c) => c.notNull())
    .addColumn("requester_account_id", "text", (c) => c.references("accounts.id").onDelete("set null"))
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("link_hash", "text")
    .addColumn("access_hash", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("tickets_queue").on("tickets").columns(["state", "created_at"]).execute();
  await db.schema.createIndex("tickets_requester").on("tickets").column("requester_account_id").execute();
  await db.schema.createIndex("tickets_domain").on("tickets").column("domain").execute();

  await db.schema
    .createTable("ticket_messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("ticket_id", "text", (c) => c.notNull().references("tickets.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("author_kind", "text", (c) => c.notNull())
    .addColumn("author_account_id", "text", (c) => c.references("accounts.id").onDelete("set null"))
    .addColumn("internal", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("from_address", "text")
    .addColumn("envelope_from", "text")
    .addColumn("message_id", "text")
    .execute();
  await db.schema
    .createIndex("ticket_messages_thread")
    .on("ticket_messages")
    .columns(["ticket_id", "created_at"])
    .execute();

  await db.schema.alterTable("sessions").addColumn("two_factor_at", "bigint").execute();
  await db.schema.alterTable("outbox").addColumn("reply_to", "text").execute();
  await db.schema.alterTable("audit_events").addColumn("ticket_id", "text").execute();
  await db.schema
    .createIndex("audit_events_ticket")
    .on("audit_events")
    .columns(["ticket_id", "id"])
    .execute();
}
