import { domainToASCII } from "node:url";
import { describe, expect, it } from "vitest";
import { Client, createTestApp, lastCodeTo, messagesTo, registerAccount } from "../../test/helpers/app.js";
import { testDialect } from "../../test/helpers/database.js";
import { confirmedDomain, uniqueDomain } from "../../test/helpers/domains.js";
import { holdTransaction } from "../../test/helpers/locks.js";
import { REAUTH_WINDOW_MS } from "../access/access.js";
import { authorizeDomain } from "../access/domain-access.js";
import { buildApp } from "../app.js";
import { DAY, MINUTE } from "../lib/clock.js";
import { sha256 } from "../lib/random.js";
import { LIVE_TOKEN_LIMIT, removeDomainFromTokens, TOKEN_PREFIX } from "./tokens.service.js";

/** Personal API tokens (docs/SECURITY.md §18–21), through the HTTP API. */
const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.61.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;
const account = () => registerAccount(t, {}, nextIp());
type Account = Awaited<ReturnType<typeof account>>;

const ALL = ["domains:read", "mailboxes:read", "mailboxes:write", "dns:read", "dns:write"];

/** Creates a token through the API; returns the raw answer. */
const create = (who: Account, body: Record<string, unknown>) =>
  who.client.post("/api/v1/tokens", { name: "script", expiresInDays: 30, ...body });

