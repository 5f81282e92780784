import type { Kysely } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * One-time recovery codes of two-factor sign-in (src/credentials/recovery-codes.ts): ten per
 * account while two-factor is on, each stored as a keyed hash and spent by setting `used_at`
 * with a conditional update. New codes replace the account's old ones; turning two-factor off
 * deletes them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("recovery_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();
  await db.schema
    .createIndex("recovery_codes_account_hash")
    .on("recovery_codes")
    .columns(["account_id", "code_hash"])
    .execute();
}
