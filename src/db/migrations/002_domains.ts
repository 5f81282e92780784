import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  /**
   * An (account, domain) ownership claim with its own id and secret token. Pending until proven;
   * the proving claim stays as "confirmed" for as long as its account owns the domain, so
   * everything recorded about the ownership (checks) hangs off it and leaves with it.
   */
  await db.schema
    .createTable("claims")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("public_id", "text", (c) => c.notNull())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("domain_name", "text", (c) => c.notNull())
    .addColumn("token", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull()) // pending | confirmed
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("next_check_at", "bigint", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_check_at", "bigint")
    .addColumn("delegated", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("claims_public_id").on("claims").column("public_id").unique().execute();
  // One claim per (account, domain): a second "connect" is refused by the database too.
  await db.schema
    .createIndex("claims_account_domain")
    .on("claims")
    .columns(["account_id", "domain_name"])
    .unique()
    .execute();
  await db.schema.createIndex("claims_domain").on("claims").column("domain_name").execute();
  await db.schema.createIndex("claims_due").on("claims").columns(["status", "next_check_at"]).execute();

  /** Confirmed domains. The unique name is the one-owner rule (docs/SECURITY.md §32). */
  await db.schema
    .createTable("domains")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("owner_account_id", "text", (c) => c.notNull().references("accounts.id"))
    // The confirming claim (no foreign key: the confirm transaction inserts this row first, so a
    // losing concurrent confirmation waits on the unique name and never on a claim row lock).
    .addColumn("claim_id", "text", (c) => c.notNull())
    .addColumn("confirmed_at", "bigint", (c) => c.notNull())
    .addColumn("confirmed_method", "text", (c) => c.notNull())
    .addColumn("mx_ok", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("mx_checked_at", "bigint")
    .addColumn("mx_next_check_at", "bigint", (c) => c.notNull())
    .addColumn("mx_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("delegated", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("domains_name").on("domains").column("name").unique().execute();
  await db.schema.createIndex("domains_owner").on("domains").column("owner_account_id").execute();
  await db.schema.createIndex("domains_mx_due").on("domains").column("mx_next_check_at").execute();

  /** History of one claim's checks; deleted with the claim, so a later owner never sees it. */
  await db.schema
    .createTable("domain_checks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("claim_id", "text", (c) => c.notNull().references("claims.id").onDelete("cascade"))
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("trigger", "text", (c) => c.notNull()) // manual | worker
    .addColumn("kind", "text", (c) => c.notNull()) // ownership | mx
    .addColumn("result", "text", (c) => c.notNull())
    .addColumn("method", "text")
    .addColumn("details", "text", (c) => c.notNull()) // JSON: per-method results
    .execute();
  await db.schema
    .createIndex("domain_checks_claim")
    .on("domain_checks")
    .columns(["claim_id", "id"])
    .execute();
}