/** Creates a token and returns its secret and id. */
async function tokenOf(who: Account, body: Record<string, unknown>): Promise<{ token: string; id: string }> {
  const res = await create(who, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** A request carrying only the token, from its own address (no cookie, no anti-CSRF token). */
const withToken = (token: string, method: string, url: string, body?: unknown, ip = "198.51.100.7") =>
  new Client(t, ip).request(method, url, body, { authorization: `Bearer ${token}` });

const myDomains = async (token: string) =>
  (await withToken(token, "GET", "/api/v1/domains")).json().domains.map((d: { name: string }) => d.name);

const tokenRows = (accountId: string) =>
  t.db.selectFrom("apiTokens").selectAll().where("accountId", "=", accountId).execute();

async function addDeputy(owner: Account, domain: string, deputy: Account, dnsGranted = false) {
  const res = await owner.client.post(`/api/v1/domains/${domain}/deputies`, {
    login: deputy.login,
    dnsGranted,
  });
  expect(res.statusCode, res.body).toBe(201);
}

describe("creating a token", () => {
  it("shows the secret once, keeps only its SHA-256, and lists the token without it", async () => {
    const owner = await account();
    const { name } = await confirmedDomain(t, owner.accountId);
    const res = await create(owner, {
      name: "backup script",
      permissions: ["domains:read"],
      domains: [name],
    });
    expect(res.statusCode).toBe(201);
    const issued = res.json();
    expect(issued.token).toMatch(/^mfd_[A-Za-z0-9_-]{43}$/); // 256 random bits
    expect(issued).toMatchObject({
      name: "backup script",
      permissions: ["domains:read"],
      domains: [name],
      hint: issued.token.slice(-4),
      expiresAt: new Date(t.clock.now() + 30 * DAY).toISOString(),
      revoked: false,
      lastUsedAt: null,
    });

    const [row] = await tokenRows(owner.accountId);
    expect(row?.tokenHash).toBe(sha256(issued.token));
    const secretPart = issued.token.slice(4, -4);
    for (const value of Object.values(row ?? {})) expect(String(value)).not.toContain(secretPart);
    const events = await t.db.selectFrom("auditEvents").select("details").execute();
    for (const event of events) expect(String(event.details)).not.toContain(secretPart);

    const listed = await owner.client.get("/api/v1/tokens");
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(secretPart);
    const { token: _shownOnce, ...view } = issued;
    expect(listed.json()).toEqual([view]);
  });

  it("is recorded in the account's log and told to its confirmed contacts", async () => {
    const phone = `+7916${6_000_000 + ++seq}`;
    const owner = await registerAccount(t, { phone }, nextIp());
    await owner.client.post("/api/v1/account/phone/confirm", { code: await lastCodeTo(t, phone) });
    const { id } = await tokenOf(owner, { name: "ci", permissions: ["domains:read"], domains: "all" });
    const [notice] = await messagesTo(t, phone);
    expect(notice?.body).toContain('An API token ("ci") was created');
    const events = (await owner.client.get("/api/v1/account/events")).json().events;
    expect(events[0]).toMatchObject({
      action: "token.create",
      target: id,
      details: { name: "ci", permissions: ["domains:read"], domains: "all" },
    });
  });

  it("needs a re-authentication within 10 minutes; listing does not", async () => {
    const owner = await account();
    t.clock.advance(REAUTH_WINDOW_MS + MINUTE);
    const res = await create(owner, { permissions: ["domains:read"], domains: "all" });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("REAUTH_REQUIRED");
    expect((await owner.client.get("/api/v1/tokens")).json()).toEqual([]);
    expect(await tokenRows(owner.accountId)).toHaveLength(0);
  });

  it("refuses a domain the account does not manage with NOT_FOUND, as if it did not exist", async () => {
    const owner = await account();
    const stranger = await account();
    const theirs = await confirmedDomain(t, stranger.accountId);
    const mine = await confirmedDomain(t, owner.accountId);
    const answers = [];
    for (const domain of [theirs.name, uniqueDomain()]) {
      const res = await create(owner, { permissions: ["domains:read"], domains: [mine.name, domain] });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: "NOT_FOUND", domain });
      answers.push(res.json().detail.replace(domain, "…"));
    }
    expect(answers[0]).toBe(answers[1]);
    expect(await tokenRows(owner.accountId)).toHaveLength(0);
  });

  it("accepts Unicode names and lists them once, in ASCII", async () => {
    const owner = await account();
    const unicode = `пример${++seq}.org`;
    const { name } = await confirmedDomain(t, owner.accountId, domainToASCII(unicode));
    const issued = await create(owner, {
      permissions: ["domains:read"],
      domains: [unicode.toUpperCase(), name, `${name}.`],
    });
    expect(issued.statusCode, issued.body).toBe(201);
    expect(issued.json().domains).toEqual([name]);
  });

  it.each([
    ["a lifetime over a year", { expiresInDays: 366 }, "VALIDATION_FAILED"],
    ["a lifetime of zero days", { expiresInDays: 0 }, "VALIDATION_FAILED"],
    ["a fractional lifetime", { expiresInDays: 1.5 }, "VALIDATION_FAILED"],
    ["no permission", { permissions: [] }, "VALIDATION_FAILED"],
    ["a session-only permission", { permissions: ["account:credentials"] }, "VALIDATION_FAILED"],
    ["a permission twice", { permissions: ["domains:read", "domains:read"] }, "VALIDATION_FAILED"],
    ["an empty domain list", { domains: [] }, "VALIDATION_FAILED"],
    ["a scope that is neither a list nor all", { domains: "everything" }, "VALIDATION_FAILED"],
    ["a name that cannot be a domain", { domains: ["not a domain"] }, "DOMAIN_BAD_CHARACTERS"],
    ["a blank name", { name: "   " }, "VALIDATION_FAILED"],
    ["an owner field", { accountId: "someone-else" }, "UNKNOWN_FIELD"],
    ["a kind field", { kind: "pdd" }, "UNKNOWN_FIELD"],
  ])("refuses %s with 400 and creates nothing", async (_label, change, code) => {
    const owner = await account();
    const res = await create(owner, { permissions: ["domains:read"], domains: "all", ...change });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe(code);
    expect(await tokenRows(owner.accountId)).toHaveLength(0);
  });

  it(`keeps an account to ${LIVE_TOKEN_LIMIT} live tokens; revoked ones make room`, async () => {
    const owner = await account();
    let last = "";
    for (let i = 0; i < LIVE_TOKEN_LIMIT; i++)
      last = (await tokenOf(owner, { permissions: ["domains:read"], domains: "all" })).id;
    const refused = await create(owner, { permissions: ["domains:read"], domains: "all" });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe("TOKEN_LIMIT_REACHED");
    expect((await owner.client.delete(`/api/v1/tokens/${last}`)).statusCode).toBe(204);
    expect((await create(owner, { permissions: ["domains:read"], domains: "all" })).statusCode).toBe(201);
  });

  it.skipIf(testDialect === "sqlite")("holds the limit against simultaneous creations", async () => {
    const owner = await account();
    for (let i = 0; i < LIVE_TOKEN_LIMIT - 2; i++)
      await tokenOf(owner, { permissions: ["domains:read"], domains: "all" });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => create(owner, { permissions: ["domains:read"], domains: "all" })),
    );
    const codes = answers.map((res) => (res.statusCode === 201 ? "created" : res.json().code)).sort();
    expect(codes).toEqual([
      "TOKEN_LIMIT_REACHED",
      "TOKEN_LIMIT_REACHED",
      "TOKEN_LIMIT_REACHED",
      "TOKEN_LIMIT_REACHED",
      "created",
      "created",
    ]);
    expect(await tokenRows(owner.accountId)).toHaveLength(LIVE_TOKEN_LIMIT);
  });
});

