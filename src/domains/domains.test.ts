import { describe, expect, it } from "vitest";
import {
  checkNow,
  connectDomain,
  createDomainWorld,
  publishTxt,
  uniqueDomain,
} from "../../test/dns/fixtures.js";
import { Client, GOOD_PASSWORD, registerAccount, SERVICE_DOMAIN } from "../../test/helpers/app.js";
import { MINUTE } from "../lib/clock.js";

const { t, internet } = await createDomainWorld();
const limited = await createDomainWorld({ MFD_DOMAIN_LIMIT: "2" });
/** For a resolver that never answers: gives up after half a second instead of the world's 30. */
const impatient = await createDomainWorld({ MFD_DNS_TIMEOUT_MS: "500" });

let ipCounter = 0;
/** Each account from its own address, so per-address registration limits never interfere. */
const newAccount = () => registerAccount(t, {}, `198.51.100.${++ipCounter % 250}`);

async function claimCount(accountId: string) {
  const row = await t.db
    .selectFrom("claims")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("accountId", "=", accountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Connects and proves a domain with TXT; returns its name. */
async function ownDomain(client: Client, name = uniqueDomain()) {
  publishTxt(internet, await connectDomain(client, name));
  const confirmed = await checkNow(client, name);
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  expect(confirmed.json().status).toBe("mx-activate");
  return name;
}

describe("connect", () => {
  it("normalises the name (trim, case, IDN, trailing dot) and answers with what to publish", async () => {
    const { client } = await newAccount();
    const label = `пример${++ipCounter}`;
    const response = await client.post("/api/v1/domains", { name: `  ${label.toUpperCase()}.РФ. ` });
    expect(response.statusCode, response.body).toBe(201);
    const view = response.json();
    expect(view.name).toMatch(/^xn--[a-z0-9-]+\.xn--p1ai$/);
    expect(view.unicodeName).toBe(`${label}.рф`);
    expect(view).toMatchObject({
      role: "claimant",
      status: "domain-activate",
      stage: "owner-check",
      confirmedAt: null,
    });
    // The same name typed in punycode is the same domain.
    const again = await client.post("/api/v1/domains", { name: view.name });
    expect(again.json().code).toBe("DOMAIN_ALREADY_CONNECTED");
  });

  it("accepts names at the length limits: 253 characters, 63-character labels", async () => {
    const { client } = await newAccount();
    const longest = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.org`;
    expect(longest).toHaveLength(253);
    const response = await client.post("/api/v1/domains", { name: longest });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().name).toBe(longest);
  });

  it("refuses each kind of bad name with its own code and creates nothing", async () => {
    const { client, accountId } = await newAccount();
    const cases: Array<[string, string]> = [
      ["", "DOMAIN_EMPTY"],
      ["   ", "DOMAIN_EMPTY"],
      [`${`${"abcdefghij".repeat(6)}.`.repeat(4)}${"x".repeat(6)}.org`, "DOMAIN_TOO_LONG"], // 254 characters
      [`${"a".repeat(64)}.org`, "DOMAIN_LABEL_TOO_LONG"],
      ["exa_mple.org", "DOMAIN_BAD_CHARACTERS"],
      ["exa mple.org", "DOMAIN_BAD_CHARACTERS"],
      ["*.example.org", "DOMAIN_BAD_CHARACTERS"],
      ["ex%41mple.org", "DOMAIN_BAD_CHARACTERS"],
      ["example.org/path", "DOMAIN_BAD_CHARACTERS"],
      ["-example.org", "DOMAIN_BAD_CHARACTERS"],
      ["a..b.org", "DOMAIN_INVALID"],
      ["192.0.2.1", "DOMAIN_IS_IP"],
      ["[2001:db8::1]", "DOMAIN_IS_IP"],
      ["127.1", "DOMAIN_IS_IP"],
      ["org", "DOMAIN_IS_PUBLIC_SUFFIX"],
      ["co.uk", "DOMAIN_IS_PUBLIC_SUFFIX"],
      ["github.io", "DOMAIN_IS_PUBLIC_SUFFIX"],
      ["example.notatld", "DOMAIN_NOT_UNDER_PUBLIC_SUFFIX"],
      ["localhost", "DOMAIN_NOT_UNDER_PUBLIC_SUFFIX"],
      [SERVICE_DOMAIN, "DOMAIN_OF_SERVICE"],
      [`mail.${SERVICE_DOMAIN.toUpperCase()}`, "DOMAIN_OF_SERVICE"],
    ];
    for (const [name, code] of cases) {
      const response = await client.post("/api/v1/domains", { name });
      expect(response.statusCode, name).toBe(400);
      expect(response.headers["content-type"]).toContain("application/problem+json");
      expect(response.json().code, name).toBe(code);
    }
    expect(await claimCount(accountId)).toBe(0);
    expect((await client.get("/api/v1/domains")).json().domains).toEqual([]);
  });

  it("refuses malformed bodies, unknown fields and oversized names, changing nothing", async () => {
    const { client, accountId } = await newAccount();
    const raw = await t.app.inject({
      method: "POST",
      url: "/api/v1/domains",
      payload: "{not json",
      headers: {
        "content-type": "application/json",
        cookie: `mfd_session=${client.cookie}`,
        "x-csrf-token": client.csrf ?? "",
      },
    });
    expect(raw.statusCode).toBe(400);
    expect(raw.json().code).toBe("MALFORMED_BODY");
    const extra = await client.post("/api/v1/domains", {
      name: uniqueDomain(),
      owner: "someone",
      confirmed: true,
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().code).toBe("UNKNOWN_FIELD");
    const huge = await client.post("/api/v1/domains", { name: `${"a".repeat(2000)}.org` });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().code).toBe("VALIDATION_FAILED");
    const missing = await client.post("/api/v1/domains", {});
    expect(missing.statusCode).toBe(400);
    const extraOnCheck = await client.post(`/api/v1/domains/${uniqueDomain()}/check`, { force: true });
    expect(extraOnCheck.json().code).toBe("UNKNOWN_FIELD");
    expect(await claimCount(accountId)).toBe(0);
  });

  it("says DOMAIN_ALREADY_CONNECTED for your own domain, pending or confirmed", async () => {
    const { client } = await newAccount();
    const pending = uniqueDomain();
    await connectDomain(client, pending);
    const owned = await ownDomain(client);
    for (const name of [pending, owned]) {
      const response = await client.post("/api/v1/domains", { name });
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe("DOMAIN_ALREADY_CONNECTED");
    }
  });

  it("says DOMAIN_OCCUPIED the same way whoever owns the domain, never naming them", async () => {
    const first = await newAccount();
    const second = await newAccount();
    const one = await ownDomain(first.client);
    const two = await ownDomain(second.client);
    const { client } = await newAccount();
    const a = await client.post("/api/v1/domains", { name: one });
    const b = await client.post("/api/v1/domains", { name: two });
    expect(a.statusCode).toBe(409);
    expect(a.json().code).toBe("DOMAIN_OCCUPIED");
    expect(b.statusCode).toBe(a.statusCode);
    expect(b.body).toBe(a.body);
    for (const owner of [first, second]) {
      expect(a.body).not.toContain(owner.login);
      expect(a.body).not.toContain(owner.accountId);
    }
  });

  it("stops at the domain limit, counting owned and pending domains", async () => {
    const { client } = await registerAccount(limited.t);
    const owned = uniqueDomain();
    publishTxt(limited.internet, await connectDomain(client, owned));
    expect((await checkNow(client, owned)).json().status).toBe("mx-activate");
    const pending = uniqueDomain();
    await connectDomain(client, pending);
    const third = uniqueDomain();
    const refused = await client.post("/api/v1/domains", { name: third });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: "DOMAIN_LIMIT_REACHED", limit: 2 });
    // Cancelling the pending claim frees a place.
    expect((await client.delete(`/api/v1/domains/${pending}`, { confirm: pending })).statusCode).toBe(204);
    expect((await client.post("/api/v1/domains", { name: third })).statusCode).toBe(201);
  });
});

describe("what to publish", () => {
  it("gives each claim its own id, token, label, file and name servers", async () => {
    const name = uniqueDomain();
    const a = await connectDomain((await newAccount()).client, name);
    const b = await connectDomain((await newAccount()).client, name);
    for (const view of [a, b]) {
      const claim = view.claim as NonNullable<typeof view.claim>;
      expect(claim.id).toMatch(/^[a-z2-7]{10}$/);
      const token = claim.methods.file.content;
      // 32 base32 characters: 160 random bits.
      expect(token).toMatch(/^[a-z2-7]{32}$/);
      expect(claim.methods).toEqual({
        txt: { name: `_mfd-challenge.${name}`, value: `mfd-verification=${token}` },
        cname: { name: `mfd-${claim.id}.${name}`, target: `verify.${SERVICE_DOMAIN}` },
        file: {
          url: `http://${name}:${internet.httpPort}/.well-known/mfd-verification/${claim.id}`,
          content: token,
        },
        delegation: {
          nameServers: [`${claim.id}.ns1.${SERVICE_DOMAIN}`, `${claim.id}.ns2.${SERVICE_DOMAIN}`],
        },
      });
      expect(new Date(claim.expiresAt).getTime() - t.clock.now()).toBe(7 * 24 * 60 * MINUTE);
    }
    expect(a.claim?.id).not.toBe(b.claim?.id);
    expect(a.claim?.methods.file.content).not.toBe(b.claim?.methods.file.content);
  });
});

