import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * Sign-in throttling that cannot lock the owner out and does not tell logins apart:
 * - `sign_in_devices`: browsers that signed in to an account before (a long-lived cookie, stored
 *   as its SHA-256). A throttled account still checks a sign-in from one of them; their failures
 *   count on the device, not on the account.
 * - `login_throttles`: the failure run of a login that has no account (by the login's SHA-256, as
 *   what was typed may be a password), kept exactly like an account's, so an unknown login is
 *   throttled the same way as a known one.
 * - `accounts.last_failed_sign_in_at`: a failure run is forgotten a day after its last failure,
 *   for accounts and unknown logins alike (so unknown logins' rows can be pruned).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("sign_in_devices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_used_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("failed_sign_ins", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_failed_sign_in_at", "bigint")
    .addColumn("throttled_until", "bigint")
    .execute();
  await db.schema.createIndex("sign_in_devices_account").on("sign_in_devices").column("account_id").execute();
  await db.schema.createIndex("sign_in_devices_expires").on("sign_in_devices").column("expires_at").execute();

  await db.schema
    .createTable("login_throttles")
    .addColumn("login_hash", "text", (c) => c.primaryKey())
    .addColumn("failed_sign_ins", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_failed_sign_in_at", "bigint", (c) => c.notNull())
    .addColumn("throttled_until", "bigint")
    .execute();
  await db.schema
    .createIndex("login_throttles_last_failure")
    .on("login_throttles")
    .column("last_failed_sign_in_at")
    .execute();

  await db.schema.alterTable("accounts").addColumn("last_failed_sign_in_at", "bigint").execute();
}
