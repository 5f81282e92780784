import { domainToASCII } from "node:url";
import { verify } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { Client, createTestApp, GOOD_PASSWORD, SERVICE_DOMAIN } from "../../test/helpers/app.js";
import { testDialect } from "../../test/helpers/database.js";
import { confirmedDomain, uniqueDomain } from "../../test/helpers/domains.js";
import { holdTransaction } from "../../test/helpers/locks.js";
import {
  createMailbox,
  domainEvents,
  loginsIn,
  MAILBOX_PASSWORD,
  mailboxWorld,
} from "../../test/helpers/mailboxes.js";
import { REAUTH_WINDOW_MS } from "../access/access.js";
import { MINUTE } from "../lib/clock.js";
import { ALIAS_LIMIT } from "./mailboxes.service.js";

const t = await createTestApp();
const { account, ownerWithDomain, addDeputy } = mailboxWorld(t);
const limited = await createTestApp({ MFD_MAILBOX_LIMIT: "2" });
const world = mailboxWorld(limited);

async function storedHash(domainId: string, login: string) {
  const row = await t.db
    .selectFrom("mailboxes")
    .select("passwordHash")
    .where("domainId", "=", domainId)
    .where("login", "=", login)
    .executeTakeFirstOrThrow();
  return row.passwordHash;
}

/** Dovecot's `{ARGON2ID}` prefix off, the PHC string verifies like any argon2id hash. */
const verifies = (stored: string, password: string) => verify(stored.replace(/^\{ARGON2ID\}/, ""), password);