describe("proving ownership", () => {
  it("confirms with the TXT record", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    publishTxt(internet, await connectDomain(client, name));
    const response = await checkNow(client, name);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: "mx-activate",
      stage: "mx-check",
      claim: null,
      confirmedAt: new Date(t.clock.now()).toISOString(),
    });
    const history = (await client.get(`/api/v1/domains/${name}/checks`)).json().checks;
    expect(history.find((c: { kind: string }) => c.kind === "ownership")).toMatchObject({
      result: "confirmed",
      method: "txt",
      trigger: "manual",
    });
  });

  it("confirms with the CNAME record", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    const view = await connectDomain(client, name);
    internet.publish(
      view.claim?.methods.cname.name as string,
      "CNAME",
      view.claim?.methods.cname.target as string,
    );
    expect((await checkNow(client, name)).json().status).toBe("mx-activate");
    const history = (await client.get(`/api/v1/domains/${name}/checks`)).json().checks;
    expect(history.some((c: { method: string }) => c.method === "cname")).toBe(true);
  });

  it("confirms with the file on the domain's web site", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    const view = await connectDomain(client, name);
    internet.publish(name, "A", "127.0.0.1");
    internet.serveFile(
      name,
      `/.well-known/mfd-verification/${view.claim?.id}`,
      view.claim?.methods.file.content as string,
    );
    expect((await checkNow(client, name)).json().status).toBe("mx-activate");
  });

  it("confirms with delegation to the claim's own name servers in the parent zone", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain("net");
    const view = await connectDomain(client, name);
    internet.delegate(name, view.claim?.methods.delegation.nameServers as string[]);
    const confirmed = (await checkNow(client, name)).json();
    expect(confirmed).toMatchObject({ status: "mx-activate", delegated: true });
  });

  it("never confirms for B with the token published for A; then closes B's claim when A confirms", async () => {
    const alice = await newAccount();
    const bob = await newAccount();
    const name = uniqueDomain();
    const aliceView = await connectDomain(alice.client, name);
    await connectDomain(bob.client, name);
    publishTxt(internet, aliceView);

    const bobCheck = await checkNow(bob.client, name);
    expect(bobCheck.statusCode).toBe(200);
    expect(bobCheck.json().status).toBe("domain-activate");
    expect(bobCheck.json().lastCheck).toMatchObject({ result: "not-confirmed" });
    expect(bobCheck.json().lastCheck.results.txt.result).toBe("wrong");

    expect((await checkNow(alice.client, name)).json().status).toBe("mx-activate");
    // Bob's claim is closed: his page says the name is taken, and My domains no longer lists it.
    expect((await bob.client.get(`/api/v1/domains/${name}`)).json().code).toBe("DOMAIN_OCCUPIED");
    expect((await bob.client.get("/api/v1/domains")).json().domains).toEqual([]);
    const reconnect = await bob.client.post("/api/v1/domains", { name });
    expect(reconnect.json().code).toBe("DOMAIN_OCCUPIED");
  });

  it("never confirms because MX, SPF or NS point at the service", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    await connectDomain(client, name);
    internet.publish(name, "MX", { preference: 10, exchange: `mx.${SERVICE_DOMAIN}` });
    internet.publish(name, "TXT", `v=spf1 include:${SERVICE_DOMAIN} -all`);
    internet.publish(name, "NS", `ns1.${SERVICE_DOMAIN}`);
    internet.delegate(name, [`ns1.${SERVICE_DOMAIN}`, `ns2.${SERVICE_DOMAIN}`]);
    const response = await checkNow(client, name);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: "domain-activate", delegated: true });
    expect(response.json().lastCheck.results.delegation.detail).toContain("does not prove ownership");
  });

  it("counts SERVFAIL as a failed check, not a confirmation", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    publishTxt(internet, await connectDomain(client, name));
    internet.breakZone(name, "servfail");
    const response = await checkNow(client, name);
    expect(response.json().status).toBe("domain-activate");
    expect(response.json().lastCheck.results.txt.result).toBe("failed");
    internet.healZone(name);
    expect((await checkNow(client, name)).json().status).toBe("mx-activate");
  });

  it("counts a resolver that does not answer in time as a failed check", async () => {
    const { client } = await registerAccount(impatient.t);
    const name = uniqueDomain();
    publishTxt(impatient.internet, await connectDomain(client, name));
    impatient.internet.breakZone(name, "silent");
    const response = await checkNow(client, name);
    expect(response.statusCode).toBe(200);
    expect(response.json().status).toBe("domain-activate");
    expect(response.json().lastCheck.results.txt).toMatchObject({
      result: "failed",
      detail: expect.stringContaining("did not answer in time"),
    });
  });
});

