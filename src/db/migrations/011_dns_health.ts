import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * The last delegation and mail health check of each hosted zone (src/dns/health.ts), one row per
 * domain: the console shows it with its time, and the worker leases due rows by `next_check_at`
 * with a conditional update, as it does for the MX check. `checks` is the JSON list of results.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("dns_health")
    .addColumn("domain_id", "text", (c) => c.primaryKey().references("domains.id").onDelete("cascade"))
    .addColumn("checked_at", "bigint")
    .addColumn("next_check_at", "bigint", (c) => c.notNull())
    .addColumn("ok", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("checks", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
  await db.schema.createIndex("dns_health_due").on("dns_health").column("next_check_at").execute();
}