describe("create and show", () => {
  it("creates a mailbox with its names, quota and state, and shows it", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    const response = await client.post(url, {
      login: "  Bob.Smith ",
      password: MAILBOX_PASSWORD,
      firstName: " Bob ",
      lastName: "Smith",
      quotaMb: 2048,
      enabled: false,
    });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(created).toEqual({
      login: "bob.smith",
      address: `bob.smith@${name}`,
      firstName: "Bob",
      lastName: "Smith",
      enabled: false,
      quotaMb: 2048,
      aliases: [],
      createdAt: new Date(t.clock.now()).toISOString(),
      updatedAt: new Date(t.clock.now()).toISOString(),
    });
    const shown = await client.get(`${url}/bob.smith`);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual(created);
    // The address form of the login names the same mailbox.
    expect((await client.get(`${url}/BOB.SMITH@${name.toUpperCase()}`)).json()).toEqual(created);
    expect(await loginsIn(t, domainId)).toEqual(["bob.smith"]);
  });

  it("takes the login as an address on the domain, and defaults to enabled, no names, default quota", async () => {
    const { client, url, name } = await ownerWithDomain();
    const created = await createMailbox(client, url, { login: `Carol@${name.toUpperCase()}` });
    expect(created).toMatchObject({ login: "carol", firstName: "", lastName: "", enabled: true, quotaMb: 0 });
  });

  it("stores the password as Dovecot's {ARGON2ID} hash and never shows it or logs it", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    const response = await client.post(url, { login: "dave", password: MAILBOX_PASSWORD });
    expect(response.body).not.toContain(MAILBOX_PASSWORD);
    expect(response.body).not.toContain("argon2");
    const stored = await storedHash(domainId, "dave");
    expect(stored).toMatch(/^\{ARGON2ID\}\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifies(stored, MAILBOX_PASSWORD)).toBe(true);
    expect(await verifies(stored, `${MAILBOX_PASSWORD}!`)).toBe(false);

    const events = await domainEvents(t, name);
    expect(events).toEqual([
      expect.objectContaining({
        action: "mailbox.create",
        target: `dave@${name}`,
        actorType: "account",
        details: { enabled: true, quotaMb: 0 },
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain(MAILBOX_PASSWORD);
    expect(JSON.stringify(events)).not.toContain("argon2");
  });

  it.each([
    ["1bob", "characters"],
    ["_bob", "characters"],
    ["bob smith", "characters"],
    ["bob+tag", "characters"],
    ["иван", "characters"],
    ["bob.", "dots"],
    ["bob..smith", "dots"],
    ["a".repeat(31), "too-long"],
    ["   ", "empty"],
    ["bob@elsewhere.org", "other-domain"],
  ])("refuses the login %j (LOGIN_INVALID, %s) and creates nothing", async (login, reason) => {
    const { client, url, domainId } = await ownerWithDomain();
    const response = await client.post(url, { login, password: MAILBOX_PASSWORD });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: "LOGIN_INVALID", field: "login", reason });
    expect(await loginsIn(t, domainId)).toEqual([]);
  });

  it("accepts the longest login and every allowed character", async () => {
    const { client, url } = await ownerWithDomain();
    const longest = `a${"b".repeat(29)}`;
    expect((await createMailbox(client, url, { login: longest })).login).toBe(longest);
    expect((await createMailbox(client, url, { login: "x-y_z.9-" })).login).toBe("x-y_z.9-");
  });

  it.each([
    ["short pw", "PASSWORD_TOO_SHORT"],
    ["password123", "PASSWORD_TOO_COMMON"],
    ["{domain}!!", "PASSWORD_CONTAINS_CONTEXT"],
    ["{label}-2024", "PASSWORD_CONTAINS_CONTEXT"],
    ["frederick-77", "PASSWORD_CONTAINS_CONTEXT"],
    [`${SERVICE_DOMAIN}-204`, "PASSWORD_CONTAINS_CONTEXT"],
    ["x".repeat(1025), "PASSWORD_TOO_LONG"],
  ])("refuses the password %j with %s and creates nothing", async (template, code) => {
    const { client, url, name, domainId } = await ownerWithDomain();
    const password = template.replace("{domain}", name).replace("{label}", name.split(".")[0] as string);
    const response = await client.post(url, { login: "frederick", password });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe(code);
    expect(await loginsIn(t, domainId)).toEqual([]);
  });

  it("refuses an address already taken by a mailbox or by an alias (MAILBOX_EXISTS)", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "erin" });
    await client.post(`${url}/erin/aliases`, { alias: "sales" });
    for (const login of ["erin", "ERIN", "sales"]) {
      const response = await client.post(url, { login, password: MAILBOX_PASSWORD });
      expect(response.statusCode, login).toBe(409);
      expect(response.json().code).toBe("MAILBOX_EXISTS");
    }
    expect(await loginsIn(t, domainId)).toEqual(["erin"]);
  });

  it("keeps the address space per domain: the same login on two domains is two mailboxes", async () => {
    const { client, url, accountId } = await ownerWithDomain();
    const other = await confirmedDomain(t, accountId);
    await createMailbox(client, url, { login: "frank" });
    await createMailbox(client, `/api/v1/domains/${other.name}/mailboxes`, { login: "frank" });
    expect(await loginsIn(t, other.domainId)).toEqual(["frank"]);
  });

  it("answers NOT_FOUND for a mailbox that does not exist or cannot", async () => {
    const { client, url } = await ownerWithDomain();
    for (const login of ["nobody", "1-not-a-login", `nobody@${uniqueDomain()}`]) {
      const response = await client.get(`${url}/${encodeURIComponent(login)}`);
      expect(response.statusCode, login).toBe(404);
      expect(response.json().code).toBe("NOT_FOUND");
    }
  });

  it("finds the domain by its Unicode name too", async () => {
    const owner = await account();
    const unicode = `пример-${Date.now() % 100000}.рф`;
    const domain = await confirmedDomain(t, owner.accountId, domainToASCII(unicode));
    const url = `/api/v1/domains/${encodeURIComponent(unicode.toUpperCase())}/mailboxes`;
    const created = await owner.client.post(url, { login: "ivan", password: MAILBOX_PASSWORD });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().address).toBe(`ivan@${domain.name}`);
    expect(domain.name).toMatch(/^xn--/);
  });
});

