import { describe, expect, it } from "vitest";
import { createTestApp } from "../../test/helpers/app.js";
import { createMailbox, MAILBOX_PASSWORD, mailboxWorld } from "../../test/helpers/mailboxes.js";
import { newId } from "../lib/random.js";
import { nameKeys } from "./logins.js";

const t = await createTestApp();
const { ownerWithDomain, addDeputy } = mailboxWorld(t);

interface Listed {
  login: string;
  firstName: string;
  lastName: string;
}

/**
 * Mailboxes written straight to the table, as the service writes them (search keys included):
 * listing does not care how they were created, and 120 argon2 hashes would only slow the test.
 */
async function seed(domainId: string, people: Array<[login: string, first?: string, last?: string]>) {
  const now = t.clock.now();
  await t.db
    .insertInto("mailboxes")
    .values(
      people.map(([login, firstName = "", lastName = ""]) => ({
        id: newId(),
        domainId,
        login,
        passwordHash: "{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
        firstName,
        lastName,
        ...nameKeys(firstName, lastName),
        createdAt: now,
        updatedAt: now,
      })),
    )
    .execute();
}

/** Follows `next` from the first page to the last; every page must report the same total. */
async function walk(
  client: { get: (url: string) => Promise<{ statusCode: number; json: () => unknown }> },
  url: string,
) {
  const logins: string[] = [];
  const totals = new Set<number>();
  let pages = 0;
  let next: string | null = null;
  do {
    const separator = url.includes("?") ? "&" : "?";
    const response = await client.get(next === null ? url : `${url}${separator}after=${next}`);
    expect(response.statusCode).toBe(200);
    const page = response.json() as { mailboxes: Listed[]; next: string | null; total: number };
    logins.push(...page.mailboxes.map((m) => m.login));
    totals.add(page.total);
    next = page.next;
    pages++;
  } while (next !== null && pages < 100);
  return { logins, totals: [...totals], pages };
}

const pad = (n: number) => String(n).padStart(3, "0");

describe("paging", () => {
  it("lists 50 a page in login order and walks every mailbox exactly once with the cursors", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    const logins = Array.from({ length: 120 }, (_, i) => `user${pad(i)}`);
    await seed(
      domainId,
      [...logins].reverse().map((l) => [l]),
    );
    const first = await client.get(url);
    expect(first.json().mailboxes).toHaveLength(50);
    expect(first.json().total).toBe(120);
    expect(first.json().mailboxes[0].login).toBe("user000");

    const all = await walk(client, url);
    expect(all.logins).toEqual(logins);
    expect(all.pages).toBe(3);
    expect(all.totals).toEqual([120]);

    const small = await walk(client, `${url}?limit=7`);
    expect(small.logins).toEqual(logins);
    expect(small.pages).toBe(18);
  });

  it("keeps a cursor valid while mailboxes come and go: nothing is repeated or skipped", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await seed(domainId, [["anna"], ["boris"], ["clara"], ["dmitry"]]);
    const first = (await client.get(`${url}?limit=2`)).json();
    expect(first.mailboxes.map((m: Listed) => m.login)).toEqual(["anna", "boris"]);
    // A mailbox before the cursor and one after it appear meanwhile; "clara" goes.
    await seed(domainId, [["aaron"], ["denis"]]);
    expect((await client.delete(`${url}/clara`)).statusCode).toBe(204);
    const second = (await client.get(`${url}?limit=2&after=${first.next}`)).json();
    expect(second.mailboxes.map((m: Listed) => m.login)).toEqual(["denis", "dmitry"]);
    expect(second.total).toBe(5);
  });

  it("orders logins byte-wise on every database: '-' < '.' < digits < '_' < letters", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await seed(domainId, [["ab"], ["a_b"], ["a.b"], ["a-b"], ["a1"], ["aa"]]);
    const listed = (await client.get(url)).json().mailboxes.map((m: Listed) => m.login);
    expect(listed).toEqual(["a-b", "a.b", "a1", "a_b", "aa", "ab"]);
  });

  it("shows each mailbox's aliases in the list", async () => {
    const { client, url } = await ownerWithDomain();
    await createMailbox(client, url, { login: "olga" });
    await client.post(`${url}/olga/aliases`, { alias: "sales" });
    await client.post(`${url}/olga/aliases`, { alias: "info" });
    expect((await client.get(url)).json().mailboxes[0].aliases).toEqual(["info", "sales"]);
  });

  it("keeps the total right however mailboxes come and go, and My domains shows the same count", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    const counted = async () => {
      const row = await t.db
        .selectFrom("mailboxes")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("domainId", "=", domainId)
        .executeTakeFirstOrThrow();
      const total = (await client.get(url)).json().total;
      const mine = (await client.get("/api/v1/domains"))
        .json()
        .domains.find((d: { name: string }) => d.name === name);
      expect(mine.mailboxCount).toBe(total);
      expect(total).toBe(Number(row.n));
      return total;
    };
    expect(await counted()).toBe(0);
    await createMailbox(client, url, { login: "one" });
    await client.post(`${url}/batch`, {
      mailboxes: [
        { login: "two", password: MAILBOX_PASSWORD },
        { login: "one", password: MAILBOX_PASSWORD },
      ],
    });
    await seed(domainId, [["three"], ["four"]]); // written by anyone else: an operator's SQL, an import
    expect(await counted()).toBe(4);
    expect((await client.post(url, { login: "two", password: MAILBOX_PASSWORD })).statusCode).toBe(409);
    expect((await client.delete(`${url}/three`)).statusCode).toBe(204);
    expect(await counted()).toBe(3);
    expect((await client.post(`${url}/delete-all`, { confirm: name })).json()).toEqual({ deleted: 3 });
    expect(await counted()).toBe(0);
  });

  it("answers an empty domain with an empty last page", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    expect((await client.get(url)).json()).toEqual({ mailboxes: [], next: null, total: 0 });
    const deputy = await addDeputy(domainId);
    expect((await deputy.client.get(url)).json().total).toBe(0);
  });
});

