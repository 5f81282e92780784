import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrate } from "../src/db/migrate.js";
import { MINUTE } from "../src/lib/clock.js";
import { Client, createTestApp, GOOD_PASSWORD, registerAccount } from "./helpers/app.js";

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
      const response = await client.post("/api/v1/session", {
        login: "nobody-at-all",
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
    expect(await migrate(t.deps.database)).toEqual([]);
  });
});
