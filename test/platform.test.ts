import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { clientLimitKey } from "../src/lib/client-address.js";
import { HOUR, MINUTE } from "../src/lib/clock.js";
import { Client, createTestApp, GOOD_PASSWORD, registerAccount } from "./helpers/app.js";
import { migrateTestDatabase } from "./helpers/database.js";

describe("operations endpoints", async () => {
  const t = await createTestApp();

  it("answers health, readiness and Prometheus metrics", async () => {
    expect((await t.app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await t.app.inject({ url: "/readyz" })).json()).toEqual({ status: "ready" });
    const metrics = await t.app.inject({ url: "/metrics" });
    expect(metrics.headers["content-type"]).toContain("text/plain");
    expect(metrics.body).toContain('mfd_http_requests_total{method="GET",route="/healthz",status="200"}');
  });

  it("answers an unknown API path with a problem document, not the console", async () => {
    const response = await t.app.inject({ url: "/api/v1/nothing-here" });
    expect(response.statusCode).toBe(404);
    expect(response.headers["content-type"]).toContain("application/problem+json");
    expect(response.json().code).toBe("ROUTE_NOT_FOUND");
  });
});

describe("rate limits and client addresses", async () => {
  const t = await createTestApp();
  const { login } = await registerAccount(t);

  it("limits sign-ins per address with 429 and Retry-After, and a new window lets the address in again", async () => {
    const client = new Client(t, "192.0.2.77");
    let limited = null;
    for (let i = 0; i < 70 && !limited; i++) {
      // A new login each time: one login's failures are throttled on their own, before this limit.
      const response = await client.post("/api/v1/session", {
        login: `nobody-${i}`,
        password: "whatever password",
      });
      if (response.statusCode === 429) limited = response;
    }
    expect(limited?.json().code).toBe("RATE_LIMITED");
    expect(Number(limited?.headers["retry-after"])).toBeGreaterThan(0);
    // Another address is not affected.
    expect(
      (await new Client(t, "192.0.2.78").post("/api/v1/session", { login, password: GOOD_PASSWORD }))
        .statusCode,
    ).toBe(200);
    t.clock.advance(MINUTE);
    expect((await client.post("/api/v1/session", { login, password: GOOD_PASSWORD })).statusCode).toBe(200);
  });

  it("limits registrations and restore-access code checks per address with 429 and Retry-After", async () => {
    const registering = new Client(t, "192.0.2.81");
    const register = (i: number) =>
      registering.post("/api/v1/accounts", {
        login: `limited${i}`,
        password: GOOD_PASSWORD,
        firstName: "R",
        lastName: "L",
      });
    for (let i = 0; i < 20; i++) expect((await register(i)).statusCode).toBe(201);
    const refused = await register(20);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(
      await t.db.selectFrom("accounts").select("id").where("login", "=", "limited20").executeTakeFirst(),
    ).toBe(undefined);

    const guessing = new Client(t, "192.0.2.82");
    const guess = () => guessing.post("/api/v1/recovery/verify", { flowId: "no-such-flow", code: "123456" });
    for (let i = 0; i < 30; i++) expect((await guess()).statusCode).toBe(400);
    const limited = await guess();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    await guess();

    // Each limit's refusals are an audit event with the address, once per window (not per request).
    const refusals = await t.db
      .selectFrom("auditEvents")
      .select(["ip", "details"])
      .where("action", "=", "request.rate-limited")
      .where("ip", "in", ["192.0.2.81", "192.0.2.82"])
      .orderBy("ip")
      .execute();
    expect(refusals.map((r) => [r.ip, JSON.parse(r.details ?? "{}").limit])).toEqual([
      ["192.0.2.81", "register"],
      ["192.0.2.82", "recovery-verify"],
    ]);
  });

  let fresh = 0;
  it.each([
    ["sign-in", "/api/v1/session", { login: "nobody-at-all", password: "whatever password" }, MINUTE, 20_000],
    [
      "register",
      "/api/v1/accounts",
      { login: "globally", password: GOOD_PASSWORD, firstName: "G", lastName: "L" },
      HOUR,
      2000,
    ],
  ])("has a global %s limit that a new address does not escape", async (name, url, body, windowMs, max) => {
    const now = t.clock.now();
    await t.db
      .insertInto("rateLimits")
      .values({ key: `${name}:global`, windowStart: now - (now % windowMs), count: max })
      .onConflict((oc) => oc.columns(["key", "windowStart"]).doUpdateSet({ count: max }))
      .execute();
    const res = await new Client(t, `192.0.2.${100 + ++fresh}`).post(url, body);
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe("RATE_LIMITED");
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    t.clock.advance(windowMs); // a new window, so the next test is not limited
  });

  it("counts the addresses of one IPv6 /64 as one client, and an IPv4-mapped address as its IPv4", async () => {
    const verify = (ip: string) =>
      new Client(t, ip).post("/api/v1/recovery/verify", { flowId: "no-such-flow", code: "123456" });
    // Rotating the host part inside one /64 (what every IPv6 client can do) shares the limit.
    for (let i = 0; i < 30; i++)
      expect((await verify(`2001:db8:7:7::${(i + 1).toString(16)}`)).statusCode).toBe(400);
    const sameNetwork = await verify("2001:db8:7:7:ffff:eeee:dddd:cccc");
    expect(sameNetwork.statusCode).toBe(429);
    expect(sameNetwork.json().code).toBe("RATE_LIMITED");
    // The next /64 is another client.
    expect((await verify("2001:db8:7:8::1")).statusCode).toBe(400);
    // ::ffff:a.b.c.d is the IPv4 client a.b.c.d, whichever form the socket reports.
    for (let i = 0; i < 30; i++) expect((await verify("::ffff:192.0.2.150")).statusCode).toBe(400);
    expect((await verify("192.0.2.150")).statusCode).toBe(429);
    expect((await verify("192.0.2.151")).statusCode).toBe(400);
  });

  it("keys sign-in limits by the /64 as well", async () => {
    const signIn = (ip: string, i: number) =>
      new Client(t, ip).post("/api/v1/session", { login: `nobody-${i}`, password: "whatever password" });
    let limited = null;
    for (let i = 0; i < 70 && !limited; i++) {
      const response = await signIn(`2001:db8:9:9:${(i + 1).toString(16)}::1`, i);
      if (response.statusCode === 429) limited = response;
    }
    expect(limited?.json().code).toBe("RATE_LIMITED");
    expect(
      (await new Client(t, "2001:db8:9:a::1").post("/api/v1/session", { login, password: GOOD_PASSWORD }))
        .statusCode,
    ).toBe(200);
    t.clock.advance(MINUTE);
  });

  it("derives one canonical limit key per client network", () => {
    expect(clientLimitKey("192.0.2.1", 64)).toBe("192.0.2.1");
    expect(clientLimitKey("::ffff:192.0.2.1", 64)).toBe("192.0.2.1");
    expect(clientLimitKey("::FFFF:c000:0201", 64)).toBe("192.0.2.1");
    expect(clientLimitKey("2001:DB8:0:0:1:2:3:4", 64)).toBe("2001:db8::/64");
    expect(clientLimitKey("2001:db8::ffff:1", 64)).toBe("2001:db8::/64");
    expect(clientLimitKey("fe80::1%eth0", 64)).toBe("fe80::/64");
    expect(clientLimitKey("2001:db8:1:2:3::1", 48)).toBe("2001:db8:1::/48");
    expect(clientLimitKey("2001:db8:1:2:3::1", 128)).toBe("2001:db8:1:2:3::1/128");
    expect(clientLimitKey("2001:db8:1:2:3::1", 60)).toBe("2001:db8:1::/60");
    expect(clientLimitKey(null, 64)).toBe("unknown");
  });

  it("ignores X-Forwarded-For unless the proxy is trusted", async () => {
    const untrusted = await new Client(t, "192.0.2.90").post(
      "/api/v1/session",
      { login, password: GOOD_PASSWORD },
      { "x-forwarded-for": "198.51.100.1" },
    );
    expect(untrusted.statusCode).toBe(200);
    const sessions = await t.db.selectFrom("sessions").select("ip").execute();
    expect(sessions.map((s) => s.ip)).toContain("192.0.2.90");
    expect(sessions.map((s) => s.ip)).not.toContain("198.51.100.1");

    const proxied = await createTestApp({ MFD_TRUSTED_PROXY: "192.0.2.90" });
    const { login: other } = await registerAccount(proxied);
    await new Client(proxied, "192.0.2.90").post(
      "/api/v1/session",
      { login: other, password: GOOD_PASSWORD },
      { "x-forwarded-for": "198.51.100.1" },
    );
    const proxiedIps = (await proxied.db.selectFrom("sessions").select("ip").execute()).map((s) => s.ip);
    expect(proxiedIps).toContain("198.51.100.1");
  });
});

describe("database", async () => {
  const t = await createTestApp();

  it("keeps the audit log append-only in the database itself", async () => {
    await registerAccount(t);
    await expect(sql`update audit_events set action = 'forged'`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it("migrating again changes nothing", async () => {
    // Another test file may drop its schema meanwhile; Kysely reads them all (see migrateTestDatabase).
    expect(await migrateTestDatabase(t.deps.database)).toEqual([]);
  });
});
