import { describe, expect, it } from "vitest";
import {
  Client,
  createTestApp,
  messagesTo,
  registerAccount,
  registerWithContacts,
  SERVICE_DOMAIN,
} from "../../test/helpers/app.js";
import { testDialect } from "../../test/helpers/database.js";
import { confirmedDomain, uniqueDomain } from "../../test/helpers/domains.js";
import { holdTransaction } from "../../test/helpers/locks.js";
import { REAUTH_WINDOW_MS } from "../access/access.js";
import { HOUR, MINUTE } from "../lib/clock.js";

/** Additional administrators (docs/SECURITY.md §15, §25, §26, §41, §42) through the HTTP API. */
const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.62.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;
const account = () => registerAccount(t, {}, nextIp());
type Account = Awaited<ReturnType<typeof account>>;

/** An account whose phone and recovery e-mail are confirmed, so notices reach it. */
const accountWithContacts = () => registerWithContacts(t, nextIp());

/** An owner with a confirmed domain; `url` is the domain's deputies collection. */
async function ownerWithDomain(owner?: Account) {
  const who = owner ?? (await account());
  const domain = await confirmedDomain(t, who.accountId);
  return { owner: who, ...domain, url: `/api/v1/domains/${domain.name}/deputies` };
}

const deputyRows = (domainId: string) =>
  t.db.selectFrom("deputies").selectAll().where("domainId", "=", domainId).execute();

const events = async (who: Account) => (await who.client.get("/api/v1/account/events")).json().events;

