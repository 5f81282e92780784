import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import Fastify from "fastify";
import { sql } from "kysely";
import { describe, expect, it, vi } from "vitest";
import { authorizeRoute, type RouteAccess } from "../src/access/access.js";
import { TOKEN_PERMISSIONS } from "../src/access/actor.js";
import { setDeviceCookie, setSessionCookie } from "../src/accounts/session-cookie.js";
import { AppError } from "../src/lib/errors.js";
import { sha256 } from "../src/lib/random.js";
import { Client, createTestApp, GOOD_PASSWORD, PUBLIC_URL, registerAccount } from "./helpers/app.js";
import { tableNames } from "./helpers/database.js";
import { confirmedDomain } from "./helpers/domains.js";

/** Browser-facing protections (docs/SECURITY.md §13, §16, §17, §21). */
const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.5.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;

async function firstName(client: Client): Promise<string> {
  return (await client.get("/api/v1/account")).json().firstName;
}

describe("cross-site request forgery", () => {
  /** A signed-in browser request to change the name, with the given extra headers. */
  async function rename(client: Client, headers: Record<string, string | undefined>) {
    const sent: Record<string, string> = {
      cookie: `mfd_session=${client.cookie}`,
      "content-type": "application/json",
    };
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) sent[name] = value;
    return t.app.inject({
      method: "PATCH",
      url: "/api/v1/account/profile",
      remoteAddress: client.ip,
      headers: sent,
      payload: JSON.stringify({ firstName: "Mallory" }),
    });
  }

  it.each([
    ["without the anti-CSRF token", {}],
    ["with a wrong anti-CSRF token", { "x-csrf-token": "guessed" }],
    ["from a foreign Origin", { origin: "https://evil.example", "x-csrf-token": "from-client" }],
    ["marked Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site", "x-csrf-token": "from-client" }],
  ])("refuses a cookie-session change %s, changing nothing", async (_name, extra: Record<string, string>) => {
    const { client } = await registerAccount(t, {}, nextIp());
    const headers = { ...extra };
    if (headers["x-csrf-token"] === "from-client") headers["x-csrf-token"] = client.csrf ?? "";
    const res = await rename(client, headers);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("CSRF_REJECTED");
    expect(await firstName(client)).toBe("Alice");
  });

  it("accepts the same change from the console: our Origin, same-origin fetch, the token", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const res = await rename(client, {
      origin: PUBLIC_URL,
      "sec-fetch-site": "same-origin",
      "x-csrf-token": client.csrf ?? undefined,
    });
    expect(res.statusCode).toBe(200);
    expect(await firstName(client)).toBe("Mallory");
  });

  it("refuses a sign-in posted from another site (login CSRF) without starting a session", async () => {
    const { login } = await registerAccount(t, {}, nextIp());
    const res = await new Client(t, nextIp()).post(
      "/api/v1/session",
      { login, password: GOOD_PASSWORD },
      { origin: "https://evil.example" },
    );
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("CSRF_REJECTED");
    expect(res.cookies.find((c) => c.name === "mfd_session")).toBeUndefined();
  });
});

describe("API tokens and account settings", () => {
  it("never lets a token reach an account:* route, whatever permissions it holds", () => {
    const token = {
      kind: "token" as const,
      accountId: "a",
      tokenId: "t",
      permissions: TOKEN_PERMISSIONS,
      domains: null,
      issuedAt: 0,
    };
    const accountRoutes = t.routes.filter((r) => {
      const access = r.access as RouteAccess;
      return "permission" in access && access.permission.startsWith("account:");
    });
    // The settings endpoints are among them (so this test cannot pass on an empty list).
    const urls = accountRoutes.map((r) => `${r.method} ${r.url}`);
    for (const expected of [
      "PUT /api/v1/account/password",
      "POST /api/v1/account/two-factor/disable",
      "DELETE /api/v1/account/sessions/:id",
      "GET /api/v1/account/events",
      "POST /api/v1/session/reauthenticate",
    ]) {
      expect(urls).toContain(expected);
    }
    for (const route of accountRoutes) {
      let refusal: unknown = null;
      try {
        authorizeRoute(token, route.access as RouteAccess, Date.now());
      } catch (error) {
        refusal = error;
      }
      expect(refusal, `${route.method} ${route.url}`).toBeInstanceOf(AppError);
      expect((refusal as AppError).code).toBe("TOKEN_NOT_ALLOWED");
    }
  });

  it("ignores a session cookie sent with a bearer token", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const res = await client.get("/api/v1/account/sessions", {
      authorization: "Bearer mfd_not_a_real_token",
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("UNAUTHENTICATED");
  });
});

describe("safe methods", () => {
  /** Every row of every table, but the rate-limit windows and the sessions' last-seen times. */
  async function everything() {
    const tables = await tableNames(t.db);
    const rows: Record<string, unknown[]> = {};
    for (const name of tables) {
      if (name === "rate_limits" || name.startsWith("kysely_")) continue;
      const result = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(t.db);
      rows[name] = result.rows.map(({ last_seen_at: _seen, lastSeenAt: _seen2, ...row }) => row);
    }
    return rows;
  }

  it("no GET route changes state, for the signed-in owner of a domain", async () => {
    const { client, accountId } = await registerAccount(t, {}, nextIp());
    const { name } = await confirmedDomain(t, accountId);
    const gets = t.routes.filter((r) => r.method === "GET" && r.url.startsWith("/api/"));
    expect(gets.length).toBeGreaterThan(10);
    const before = await everything();
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(["accounts", "sessions", "domains", "outbox"]),
    );
    const answered: number[] = [];
    for (const route of gets) {
      const url = route.url
        .replace(/:(name|domain)\b/g, name)
        .replace(/:[a-zA-Z]+/g, "x")
        .replace("*", "x");
      const res = await client.get(url);
      expect(res.statusCode, `GET ${url}`).toBeLessThan(500);
      answered.push(res.statusCode);
    }
    expect(answered.filter((status) => status === 200).length).toBeGreaterThan(10);
    expect(await everything()).toEqual(before);
  });
});

