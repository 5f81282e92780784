import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createTestApp, registerAccount } from "../../test/helpers/app.js";
import { preparedQuery } from "./prepared.js";
import type { DB } from "./schema.js";

const t = await createTestApp();

/** A table of the test's own, for schema changes; Kysely's types do not know it. */
type Probe = { probe: { id: string; label: string; addedLater?: string | null } };
const probeDb = (db: Kysely<DB>) => db as unknown as Kysely<Probe>;

describe("preparedQuery", () => {
  it("answers what the same Kysely query answers, keys in camelCase, in and out of a transaction", async () => {
    const { accountId, login } = await registerAccount(t);
    const byId = preparedQuery((db, p: { id: string }) =>
      db.selectFrom("accounts").select(["id", "login", "createdAt", "isSupportAgent"]).where("id", "=", p.id),
    );
    const expected = await t.db
      .selectFrom("accounts")
      .select(["id", "login", "createdAt", "isSupportAgent"])
      .where("id", "=", accountId)
      .executeTakeFirst();
    expect(expected?.login).toBe(login);
    expect(await byId.first(t.db, { id: accountId })).toEqual(expected);
    expect(await byId.all(t.db, { id: accountId })).toEqual([expected]);
    expect(await byId.first(t.db, { id: "nobody" })).toBeUndefined();
    await t.db.transaction().execute(async (tx) => {
      expect(await byId.first(tx, { id: accountId })).toEqual(expected);
    });
  });

  it("binds each call's own values: list parameters of any length, constants, changes counted", async () => {
    const accounts = await Promise.all([registerAccount(t), registerAccount(t), registerAccount(t)]);
    const ids = accounts.map((a) => a.accountId);
    const logins = preparedQuery((db, p: { ids: readonly string[] }) =>
      db
        .selectFrom("accounts")
        .select("login")
        .where("id", "in", p.ids)
        .where("isSupportAgent", "=", 0)
        .orderBy("login"),
    );
    const sorted = accounts.map((a) => a.login).sort();
    expect((await logins.all(t.db, { ids })).map((r) => r.login)).toEqual(sorted);
    expect((await logins.all(t.db, { ids: [ids[1] as string] })).map((r) => r.login)).toEqual([
      accounts[1]?.login,
    ]);
    expect(
      (await logins.all(t.db, { ids: [ids[2] as string, ids[0] as string] })).map((r) => r.login),
    ).toEqual([accounts[0]?.login, accounts[2]?.login].sort());

    const rename = preparedQuery((db, p: { id: string; firstName: string }) =>
      db.updateTable("accounts").set({ firstName: p.firstName }).where("id", "=", p.id),
    );
    expect(await rename.run(t.db, { id: ids[0] as string, firstName: "Renamed" })).toBe(1);
    expect(await rename.run(t.db, { id: "nobody", firstName: "Renamed" })).toBe(0);
    const names = await t.db
      .selectFrom("accounts")
      .select(["id", "firstName"])
      .where("id", "in", ids)
      .execute();
    expect(names.filter((n) => n.firstName === "Renamed").map((n) => n.id)).toEqual([ids[0]]);
  });

  it("refuses, at its first use, a builder that makes a value out of a parameter", async () => {
    const bad = preparedQuery((db, p: { prefix: string }) =>
      db.selectFrom("accounts").select("login").where("login", "like", `${p.prefix}%`),
    );
    await expect(bad.all(t.db, { prefix: "a" })).rejects.toThrow(/built a value out of a parameter/);
  });

  it("keeps answering, with the new column, after the table changes under a prepared statement", async () => {
    await sql`create table probe (id text primary key, label text not null)`.execute(t.db);
    await sql`insert into probe (id, label) values ('a', 'first')`.execute(t.db);
    const everything = preparedQuery((db, p: { id: string }) =>
      probeDb(db).selectFrom("probe").selectAll().where("id", "=", p.id),
    );
    // Several times, so on PostgreSQL the connection that runs it next has it prepared.
    for (let i = 0; i < 3; i++)
      expect(await everything.first(t.db, { id: "a" })).toEqual({ id: "a", label: "first" });
    // A migration by another process, as far as the prepared statement is concerned.
    await sql`alter table probe add column added_later text`.execute(t.db);
    for (let i = 0; i < 3; i++)
      expect(await everything.first(t.db, { id: "a" })).toEqual({
        id: "a",
        label: "first",
        addedLater: null,
      });
  });
});

describe("the SQLite statement cache", () => {
  it.runIf(t.deps.database.dialect === "sqlite")(
    "answers right through more distinct queries than it keeps, keeping the ones in use",
    async () => {
      const { accountId, login } = await registerAccount(t);
      const byId = preparedQuery((db, p: { id: string }) =>
        db.selectFrom("accounts").select("login").where("id", "=", p.id),
      );
      // 1,200 texts (the cache keeps 500), the account's query in use throughout: every answer
      // comes from the statement its own text prepared, whatever was dropped meanwhile.
      for (let i = 0; i < 1200; i++) {
        const { rows } = await sql<{ n: number }>`select ${sql.raw(String(i))} as n`.execute(t.db);
        expect(rows).toEqual([{ n: i }]);
        if (i % 50 === 0) expect(await byId.first(t.db, { id: accountId })).toEqual({ login });
      }
    },
  );
});
