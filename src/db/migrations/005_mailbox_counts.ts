import { type Kysely, sql } from "kysely";

// Migrations are immutable once landed: add a new file instead of editing this one.

/**
 * Listing a domain of 100,000 mailboxes fast (bench/mailboxes.ts has the figures):
 * - `domain_mailbox_counts`: each domain's number of mailboxes, kept by triggers on `mailboxes`,
 *   so whoever writes mailboxes (the service, an import, an operator's SQL) cannot make it wrong.
 *   The list's `total`, the per-domain limit and My domains read one row instead of counting
 *   100,000 index entries on every request (2 ms on SQLite, more on PostgreSQL).
 * - The name-search indexes of 004 get `login` as a last column: a search collects the matching
 *   logins from the indexes alone and fetches only the page's rows.
 */
export async function up(db: Kysely<unknown>, dialect: "sqlite" | "postgres"): Promise<void> {
  await db.schema
    .createTable("domain_mailbox_counts")
    .addColumn("domain_id", "text", (c) => c.primaryKey().references("domains.id").onDelete("cascade"))
    .addColumn("count", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  if (dialect === "sqlite") {
    await sql`CREATE TRIGGER mailboxes_count_insert AFTER INSERT ON mailboxes BEGIN
      INSERT INTO domain_mailbox_counts (domain_id, count) VALUES (NEW.domain_id, 1)
        ON CONFLICT (domain_id) DO UPDATE SET count = count + 1;
    END`.execute(db);
    await sql`CREATE TRIGGER mailboxes_count_delete AFTER DELETE ON mailboxes BEGIN
      UPDATE domain_mailbox_counts SET count = count - 1 WHERE domain_id = OLD.domain_id;
    END`.execute(db);
    await sql`CREATE TRIGGER mailboxes_count_move AFTER UPDATE OF domain_id ON mailboxes
      WHEN NEW.domain_id <> OLD.domain_id BEGIN
      UPDATE domain_mailbox_counts SET count = count - 1 WHERE domain_id = OLD.domain_id;
      INSERT INTO domain_mailbox_counts (domain_id, count) VALUES (NEW.domain_id, 1)
        ON CONFLICT (domain_id) DO UPDATE SET count = count + 1;
    END`.execute(db);
  } else {
    // Statement-level with transition tables: a bulk insert or delete-all updates each count once.
    await sql`CREATE FUNCTION mailboxes_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          UPDATE domain_mailbox_counts c SET count = c.count - o.n
            FROM (SELECT domain_id, count(*) AS n FROM old_rows GROUP BY domain_id) o
            WHERE c.domain_id = o.domain_id;
        ELSE
          INSERT INTO domain_mailbox_counts (domain_id, count)
            SELECT domain_id, count(*) FROM new_rows GROUP BY domain_id
            ON CONFLICT (domain_id) DO UPDATE SET count = domain_mailbox_counts.count + EXCLUDED.count;
        END IF;
        RETURN NULL;
      END $$`.execute(db);
    await sql`CREATE TRIGGER mailboxes_count_insert AFTER INSERT ON mailboxes
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mailboxes_count()`.execute(db);
    await sql`CREATE TRIGGER mailboxes_count_delete AFTER DELETE ON mailboxes
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mailboxes_count()`.execute(db);
    // A mailbox never changes domain today (a transfer moves the domain row); if one ever does, the
    // counts follow. Row-level: transition tables cannot be combined with a column list.
    await sql`CREATE FUNCTION mailboxes_count_move() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE domain_mailbox_counts SET count = count - 1 WHERE domain_id = OLD.domain_id;
        INSERT INTO domain_mailbox_counts (domain_id, count) VALUES (NEW.domain_id, 1)
          ON CONFLICT (domain_id) DO UPDATE SET count = domain_mailbox_counts.count + 1;
        RETURN NULL;
      END $$`.execute(db);
    await sql`CREATE TRIGGER mailboxes_count_move AFTER UPDATE OF domain_id ON mailboxes FOR EACH ROW
      WHEN (OLD.domain_id IS DISTINCT FROM NEW.domain_id) EXECUTE FUNCTION mailboxes_count_move()`.execute(
      db,
    );
  }
  await sql`INSERT INTO domain_mailbox_counts (domain_id, count)
    SELECT domain_id, count(*) FROM mailboxes GROUP BY domain_id`.execute(db);

  await db.schema.dropIndex("mailboxes_domain_first_last").execute();
  await db.schema.dropIndex("mailboxes_domain_last_first").execute();
  await db.schema
    .createIndex("mailboxes_domain_first_last")
    .on("mailboxes")
    .columns(["domain_id", "first_last_key", "login"])
    .execute();
  await db.schema
    .createIndex("mailboxes_domain_last_first")
    .on("mailboxes")
    .columns(["domain_id", "last_first_key", "login"])
    .execute();
}