describe("adding an additional administrator", () => {
  it("by login: the deputy sees the domain in My domains with role deputy and may read it", async () => {
    const { owner, name, url } = await ownerWithDomain();
    const deputy = await account();
    const res = await owner.client.post(url, { login: deputy.login });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      login: deputy.login,
      address: `${deputy.login}@${SERVICE_DOMAIN}`,
      dnsGranted: false,
      addedAt: new Date(t.clock.now()).toISOString(),
    });
    expect((await owner.client.get(url)).json()).toEqual([res.json()]);
    expect((await deputy.client.get("/api/v1/domains")).json().domains).toEqual([
      expect.objectContaining({ name, role: "deputy" }),
    ]);
    expect((await deputy.client.get(`/api/v1/domains/${name}`)).json()).toMatchObject({
      name,
      role: "deputy",
    });
  });

  it("by login@<service domain>, in any case, with DNS granted", async () => {
    const { owner, url } = await ownerWithDomain();
    const deputy = await account();
    const res = await owner.client.post(url, {
      login: ` ${deputy.login.toUpperCase()}@${SERVICE_DOMAIN.toUpperCase()} `,
      dnsGranted: true,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ login: deputy.login, dnsGranted: true });
  });

  it("tells both accounts' confirmed contacts and logs it for both; the deputy's copy never names the owner", async () => {
    const owner = await accountWithContacts();
    const deputy = await accountWithContacts();
    const { name, url } = await ownerWithDomain(owner);
    expect((await owner.client.post(url, { login: deputy.login })).statusCode).toBe(201);

    for (const contact of [owner.phone, owner.email]) {
      const [notice] = await messagesTo(t, contact);
      expect(notice?.body).toContain(
        `${deputy.login}@${SERVICE_DOMAIN} was made an additional administrator of ${name}`,
      );
    }
    for (const contact of [deputy.phone, deputy.email]) {
      const [notice] = await messagesTo(t, contact);
      expect(notice?.subject).toBe(`You are now an administrator of ${name}`);
      expect(notice?.body).toContain(`may now manage the mailboxes of ${name}`);
      expect(notice?.body).not.toContain(owner.login);
    }
    const added = { action: "deputy.add", domain: name, target: `${deputy.login}@${SERVICE_DOMAIN}` };
    expect((await events(owner))[0]).toMatchObject({ ...added, ip: owner.client.ip });
    const [theirs] = await events(deputy);
    expect(theirs).toMatchObject({ ...added, ip: null, details: { dnsGranted: false } });
    expect(JSON.stringify(theirs)).not.toContain(owner.login);
  });

  it("answers an unknown login ACCOUNT_NOT_FOUND with a clear message, and adds nobody", async () => {
    const { owner, domainId, url } = await ownerWithDomain();
    const res = await owner.client.post(url, { login: "nosuchlogin" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      code: "ACCOUNT_NOT_FOUND",
      detail: `There is no service account nosuchlogin@${SERVICE_DOMAIN}. Check the spelling, or ask them to register first.`,
    });
    expect(await deputyRows(domainId)).toEqual([]);
  });

  it("refuses a mailbox address: deputies are service accounts", async () => {
    const { owner, domainId, name, url } = await ownerWithDomain();
    const res = await owner.client.post(url, { login: `bob@${name}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "VALIDATION_FAILED", field: "login" });
    expect(await deputyRows(domainId)).toEqual([]);
  });

  it("refuses the owner itself with 400 DEPUTY_IS_OWNER", async () => {
    const { owner, domainId, url } = await ownerWithDomain();
    const res = await owner.client.post(url, { login: owner.login });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("DEPUTY_IS_OWNER");
    expect(await deputyRows(domainId)).toEqual([]);
  });

  it("refuses the same deputy twice with 409 DEPUTY_EXISTS, keeping the first grant", async () => {
    const { owner, domainId, url } = await ownerWithDomain();
    const deputy = await account();
    await owner.client.post(url, { login: deputy.login, dnsGranted: true });
    const res = await owner.client.post(url, { login: deputy.login, dnsGranted: false });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("DEPUTY_EXISTS");
    expect(await deputyRows(domainId)).toMatchObject([{ accountId: deputy.accountId, dnsGranted: 1 }]);
  });

  it("limits an owner's login lookups to 20 an hour (so logins cannot be walked)", async () => {
    const { owner, url } = await ownerWithDomain();
    for (let i = 0; i < 20; i++)
      expect((await owner.client.post(url, { login: `probe${i}x` })).json().code).toBe("ACCOUNT_NOT_FOUND");
    const deputy = await account();
    const limited = await owner.client.post(url, { login: deputy.login });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // An hour later (signed in again: the session has timed out meanwhile) the owner may look again.
    t.clock.advance(HOUR);
    const client = new Client(t, nextIp());
    await client.post("/api/v1/session", { login: owner.login, password: owner.password });
    expect((await client.post(url, { login: deputy.login })).statusCode).toBe(201);
  });
  it.skipIf(testDialect === "sqlite")(
    "while the domain is being disconnected waits for it and answers NOT_FOUND, never a database error",
    async () => {
      // SQLite serialises writers; on PostgreSQL the disconnect's transaction is held open here,
      // after it deleted the domain, until the addition is seen waiting.
      const { owner, domainId, url } = await ownerWithDomain();
      const deputy = await account();
      const disconnect = await holdTransaction(t.deps.database, async (tx) => {
        await tx.selectFrom("domains").select("id").where("id", "=", domainId).forUpdate().execute();
        await tx.deleteFrom("domains").where("id", "=", domainId).execute();
      });
      const adding = owner.client.post(url, { login: deputy.login });
      await Promise.race([adding, disconnect.waitedOn()]);
      await disconnect.commit();
      const res = await adding;
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().code).toBe("NOT_FOUND");
      expect(await deputyRows(domainId)).toEqual([]);
    },
  );
});

describe("bad input (docs/SECURITY.md §24, §44)", () => {
  it.each([
    ["POST", "", { login: "x", role: "owner" }, "UNKNOWN_FIELD"],
    ["POST", "", { login: "x", ownerId: "x" }, "UNKNOWN_FIELD"],
    ["POST", "", { dnsGranted: true }, "VALIDATION_FAILED"],
    ["POST", "", { login: "" }, "VALIDATION_FAILED"],
    ["POST", "", { login: 42 }, "VALIDATION_FAILED"],
    ["POST", "", { login: "x", dnsGranted: "yes" }, "VALIDATION_FAILED"],
    ["PATCH", "/DEPUTY", {}, "VALIDATION_FAILED"],
    ["PATCH", "/DEPUTY", { dnsGranted: 1 }, "VALIDATION_FAILED"],
    ["PATCH", "/DEPUTY", { dnsGranted: true, accountId: "x" }, "UNKNOWN_FIELD"],
  ])("%s deputies%s %j → 400 %s, nothing changes", async (method, path, body, code) => {
    const { owner, domainId, url } = await ownerWithDomain();
    const deputy = await account();
    await owner.client.post(url, { login: deputy.login });
    const before = await deputyRows(domainId);
    const res = await owner.client.request(method, `${url}${path.replace("DEPUTY", deputy.login)}`, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(code);
    expect(await deputyRows(domainId)).toEqual(before);
  });
});

describe("who may manage deputies (docs/SECURITY.md §26)", () => {
  it("a deputy gets FORBIDDEN on every deputies endpoint and changes nothing", async () => {
    const { owner, domainId, url } = await ownerWithDomain();
    const deputy = await account();
    const other = await account();
    await owner.client.post(url, { login: deputy.login });
    const answers = [
      await deputy.client.get(url),
      await deputy.client.post(url, { login: other.login }),
      await deputy.client.patch(`${url}/${deputy.login}`, { dnsGranted: true }),
      await deputy.client.delete(`${url}/${deputy.login}`),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe("FORBIDDEN");
    }
    expect(await deputyRows(domainId)).toMatchObject([{ accountId: deputy.accountId, dnsGranted: 0 }]);
  });

  it("another account gets NOT_FOUND, word for word as for a domain nobody has", async () => {
    const { owner, domainId, name, url } = await ownerWithDomain();
    const deputy = await account();
    await owner.client.post(url, { login: deputy.login });
    const stranger = await account();
    const bodies = new Set<string>();
    for (const domain of [name, uniqueDomain()]) {
      const base = `/api/v1/domains/${domain}/deputies`;
      for (const res of [
        await stranger.client.get(base),
        await stranger.client.post(base, { login: stranger.login }),
        await stranger.client.patch(`${base}/${deputy.login}`, { dnsGranted: true }),
        await stranger.client.delete(`${base}/${deputy.login}`),
      ]) {
        expect(res.statusCode).toBe(404);
        bodies.add(res.body);
      }
    }
    expect([...bodies]).toEqual([expect.stringContaining('"code":"NOT_FOUND"')]);
    expect(await deputyRows(domainId)).toHaveLength(1);
  });

  it("changes need a re-authentication within 10 minutes; the list does not", async () => {
    const { owner, domainId, url } = await ownerWithDomain();
    const deputy = await account();
    await owner.client.post(url, { login: deputy.login });
    const other = await account();
    t.clock.advance(REAUTH_WINDOW_MS + MINUTE);
    for (const res of [
      await owner.client.post(url, { login: other.login }),
      await owner.client.patch(`${url}/${deputy.login}`, { dnsGranted: true }),
      await owner.client.delete(`${url}/${deputy.login}`),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe("REAUTH_REQUIRED");
    }
    expect((await owner.client.get(url)).json()).toMatchObject([{ login: deputy.login, dnsGranted: false }]);
    expect(await deputyRows(domainId)).toHaveLength(1);
  });

  it("a visitor gets 401", async () => {
    const { url } = await ownerWithDomain();
    const res = await new Client(t, nextIp()).get(url);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("UNAUTHENTICATED");
  });
});

describe("changing and removing a deputy", () => {
  it("grants and withdraws DNS, logged for both accounts", async () => {
    const { owner, name, url } = await ownerWithDomain();
    const deputy = await account();
    await owner.client.post(url, { login: deputy.login });
    const res = await owner.client.patch(`${url}/${deputy.login}@${SERVICE_DOMAIN}`, { dnsGranted: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ login: deputy.login, dnsGranted: true });
    expect((await owner.client.get(url)).json()).toMatchObject([{ login: deputy.login, dnsGranted: true }]);
    for (const who of [owner, deputy])
      expect((await events(who))[0]).toMatchObject({
        action: "deputy.update",
        domain: name,
        details: { dnsGranted: true },
      });
  });

  it("answers NOT_FOUND for a login that is not a deputy of the domain", async () => {
    const { owner, url } = await ownerWithDomain();
    const notDeputy = await account();
    for (const login of [notDeputy.login, "nosuchlogin", owner.login]) {
      expect((await owner.client.patch(`${url}/${login}`, { dnsGranted: true })).json().code).toBe(
        "NOT_FOUND",
      );
      expect((await owner.client.delete(`${url}/${login}`)).json().code).toBe("NOT_FOUND");
    }
  });

  it("refuses a removed deputy at their very next request and tells both accounts", async () => {
    const owner = await accountWithContacts();
    const deputy = await accountWithContacts();
    const { name, domainId, url } = await ownerWithDomain(owner);
    await owner.client.post(url, { login: deputy.login });
    expect((await deputy.client.get(`/api/v1/domains/${name}`)).statusCode).toBe(200);

    expect((await owner.client.delete(`${url}/${deputy.login}`)).statusCode).toBe(204);

    const res = await deputy.client.get(`/api/v1/domains/${name}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("NOT_FOUND");
    expect((await deputy.client.get("/api/v1/domains")).json().domains).toEqual([]);
    expect(await deputyRows(domainId)).toEqual([]);
    expect((await owner.client.get(url)).json()).toEqual([]);

    const [ownerNotice] = await messagesTo(t, owner.email);
    expect(ownerNotice?.body).toContain(
      `${deputy.login}@${SERVICE_DOMAIN} was removed as an additional administrator of ${name}`,
    );
    const [deputyNotice] = await messagesTo(t, deputy.phone);
    expect(deputyNotice?.subject).toBe(`You are no longer an administrator of ${name}`);
    expect(deputyNotice?.body).not.toContain(owner.login);
    for (const who of [owner, deputy])
      expect((await events(who))[0]).toMatchObject({ action: "deputy.remove", domain: name });
  });

  it("goes with the domain when the owner disconnects it; a later owner of the name finds no deputy", async () => {
    const { owner, name, url } = await ownerWithDomain();
    const deputy = await account();
    await owner.client.post(url, { login: deputy.login });
    expect((await owner.client.delete(`/api/v1/domains/${name}`, { confirm: name })).statusCode).toBe(204);
    expect((await deputy.client.get("/api/v1/domains")).json().domains).toEqual([]);

    const next = await account();
    const again = await confirmedDomain(t, next.accountId, name);
    expect(await deputyRows(again.domainId)).toEqual([]);
    expect((await next.client.get(url)).json()).toEqual([]);
    expect((await deputy.client.get(`/api/v1/domains/${name}`)).statusCode).toBe(404);
  });

  it.skipIf(testDialect === "sqlite").each([
    ["PATCH", { dnsGranted: true }],
    ["DELETE", undefined],
  ])(
    "%s while the domain is being disconnected waits for it and answers NOT_FOUND, logging nothing",
    async (method, body) => {
      // As for adding: the disconnect's transaction is held open, after it deleted the domain (and,
      // by cascade, the deputy), until the change is seen waiting for a lock.
      const { owner, domainId, url } = await ownerWithDomain();
      const deputy = await account();
      await owner.client.post(url, { login: deputy.login });
      const disconnect = await holdTransaction(t.deps.database, async (tx) => {
        await tx.selectFrom("domains").select("id").where("id", "=", domainId).forUpdate().execute();
        await tx.deleteFrom("domains").where("id", "=", domainId).execute();
      });
      const changing = owner.client.request(method, `${url}/${deputy.login}`, body);
      // Whichever lock it meets: the domain row or the deputy row, both held by the disconnect.
      await Promise.race([changing, disconnect.waitedOn()]);
      await disconnect.commit();
      const res = await changing;
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().code).toBe("NOT_FOUND");
      for (const who of [owner, deputy])
        expect((await events(who)).map((e: { action: string }) => e.action)).not.toContain(
          method === "PATCH" ? "deputy.update" : "deputy.remove",
        );
    },
  );
});
