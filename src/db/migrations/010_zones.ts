import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * DNS hosting: one zone per confirmed domain, its records, and the domain's DKIM keys. Made when
 * the domain is confirmed and removed on disconnect through the lifecycle hooks (src/zones/), so
 * no cascade from `domains`: a zone never outlives its domain by a forgotten handler unnoticed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  /** The SOA serial and when anything in the zone last changed (the DNS servers' catch-up reads it). */
  await db.schema
    .createTable("zones")
    .addColumn("domain_id", "text", (c) => c.primaryKey().references("domains.id"))
    .addColumn("serial", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("zones_updated_at").on("zones").column("updated_at").execute();

  /** Records with their RDATA in zone-file presentation text (src/dns/rdata.ts), names as FQDNs. */
  await db.schema
    .createTable("dns_records")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("domain_id", "text", (c) => c.notNull().references("domains.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("ttl", "integer", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("dns_records_domain_name")
    .on("dns_records")
    .columns(["domain_id", "name", "type"])
    .execute();

  /** DKIM signing keys: the private key sealed (src/lib/secret-box.ts), for the mail servers. */
  await db.schema
    .createTable("dkim_keys")
    .addColumn("domain_id", "text", (c) => c.notNull().references("domains.id"))
    .addColumn("selector", "text", (c) => c.notNull())
    .addColumn("private_key", "text", (c) => c.notNull())
    .addColumn("public_key", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint("dkim_keys_pk", ["domain_id", "selector"])
    .execute();
}