describe("unexpected errors", () => {
  it("answer a generic problem without the message or a stack trace", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const spy = vi
      .spyOn(t.services.sessions, "resolve")
      .mockRejectedValueOnce(new Error("connection to db-internal.example:5432 lost at secret.ts:12"));
    const res = await client.get("/api/v1/account");
    spy.mockRestore();
    expect(res.statusCode).toBe(500);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toEqual({
      type: "urn:mfd:error:INTERNAL",
      title: expect.any(String),
      status: 500,
      code: "INTERNAL",
    });
    expect(res.body).not.toMatch(/db-internal|secret\.ts|at .*:\d+/);
    expect((await client.get("/api/v1/account")).statusCode).toBe(200);
  });
});

describe("security headers", () => {
  it("sends CSP with frame-ancestors 'none', nosniff, a referrer policy and no-store on API answers", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    for (const res of [await client.get("/api/v1/account"), await new Client(t).get("/api/v1/account")]) {
      expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["cache-control"]).toBe("no-store");
    }
  });

  /** The security headers @fastify/helmet sent with the options mfd gave it until issue 13. */
  async function helmetHeaders(publicUrl: string): Promise<Record<string, unknown>> {
    const helmeted = Fastify();
    await helmeted.register(fastifyHelmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
      referrerPolicy: { policy: "no-referrer" },
      strictTransportSecurity: publicUrl.startsWith("https://"),
    });
    helmeted.get("/", async () => ({}));
    return securityPart((await helmeted.inject({ url: "/" })).headers);
  }
  /** An answer's headers without those about the answer itself. */
  const securityPart = (headers: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(headers).filter(
        ([name]) =>
          ![
            "content-type",
            "content-length",
            "date",
            "connection",
            "cache-control",
            "set-cookie",
            "allow",
          ].includes(name),
      ),
    );

  it("are, on answers, refusals and errors alike, exactly those helmet sent, HSTS only on https", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const expected = await helmetHeaders(PUBLIC_URL);
    expect(expected["content-security-policy"]).toContain("frame-ancestors 'none'");
    const answers = [
      await client.get("/api/v1/account"),
      await new Client(t).get("/api/v1/account"),
      await t.app.inject({ url: "/api/v1/nothing-here" }),
      await t.app.inject({ method: "DELETE", url: "/api/v1/account" }),
      await t.app.inject({ url: "/healthz" }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 401, 404, 405, 200]);
    for (const answer of answers) expect(securityPart(answer.headers)).toEqual(expected);
    expect(expected["strict-transport-security"]).toBeUndefined();

    const https = await createTestApp({ MFD_PUBLIC_URL: "https://mfd.example" });
    const secure = await https.app.inject({ url: "/healthz" });
    expect(securityPart(secure.headers)).toEqual(await helmetHeaders("https://mfd.example"));
    expect(secure.headers["strict-transport-security"]).toContain("max-age=");
  });
});

