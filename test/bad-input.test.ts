import { describe, expect, it } from "vitest";
import { createTestApp, registerAccount } from "./helpers/app.js";
import { confirmedDomain } from "./helpers/domains.js";
import { supportAgent } from "./helpers/support.js";

/**
 * docs/SECURITY.md §44 and the "bad input" rule, for every route the OpenAPI document lists:
 * malformed, oversized, missing, extra and mistyped input gets a 4xx problem document with a code,
 * never a 5xx, and changes nothing.
 */
const t = await createTestApp();
// A support agent in a two-factor session: every route, the agent desk's too, reaches its validation.
const { client } = await supportAgent(t);
const spec = (await t.app.inject({ url: "/api/v1/openapi.json" })).json();

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[] };
type Parameter = { name: string; in: string };
const operations: Array<{ method: string; path: string; body: Schema | null; parameters: Parameter[] }> = [];
for (const [path, methods] of Object.entries(
  spec.paths as Record<
    string,
    Record<
      string,
      { requestBody?: { content: Record<string, { schema: Schema }> }; parameters?: Parameter[] }
    >
  >,
)) {
  for (const [method, op] of Object.entries(methods)) {
    operations.push({
      method: method.toUpperCase(),
      path,
      body: op.requestBody?.content["application/json"]?.schema ?? null,
      parameters: op.parameters ?? [],
    });
  }
}
const url = (path: string) => path.replace(/\{[^}]+\}/g, "example.org");

// Tables whose rows a rejected request must not change (rate-limit windows may count the attempt).
const TABLES = ["accounts", "sessions", "verificationCodes", "outbox", "auditEvents"] as const;
async function snapshot() {
  const counts: Record<string, unknown> = {};
  for (const table of TABLES)
    counts[table] = (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirst()
    )?.n;
  return JSON.stringify(counts);
}

const wrongValue = (schema: Schema | undefined): unknown => {
  const type = [schema?.type].flat()[0];
  if (type === "string") return 12345;
  if (type === "integer" || type === "number") return "not a number";
  if (type === "boolean") return "yes";
  if (type === "array") return { not: "an array" };
  return 42;
};

// JSON nested thousands deep (a few kilobytes) must not reach recursive code; 33 levels is one too many.
const DEEP_OBJECT = `${'{"a":'.repeat(8000)}1${"}".repeat(8000)}`;
const DEEP_ARRAY = `{"login":${"[".repeat(20000)}${"]".repeat(20000)}}`;
const JUST_TOO_DEEP = `${'{"a":'.repeat(33)}1${"}".repeat(33)}`;

function expectProblem(response: Awaited<ReturnType<typeof client.post>>, label: string) {
  expect(response.statusCode, `${label}: ${response.body}`).toBeGreaterThanOrEqual(400);
  expect(response.statusCode, `${label}: ${response.body}`).toBeLessThan(500);
  expect(response.headers["content-type"], label).toContain("application/problem+json");
  expect(typeof response.json().code, label).toBe("string");
}

describe("every route with a body refuses bad input", () => {
  const withBody = operations.filter((op) => op.body);
  it("lists the routes it checks", () => {
    expect(withBody.length).toBeGreaterThanOrEqual(2);
  });

  for (const op of withBody) {
    it(`${op.method} ${op.path}`, async () => {
      const before = await snapshot();
      const send = (payload: string, contentType = "application/json") =>
        t.app.inject({
          method: op.method as "POST",
          url: url(op.path),
          payload,
          remoteAddress: client.ip,
          headers: {
            "content-type": contentType,
            cookie: `mfd_session=${client.cookie}`,
            "x-csrf-token": client.csrf ?? "",
          },
        });
      expectProblem(await send("{not json"), "malformed JSON");
      expectProblem(await send("[]"), "array body");
      expectProblem(await send('"text"'), "string body");
      expectProblem(
        await send(JSON.stringify({ ownerId: "x", role: "owner", confirmed: true })),
        "unknown fields",
      );
      expectProblem(await send(JSON.stringify({ big: "x".repeat(70 * 1024) })), "oversized body");
      expectProblem(await send("a=b", "text/plain"), "wrong content type");
      for (const deep of [DEEP_OBJECT, DEEP_ARRAY, JUST_TOO_DEEP]) {
        const response = await send(deep);
        expectProblem(response, "deeply nested JSON");
        expect(response.json().code, "deeply nested JSON").toBe("BODY_TOO_DEEP");
      }
      for (const [name, property] of Object.entries(op.body?.properties ?? {})) {
        expectProblem(await send(JSON.stringify({ [name]: wrongValue(property) })), `wrong type of ${name}`);
        if ([property.type].flat()[0] === "string") {
          expectProblem(await send(JSON.stringify({ [name]: "x".repeat(5000) })), `overlong ${name}`);
        }
      }
      expect(await snapshot()).toBe(before);
    });
  }
});