describe("reserved names", () => {
  it("lets the owner create postmaster, admin and the other reserved names", async () => {
    const { client, url } = await ownerWithDomain();
    for (const login of [
      "postmaster",
      "admin",
      "abuse",
      "hostmaster",
      "webmaster",
      "mailer-daemon",
      "noreply",
    ])
      await createMailbox(client, url, { login });
  });

  it("refuses them to a deputy (LOGIN_RESERVED), as mailboxes and as aliases, in any spelling", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    const deputy = await addDeputy(domainId);
    for (const login of ["postmaster", "Admin", `root@${name}`, "security"]) {
      const response = await deputy.client.post(url, { login, password: MAILBOX_PASSWORD });
      expect(response.statusCode, login).toBe(400);
      expect(response.json()).toMatchObject({ code: "LOGIN_RESERVED", field: "login" });
    }
    await createMailbox(deputy.client, url, { login: "grace" });
    const alias = await deputy.client.post(`${url}/grace/aliases`, { alias: "webmaster" });
    expect(alias.statusCode).toBe(400);
    expect(alias.json()).toMatchObject({ code: "LOGIN_RESERVED", field: "alias" });
    expect(await loginsIn(t, domainId)).toEqual(["grace"]);
    await client.post(`${url}/grace/aliases`, { alias: "webmaster" });
    expect((await client.get(`${url}/grace`)).json().aliases).toEqual(["webmaster"]);
  });

  it("keeps a reserved mailbox's password the owner's: a deputy may rename it but not take it over", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    const deputy = await addDeputy(domainId);
    await createMailbox(client, url, { login: "postmaster" });
    const before = await storedHash(domainId, "postmaster");
    const response = await deputy.client.patch(`${url}/postmaster`, { password: "a new passphrase 2031" });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("LOGIN_RESERVED");
    expect(await storedHash(domainId, "postmaster")).toBe(before);
    expect((await deputy.client.patch(`${url}/postmaster`, { firstName: "Post" })).json().firstName).toBe(
      "Post",
    );
    expect((await client.patch(`${url}/postmaster`, { password: "a new passphrase 2031" })).statusCode).toBe(
      200,
    );
  });
});

describe("edit and block", () => {
  it("changes names, quota and state, moves updatedAt, and records what changed", async () => {
    const { client, url, name } = await ownerWithDomain();
    const created = await createMailbox(client, url, {
      login: "heidi",
      firstName: "Heidi",
      lastName: "Klum",
    });
    t.clock.advance(5 * MINUTE);
    const response = await client.patch(`${url}/heidi`, {
      lastName: " Schmidt ",
      quotaMb: 512,
      enabled: false,
    });
    expect(response.statusCode, response.body).toBe(200);
    const edited = response.json();
    expect(edited).toEqual({
      ...created,
      lastName: "Schmidt",
      quotaMb: 512,
      enabled: false,
      updatedAt: new Date(t.clock.now()).toISOString(),
    });
    expect((await client.get(`${url}/heidi`)).json()).toEqual(edited);
    const unblocked = await client.patch(`${url}/heidi`, { enabled: true });
    expect(unblocked.json().enabled).toBe(true);
    const events = (await domainEvents(t, name)).filter((e) => e.action === "mailbox.update");
    expect(events.map((e) => e.details)).toEqual([
      { changed: ["enabled", "lastName", "quotaMb"], enabled: false, quotaMb: 512 },
      { changed: ["enabled"], enabled: true },
    ]);
  });

  it("changes the password: the new one verifies, the old one does not, and neither is recorded", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "ivan" });
    const newPassword = "seven silver spoons 41";
    const response = await client.patch(`${url}/ivan`, { password: newPassword });
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(newPassword);
    const stored = await storedHash(domainId, "ivan");
    expect(await verifies(stored, newPassword)).toBe(true);
    expect(await verifies(stored, MAILBOX_PASSWORD)).toBe(false);
    const events = await domainEvents(t, name);
    expect(events.at(-1)).toMatchObject({ action: "mailbox.update", details: { changed: ["password"] } });
    expect(JSON.stringify(events)).not.toContain(newPassword);
  });

  it("refuses a weak new password, an empty change and unknown mailboxes, changing nothing", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    const created = await createMailbox(client, url, { login: "judith", firstName: "Judith" });
    const hash = await storedHash(domainId, "judith");
    const weak = await client.patch(`${url}/judith`, { password: "judith-2024", firstName: "Changed" });
    expect(weak.json().code).toBe("PASSWORD_CONTAINS_CONTEXT");
    const empty = await client.patch(`${url}/judith`, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe("VALIDATION_FAILED");
    const missing = await client.patch(`${url}/nobody`, { firstName: "X" });
    expect(missing.statusCode).toBe(404);
    expect((await client.get(`${url}/judith`)).json()).toEqual(created);
    expect(await storedHash(domainId, "judith")).toBe(hash);
  });
});