describe("statuses", () => {
  it("goes domain-activate → mx-activate → added as the MX record changes, and back", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    const view = await connectDomain(client, name);
    expect(view).toMatchObject({ status: "domain-activate", stage: "owner-check", mx: { ok: null } });
    publishTxt(internet, view);
    internet.publish(name, "MX", { preference: 10, exchange: "mx.old-provider.net" });
    expect((await checkNow(client, name)).json()).toMatchObject({
      status: "mx-activate",
      stage: "mx-check",
      mx: { expected: `mx.${SERVICE_DOMAIN}`, ok: false },
    });
    internet.unpublish(name, "MX");
    internet.publish(name, "MX", { preference: 10, exchange: `mx.${SERVICE_DOMAIN}` });
    const added = (await checkNow(client, name)).json();
    expect(added).toMatchObject({ status: "added", stage: "added", mx: { ok: true } });
    expect(added.lastCheck).toMatchObject({ kind: "mx", result: "mx-ok" });
    // A broken resolver does not flip the status; a wrong MX does.
    internet.breakZone(name, "servfail");
    expect((await checkNow(client, name)).json().status).toBe("added");
    internet.healZone(name);
    internet.unpublish(name, "MX");
    internet.publish(name, "MX", { preference: 10, exchange: "mx.new-provider.net" });
    expect((await checkNow(client, name)).json().status).toBe("mx-activate");
  });
});

