import { describe, expect, it } from "vitest";
import {
  type Client,
  createTestApp,
  GOOD_PASSWORD,
  lastCodeTo,
  registerAccount,
} from "../../test/helpers/app.js";
import { REAUTH_WINDOW_MS } from "../access/access.js";
import { totpAt } from "../credentials/totp.js";

/** What every bad request to the settings endpoints answers, and that it changes nothing. */
const t = await createTestApp();

interface Route {
  method: "POST" | "PUT" | "PATCH";
  url: string;
  body: Record<string, string>;
  /** A string field of the body to break. */
  field: string;
}

const BODY_ROUTES: Route[] = [
  {
    method: "POST",
    url: "/api/v1/session/reauthenticate",
    body: { password: GOOD_PASSWORD },
    field: "password",
  },
  {
    method: "PUT",
    url: "/api/v1/account/password",
    body: { currentPassword: GOOD_PASSWORD, newPassword: "a fresh long passphrase 1" },
    field: "newPassword",
  },
  { method: "PATCH", url: "/api/v1/account/profile", body: { firstName: "Bob" }, field: "firstName" },
  {
    method: "PUT",
    url: "/api/v1/account/security-question",
    body: { question: "first-pet", answer: "Rex" },
    field: "answer",
  },
  { method: "POST", url: "/api/v1/account/phone", body: { phone: "+79168000001" }, field: "phone" },
  { method: "POST", url: "/api/v1/account/phone/confirm", body: { code: "123456" }, field: "code" },
  {
    method: "POST",
    url: "/api/v1/account/recovery-email",
    body: { email: "new@example.org" },
    field: "email",
  },
  { method: "POST", url: "/api/v1/account/recovery-email/confirm", body: { code: "123456" }, field: "code" },
  { method: "POST", url: "/api/v1/account/two-factor/enable", body: { code: "123456" }, field: "code" },
  {
    method: "POST",
    url: "/api/v1/account/two-factor/disable",
    body: { code: "123456", password: "a password of some length" },
    // `code` may give way to `recoveryCode`; the password is always required.
    field: "password",
  },
];

/** Everything a request could have changed. */
async function snapshot() {
  const tables = [
    "accounts",
    "sessions",
    "verificationCodes",
    "outbox",
    "auditEvents",
    "rateLimits",
  ] as const;
  const rows = await Promise.all(tables.map((table) => t.db.selectFrom(table).selectAll().execute()));
  return Object.fromEntries(tables.map((table, i) => [table, rows[i]]));
}

function send(
  client: Client,
  route: Pick<Route, "method" | "url">,
  payload: string,
  contentType = "application/json",
) {
  return t.app.inject({
    method: route.method,
    url: route.url,
    remoteAddress: client.ip,
    headers: {
      cookie: `mfd_session=${client.cookie}`,
      "x-csrf-token": client.csrf ?? "",
      "content-type": contentType,
    },
    payload,
  });
}

const { client } = await registerAccount(t, { phone: "+79168000002" }, "10.4.0.1");
// A pending code makes the confirm routes reach their checks if validation ever let a body through.
await lastCodeTo(t, "+79168000002");