describe("delete", () => {
  it("deletes a mailbox with its aliases; its addresses are free again", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "kate" });
    await client.post(`${url}/kate/aliases`, { alias: "k" });
    const response = await client.delete(`${url}/kate`);
    expect(response.statusCode).toBe(204);
    expect((await client.get(`${url}/kate`)).statusCode).toBe(404);
    expect(await loginsIn(t, domainId)).toEqual([]);
    await createMailbox(client, url, { login: "k" });
    expect((await domainEvents(t, name)).find((e) => e.action === "mailbox.delete")).toMatchObject({
      target: `kate@${name}`,
      details: { aliases: ["k"] },
    });
    expect((await client.delete(`${url}/kate`)).statusCode).toBe(404);
  });

  it("needs a session that entered its password in the last 10 minutes", async () => {
    const { client, url, domainId, password } = await ownerWithDomain();
    await createMailbox(client, url, { login: "leo" });
    t.clock.advance(REAUTH_WINDOW_MS + MINUTE);
    const stale = await client.delete(`${url}/leo`);
    expect(stale.statusCode).toBe(403);
    expect(stale.json().code).toBe("REAUTH_REQUIRED");
    expect(await loginsIn(t, domainId)).toEqual(["leo"]);
    expect((await client.post("/api/v1/session/reauthenticate", { password })).statusCode).toBe(200);
    expect((await client.delete(`${url}/leo`)).statusCode).toBe(204);
  });
});

describe("delete all", () => {
  it("needs the domain name typed again, then deletes every mailbox and alias", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    for (const login of ["mia", "ned", "olga"]) await createMailbox(client, url, { login });
    await client.post(`${url}/mia/aliases`, { alias: "m" });

    for (const confirm of ["", "other.org", `${name}x`]) {
      const response = await client.post(`${url}/delete-all`, { confirm });
      expect(response.statusCode, confirm).toBe(400);
      expect(response.json().code).toBe("CONFIRMATION_MISMATCH");
    }
    expect(await loginsIn(t, domainId)).toEqual(["mia", "ned", "olga"]);

    const response = await client.post(`${url}/delete-all`, { confirm: ` ${name.toUpperCase()}. ` });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ deleted: 3 });
    expect((await client.get(url)).json()).toEqual({ mailboxes: [], next: null, total: 0 });
    await createMailbox(client, url, { login: "m" });
    expect((await domainEvents(t, name)).find((e) => e.action === "mailbox.delete-all")).toMatchObject({
      target: name,
      details: { deleted: 3 },
    });
  });

  it("needs a recent re-authentication", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "pat" });
    t.clock.advance(REAUTH_WINDOW_MS + MINUTE);
    const response = await client.post(`${url}/delete-all`, { confirm: name });
    expect(response.json().code).toBe("REAUTH_REQUIRED");
    expect(await loginsIn(t, domainId)).toEqual(["pat"]);
  });

  it("lets the domain be disconnected, which mailboxes prevent; My domains counts them", async () => {
    const { client, url, name } = await ownerWithDomain();
    for (const login of ["quinn", "rosa"]) await createMailbox(client, url, { login });
    const mine = (await client.get("/api/v1/domains"))
      .json()
      .domains.find((d: { name: string }) => d.name === name);
    expect(mine.mailboxCount).toBe(2);
    const refused = await client.delete(`/api/v1/domains/${name}`, { confirm: name });
    expect(refused.json()).toMatchObject({ code: "MAILBOXES_REMAIN", count: 2 });
    expect((await client.post(`${url}/delete-all`, { confirm: name })).json()).toEqual({ deleted: 2 });
    expect((await client.delete(`/api/v1/domains/${name}`, { confirm: name })).statusCode).toBe(204);
  });
});