describe("My domains and who may see a domain", () => {
  it("lists owned and pending domains with role, status, mailbox count and delegation", async () => {
    const { client } = await newAccount();
    const owned = await ownDomain(client, `a-${uniqueDomain()}`);
    const pending = `b-${uniqueDomain()}`;
    const view = await connectDomain(client, pending);
    const { domains } = (await client.get("/api/v1/domains")).json();
    expect(domains).toEqual([
      {
        name: owned,
        unicodeName: owned,
        role: "owner",
        status: "mx-activate",
        stage: "mx-check",
        mailboxCount: 0,
        delegated: false,
        claimExpiresAt: null,
      },
      {
        name: pending,
        unicodeName: pending,
        role: "claimant",
        status: "domain-activate",
        stage: "owner-check",
        mailboxCount: 0,
        delegated: false,
        claimExpiresAt: view.claim?.expiresAt,
      },
    ]);
  });

  it("answers another account NOT_FOUND for your domains, exactly as for a domain nobody has", async () => {
    const owner = await newAccount();
    const owned = await ownDomain(owner.client);
    const pending = uniqueDomain();
    await connectDomain(owner.client, pending);
    const stranger = await newAccount();
    const nobody = uniqueDomain();
    const answers = new Set<string>();
    for (const name of [owned, pending, nobody]) {
      const requests = [
        stranger.client.get(`/api/v1/domains/${name}`),
        stranger.client.get(`/api/v1/domains/${name}/checks`),
        stranger.client.post(`/api/v1/domains/${name}/check`),
        stranger.client.post(`/api/v1/domains/${name}/renew`),
        stranger.client.delete(`/api/v1/domains/${name}`, { confirm: name }),
      ];
      for (const response of await Promise.all(requests)) {
        expect(response.statusCode, `${name} ${response.body}`).toBe(404);
        expect(response.json().code).toBe("NOT_FOUND");
        answers.add(response.body);
      }
    }
    expect(answers.size).toBe(1);
    expect((await stranger.client.get("/api/v1/domains")).json().domains).toEqual([]);
    // And the owner still has both.
    expect((await owner.client.get("/api/v1/domains")).json().domains).toHaveLength(2);
  });

  it("lists a domain the account administers as deputy; a deputy may read it but never disconnect it", async () => {
    const owner = await newAccount();
    const deputy = await newAccount();
    const name = await ownDomain(owner.client);
    const domain = await t.db
      .selectFrom("domains")
      .select("id")
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    // Deputies are added through their own API (a later issue); the row is what it will write.
    await t.db
      .insertInto("deputies")
      .values({ domainId: domain.id, accountId: deputy.accountId, createdAt: t.clock.now() })
      .execute();
    expect((await deputy.client.get("/api/v1/domains")).json().domains).toEqual([
      expect.objectContaining({ name, role: "deputy", status: "mx-activate", claimExpiresAt: null }),
    ]);
    expect((await deputy.client.get(`/api/v1/domains/${name}`)).json()).toMatchObject({
      name,
      role: "deputy",
    });
    const refused = await deputy.client.delete(`/api/v1/domains/${name}`, { confirm: name });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("FORBIDDEN");
    expect((await owner.client.get(`/api/v1/domains/${name}`)).statusCode).toBe(200);
  });

  it("answers NOT_FOUND for names that cannot be domains at all", async () => {
    const { client } = await newAccount();
    for (const name of ["not_a_domain", "%2e%2e", "a..b"]) {
      const response = await client.get(`/api/v1/domains/${name}`);
      expect(response.statusCode, name).toBe(404);
    }
  });
});