describe("the session cookie", () => {
  it("is HttpOnly and SameSite=Lax, and not Secure only in plain local development", async () => {
    const res = await new Client(t, nextIp()).post("/api/v1/accounts", {
      login: `cookie${++seq}`,
      password: GOOD_PASSWORD,
      firstName: "C",
      lastName: "K",
    });
    const cookie = res.cookies.find((c) => c.name === "mfd_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    expect(cookie?.secure).toBeFalsy();
    expect(cookie?.value.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits, base64url
  });

  it("sets a readable session hint beside the session, and takes it away with the session", async () => {
    const res = await new Client(t, nextIp()).post("/api/v1/accounts", {
      login: `hint${++seq}`,
      password: GOOD_PASSWORD,
      firstName: "H",
      lastName: "T",
    });
    const hint = res.cookies.find((c) => c.name === "mfd_signed_in");
    expect(hint).toMatchObject({ value: "1", sameSite: "Lax", path: "/" });
    expect(hint?.httpOnly).toBeFalsy();
    // A hint without a live session is taken away on the next request (an expired session).
    const stale = await t.app.inject({ url: "/api/v1/security-questions", cookies: { mfd_signed_in: "1" } });
    expect(stale.cookies.find((c) => c.name === "mfd_signed_in")?.value).toBe("");
    // Sign-out takes it away too.
    const { client } = await registerAccount(t, {}, nextIp());
    const out = await client.delete("/api/v1/session");
    expect(out.cookies.find((c) => c.name === "mfd_signed_in")?.value).toBe("");
  });

  it("is stored only as its hash, and a sign-in always starts a new one (no session fixation)", async () => {
    const attacker = await registerAccount(t, {}, nextIp());
    const victim = await registerAccount(t, {}, nextIp());
    const sessions = await t.db.selectFrom("sessions").selectAll().execute();
    expect(JSON.stringify(sessions)).not.toContain(attacker.client.cookie);
    expect(sessions.map((s) => s.tokenHash)).toContain(sha256(attacker.client.cookie as string));

    // The victim's browser carries a cookie the attacker planted, then signs in.
    const browser = new Client(t, nextIp());
    browser.cookie = attacker.client.cookie;
    browser.csrf = attacker.client.csrf;
    const res = await browser.post("/api/v1/session", { login: victim.login, password: GOOD_PASSWORD });
    expect(res.statusCode).toBe(200);
    expect(browser.cookie).not.toBe(attacker.client.cookie);
    expect((await browser.get("/api/v1/account")).json().login).toBe(victim.login);
    expect((await attacker.client.get("/api/v1/account")).json().login).toBe(attacker.login);
  });

  it.each([
    ["served over HTTPS in development", { dev: true, publicUrl: "https://mfd.example.net" }],
    ["in production", { dev: false, publicUrl: "http://mfd.example.net" }],
  ])("is Secure when %s", async (_name, settings) => {
    // A bare Fastify with the cookie helper: the setting is a pure function of the configuration.
    const app = Fastify();
    await app.register(fastifyCookie);
    app.get("/", async (_request, reply) => {
      setSessionCookie(reply, { ...t.config, ...settings }, "value");
      return {};
    });
    const res = await app.inject("/");
    await app.close();
    expect(res.cookies.find((c) => c.name === "mfd_session")).toMatchObject({ secure: true, httpOnly: true });
  });
});

describe("the device cookie", () => {
  it("is HttpOnly, SameSite=Lax, sent only to the API, lives a year and is stored only as its hash", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const res = await client.post("/api/v1/session", {
      login: (await client.get("/api/v1/account")).json().login,
      password: GOOD_PASSWORD,
    });
    // A browser already recognised keeps its cookie; a new one gets its own.
    expect(res.cookies.find((c) => c.name === "mfd_device")).toBeUndefined();
    const fresh = await new Client(t, nextIp()).post("/api/v1/accounts", {
      login: `device${++seq}`,
      password: GOOD_PASSWORD,
      firstName: "D",
      lastName: "V",
    });
    const cookie = fresh.cookies.find((c) => c.name === "mfd_device");
    expect(cookie).toMatchObject({
      httpOnly: true,
      sameSite: "Lax",
      path: "/api/v1",
      maxAge: 365 * 24 * 3600,
    });
    expect(cookie?.secure).toBeFalsy();
    expect(cookie?.value.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits, base64url
    const devices = await t.db.selectFrom("signInDevices").selectAll().execute();
    expect(JSON.stringify(devices)).not.toContain(cookie?.value);
    expect(devices.map((d) => d.tokenHash)).toContain(sha256(cookie?.value as string));
  });

  it("is Secure in production", async () => {
    const app = Fastify();
    await app.register(fastifyCookie);
    app.get("/", async (_request, reply) => {
      setDeviceCookie(reply, { ...t.config, dev: false, publicUrl: "http://mfd.example.net" }, "value");
      return {};
    });
    const res = await app.inject("/");
    await app.close();
    expect(res.cookies.find((c) => c.name === "mfd_device")).toMatchObject({ secure: true, httpOnly: true });
  });
});