/** Values no path segment or query parameter should ever turn into a 5xx. */
const HOSTILE = [
  "%00",
  "..%2F..%2Fetc%2Fpasswd",
  "%E0%A4%A",
  encodeURIComponent("💥'; DROP TABLE accounts; --"),
  "-1",
  "1e309",
  "NaN",
  "%5B%5D",
  "null",
  "xn--",
  "a".repeat(190),
  encodeURIComponent("ä".repeat(80)),
  "%20",
];

describe("every route refuses hostile path and query parameters", async () => {
  // A real domain with a mailbox, so domain-scoped routes get past the ownership check and the
  // fuzzed value reaches the service.
  const owner = await registerAccount(t, {}, "198.51.100.44");
  const domain = await confirmedDomain(t, owner.accountId);
  const created = await owner.client.post(`/api/v1/domains/${domain.name}/mailboxes`, {
    login: "realbox",
    password: "winter orchard lantern 58",
  });
  expect(created.statusCode, created.body).toBe(201);
  const fuzzable = operations.filter(
    (op) => (op.method === "GET" || (op.method === "DELETE" && !op.body)) && op.parameters.length > 0,
  );

  it("lists the routes it checks", () => {
    expect(fuzzable.length).toBeGreaterThanOrEqual(5);
  });

  for (const op of fuzzable) {
    it(`${op.method} ${op.path}`, async () => {
      const before = await snapshot();
      const pathParams = op.parameters.filter((p) => p.in === "path").map((p) => p.name);
      const queryParams = op.parameters.filter((p) => p.in === "query").map((p) => p.name);
      const base = (fuzzed: string | null, value: string) =>
        op.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
          name === fuzzed ? value : name === "name" || name === "domain" ? domain.name : "realbox",
        );
      const send = (target: string) =>
        t.app.inject({
          method: op.method as "GET",
          url: target,
          remoteAddress: owner.client.ip,
          headers: { cookie: `mfd_session=${owner.client.cookie}`, "x-csrf-token": owner.client.csrf ?? "" },
        });
      for (const value of HOSTILE) {
        for (const name of pathParams) {
          const response = await send(base(name, value));
          expect(response.statusCode, `${name}=${value}: ${response.body}`).toBeLessThan(500);
        }
        for (const name of queryParams) {
          const response = await send(`${base(null, "")}?${name}=${value}`);
          expect(response.statusCode, `?${name}=${value}: ${response.body}`).toBeLessThan(500);
          if (response.statusCode >= 400)
            expect(response.headers["content-type"]).toContain("application/problem+json");
        }
      }
      expect(await snapshot()).toBe(before);
    });
  }
});

it("refuses a NUL character anywhere in a body, naming the field, and creates nothing", async () => {
  const before = await snapshot();
  const response = await t.app.inject({
    method: "POST",
    url: "/api/v1/accounts",
    remoteAddress: "198.51.100.45",
    headers: { "content-type": "application/json" },
    payload: JSON.stringify({
      login: "nul-user",
      password: "a long enough passphrase 7",
      firstName: "Ni\u0000na",
      lastName: "User",
    }),
  });
  expect(response.statusCode).toBe(400);
  expect(response.json()).toMatchObject({ code: "VALIDATION_FAILED", field: "firstName" });
  expect(await snapshot()).toBe(before);
});