describe("check now", () => {
  it("is rate limited per claim, with Retry-After, and works again after the window", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    await connectDomain(client, name);
    for (let i = 0; i < 5; i++) expect((await checkNow(client, name)).statusCode).toBe(200);
    const limited = await checkNow(client, name);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe("RATE_LIMITED");
    expect(limited.json().retryAfter).toBeGreaterThan(0);
    expect(limited.headers["retry-after"]).toBe(String(limited.json().retryAfter));
    t.clock.advance(limited.json().retryAfter * 1000);
    expect((await checkNow(client, name)).statusCode).toBe(200);
  });

  it("is rate limited per account across claims", async () => {
    const { client } = await newAccount();
    const names = Array.from({ length: 13 }, () => uniqueDomain());
    for (const name of names) await connectDomain(client, name);
    let answered = 0;
    let limited: Awaited<ReturnType<typeof checkNow>> | null = null;
    outer: for (const name of names) {
      for (let i = 0; i < 5; i++) {
        const response = await checkNow(client, name);
        if (response.statusCode === 429) {
          limited = response;
          break outer;
        }
        answered++;
      }
    }
    expect(answered).toBe(60);
    expect(limited?.json().code).toBe("RATE_LIMITED");
  });

  it("records every attempt in the claim's history and the account's events", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    await connectDomain(client, name);
    await checkNow(client, name);
    await checkNow(client, name);
    const history = (await client.get(`/api/v1/domains/${name}/checks?limit=1`)).json();
    expect(history.checks).toHaveLength(1);
    expect(history.next).not.toBeNull();
    const older = (await client.get(`/api/v1/domains/${name}/checks?limit=5&before=${history.next}`)).json();
    expect(older.checks).toHaveLength(1);
    expect(older.next).toBeNull();
    const events = (await client.get("/api/v1/account/events")).json().events;
    const checks = events.filter(
      (e: { action: string; domain: string }) => e.action === "domain.check" && e.domain === name,
    );
    expect(checks).toHaveLength(2);
    expect(checks[0].details).toMatchObject({ trigger: "manual", result: "not-confirmed" });
  });
});