describe("a token never exceeds its holder's rights (docs/SECURITY.md §20, §26)", () => {
  it("refuses a deputy DNS permissions where the owner has not granted DNS, or the domain is not delegated", async () => {
    const owner = await account();
    const deputy = await account();
    const delegated = await confirmedDomain(t, owner.accountId, uniqueDomain(), { delegated: true });
    const undelegated = await confirmedDomain(t, owner.accountId);
    await addDeputy(owner, delegated.name, deputy, false);
    await addDeputy(owner, undelegated.name, deputy, true);

    for (const domain of [delegated.name, undelegated.name]) {
      const res = await create(deputy, { permissions: ["mailboxes:write", "dns:write"], domains: [domain] });
      expect(res.statusCode, domain).toBe(403);
      expect(res.json()).toMatchObject({ code: "SCOPE_EXCEEDS_RIGHTS", domain, permissions: ["dns:write"] });
    }
    expect(await tokenRows(deputy.accountId)).toHaveLength(0);

    // Mailboxes are a deputy's to manage; DNS once granted on a delegated domain.
    expect(
      (
        await create(deputy, {
          permissions: ["mailboxes:write", "domains:read"],
          domains: [undelegated.name],
        })
      ).statusCode,
    ).toBe(201);
    await owner.client.patch(`/api/v1/domains/${delegated.name}/deputies/${deputy.login}`, {
      dnsGranted: true,
    });
    expect((await create(deputy, { permissions: ["dns:write"], domains: [delegated.name] })).statusCode).toBe(
      201,
    );
  });

  it("refuses an all-domains token a permission its holder has on no domain, naming it", async () => {
    const owner = await account();
    const deputy = await account();
    const delegated = await confirmedDomain(t, owner.accountId, uniqueDomain(), { delegated: true });
    await addDeputy(owner, delegated.name, deputy, false);

    const res = await create(deputy, {
      permissions: ["domains:read", "mailboxes:write", "dns:write"],
      domains: "all",
    });
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json()).toMatchObject({
      code: "SCOPE_EXCEEDS_RIGHTS",
      domains: "all",
      permissions: ["dns:write"],
    });
    expect(await tokenRows(deputy.accountId)).toHaveLength(0);
    expect(
      (await create(deputy, { permissions: ["domains:read", "mailboxes:write"], domains: "all" })).statusCode,
    ).toBe(201);

    // Once DNS is granted on the (delegated) domain, the deputy holds it somewhere.
    await owner.client.patch(`/api/v1/domains/${delegated.name}/deputies/${deputy.login}`, {
      dnsGranted: true,
    });
    expect((await create(deputy, { permissions: ["dns:write"], domains: "all" })).statusCode).toBe(201);

    // An account that manages no domain may only read its (empty) list of domains.
    const newcomer = await account();
    const refused = await create(newcomer, {
      permissions: ["domains:read", "mailboxes:read"],
      domains: "all",
    });
    expect(refused.json()).toMatchObject({ code: "SCOPE_EXCEEDS_RIGHTS", permissions: ["mailboxes:read"] });
    expect((await create(newcomer, { permissions: ["domains:read"], domains: "all" })).statusCode).toBe(201);
  });

  it("lets the owner give every token permission on their own domain", async () => {
    const owner = await account();
    const { name } = await confirmedDomain(t, owner.accountId);
    const res = await create(owner, { permissions: ALL, domains: [name] });
    expect(res.statusCode).toBe(201);
    expect(res.json().permissions).toEqual(ALL);
  });

  it("checks the holder's role again at every use: DNS withdrawn from a deputy is refused to their token", async () => {
    const owner = await account();
    const deputy = await account();
    const { name } = await confirmedDomain(t, owner.accountId, uniqueDomain(), { delegated: true });
    await addDeputy(owner, name, deputy, true);
    const { token } = await tokenOf(deputy, { permissions: ["dns:write"], domains: [name] });
    // DNS endpoints arrive with DNS hosting; they ask authorizeDomain for "dns:write" like this.
    const actor = await t.services.resolveBearer(token, t.clock.now(), null);
    expect(actor).not.toBeNull();
    if (!actor) return;
    await expect(authorizeDomain(t.db, actor, name, "dns:write")).resolves.toMatchObject({ role: "deputy" });
    await owner.client.patch(`/api/v1/domains/${name}/deputies/${deputy.login}`, { dnsGranted: false });
    await expect(authorizeDomain(t.db, actor, name, "dns:write")).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("stops a removed deputy's tokens on that domain at the next request", async () => {
    const owner = await account();
    const deputy = await account();
    const shared = await confirmedDomain(t, owner.accountId);
    const own = await confirmedDomain(t, deputy.accountId);
    await addDeputy(owner, shared.name, deputy);
    const everywhere = await tokenOf(deputy, { permissions: ["domains:read"], domains: "all" });
    const onlyShared = await tokenOf(deputy, { permissions: ["domains:read"], domains: [shared.name] });
    const both = await tokenOf(deputy, { permissions: ["domains:read"], domains: [shared.name, own.name] });
    for (const { token } of [everywhere, onlyShared, both])
      expect((await withToken(token, "GET", `/api/v1/domains/${shared.name}`)).statusCode).toBe(200);

    expect(
      (await owner.client.delete(`/api/v1/domains/${shared.name}/deputies/${deputy.login}`)).statusCode,
    ).toBe(204);

    for (const { token } of [everywhere, both]) {
      const res = await withToken(token, "GET", `/api/v1/domains/${shared.name}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe("NOT_FOUND");
      expect(await myDomains(token)).toEqual([own.name]);
    }
    // A token limited to that domain alone is gone, so being added again revives nothing.
    expect((await withToken(onlyShared.token, "GET", "/api/v1/domains")).statusCode).toBe(401);
    t.clock.advance(MINUTE);
    await addDeputy(owner, shared.name, deputy);
    expect((await withToken(onlyShared.token, "GET", `/api/v1/domains/${shared.name}`)).statusCode).toBe(401);
    expect((await withToken(both.token, "GET", `/api/v1/domains/${shared.name}`)).statusCode).toBe(404);
    // Nor does the all-domains token come back to life there: it was issued to the earlier membership.
    const revived = await withToken(everywhere.token, "GET", `/api/v1/domains/${shared.name}`);
    expect(revived.statusCode, revived.body).toBe(404);
    expect(await myDomains(everywhere.token)).toEqual([own.name]);
    // A token issued in the new membership reaches it.
    const fresh = await tokenOf(deputy, { permissions: ["domains:read"], domains: "all" });
    expect((await withToken(fresh.token, "GET", `/api/v1/domains/${shared.name}`)).statusCode).toBe(200);
    const listed = (await deputy.client.get("/api/v1/tokens")).json();
    expect(listed.map((x: { id: string; domains: unknown }) => [x.id, x.domains])).toEqual([
      [fresh.id, "all"],
      [both.id, [own.name]],
      [everywhere.id, "all"],
    ]);
  });
  it.skipIf(testDialect === "sqlite")(
    "a token created while its holder is being removed as deputy is refused, never left reaching the domain",
    async () => {
      // SQLite serialises writers; on PostgreSQL the removal's transaction is held open here, after
      // it deleted the deputy and cleaned their tokens, until the token creation is seen waiting.
      const owner = await account();
      const deputy = await account();
      const { name, domainId } = await confirmedDomain(t, owner.accountId);
      await addDeputy(owner, name, deputy);
      const removal = await holdTransaction(t.deps.database, async (tx) => {
        await tx
          .deleteFrom("deputies")
          .where("domainId", "=", domainId)
          .where("accountId", "=", deputy.accountId)
          .execute();
        await removeDomainFromTokens(tx, domainId, deputy.accountId);
      });
      const creating = create(deputy, { permissions: ["domains:read"], domains: [name] });
      await Promise.race([creating, removal.waitedOn()]);
      await removal.commit();
      const res = await creating;
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().code).toBe("NOT_FOUND");
      expect(await tokenRows(deputy.accountId)).toEqual([]);
      // Made a deputy again, they find no token of the old grant.
      await addDeputy(owner, name, deputy);
      expect((await deputy.client.get("/api/v1/tokens")).json()).toEqual([]);
    },
  );
});

describe("using a token", () => {
  it("reaches only the domains it is limited to: another domain of the holder is NOT_FOUND", async () => {
    const owner = await account();
    const a = await confirmedDomain(t, owner.accountId);
    const b = await confirmedDomain(t, owner.accountId);
    const { token } = await tokenOf(owner, { permissions: ["domains:read"], domains: [a.name] });
    expect(await myDomains(token)).toEqual([a.name]);
    expect((await withToken(token, "GET", `/api/v1/domains/${a.name}`)).statusCode).toBe(200);
    const other = await withToken(token, "GET", `/api/v1/domains/${b.name}`);
    const nobody = await withToken(token, "GET", `/api/v1/domains/${uniqueDomain()}`);
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe("NOT_FOUND");
    expect(other.body).toBe(nobody.body);

    const { token: all } = await tokenOf(owner, { permissions: ["domains:read"], domains: "all" });
    expect(await myDomains(all)).toEqual([a.name, b.name].sort());
  });

  it("needs the permission a route asks for: FORBIDDEN without domains:read", async () => {
    const owner = await account();
    const { name } = await confirmedDomain(t, owner.accountId);
    const { token } = await tokenOf(owner, {
      permissions: ["mailboxes:read", "mailboxes:write"],
      domains: [name],
    });
    for (const url of ["/api/v1/domains", `/api/v1/domains/${name}`]) {
      const res = await withToken(token, "GET", url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toMatchObject({
        code: "FORBIDDEN",
        detail: "This token lacks the domains:read permission.",
      });
    }
  });

  it("without mailboxes:write cannot create a mailbox; with it, can", async () => {
    const owner = await account();
    const { name, domainId } = await confirmedDomain(t, owner.accountId);
    const reader = await tokenOf(owner, { permissions: ["domains:read", "mailboxes:read"], domains: [name] });
    const writer = await tokenOf(owner, { permissions: ["mailboxes:write"], domains: [name] });
    const mailbox = { login: "bob", password: "winter orchard lantern 58", firstName: "Bob", lastName: "B" };
    const refused = await withToken(reader.token, "POST", `/api/v1/domains/${name}/mailboxes`, mailbox);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("FORBIDDEN");
    const mailboxes = () =>
      t.db.selectFrom("mailboxes").selectAll().where("domainId", "=", domainId).execute();
    expect(await mailboxes()).toHaveLength(0);
    const made = await withToken(writer.token, "POST", `/api/v1/domains/${name}/mailboxes`, mailbox);
    expect(made.statusCode, made.body).toBe(201);
    expect(await mailboxes()).toHaveLength(1);
  });

  it("records when and from where it was last used, at most once a minute", async () => {
    const owner = await account();
    const { token, id } = await tokenOf(owner, { permissions: ["domains:read"], domains: "all" });
    const lastUse = async () => {
      const listed = (await owner.client.get("/api/v1/tokens")).json();
      return listed.find((x: { id: string }) => x.id === id);
    };
    const first = t.clock.now();
    await withToken(token, "GET", "/api/v1/domains", undefined, "198.51.100.1");
    t.clock.advance(30_000);
    await withToken(token, "GET", "/api/v1/domains", undefined, "198.51.100.2");
    expect(await lastUse()).toMatchObject({
      lastUsedAt: new Date(first).toISOString(),
      lastUsedIp: "198.51.100.1",
    });
    t.clock.advance(31_000);
    await withToken(token, "GET", "/api/v1/domains", undefined, "198.51.100.3");
    expect(await lastUse()).toMatchObject({
      lastUsedAt: new Date(first + 61_000).toISOString(),
      lastUsedIp: "198.51.100.3",
    });
  });

  it("fails with 401 once expired", async () => {
    const owner = await account();
    const { token } = await tokenOf(owner, {
      permissions: ["domains:read"],
      domains: "all",
      expiresInDays: 1,
    });
    t.clock.advance(DAY - 1);
    expect((await withToken(token, "GET", "/api/v1/domains")).statusCode).toBe(200);
    t.clock.advance(1);
    const res = await withToken(token, "GET", "/api/v1/domains");
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("UNAUTHENTICATED");
    // The owner, signing in again a day later, sees the token as expired.
    const client = new Client(t, nextIp());
    const signIn = await client.post("/api/v1/session", { login: owner.login, password: owner.password });
    expect(signIn.statusCode).toBe(200);
    expect((await client.get("/api/v1/tokens")).json()[0]).toMatchObject({ expired: true, revoked: false });
  });

  it("fails with 401 from the request after its revocation", async () => {
    const owner = await account();
    const { token, id } = await tokenOf(owner, { permissions: ["domains:read"], domains: "all" });
    expect((await withToken(token, "GET", "/api/v1/domains")).statusCode).toBe(200);
    expect((await owner.client.delete(`/api/v1/tokens/${id}`)).statusCode).toBe(204);
    const res = await withToken(token, "GET", "/api/v1/domains");
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("UNAUTHENTICATED");
    expect((await owner.client.get("/api/v1/tokens")).json()[0]).toMatchObject({ id, revoked: true });
    // Revoking again changes nothing.
    expect((await owner.client.delete(`/api/v1/tokens/${id}`)).statusCode).toBe(204);
    const events = (await owner.client.get("/api/v1/account/events")).json().events;
    expect(events.filter((e: { action: string }) => e.action === "token.revoke")).toHaveLength(1);
  });

  it("is read from the Authorization header only: in the query string it is refused (and revoked)", async () => {
    const owner = await account();
    const { token } = await tokenOf(owner, { permissions: ["domains:read"], domains: "all" });
    for (const query of ["token", "access_token", "bearer"]) {
      const res = await new Client(t, nextIp()).get(`/api/v1/domains?${query}=${token}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().code).toBe("TOKEN_IN_URL");
    }
    expect((await withToken(token, "GET", "/api/v1/domains")).statusCode).toBe(401);
  });

  it("never appears in the server's log, even at trace level, whatever the request's fate", async () => {
    const lines: string[] = [];
    const logged = await buildApp(t.deps, {
      logger: { level: "trace", stream: { write: (line: string) => void lines.push(line) } },
    });
    const owner = await account();
    const { name } = await confirmedDomain(t, owner.accountId);
    const send = (token: string, method: string, url: string, body?: unknown) =>
      logged.app.inject({
        method: method as "GET",
        url,
        remoteAddress: "198.51.100.9",
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
    const issued = await logged.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      remoteAddress: owner.client.ip,
      headers: { cookie: `mfd_session=${owner.client.cookie}`, "x-csrf-token": owner.client.csrf ?? "" },
      payload: { name: "logged", permissions: ["domains:read"], domains: [name], expiresInDays: 1 },
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const { token, id } = issued.json();
    const answers = [
      (await send(token, "GET", `/api/v1/domains/${name}`)).statusCode,
      (await send(token, "GET", "/api/v1/account")).statusCode,
      (await send(token, "POST", `/api/v1/domains/${name}/mailboxes`, { login: "x" })).statusCode,
      (await send(token, "GET", `/api/v1/domains/${uniqueDomain()}`)).statusCode,
    ];
    expect((await owner.client.delete(`/api/v1/tokens/${id}`)).statusCode).toBe(204);
    answers.push((await send(token, "GET", "/api/v1/domains")).statusCode);
    answers.push((await send(`${token}x`, "GET", "/api/v1/domains")).statusCode);
    await logged.app.close();
    expect(answers).toEqual([200, 403, 403, 404, 401, 401]);
    expect(lines.length).toBeGreaterThan(10);
    const log = lines.join("");
    expect(log).toContain("/api/v1/domains");
    expect(log).not.toContain(token.slice(TOKEN_PREFIX.length));
    expect(log.toLowerCase()).not.toContain("bearer");
  });

  it.each([
    ["an unknown token", "Bearer mfd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a token without its prefix", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["an empty Bearer", "Bearer "],
    ["another scheme", "Basic dXNlcjpwYXNz"],
  ])("answers %s with 401", async (_label, authorization) => {
    const res = await new Client(t, nextIp()).get("/api/v1/domains", { authorization });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("UNAUTHENTICATED");
  });
});

describe("what tokens can never do (docs/SECURITY.md §21)", () => {
  it("touch credentials, contacts, sessions, tokens or deputies: 403 TOKEN_NOT_ALLOWED, nothing changes", async () => {
    const owner = await account();
    const deputy = await account();
    const { name } = await confirmedDomain(t, owner.accountId);
    const { token, id } = await tokenOf(owner, { permissions: ALL, domains: "all" });
    const requests: Array<[string, string, unknown?]> = [
      ["GET", "/api/v1/account"],
      ["PUT", "/api/v1/account/password", { currentPassword: owner.password, newPassword: "x".repeat(20) }],
      ["POST", "/api/v1/account/phone", { phone: "+79161234567" }],
      ["POST", "/api/v1/session/reauthenticate", { password: owner.password }],
      ["GET", "/api/v1/tokens"],
      ["POST", "/api/v1/tokens", { name: "more", permissions: ALL, domains: "all", expiresInDays: 365 }],
      ["DELETE", `/api/v1/tokens/${id}`],
      ["GET", `/api/v1/domains/${name}/deputies`],
      ["POST", `/api/v1/domains/${name}/deputies`, { login: deputy.login }],
      ["DELETE", `/api/v1/domains/${name}`, { confirm: name }],
    ];
    for (const [method, url, body] of requests) {
      const res = await withToken(token, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().code, `${method} ${url}`).toBe("TOKEN_NOT_ALLOWED");
    }
    expect(await tokenRows(owner.accountId)).toMatchObject([{ id, revokedAt: null }]);
    expect(
      await t.db.selectFrom("deputies").selectAll().where("accountId", "=", deputy.accountId).execute(),
    ).toEqual([]);
    expect((await withToken(token, "GET", `/api/v1/domains/${name}`)).statusCode).toBe(200);
  });
});

describe("revoking", () => {
  it("answers NOT_FOUND for another account's token and leaves it working", async () => {
    const owner = await account();
    const stranger = await account();
    const { token, id } = await tokenOf(owner, { permissions: ["domains:read"], domains: "all" });
    for (const target of [id, "0190a0b0-0000-7000-8000-000000000000"]) {
      const res = await stranger.client.delete(`/api/v1/tokens/${target}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe("NOT_FOUND");
    }
    expect((await stranger.client.get("/api/v1/tokens")).json()).toEqual([]);
    expect((await withToken(token, "GET", "/api/v1/domains")).statusCode).toBe(200);
  });

  it("needs a re-authentication", async () => {
    const owner = await account();
    const { token, id } = await tokenOf(owner, { permissions: ["domains:read"], domains: "all" });
    t.clock.advance(REAUTH_WINDOW_MS + MINUTE);
    const res = await owner.client.delete(`/api/v1/tokens/${id}`);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("REAUTH_REQUIRED");
    expect((await withToken(token, "GET", "/api/v1/domains")).statusCode).toBe(200);
  });
});

describe("disconnecting a domain", () => {
  it("deletes the tokens limited to it alone and takes it out of the others", async () => {
    const owner = await account();
    const a = await confirmedDomain(t, owner.accountId);
    const b = await confirmedDomain(t, owner.accountId);
    const onlyA = await tokenOf(owner, { permissions: ["domains:read"], domains: [a.name] });
    const both = await tokenOf(owner, { permissions: ["domains:read"], domains: [a.name, b.name] });
    const res = await owner.client.delete(`/api/v1/domains/${a.name}`, { confirm: a.name });
    expect(res.statusCode, res.body).toBe(204);
    expect((await withToken(onlyA.token, "GET", "/api/v1/domains")).statusCode).toBe(401);
    expect(await myDomains(both.token)).toEqual([b.name]);
    // Whoever connects the name next finds no token of the old owner reaching it.
    expect((await owner.client.get("/api/v1/tokens")).json()).toEqual([
      expect.objectContaining({ id: both.id, domains: [b.name] }),
    ]);
  });
});
