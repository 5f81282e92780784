import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { type Kysely, sql, type Transaction } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "./database.js";
import { preparedQuery } from "./prepared.js";
import type { DB } from "./schema.js";

/**
 * SQLite's driver (sqlite-driver.ts) on a file, as mfd runs it: transactions that end while
 * others run share one COMMIT, and reads answer from a second connection. What a user relies on:
 * a change is answered only once it is on disk, a failing change takes back only itself, a group
 * that cannot commit fails as a whole, and no read sees a change that may still be undone. An
 * observer — another connection, as another process would open — tells what is on disk.
 */

type Notes = {
  notes: { id: string };
  doomed: { id: string };
  parent: { id: string };
  child: { parentId: string };
};
const notesOf = (db: Kysely<DB> | Transaction<DB>) => db as unknown as Kysely<Notes>;
const add = (db: Kysely<DB> | Transaction<DB>, id: string) =>
  notesOf(db).insertInto("notes").values({ id }).execute();
const noteIds = preparedQuery((db) =>
  (db as unknown as Kysely<Notes>).selectFrom("notes").select("id").orderBy("id"),
);

/** Every gate of the running test: all are opened after it, so a failed test leaves no transaction holding the connection. */
const gates: Array<() => void> = [];

/** A promise and the function that settles it: the test opens the gate. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  gates.push(open);
  return { opened, open };
}

/** Lets the event loop take a full turn, timers aside: a commit the driver scheduled gets its chance. */
const loopTurns = async (turns = 3) => {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Whether `work` settles within a few turns of the event loop (nothing else is waited for). */
async function settled(work: Promise<unknown>): Promise<boolean> {
  let done = false;
  work.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await loopTurns();
  return done;
}

describe("SQLite's driver on a file", () => {
  let dir = "";
  let database: Database;
  let observer: SQLite.Database;
  const onDisk = () =>
    (observer.prepare("select id from notes order by id").all() as { id: string }[]).map((r) => r.id);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mfd-sqlite-driver-"));
    const file = join(dir, "driver.sqlite");
    database = openDatabase(`sqlite:${file}`);
    await sql`create table notes (id text primary key)`.execute(database.db);
    await sql`create table doomed (id text)`.execute(database.db);
    // RAISE(ROLLBACK) undoes the whole transaction, as SQLITE_FULL or an I/O error may.
    await sql`create trigger doom after insert on doomed begin select raise(rollback, 'doomed'); end`.execute(
      database.db,
    );
    await sql`create table parent (id text primary key)`.execute(database.db);
    // Checked only at COMMIT: a dangling row makes the COMMIT itself fail.
    await sql`create table child (parent_id text references parent(id) deferrable initially deferred)`.execute(
      database.db,
    );
    observer = new SQLite(file, { readonly: true });
  });
  afterAll(async () => {
    observer?.close();
    await database?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await sql`delete from notes`.execute(database.db);
  });
  afterEach(() => {
    for (const open of gates.splice(0)) open();
  });

  /**
   * Two transactions adding a note each: the first ends while the second, which began right after
   * it, is held under way until `letSecondEnd()`.
   */
  const secondUnderWay = async (firstId: string, secondId: string) => {
    const secondRunning = gate();
    const secondMayEnd = gate();
    const first = database.db.transaction().execute((tx) => add(tx, firstId));
    const second = database.db.transaction().execute(async (tx) => {
      await add(tx, secondId);
      secondRunning.open();
      await secondMayEnd.opened;
    });
    await secondRunning.opened;
    return { first, second, letSecondEnd: secondMayEnd.open };
  };

  it("answers a transaction only once its COMMIT is on disk, shared with the transactions that ran before it", async () => {
    const { first, second, letSecondEnd } = await secondUnderWay("a", "b");
    // The first ended before the second began, but its COMMIT waits for the second.
    expect(await settled(first)).toBe(false);
    expect(onDisk()).toEqual([]);
    letSecondEnd();
    await first;
    // Answered: on disk, and the second's change with it (one COMMIT).
    expect(onDisk()).toEqual(["a", "b"]);
    await second;
  });

  /** A transaction adding a note, held under way until `letFirstEnd()`; the next ones queue behind it. */
  const firstHeld = (id: string) => {
    const firstMayEnd = gate();
    const first = database.db.transaction().execute(async (tx) => {
      await add(tx, id);
      await firstMayEnd.opened;
    });
    return { first, letFirstEnd: firstMayEnd.open };
  };

  it("takes back only the changes of a transaction that fails; the others of its group commit", async () => {
    const { first, letFirstEnd } = firstHeld("c");
    const failing = database.db.transaction().execute(async (tx) => {
      await add(tx, "d");
      throw new Error("refused");
    });
    const third = database.db.transaction().execute((tx) => add(tx, "e"));
    letFirstEnd();
    await expect(failing).rejects.toThrow("refused");
    await first;
    await third;
    expect(onDisk()).toEqual(["c", "e"]);
    expect((await noteIds.all(database.db, {})).map((r) => r.id)).toEqual(["c", "e"]);
  });

  it("fails every transaction of the group when SQLite rolls the whole transaction back, and keeps none of their changes", async () => {
    const { first, letFirstEnd } = firstHeld("f");
    const doomed = database.db
      .transaction()
      .execute((tx) => notesOf(tx).insertInto("doomed").values({ id: "x" }).execute());
    letFirstEnd();
    await expect(doomed).rejects.toThrow("doomed");
    await expect(first).rejects.toThrow("doomed");
    expect(onDisk()).toEqual([]);
    // The next change commits as usual.
    await database.db.transaction().execute((tx) => add(tx, "g"));
    expect(onDisk()).toEqual(["g"]);
  });

  it("fails every transaction of the group when its COMMIT fails, and keeps none of their changes", async () => {
    const { first, letFirstEnd } = firstHeld("h");
    const dangling = database.db
      .transaction()
      .execute((tx) => notesOf(tx).insertInto("child").values({ parentId: "nobody" }).execute());
    letFirstEnd();
    await expect(first).rejects.toMatchObject({ code: "SQLITE_CONSTRAINT_FOREIGNKEY" });
    await expect(dangling).rejects.toMatchObject({ code: "SQLITE_CONSTRAINT_FOREIGNKEY" });
    expect(onDisk()).toEqual([]);
    expect(observer.prepare("select count(*) as n from child").get()).toEqual({ n: 0 });
    await database.db.transaction().execute((tx) => add(tx, "i"));
    expect(onDisk()).toEqual(["i"]);
  });

  it("answers reads at once from what is committed while a transaction holds the connection, never from a change not yet committed", async () => {
    await database.db.transaction().execute((tx) => add(tx, "j"));
    const { first, second, letSecondEnd } = await secondUnderWay("k", "l");
    // "k" ended into the group and "l" is under way: neither is committed, so neither is read.
    const read = noteIds.all(database.db, {});
    expect(await settled(read)).toBe(true);
    expect((await read).map((r) => r.id)).toEqual(["j"]);
    letSecondEnd();
    await Promise.all([first, second]);
    expect((await noteIds.all(database.db, {})).map((r) => r.id)).toEqual(["j", "k", "l"]);
  });

  it("commits an open group before a statement outside a transaction writes, and answers that write once it is on disk", async () => {
    const { first, second, letSecondEnd } = await secondUnderWay("m", "n");
    const outside = add(database.db, "o");
    letSecondEnd();
    await outside;
    expect(onDisk()).toEqual(["m", "n", "o"]);
    await Promise.all([first, second]);
  });
});