describe("aliases", () => {
  it("adds and removes aliases, given as local parts or addresses", async () => {
    const { client, url, name } = await ownerWithDomain();
    await createMailbox(client, url, { login: "sam" });
    const added = await client.post(`${url}/sam/aliases`, { alias: "Sales" });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().aliases).toEqual(["sales"]);
    const second = await client.post(`${url}/sam/aliases`, { alias: `info@${name}` });
    expect(second.json().aliases).toEqual(["info", "sales"]);
    expect((await client.get(`${url}/sam`)).json().aliases).toEqual(["info", "sales"]);

    const removed = await client.delete(`${url}/sam/aliases/${encodeURIComponent(`SALES@${name}`)}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().aliases).toEqual(["info"]);
    expect((await domainEvents(t, name)).filter((e) => e.action.startsWith("mailbox.alias"))).toEqual([
      expect.objectContaining({
        action: "mailbox.alias.add",
        target: `sam@${name}`,
        details: { alias: `sales@${name}` },
      }),
      expect.objectContaining({ action: "mailbox.alias.add", details: { alias: `info@${name}` } }),
      expect.objectContaining({ action: "mailbox.alias.remove", details: { alias: `sales@${name}` } }),
    ]);
  });

  it("refuses an alias that is a mailbox or another alias, or not a valid login", async () => {
    const { client, url } = await ownerWithDomain();
    await createMailbox(client, url, { login: "tom" });
    await createMailbox(client, url, { login: "uma" });
    await client.post(`${url}/tom/aliases`, { alias: "office" });
    for (const alias of ["uma", "tom", "office", "OFFICE"]) {
      const response = await client.post(`${url}/uma/aliases`, { alias });
      expect(response.statusCode, alias).toBe(409);
      expect(response.json().code).toBe("MAILBOX_EXISTS");
    }
    const invalid = await client.post(`${url}/uma/aliases`, { alias: "no way" });
    expect(invalid.json()).toMatchObject({ code: "LOGIN_INVALID", field: "alias" });
    expect((await client.get(`${url}/uma`)).json().aliases).toEqual([]);
  });

  it("answers NOT_FOUND for an alias of another mailbox, an unknown alias and an unknown mailbox", async () => {
    const { client, url } = await ownerWithDomain();
    await createMailbox(client, url, { login: "vic" });
    await createMailbox(client, url, { login: "wes" });
    await client.post(`${url}/vic/aliases`, { alias: "team" });
    for (const path of [
      `${url}/wes/aliases/team`,
      `${url}/vic/aliases/nothing`,
      `${url}/nobody/aliases/team`,
    ]) {
      const response = await client.delete(path);
      expect(response.statusCode, path).toBe(404);
    }
    expect((await client.post(`${url}/nobody/aliases`, { alias: "x" })).statusCode).toBe(404);
    expect((await client.get(`${url}/vic`)).json().aliases).toEqual(["team"]);
  });

  it(`stops at ${ALIAS_LIMIT} aliases per mailbox`, async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "xena" });
    const mailbox = await t.db
      .selectFrom("mailboxes")
      .select("id")
      .where("domainId", "=", domainId)
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto("mailboxAliases")
      .values(
        Array.from({ length: ALIAS_LIMIT }, (_, i) => ({
          id: `alias-${domainId}-${i}`,
          domainId,
          mailboxId: mailbox.id,
          alias: `x${i}`,
          createdAt: t.clock.now(),
        })),
      )
      .execute();
    const response = await client.post(`${url}/xena/aliases`, { alias: "one-more" });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: "ALIAS_LIMIT_REACHED", limit: ALIAS_LIMIT });
  });
});

describe("the mailbox limit", () => {
  it("refuses the mailbox past the domain's limit with the limit, and counts freed places", async () => {
    const { client, url, accountId } = await world.ownerWithDomain();
    await createMailbox(client, url, { login: "one" });
    await createMailbox(client, url, { login: "two" });
    const response = await client.post(url, { login: "three", password: MAILBOX_PASSWORD });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: "MAILBOX_LIMIT_REACHED", limit: 2 });
    // Aliases do not count; the limit is per domain.
    expect((await client.post(`${url}/one/aliases`, { alias: "uno" })).statusCode).toBe(200);
    const other = await confirmedDomain(limited, accountId);
    await createMailbox(client, `/api/v1/domains/${other.name}/mailboxes`, { login: "three" });
    expect((await client.delete(`${url}/two`)).statusCode).toBe(204);
    await createMailbox(client, url, { login: "three" });
  });
});

describe("concurrent changes", () => {
  it.skipIf(testDialect === "sqlite")(
    "disconnect waits for a mailbox being created and then refuses with MAILBOXES_REMAIN, never a foreign-key error",
    async () => {
      // SQLite serialises writers (BEGIN IMMEDIATE); on PostgreSQL the creation's transaction is
      // held open here, exactly where the service holds it, until disconnect is seen waiting.
      const { client, name, domainId } = await ownerWithDomain();
      const creation = await holdTransaction(t.deps.database, async (tx) => {
        await tx.selectFrom("domains").select("id").where("id", "=", domainId).forNoKeyUpdate().execute();
        await tx
          .insertInto("mailboxes")
          .values({
            id: `held-${domainId}`,
            domainId,
            login: "held",
            passwordHash: "{ARGON2ID}x",
            createdAt: 0,
            updatedAt: 0,
          })
          .execute();
      });
      const disconnect = client.delete(`/api/v1/domains/${name}`, { confirm: name });
      await creation.waitedOn();
      await creation.commit();
      const response = await disconnect;
      expect(response.json()).toMatchObject({ code: "MAILBOXES_REMAIN", count: 1 });
      expect(await loginsIn(t, domainId)).toEqual(["held"]);
    },
  );

  it("never pass the limit: of six creations at once with room for two, two succeed", async () => {
    const { client, url, domainId } = await world.ownerWithDomain();
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        client.post(url, { login: `racer${i}`, password: MAILBOX_PASSWORD }),
      ),
    );
    const codes = responses.map((r) => (r.statusCode === 201 ? "created" : r.json().code)).sort();
    expect(codes).toEqual([
      "MAILBOX_LIMIT_REACHED",
      "MAILBOX_LIMIT_REACHED",
      "MAILBOX_LIMIT_REACHED",
      "MAILBOX_LIMIT_REACHED",
      "created",
      "created",
    ]);
    expect(await loginsIn(limited, domainId)).toHaveLength(2);
    expect((await client.get(url)).json().total).toBe(2);
  });

  it("never pass the alias limit: of ten aliases asked for at once with room for one, one is added", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "busy" });
    const { id } = await t.db
      .selectFrom("mailboxes")
      .select("id")
      .where("domainId", "=", domainId)
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto("mailboxAliases")
      .values(
        Array.from({ length: ALIAS_LIMIT - 1 }, (_, i) => ({
          id: `busy-${domainId}-${i}`,
          domainId,
          mailboxId: id,
          alias: `b${i}`,
          createdAt: t.clock.now(),
        })),
      )
      .execute();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => client.post(`${url}/busy/aliases`, { alias: `extra${i}` })),
    );
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(new Set(responses.filter((r) => r.statusCode !== 200).map((r) => r.json().code))).toEqual(
      new Set(["ALIAS_LIMIT_REACHED"]),
    );
    expect((await client.get(`${url}/busy`)).json().aliases).toHaveLength(ALIAS_LIMIT);
  });

  it("give an address to one mailbox or alias only, however many ask for it at once", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    for (const login of ["left", "right"]) await createMailbox(client, url, { login });
    const responses = await Promise.all([
      client.post(url, { login: "shared", password: MAILBOX_PASSWORD }),
      client.post(`${url}/left/aliases`, { alias: "shared" }),
      client.post(url, { login: "Shared", password: MAILBOX_PASSWORD }),
      client.post(`${url}/right/aliases`, { alias: "shared" }),
      client.post(url, { login: "shared", password: MAILBOX_PASSWORD }),
    ]);
    const ok = responses.filter((r) => r.statusCode < 300);
    expect(ok).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 409).map((r) => r.json().code)).toEqual(
      Array(4).fill("MAILBOX_EXISTS"),
    );
    const aliases = await t.db
      .selectFrom("mailboxAliases")
      .select("alias")
      .where("domainId", "=", domainId)
      .execute();
    const mailboxes = (await loginsIn(t, domainId)).filter((l) => l === "shared");
    expect(aliases.length + mailboxes.length).toBe(1);
  });
});

describe("who may", () => {
  it("lets a deputy do everything with the domain's mailboxes", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    const deputy = await addDeputy(domainId);
    await createMailbox(client, url, { login: "yara" });
    await createMailbox(deputy.client, url, { login: "zack" });
    expect((await deputy.client.get(url)).json().total).toBe(2);
    expect((await deputy.client.patch(`${url}/yara`, { enabled: false })).json().enabled).toBe(false);
    expect((await deputy.client.post(`${url}/yara/aliases`, { alias: "y" })).statusCode).toBe(200);
    expect((await deputy.client.delete(`${url}/yara`)).statusCode).toBe(204);
    expect((await deputy.client.post(`${url}/delete-all`, { confirm: name })).json()).toEqual({ deleted: 1 });
    const actors = (await domainEvents(t, name)).map((e) => e.actorId);
    expect(actors).toContain(deputy.accountId);
  });

  it("answers another account NOT_FOUND on every route, exactly as for a domain that does not exist, and changes nothing", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "anna" });
    await client.post(`${url}/anna/aliases`, { alias: "a" });
    const stranger = await account();
    const nowhere = `/api/v1/domains/${uniqueDomain()}/mailboxes`;
    const calls: Array<[string, string, unknown?]> = [
      ["GET", ""],
      ["POST", "", { login: "evil", password: MAILBOX_PASSWORD }],
      ["POST", "/batch", { mailboxes: [{ login: "evil", password: MAILBOX_PASSWORD }] }],
      ["POST", "/delete-all", { confirm: name }],
      ["GET", "/anna"],
      ["PATCH", "/anna", { password: "stolen passphrase 99" }],
      ["DELETE", "/anna"],
      ["POST", "/anna/aliases", { alias: "evil" }],
      ["DELETE", "/anna/aliases/a"],
    ];
    for (const [method, path, body] of calls) {
      const theirs = await stranger.client.request(method, `${url}${path}`, body);
      const missing = await stranger.client.request(method, `${nowhere}${path}`, body);
      expect(theirs.statusCode, `${method} ${path}`).toBe(404);
      expect(theirs.json().code).toBe("NOT_FOUND");
      expect({ ...theirs.json(), detail: undefined }).toEqual({ ...missing.json(), detail: undefined });
      expect(theirs.body).not.toContain("anna");
    }
    expect(await loginsIn(t, domainId)).toEqual(["anna"]);
    expect((await client.get(`${url}/anna`)).json().aliases).toEqual(["a"]);
    expect(await verifies(await storedHash(domainId, "anna"), MAILBOX_PASSWORD)).toBe(true);
    expect((await domainEvents(t, name)).map((e) => e.action)).toEqual([
      "mailbox.create",
      "mailbox.alias.add",
    ]);
  });

  it("answers NOT_FOUND for a domain still being connected, and at once to a removed deputy", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "bert" });
    const deputy = await addDeputy(domainId);
    expect((await deputy.client.get(url)).statusCode).toBe(200);
    await t.db.deleteFrom("deputies").where("accountId", "=", deputy.accountId).execute();
    expect((await deputy.client.get(url)).statusCode).toBe(404);
    expect((await deputy.client.patch(`${url}/bert`, { enabled: false })).statusCode).toBe(404);

    const claimant = await account();
    const pending = uniqueDomain();
    expect((await claimant.client.post("/api/v1/domains", { name: pending })).statusCode).toBe(201);
    const response = await claimant.client.post(`/api/v1/domains/${pending}/mailboxes`, {
      login: "early",
      password: MAILBOX_PASSWORD,
    });
    expect(response.statusCode).toBe(404);
  });

  it("lets API tokens read and write within their permissions and domains, and delete without re-authentication", async () => {
    const { client, url, name, accountId } = await ownerWithDomain();
    const other = await confirmedDomain(t, accountId);
    await createMailbox(client, url, { login: "carl" });
    const issue = async (permissions: string[], domains: string[]) => {
      const response = await client.post("/api/v1/tokens", {
        name: "script",
        permissions,
        domains,
        expiresInDays: 30,
      });
      expect(response.statusCode, response.body).toBe(201);
      const secret = response.json().token as string;
      return (method: string, path: string, body?: unknown) =>
        t.app.inject({
          method: method as "GET",
          url: path,
          headers: { authorization: `Bearer ${secret}` },
          ...(body !== undefined ? { payload: body as object } : {}),
        });
    };
    const reader = await issue(["mailboxes:read"], [name]);
    expect((await reader("GET", url)).json().total).toBe(1);
    const denied = await reader("POST", url, { login: "tok", password: MAILBOX_PASSWORD });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe("FORBIDDEN");

    const writer = await issue(["mailboxes:read", "mailboxes:write"], [name]);
    expect((await writer("POST", url, { login: "tok", password: MAILBOX_PASSWORD })).statusCode).toBe(201);
    // Long after the owner last typed a password: tokens cannot re-authenticate and need not.
    t.clock.advance(REAUTH_WINDOW_MS + MINUTE);
    expect((await writer("DELETE", `${url}/tok`)).statusCode).toBe(204);
    expect((await writer("GET", `/api/v1/domains/${other.name}/mailboxes`)).statusCode).toBe(404);
    const mismatch = await writer("POST", `${url}/delete-all`, { confirm: "" });
    expect(mismatch.json().code).toBe("CONFIRMATION_MISMATCH");
    expect((await writer("POST", `${url}/delete-all`, { confirm: name })).json()).toEqual({ deleted: 1 });
    expect((await domainEvents(t, name)).filter((e) => e.actorType === "token").map((e) => e.action)).toEqual(
      ["mailbox.create", "mailbox.delete", "mailbox.delete-all"],
    );
  });

  it("needs a signed-in account", async () => {
    const { url } = await ownerWithDomain();
    const visitor = new Client(t);
    expect((await visitor.get(url)).json().code).toBe("UNAUTHENTICATED");
    expect((await visitor.post(url, { login: "x", password: GOOD_PASSWORD })).statusCode).toBe(401);
  });
});

describe("bad input changes nothing", () => {
  const bodies: Array<[string, string, unknown, string]> = [
    ["POST", "", { login: "x1", password: MAILBOX_PASSWORD, role: "admin" }, "UNKNOWN_FIELD"],
    ["POST", "", { login: 12345, password: MAILBOX_PASSWORD }, "VALIDATION_FAILED"],
    ["POST", "", { password: MAILBOX_PASSWORD }, "VALIDATION_FAILED"],
    ["POST", "", { login: "x1", password: MAILBOX_PASSWORD, enabled: "yes" }, "VALIDATION_FAILED"],
    ["POST", "", { login: "x1", password: MAILBOX_PASSWORD, quotaMb: -1 }, "VALIDATION_FAILED"],
    ["POST", "", { login: "x1", password: MAILBOX_PASSWORD, quotaMb: 1.5 }, "VALIDATION_FAILED"],
    ["POST", "", { login: "x1", password: MAILBOX_PASSWORD, firstName: "a\nb" }, "VALIDATION_FAILED"],
    ["POST", "", { login: "x1", password: MAILBOX_PASSWORD, lastName: "x".repeat(101) }, "VALIDATION_FAILED"],
    ["POST", "", { login: "x1", password: "" }, "VALIDATION_FAILED"],
    ["POST", "", [], "VALIDATION_FAILED"],
    ["PATCH", "/target", { enabled: 0 }, "VALIDATION_FAILED"],
    ["PATCH", "/target", { password: null }, "VALIDATION_FAILED"],
    ["PATCH", "/target", { login: "renamed" }, "UNKNOWN_FIELD"],
    ["PATCH", "/target", { quotaMb: "100" }, "VALIDATION_FAILED"],
    ["POST", "/target/aliases", { alias: ["a"] }, "VALIDATION_FAILED"],
    ["POST", "/target/aliases", { alias: "a", mailbox: "other" }, "UNKNOWN_FIELD"],
    ["POST", "/delete-all", {}, "VALIDATION_FAILED"],
    ["POST", "/delete-all", { confirm: "x", force: true }, "UNKNOWN_FIELD"],
    ["POST", "/batch", { mailboxes: [] }, "VALIDATION_FAILED"],
    ["POST", "/batch", { mailboxes: [{ login: "x1" }] }, "VALIDATION_FAILED"],
    [
      "POST",
      "/batch",
      { mailboxes: [{ login: "x1", password: MAILBOX_PASSWORD, quotaMb: 5 }] },
      "UNKNOWN_FIELD",
    ],
  ];

  it.each(bodies)("%s …%s %j → %s", async (method, path, body, code) => {
    const { client, url, domainId } = await ownerWithDomain();
    const target = await createMailbox(client, url, { login: "target", firstName: "T" });
    const response = await client.request(method, `${url}${path}`, body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().code).toBe(code);
    expect(await loginsIn(t, domainId)).toEqual(["target"]);
    expect((await client.get(`${url}/target`)).json()).toEqual(target);
  });

  it("refuses malformed JSON, other content types and bad query strings with 4xx", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    const headers = {
      "content-type": "application/json",
      ...(client.csrf ? { "x-csrf-token": client.csrf } : {}),
    };
    const cookie = { cookie: `mfd_session=${client.cookie}` };
    const malformed = await t.app.inject({
      method: "POST",
      url,
      payload: '{"login": "x1",',
      headers: { ...headers, ...cookie },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe("MALFORMED_BODY");
    // Plain text is read as a string, which no body schema accepts; other types are not read at all.
    for (const [type, status] of [
      ["text/plain", 400],
      ["application/xml", 415],
    ] as const) {
      const response = await t.app.inject({
        method: "POST",
        url,
        payload: "login=x1",
        headers: { ...headers, ...cookie, "content-type": type },
      });
      expect(response.statusCode, type).toBe(status);
    }
    for (const query of ["limit=0", "limit=101", "limit=abc", "sort=login", "q=", `q=${"a".repeat(101)}`]) {
      const response = await client.get(`${url}?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(["VALIDATION_FAILED", "UNKNOWN_FIELD"]).toContain(response.json().code);
    }
    for (const after of ["!!!", "AAAA", Buffer.from("1abc").toString("base64url")]) {
      const response = await client.get(`${url}?after=${after}`);
      expect(response.statusCode, after).toBe(400);
      expect(response.json()).toMatchObject({ code: "VALIDATION_FAILED", field: "after" });
    }
    expect(await loginsIn(t, domainId)).toEqual([]);
  });
});