describe.each(BODY_ROUTES)("$method $url with bad input", (route) => {
  const without = (field: string) =>
    Object.fromEntries(Object.entries(route.body).filter(([k]) => k !== field));
  const json = (body: unknown) => JSON.stringify(body);
  const cases = [
    { name: "malformed JSON", payload: `{"${route.field}": `, status: 400, code: "MALFORMED_BODY" },
    { name: "an array instead of an object", payload: "[]", status: 400, code: "VALIDATION_FAILED" },
    {
      name: "an unknown field",
      payload: json({ ...route.body, isSupportAgent: true }),
      status: 400,
      code: "UNKNOWN_FIELD",
    },
    {
      name: "an oversized string",
      payload: json({ ...route.body, [route.field]: "9".repeat(2000) }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "a number for a string",
      payload: json({ ...route.body, [route.field]: 123456 }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "a wrong type",
      payload: json({ ...route.body, [route.field]: { $ne: null } }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "a body over 64 KiB",
      payload: json({ ...route.body, pad: "x".repeat(70_000) }),
      status: 413,
      code: "BODY_TOO_LARGE",
    },
    // What a cross-site form can send without a preflight: parsed as text, so never an object.
    {
      name: "a text body",
      payload: `${route.field}=x`,
      status: 400,
      code: "VALIDATION_FAILED",
      type: "text/plain",
    },
    {
      name: "an XML body",
      payload: "<x/>",
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      type: "application/xml",
    },
  ];
  if (route.url !== "/api/v1/account/profile") {
    cases.push({
      name: "a missing field",
      payload: json(without(route.field)),
      status: 400,
      code: "VALIDATION_FAILED",
    });
  }

  it.each(cases)(
    "answers $name with $status $code and changes nothing",
    async ({ payload, status, code, type }) => {
      const before = await snapshot();
      const res = await send(client, route, payload, type);
      expect(res.statusCode).toBe(status);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.json().code).toBe(code);
      expect(await snapshot()).toEqual(before);
    },
  );

  it("names the unknown and the missing field", async () => {
    const unknown = await send(client, route, JSON.stringify({ ...route.body, role: "admin" }));
    expect(unknown.json().field).toBe("role");
    if (route.url === "/api/v1/account/profile") return;
    const missing = await send(client, route, JSON.stringify(without(route.field)));
    expect(missing.json().field).toBe(route.field);
  });
});

describe("a session id that cannot be one", () => {
  it("is refused before any lookup", async () => {
    const before = await snapshot();
    const res = await client.delete(`/api/v1/account/sessions/${"a".repeat(65)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "VALIDATION_FAILED", field: "id" });
    expect(await snapshot()).toEqual(before);
  });
});

describe("re-authentication guard", () => {
  const REAUTH_ROUTES = [
    {
      method: "PUT",
      url: "/api/v1/account/security-question",
      body: { question: "first-pet", answer: "Rex" },
    },
    { method: "POST", url: "/api/v1/account/phone", body: { phone: "+79168000003" } },
    { method: "DELETE", url: "/api/v1/account/phone" },
    { method: "POST", url: "/api/v1/account/recovery-email", body: { email: "other@example.org" } },
    { method: "DELETE", url: "/api/v1/account/recovery-email" },
    { method: "POST", url: "/api/v1/account/two-factor/setup" },
    {
      method: "POST",
      url: "/api/v1/account/two-factor/disable",
      body: { code: "000000", password: "a password of some length" },
    },
  ] as const;

  it("refuses every sensitive change 10 minutes after the password was entered, changing nothing", async () => {
    const email = "owner@example.org";
    const phone = "+79168000004";
    const owner = await registerAccount(t, { phone, recoveryEmail: email }, "10.4.0.2");
    await owner.client.post("/api/v1/account/phone/confirm", { code: await lastCodeTo(t, phone) });
    await owner.client.post("/api/v1/account/recovery-email/confirm", { code: await lastCodeTo(t, email) });
    const { secret } = (await owner.client.post("/api/v1/account/two-factor/setup")).json();
    await owner.client.post("/api/v1/account/two-factor/enable", { code: totpAt(secret, t.clock.now()) });

    t.clock.advance(REAUTH_WINDOW_MS + 1);
    await owner.client.get("/api/v1/account"); // the session's last-seen time moves here, not below
    const before = await snapshot();
    for (const route of REAUTH_ROUTES) {
      const body = "body" in route ? route.body : undefined;
      const res = await owner.client.request(route.method, route.url, body);
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
      expect(res.json().code).toBe("REAUTH_REQUIRED");
    }
    expect(await snapshot()).toEqual(before);
    // Changes that do not need it still work.
    expect((await owner.client.patch("/api/v1/account/profile", { firstName: "Alicia" })).statusCode).toBe(
      200,
    );
  });
});