describe("disconnect", () => {
  it("needs a recent password, the typed name, and then removes the domain", async () => {
    const account = await newAccount();
    const { client } = account;
    const name = await ownDomain(client);
    t.clock.advance(11 * MINUTE);
    const stale = await client.delete(`/api/v1/domains/${name}`, { confirm: name });
    expect(stale.statusCode).toBe(403);
    expect(stale.json().code).toBe("REAUTH_REQUIRED");

    const reauth = await client.post("/api/v1/session/reauthenticate", { password: GOOD_PASSWORD });
    expect(reauth.statusCode, reauth.body).toBe(200);
    const mismatch = await client.delete(`/api/v1/domains/${name}`, { confirm: `x${name}` });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().code).toBe("CONFIRMATION_MISMATCH");
    expect((await client.get(`/api/v1/domains/${name}`)).statusCode).toBe(200);
    const missing = await client.delete(`/api/v1/domains/${name}`, {});
    expect(missing.statusCode).toBe(400);

    const done = await client.delete(`/api/v1/domains/${name}`, { confirm: ` ${name.toUpperCase()}. ` });
    expect(done.statusCode).toBe(204);
    expect((await client.get(`/api/v1/domains/${name}`)).statusCode).toBe(404);
    expect((await client.get("/api/v1/domains")).json().domains).toEqual([]);
    const events = (await client.get("/api/v1/account/events")).json().events;
    expect(
      events.some(
        (e: { action: string; domain: string }) => e.action === "domain.disconnect" && e.domain === name,
      ),
    ).toBe(true);
  });

  it("is refused while mailboxes remain, saying how many", async () => {
    const { client } = await newAccount();
    const name = await ownDomain(client);
    const domain = await t.db
      .selectFrom("domains")
      .select("id")
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    // Mailboxes are created through their own API (a later issue); the rows are what it will write.
    for (const login of ["alice", "bob"]) {
      await t.db
        .insertInto("mailboxes")
        .values({
          id: `${domain.id}-${login}`,
          domainId: domain.id,
          login,
          passwordHash: "{ARGON2ID}$argon2id$placeholder",
          createdAt: t.clock.now(),
          updatedAt: t.clock.now(),
        })
        .execute();
    }
    expect((await client.get("/api/v1/domains")).json().domains[0]).toMatchObject({ name, mailboxCount: 2 });
    const refused = await client.delete(`/api/v1/domains/${name}`, { confirm: name });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: "MAILBOXES_REMAIN", count: 2 });
    expect((await client.get(`/api/v1/domains/${name}`)).statusCode).toBe(200);
    await t.db.deleteFrom("mailboxes").where("domainId", "=", domain.id).execute();
    expect((await client.delete(`/api/v1/domains/${name}`, { confirm: name })).statusCode).toBe(204);
  });

  it("cancels a pending claim the same way", async () => {
    const { client, accountId } = await newAccount();
    const name = uniqueDomain();
    await connectDomain(client, name);
    expect((await client.delete(`/api/v1/domains/${name}`, { confirm: "other.org" })).json().code).toBe(
      "CONFIRMATION_MISMATCH",
    );
    expect((await client.delete(`/api/v1/domains/${name}`, { confirm: name })).statusCode).toBe(204);
    expect(await claimCount(accountId)).toBe(0);
  });

  it("after A disconnects, B's connection of the domain carries nothing of A's", async () => {
    const alice = await newAccount();
    const bob = await newAccount();
    const name = uniqueDomain();
    const aliceView = await connectDomain(alice.client, name);
    publishTxt(internet, aliceView);
    await checkNow(alice.client, name);
    expect((await alice.client.get(`/api/v1/domains/${name}/checks`)).json().checks.length).toBeGreaterThan(
      0,
    );
    expect((await alice.client.delete(`/api/v1/domains/${name}`, { confirm: name })).statusCode).toBe(204);

    const bobView = await connectDomain(bob.client, name);
    expect(bobView.lastCheck).toBeNull();
    expect(bobView.claim?.id).not.toBe(aliceView.claim?.id);
    expect(bobView.claim?.methods.file.content).not.toBe(aliceView.claim?.methods.file.content);
    expect((await bob.client.get(`/api/v1/domains/${name}/checks`)).json()).toEqual({
      checks: [],
      next: null,
    });
    // Alice's record is still published: it proves nothing for Bob.
    const bobCheck = (await checkNow(bob.client, name)).json();
    expect(bobCheck.status).toBe("domain-activate");
    expect((await bob.client.get(`/api/v1/domains/${name}/checks`)).json().checks).toHaveLength(1);
    const bobEvents = (await bob.client.get("/api/v1/account/events")).json().events;
    expect(JSON.stringify(bobEvents)).not.toContain(alice.accountId);
    expect(
      bobEvents.filter((e: { domain: string }) => e.domain === name).map((e: { action: string }) => e.action),
    ).toEqual(["domain.check", "domain.connect"]);
    // Alice no longer sees it at all.
    expect((await alice.client.get(`/api/v1/domains/${name}`)).statusCode).toBe(404);
  });
});

describe("sign-in with a mailbox address", () => {
  it("explains that an address on a domain hosted here is a mailbox, not a service account", async () => {
    const { client } = await newAccount();
    const name = await ownDomain(client);
    const hosted = await new Client(t).post("/api/v1/session", {
      login: `bob@${name.toUpperCase()}`,
      password: GOOD_PASSWORD,
    });
    expect(hosted.statusCode).toBe(401);
    expect(hosted.json().code).toBe("MAILBOX_ADDRESS_NOT_ACCOUNT");
    expect(hosted.json().detail).toContain("mailbox of a domain hosted here");
    expect(hosted.json().detail).toContain(`@${SERVICE_DOMAIN}`);
    const elsewhere = await new Client(t).post("/api/v1/session", {
      login: `bob@${uniqueDomain()}`,
      password: GOOD_PASSWORD,
    });
    expect(elsewhere.json().code).toBe("MAILBOX_ADDRESS_NOT_ACCOUNT");
    expect(elsewhere.json().detail).not.toContain("hosted here");
  });
});