describe("search", () => {
  const people: Array<[string, string, string]> = [
    ["anna.smith", "Anna", "Smith"],
    ["a.smirnova", "Анна", "Смирнова"],
    ["annette", "Annette", "Dubois"],
    ["bob", "Robert", "Annan"],
    ["jo", "Joanna", "Ostrowska"],
    ["yolka", "Ёлка", "Зелёная"],
    ["cafe", "Ｃａｆé", "Noir"], // full-width letters: NFKC makes them plain "café"
  ];

  it.each([
    ["ann", ["anna.smith", "annette", "bob"]], // logins, first names and a last name (Annan)
    ["ANNA", ["anna.smith", "bob"]],
    ["anna s", ["anna.smith"]], // first name then the start of the last
    ["smith", ["anna.smith"]],
    ["smith anna", ["anna.smith"]],
    ["a.sm", ["a.smirnova"]],
    [`a.smi@whatever`, ["a.smirnova"]],
    ["анна", ["a.smirnova"]],
    ["АННА СМ", ["a.smirnova"]],
    ["смир", ["a.smirnova"]],
    ["ёлка", ["yolka"]],
    ["зелёная ёл", ["yolka"]],
    ["café", ["cafe"]],
    ["caf", ["cafe"]],
    ["  dubois  ", ["annette"]],
    ["nette", []], // a prefix search, not a substring one
    ["zzz", []],
    ["%", []], // no wildcard in the query language
    ["_", []],
  ])("q=%j finds %j", async (q, expected) => {
    const { client, url, domainId } = await ownerWithDomain();
    await seed(domainId, people);
    const response = await client.get(`${url}?q=${encodeURIComponent(q)}`);
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json();
    expect(page.mailboxes.map((m: Listed) => m.login)).toEqual(expected);
    expect(page.total).toBe(expected.length);
    expect(page.next).toBeNull();
  });

  it("pages through the matches only, with the total of the matches", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await seed(domainId, [
      ...Array.from({ length: 30 }, (_, i): [string, string, string] => [`sales${pad(i)}`, "Sam", "Sales"]),
      ...Array.from({ length: 30 }, (_, i): [string, string, string] => [`dev${pad(i)}`, "Dana", "Dev"]),
      ["zed", "Salome", "Zed"],
    ]);
    const found = await walk(client, `${url}?q=sa&limit=8`);
    expect(found.logins).toEqual([...Array.from({ length: 30 }, (_, i) => `sales${pad(i)}`), "zed"]);
    expect(found.totals).toEqual([31]);
    expect(found.pages).toBe(4);
  });

  it("finds a mailbox by the names it has now, not by the ones it had", async () => {
    const { client, url } = await ownerWithDomain();
    await createMailbox(client, url, { login: "pat", firstName: "Patricia", lastName: "Old" });
    expect((await client.get(`${url}?q=old`)).json().total).toBe(1);
    await client.patch(`${url}/pat`, { lastName: "Новикова" });
    expect((await client.get(`${url}?q=old`)).json().total).toBe(0);
    expect((await client.get(`${url}?q=НОВИК`)).json().mailboxes.map((m: Listed) => m.login)).toEqual([
      "pat",
    ]);
    expect((await client.get(`${url}?q=patricia%20нов`)).json().total).toBe(1);
  });

  it("treats a blank query as no query", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await seed(domainId, people);
    expect((await client.get(`${url}?q=%20%20`)).json().total).toBe(people.length);
  });
});

describe("order", () => {
  it("lists Z to A with order=-login, the cursors and the search following the same order", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    const logins = Array.from({ length: 12 }, (_, i) => `user${pad(i)}`);
    await seed(domainId, [
      ...logins.map((l): [string, string, string] => [l, "Sam", "Sales"]),
      ["zed", "Zoe", "Z"],
    ]);
    const all = await walk(client, `${url}?order=-login&limit=5`);
    expect(all.logins).toEqual(["zed", ...[...logins].reverse()]);
    expect(all.totals).toEqual([13]);
    const found = await walk(client, `${url}?order=-login&q=sa&limit=5`);
    expect(found.logins).toEqual([...logins].reverse());
    expect(found.totals).toEqual([12]);
    expect((await client.get(`${url}?order=login`)).json().mailboxes[0].login).toBe("user000");
    const bad = await client.get(`${url}?order=name`);
    expect(bad.statusCode).toBe(400);
  });
});
