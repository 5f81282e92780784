import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  /** Mailboxes of confirmed domains. No cascade from domains: disconnect refuses while any exist. */
  await db.schema
    .createTable("mailboxes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("domain_id", "text", (c) => c.notNull().references("domains.id"))
    .addColumn("login", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull()) // {ARGON2ID}$argon2id$… (Dovecot reads it)
    .addColumn("first_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("last_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("quota_mb", "integer", (c) => c.notNull().defaultTo(0)) // 0 = the installation default
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  // One mailbox per address; keyset paging walks (domain_id, login).
  await db.schema
    .createIndex("mailboxes_domain_login")
    .on("mailboxes")
    .columns(["domain_id", "login"])
    .unique()
    .execute();

  /** Aliases share the address space of the domain's mailboxes (checked in the service, in one transaction). */
  await db.schema
    .createTable("mailbox_aliases")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("domain_id", "text", (c) => c.notNull().references("domains.id"))
    .addColumn("mailbox_id", "text", (c) => c.notNull().references("mailboxes.id").onDelete("cascade"))
    .addColumn("alias", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("mailbox_aliases_domain_alias")
    .on("mailbox_aliases")
    .columns(["domain_id", "alias"])
    .unique()
    .execute();
  await db.schema.createIndex("mailbox_aliases_mailbox").on("mailbox_aliases").column("mailbox_id").execute();

  /** Additional administrators ("deputies") of a domain. */
  await db.schema
    .createTable("deputies")
    .addColumn("domain_id", "text", (c) => c.notNull().references("domains.id").onDelete("cascade"))
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("dns_granted", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("deputies_pk", ["domain_id", "account_id"])
    .execute();
  await db.schema.createIndex("deputies_account").on("deputies").column("account_id").execute();

  /** Personal API tokens: only the SHA-256 of the secret is kept (docs/SECURITY.md §18). */
  await db.schema
    .createTable("api_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull()) // bearer | pdd
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("hint", "text", (c) => c.notNull()) // the last characters, to recognise a token in lists
    .addColumn("permissions", "text", (c) => c.notNull()) // JSON array of permissions
    .addColumn("all_domains", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("last_used_at", "bigint")
    .addColumn("last_used_ip", "text")
    .addColumn("revoked_at", "bigint")
    .execute();
  await db.schema.createIndex("api_tokens_account").on("api_tokens").column("account_id").execute();

  /** The domains a token is limited to, by domain row id: a domain reconnected by anyone later has a new id. */
  await db.schema
    .createTable("api_token_domains")
    .addColumn("token_id", "text", (c) => c.notNull().references("api_tokens.id").onDelete("cascade"))
    .addColumn("domain_id", "text", (c) => c.notNull().references("domains.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("api_token_domains_pk", ["token_id", "domain_id"])
    .execute();
  await db.schema
    .createIndex("api_token_domains_domain")
    .on("api_token_domains")
    .column("domain_id")
    .execute();
}
