import { type Kysely, sql } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * The search key of a name: Unicode-normalised, lower-cased, single spaces. A frozen copy of
 * `searchKey` in src/mailboxes/logins.ts (a migration must not change when the app does).
 */
const key = (value: string): string => value.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();

/**
 * Searching a domain's mailboxes by login prefix and by first or last name, fast at 100,000
 * mailboxes per domain on both databases:
 * - `first_last_key` ("anna smith") and `last_first_key` ("smith anna") hold the names as the
 *   application normalises them (SQLite's lower() knows only ASCII; the names are often Cyrillic),
 *   each with a (domain_id, key) index, so a prefix is an index range on either database.
 * - On PostgreSQL the login, alias and key columns compare byte-wise (COLLATE "C"): a prefix then
 *   is exactly the range [prefix, successor) — in a linguistic collation (en_US) punctuation is
 *   ignored at first and "a.c" sorts between "ab" and "ac" — and pages come in the same order as
 *   on SQLite, whose default collation is byte-wise too.
 */
export async function up(db: Kysely<unknown>, dialect: "sqlite" | "postgres"): Promise<void> {
  await db.schema
    .alterTable("mailboxes")
    .addColumn("first_last_key", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable("mailboxes")
    .addColumn("last_first_key", "text", (c) => c.notNull().defaultTo(""))
    .execute();

  if (dialect === "postgres") {
    await sql`ALTER TABLE mailboxes ALTER COLUMN login TYPE text COLLATE "C"`.execute(db);
    await sql`ALTER TABLE mailboxes ALTER COLUMN first_last_key TYPE text COLLATE "C"`.execute(db);
    await sql`ALTER TABLE mailboxes ALTER COLUMN last_first_key TYPE text COLLATE "C"`.execute(db);
    await sql`ALTER TABLE mailbox_aliases ALTER COLUMN alias TYPE text COLLATE "C"`.execute(db);
  }

  // Mailboxes created before this migration get their keys (none exist in a release before it,
  // but a development database may have some).
  const rows = await sql<{ id: string; first_name: string; last_name: string }>`
    SELECT id, first_name, last_name FROM mailboxes`.execute(db);
  for (const row of rows.rows) {
    await sql`UPDATE mailboxes SET first_last_key = ${key(`${row.first_name} ${row.last_name}`)},
      last_first_key = ${key(`${row.last_name} ${row.first_name}`)} WHERE id = ${row.id}`.execute(db);
  }

  await db.schema
    .createIndex("mailboxes_domain_first_last")
    .on("mailboxes")
    .columns(["domain_id", "first_last_key"])
    .execute();
  await db.schema
    .createIndex("mailboxes_domain_last_first")
    .on("mailboxes")
    .columns(["domain_id", "last_first_key"])
    .execute();
}
