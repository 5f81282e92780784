import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { LightMyRequestResponse } from "fastify";
import { describe, expect, it } from "vitest";
import { type Permission, type RequestContext, TOKEN_PERMISSIONS } from "../src/access/actor.js";
import { SECURITY_QUESTIONS } from "../src/credentials/security-questions.js";
import { totpAt } from "../src/credentials/totp.js";
import { ERRORS, type ErrorCode } from "../src/lib/errors.js";
import { newId, sha256 } from "../src/lib/random.js";
import { createDomainWorld } from "./dns/fixtures.js";
import { GOOD_PASSWORD, lastCodeTo, registerAccount, uniqueLogin } from "./helpers/app.js";
import { confirmedDomain, uniqueDomain } from "./helpers/domains.js";

/**
 * The authorization matrix (docs/SECURITY.md §22–26): every route × every actor, as data, run as real
 * requests (app.inject with real sessions and real API tokens). A route the app registers without
 * a row here fails the test, and so does a row for a route that no longer exists.
 *
 * Actors, in the order of every row:
 *   visitor   no credentials
 *   other     a signed-in account with no role on the test domain
 *   deputy    an additional administrator of the test domain (DNS granted, domain delegated)
 *   owner     the test domain's owner
 *   agent     a support agent (accounts.is_support_agent = 1) with no role on the test domain, in a
 *             session that passed two-factor (what the agent desk asks)
 *   scoped    an API token of the owner, limited to the test domain, holding the permission the
 *             route asks for (all token permissions where the route asks for a session-only one)
 *   unscoped  an API token of the owner, limited to the test domain, holding every token
 *             permission except the route's (just domains:read where the route is session-only)
 * The operator acts through the CLI only; it has no HTTP route (test/cli.test.ts).
 *
 * Every account request runs in a fresh, just re-authenticated session, and every row builds the
 * objects its requests consume (a domain to disconnect, a token to revoke …), so the rows do not
 * depend on each other and a success in one never spoils another.
 */
const ACTORS = ["visitor", "other", "deputy", "owner", "agent", "scoped", "unscoped"] as const;
type ActorName = (typeof ACTORS)[number];
type AccountActor = "other" | "deputy" | "owner" | "agent";
/** An HTTP status, or an error code (which implies its status). */
type Outcome = number | ErrorCode;
type Outcomes = [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];

const { t } = await createDomainWorld();

let ipSeq = 0;
const nextIp = () => `10.77.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;
const register = () => registerAccount(t, {}, nextIp());

const owner = await register();
const deputy = await register();
const other = await register();
const agent = await register();
const signer = await register(); // signs in through the public sign-in row
const candidate = await register(); // added as a deputy by the owner's row
await t.db.updateTable("accounts").set({ isSupportAgent: 1 }).where("id", "=", agent.accountId).execute();
const ACCOUNTS: Record<AccountActor, { accountId: string; login: string }> = { other, deputy, owner, agent };

/** The test domain, delegated to us, with the deputy added (DNS granted) through the API. */
const domain = await confirmedDomain(t, owner.accountId, uniqueDomain(), { delegated: true });
const added = await owner.client.post(`/api/v1/domains/${domain.name}/deputies`, {
  login: deputy.login,
  dnsGranted: true,
});
expect(added.statusCode, added.body).toBe(201);
/** A pending claim of the owner (renew works on claims). */
const claimName = uniqueDomain();
expect((await owner.client.post("/api/v1/domains", { name: claimName })).statusCode).toBe(201);

const ctxOf = (accountId: string): RequestContext => ({
  actor: { kind: "account", accountId, sessionId: "matrix", reauthAt: t.clock.now(), isSupportAgent: false },
  ip: "203.0.113.99",
  userAgent: "authorization matrix",
  now: t.clock.now(),
});

/** A fresh session, re-authenticated just now, exactly as sign-in creates it. */
async function sessionHeaders(accountId: string): Promise<Record<string, string>> {
  // The agent desk admits only sessions that passed two-factor, as the agent's sign-in does.
  const session = await t.services.sessions.create(t.db, ctxOf(accountId), accountId, {
    twoFactor: accountId === agent.accountId,
  });
  return { cookie: `mfd_session=${session.token}`, "x-csrf-token": session.csrfToken };
}

const tokens = new Map<string, string>();
/** A real API token of the owner, limited to the test domain (created once per permission set). */
async function ownerToken(permissions: readonly Permission[]): Promise<string> {
  const key = [...permissions].sort().join(" ");
  const known = tokens.get(key);
  if (known) return known;
  const issued = await t.services.tokens.create(ctxOf(owner.accountId), {
    name: `matrix ${key}`,
    permissions,
    domains: [domain.name],
    expiresInDays: 365,
  });
  tokens.set(key, issued.token);
  return issued.token;
}

async function send(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: method as "GET",
    url,
    remoteAddress: nextIp(),
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

/** The owner's own request, to build the objects a row needs. */
async function asOwner(method: string, url: string, body?: unknown): Promise<LightMyRequestResponse> {
  const res = await send(method, url, await sessionHeaders(owner.accountId), body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res;
}

// ---- objects rows consume -----------------------------------------------------------------

/**
 * The deputy manages DNS only while the domain is delegated to us, and the check rows above
 * re-check delegation (the test internet does not delegate): set it again for the DNS rows.
 */
async function delegatedAgain(url: string): Promise<string> {
  await t.db.updateTable("domains").set({ delegated: 1 }).where("id", "=", domain.domainId).execute();
  return url;
}

let recordSeq = 0;
/** A fresh A record on the test domain, made by the owner; its id. */
async function freshRecord(): Promise<string> {
  const res = await asOwner("POST", `/api/v1/domains/${domain.name}/dns/records`, {
    name: `f${++recordSeq}`,
    type: "A",
    data: "192.0.2.2",
  });
  return res.json().id as string;
}

/** Another domain of the owner with the deputy on it: for the rows that remove things. */
async function spareDomain(): Promise<string> {
  const spare = await confirmedDomain(t, owner.accountId, uniqueDomain(), { delegated: true });
  await t.db
    .insertInto("deputies")
    .values({
      domainId: spare.domainId,
      accountId: deputy.accountId,
      dnsGranted: 1,
      createdAt: t.clock.now(),
    })
    .execute();
  return spare.name;
}

let mailboxSeq = 0;
const MAILBOX_PASSWORD = "winter orchard lantern 58";
/** A fresh mailbox on the test domain, made by the owner. */
async function freshMailbox(): Promise<string> {
  const login = `m${++mailboxSeq}x${Math.floor(Math.random() * 1e6)}`;
  await asOwner("POST", `/api/v1/domains/${domain.name}/mailboxes`, { login, password: MAILBOX_PASSWORD });
  return login;
}

let contactSeq = 0;
const freshPhone = () => `+7916${8_000_000 + ++contactSeq}`;
const freshEmail = () => `matrix${++contactSeq}@example.net`;

/** Starts a contact change for the acting account; returns the code that was sent. */
async function pendingContact(accountId: string, kind: "phone" | "recovery-email"): Promise<string> {
  const value = kind === "phone" ? freshPhone() : freshEmail();
  const res = await send(
    "POST",
    `/api/v1/account/${kind}`,
    await sessionHeaders(accountId),
    kind === "phone" ? { phone: value } : { email: value },
  );
  expect(res.statusCode, res.body).toBe(202);
  return lastCodeTo(t, value);
}

async function confirmedContact(accountId: string, kind: "phone" | "recovery-email"): Promise<void> {
  const code = await pendingContact(accountId, kind);
  const res = await send("POST", `/api/v1/account/${kind}/confirm`, await sessionHeaders(accountId), {
    code,
  });
  expect(res.statusCode, res.body).toBe(200);
}

/** A code that is surely not valid for the account's pending two-factor secret right now. */
async function wrongTotp(accountId: string): Promise<string> {
  const res = await send("POST", "/api/v1/account/two-factor/setup", await sessionHeaders(accountId));
  expect(res.statusCode, res.body).toBe(200);
  const secret = res.json().secret as string;
  const now = t.clock.now();
  const valid = new Set([-30_000, 0, 30_000].map((shift) => totpAt(secret, now + shift)));
  return ["000000", "111111", "222222", "333333"].find((code) => !valid.has(code)) as string;
}

let ticketSeq = 0;
/** A support ticket the owner filed signed in: only the owner (its requester) and agents reach it. */
async function ownersTicket(category: "other" | "transfer" = "other"): Promise<string> {
  const filed = await t.modules.support.file(ctxOf(owner.accountId), {
    category,
    domain: domain.name,
    replyTo: `matrix-ticket${++ticketSeq}@example.net`,
    message: "A question",
  });
  return filed.id;
}

/** A restore-access ticket of `other` (whose profile is incomplete) about the test domain, as the form leaves it. */
async function restoreTicket(): Promise<string> {
  const id = newId();
  const now = t.clock.now();
  await t.db
    .insertInto("tickets")
    .values({
      id,
      category: "restore-access",
      domain: domain.name,
      replyTo: `matrix-restore${++ticketSeq}@example.net`,
      requesterAccountId: other.accountId,
      state: "new",
      linkHash: null,
      accessHash: null,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  return id;
}

/**
 * A hand-over of a fresh domain of the owner's, written as the handovers service leaves it, with
 * known link secrets: offered to `other` unless `fields` say otherwise.
 */
async function freshHandover(
  fields: Partial<{ kind: "transfer" | "restore"; state: string; ticketId: string }> = {},
): Promise<{ id: string; key: string }> {
  const spare = await confirmedDomain(t, owner.accountId, uniqueDomain());
  const id = newId();
  const key = `matrix-link-secret-${id}`;
  const now = t.clock.now();
  await t.db
    .insertInto("handovers")
    .values({
      id,
      kind: fields.kind ?? "transfer",
      state: fields.state ?? "offered",
      domainId: spare.domainId,
      domainName: spare.name,
      fromAccountId: owner.accountId,
      toAccountId: other.accountId,
      toLogin: other.login,
      ticketId: fields.ticketId ?? null,
      acceptSecretHash: sha256(key),
      ownerSecretHash: sha256(key),
      cancelSecretHash: sha256(key),
      challengeToken: fields.kind === "restore" ? "matrixchallenge" : null,
      expiresAt: now + 86_400_000,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  return { id, key };
}

// ---- the table ----------------------------------------------------------------------------

/** Who is asking in one cell: the account behind it (the holder, for tokens), or none. */
interface Attempt {
  actor: ActorName;
  accountId: string | null;
}
interface Row {
  route: string;
  request: (a: Attempt) => { url: string; body?: unknown } | Promise<{ url: string; body?: unknown }>;
  expected: Outcomes;
  /** Registered only in some set-ups; the reason. */
  onlyWhen?: string;
}

const row = (route: string, request: Row["request"], expected: Outcomes, onlyWhen?: string): Row => ({
  route,
  request,
  expected,
  ...(onlyWhen ? { onlyWhen } : {}),
});
const at = (url: string, body?: unknown) => () => ({ url, ...(body === undefined ? {} : { body }) });

const UN = "UNAUTHENTICATED";
const NF = "NOT_FOUND";
const FB = "FORBIDDEN";
const TN = "TOKEN_NOT_ALLOWED";
/** The same answer whoever asks. */
const anyone = (o: Outcome): Outcomes => [o, o, o, o, o, o, o];
/** The signed-in account's own business: any account, never a visitor or a token. */
const ownAccount = (o: Outcome): Outcomes => [UN, o, o, o, o, TN, TN];

const D = `/api/v1/domains/${domain.name}`;
const MB = `${D}/mailboxes`;
const DNS = `${D}/dns/records`;
const ASSETS = fileURLToPath(new URL("../web/dist/assets/", import.meta.url));
const question = Object.keys(SECURITY_QUESTIONS)[0] as string;

const TABLE: Row[] = [
  // ---- public: documentation, operations, registration, sign-in, restore access ----------
  // outcomes: [visitor, other, deputy, owner, agent, scoped, unscoped]
  row("GET /healthz", at("/healthz"), anyone(200)),
  row("GET /readyz", at("/readyz"), anyone(200)),
  row("GET /metrics", at("/metrics"), anyone(200)),
  row("GET /api/v1/openapi.json", at("/api/v1/openapi.json"), anyone(200)),
  row("GET /api/docs", at("/api/docs"), anyone(200)),
  row("GET /api/docs/static/index.html", at("/api/docs/static/index.html"), anyone(302)),
  row(
    "GET /api/docs/static/swagger-initializer.js",
    at("/api/docs/static/swagger-initializer.js"),
    anyone(200),
  ),
  row("GET /api/docs/json", at("/api/docs/json"), anyone(200)),
  row("GET /api/docs/yaml", at("/api/docs/yaml"), anyone(200)),
  row("GET /api/docs/static/*", at("/api/docs/static/swagger-ui.css"), anyone(200)),
  row("GET /api/docs/static/theme/mfd.css", at("/api/docs/static/theme/mfd.css"), anyone(200)),
  row("GET /api/docs/static/theme/mfd.js", at("/api/docs/static/theme/mfd.js"), anyone(200)),
  row("GET /api/docs/static/theme/mfd.svg", at("/api/docs/static/theme/mfd.svg"), anyone(200)),
  row("GET /docs", at("/docs"), anyone(302)),
  row(
    "GET /assets/*",
    () => ({ url: `/assets/${existsSync(ASSETS) ? readdirSync(ASSETS)[0] : "none"}` }),
    anyone(200),
    "the console is built (web/dist)",
  ),
  row("GET /dev/outbox", at("/dev/outbox"), anyone(200), "development mode"),
  row("GET /dev/outbox.json", at("/dev/outbox.json"), anyone(200), "development mode"),
  row("GET /api/v1/security-questions", at("/api/v1/security-questions"), anyone(200)),
  row(
    "POST /api/v1/accounts",
    () => ({
      url: "/api/v1/accounts",
      body: { login: uniqueLogin("matrix"), password: GOOD_PASSWORD, firstName: "Mat", lastName: "Rix" },
    }),
    anyone(201),
  ),
  row(
    "POST /api/v1/session",
    at("/api/v1/session", { login: signer.login, password: GOOD_PASSWORD }),
    anyone(200),
  ),
  row(
    "POST /api/v1/recovery/code",
    at("/api/v1/recovery/code", { login: signer.login, channel: "phone", contact: "+79160000001" }),
    anyone(202),
  ),
  row(
    "POST /api/v1/recovery/question",
    at("/api/v1/recovery/question", { login: signer.login }),
    anyone(200),
  ),
  row(
    "POST /api/v1/recovery/verify",
    at("/api/v1/recovery/verify", { flowId: "no-such-flow", code: "123456" }),
    anyone("INVALID_CODE"),
  ),
  row(
    "POST /api/v1/recovery/reset",
    at("/api/v1/recovery/reset", { resetToken: "no-such-grant", newPassword: GOOD_PASSWORD }),
    anyone("RECOVERY_INVALID"),
  ),

  // ---- the signed-in account's own session, profile, credentials and contacts --------------
  row("GET /api/v1/session", at("/api/v1/session"), ownAccount(200)),
  row("DELETE /api/v1/session", at("/api/v1/session"), ownAccount(204)),
  row(
    "POST /api/v1/session/reauthenticate",
    at("/api/v1/session/reauthenticate", { password: GOOD_PASSWORD }),
    ownAccount(200),
  ),
  row("GET /api/v1/account", at("/api/v1/account"), ownAccount(200)),
  row("GET /api/v1/account/events", at("/api/v1/account/events"), ownAccount(200)),
  row("GET /api/v1/account/sessions", at("/api/v1/account/sessions"), ownAccount(200)),
  row(
    // Every cell aims at a session of the owner's: only the owner may end it.
    "DELETE /api/v1/account/sessions/:id",
    async () => ({
      url: `/api/v1/account/sessions/${(await t.services.sessions.create(t.db, ctxOf(owner.accountId), owner.accountId)).id}`,
    }),
    [UN, NF, NF, 204, NF, TN, TN],
  ),
  row("POST /api/v1/account/sessions/end-others", at("/api/v1/account/sessions/end-others"), ownAccount(200)),
  row(
    "PUT /api/v1/account/password",
    at("/api/v1/account/password", { currentPassword: GOOD_PASSWORD, newPassword: GOOD_PASSWORD }),
    ownAccount(204),
  ),
  row(
    "PATCH /api/v1/account/profile",
    at("/api/v1/account/profile", { firstName: "Matrix" }),
    ownAccount(200),
  ),
  row(
    "PUT /api/v1/account/security-question",
    at("/api/v1/account/security-question", { question, answer: "a blue one" }),
    ownAccount(200),
  ),
  row(
    "POST /api/v1/account/phone",
    () => ({ url: "/api/v1/account/phone", body: { phone: freshPhone() } }),
    ownAccount(202),
  ),
  row(
    "POST /api/v1/account/phone/confirm",
    async (a) => ({
      url: "/api/v1/account/phone/confirm",
      body: { code: isAccount(a) ? await pendingContact(a.accountId, "phone") : "123456" },
    }),
    ownAccount(200),
  ),
  row(
    "DELETE /api/v1/account/phone",
    async (a) => {
      if (isAccount(a)) await confirmedContact(a.accountId, "phone");
      return { url: "/api/v1/account/phone" };
    },
    ownAccount(204),
  ),
  row(
    "POST /api/v1/account/recovery-email",
    () => ({ url: "/api/v1/account/recovery-email", body: { email: freshEmail() } }),
    ownAccount(202),
  ),
  row(
    "POST /api/v1/account/recovery-email/confirm",
    async (a) => ({
      url: "/api/v1/account/recovery-email/confirm",
      body: { code: isAccount(a) ? await pendingContact(a.accountId, "recovery-email") : "123456" },
    }),
    ownAccount(200),
  ),
  row(
    "DELETE /api/v1/account/recovery-email",
    async (a) => {
      if (isAccount(a)) await confirmedContact(a.accountId, "recovery-email");
      return { url: "/api/v1/account/recovery-email" };
    },
    ownAccount(204),
  ),
  row("POST /api/v1/account/two-factor/setup", at("/api/v1/account/two-factor/setup"), ownAccount(200)),
  row(
    // A wrong code: the answer proves the request got past authorization and changes nothing.
    "POST /api/v1/account/two-factor/enable",
    async (a) => ({
      url: "/api/v1/account/two-factor/enable",
      body: { code: isAccount(a) ? await wrongTotp(a.accountId) : "123456" },
    }),
    ownAccount("INVALID_TWO_FACTOR_CODE"),
  ),
  row(
    // No two-factor on these accounts: past authorization (and re-authentication), nothing to renew.
    "POST /api/v1/account/two-factor/recovery-codes",
    at("/api/v1/account/two-factor/recovery-codes"),
    ownAccount("TWO_FACTOR_NOT_ENABLED"),
  ),
  row(
    "POST /api/v1/account/two-factor/disable",
    at("/api/v1/account/two-factor/disable", { code: "123456", password: "a password of some length" }),
    ownAccount("TWO_FACTOR_NOT_ENABLED"),
  ),

  // ---- domains --------------------------------------------------------------------------------
  // outcomes: [visitor, other, deputy, owner, agent, scoped, unscoped]
  row("GET /api/v1/domains", at("/api/v1/domains"), [UN, 200, 200, 200, 200, 200, FB]),
  row("POST /api/v1/domains", () => ({ url: "/api/v1/domains", body: { name: uniqueDomain() } }), [
    UN,
    201,
    201,
    201,
    201,
    TN,
    TN,
  ]),
  row("GET /api/v1/domains/:name", at(D), [UN, NF, 200, 200, NF, 200, FB]),
  row("GET /api/v1/domains/:name/checks", at(`${D}/checks`), [UN, NF, 200, 200, NF, 200, FB]),
  // Every manager, each their share (a deputy: mailboxes, DNS where granted); a token never reads
  // it (its route permission decides the unscoped cell).
  row("GET /api/v1/domains/:name/activity", at(`${D}/activity`), [UN, NF, 200, 200, NF, TN, FB]),
  row("POST /api/v1/domains/:name/check", at(`${D}/check`, {}), [UN, NF, 200, 200, NF, TN, TN]),
  row("POST /api/v1/domains/:name/renew", at(`/api/v1/domains/${claimName}/renew`, {}), [
    UN,
    NF,
    NF,
    200,
    NF,
    TN,
    TN,
  ]),
  row("DELETE /api/v1/domains/:name", async () => {
    const name = await spareDomain();
    return { url: `/api/v1/domains/${name}`, body: { confirm: name } };
  }, [UN, NF, FB, 204, NF, TN, TN]),

  // ---- additional administrators -------------------------------------------------------------
  row("GET /api/v1/domains/:name/deputies", at(`${D}/deputies`), [UN, NF, FB, 200, NF, TN, TN]),
  row("POST /api/v1/domains/:name/deputies", at(`${D}/deputies`, { login: candidate.login }), [
    UN,
    NF,
    FB,
    201,
    NF,
    TN,
    TN,
  ]),
  row(
    "PATCH /api/v1/domains/:name/deputies/:login",
    at(`${D}/deputies/${deputy.login}`, { dnsGranted: true }),
    [UN, NF, FB, 200, NF, TN, TN],
  ),
  row(
    "DELETE /api/v1/domains/:name/deputies/:login",
    async () => ({ url: `/api/v1/domains/${await spareDomain()}/deputies/${deputy.login}` }),
    [UN, NF, FB, 204, NF, TN, TN],
  ),

  // ---- hand-overs (src/handovers/): offers go to `other`; ownership moves by sessions only ------
  row("POST /api/v1/domains/:name/transfer", at(`${D}/transfer`, { login: candidate.login }), [
    UN,
    NF,
    FB,
    202,
    NF,
    TN,
    TN,
  ]),
  row("GET /api/v1/transfers", at("/api/v1/transfers"), ownAccount(200)),
  row("GET /api/v1/transfers/:id", async () => ({ url: `/api/v1/transfers/${(await freshHandover()).id}` }), [
    UN,
    200,
    NF,
    200,
    NF,
    TN,
    TN,
  ]),
  row("POST /api/v1/transfers/:id/accept", async () => {
    const { id, key } = await freshHandover();
    return { url: `/api/v1/transfers/${id}/accept`, body: { key } };
  }, [UN, 200, "HANDOVER_LINK_INVALID", "HANDOVER_LINK_INVALID", "HANDOVER_LINK_INVALID", TN, TN]),
  row("POST /api/v1/transfers/:id/confirm", async () => {
    const { id, key } = await freshHandover({ state: "awaiting-owner", ticketId: "matrix-ticket" });
    return { url: `/api/v1/transfers/${id}/confirm`, body: { key, login: candidate.login } };
  }, [UN, "HANDOVER_LINK_INVALID", "HANDOVER_LINK_INVALID", 200, "HANDOVER_LINK_INVALID", TN, TN]),
  row(
    "POST /api/v1/transfers/:id/cancel",
    async () => ({ url: `/api/v1/transfers/${(await freshHandover()).id}/cancel` }),
    [UN, 200, NF, 200, NF, TN, TN],
  ),
  row(
    "POST /api/v1/transfers/:id/check",
    async () => ({
      url: `/api/v1/transfers/${(await freshHandover({ kind: "restore", state: "proving" })).id}/check`,
    }),
    [UN, 200, NF, NF, NF, TN, TN],
  ),
  row(
    "POST /api/v1/transfers/cancel",
    async () => ({ url: "/api/v1/transfers/cancel", body: { key: (await freshHandover()).key } }),
    anyone(200),
  ),
  row(
    "POST /api/v1/restores",
    // Self-service restore is off by default (MFD_SELF_SERVICE_RECOVERY); src/handovers tests it on.
    at("/api/v1/restores", { domain: domain.name }),
    [
      UN,
      "SELF_SERVICE_RECOVERY_OFF",
      "SELF_SERVICE_RECOVERY_OFF",
      "SELF_SERVICE_RECOVERY_OFF",
      "SELF_SERVICE_RECOVERY_OFF",
      TN,
      TN,
    ],
  ),

  // ---- API tokens -------------------------------------------------------------------------------
  row("GET /api/v1/tokens", at("/api/v1/tokens"), ownAccount(200)),
  row(
    "POST /api/v1/tokens",
    at("/api/v1/tokens", { name: "matrix", permissions: ["domains:read"], domains: "all", expiresInDays: 1 }),
    ownAccount(201),
  ),
  row(// Every cell aims at a fresh token of the owner's: only the owner may revoke it.
  "DELETE /api/v1/tokens/:id", async () => {
    const issued = await t.services.tokens.create(ctxOf(owner.accountId), {
      name: "to revoke",
      permissions: ["domains:read"],
      domains: "all",
      expiresInDays: 1,
    });
    return { url: `/api/v1/tokens/${issued.id}` };
  }, [UN, NF, NF, 204, NF, TN, TN]),

  // ---- mailboxes -------------------------------------------------------------------------------
  // outcomes: [visitor, other, deputy, owner, agent, scoped, unscoped]
  row("GET /api/v1/domains/:domain/mailboxes", at(MB), [UN, NF, 200, 200, NF, 200, FB]),
  row(
    "POST /api/v1/domains/:domain/mailboxes",
    () => ({ url: MB, body: { login: `n${++mailboxSeq}x`, password: MAILBOX_PASSWORD } }),
    [UN, NF, 201, 201, NF, 201, FB],
  ),
  row(
    "POST /api/v1/domains/:domain/mailboxes/batch",
    () => ({
      url: `${MB}/batch`,
      body: { mailboxes: [{ login: `b${++mailboxSeq}x`, password: MAILBOX_PASSWORD }] },
    }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  row(
    "POST /api/v1/domains/:domain/mailboxes/import",
    () => ({
      url: `${MB}/import`,
      body: { csv: `login,password\ni${++mailboxSeq}x,${MAILBOX_PASSWORD}` },
    }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  row(
    "POST /api/v1/domains/:domain/mailboxes/set-enabled",
    async () => ({ url: `${MB}/set-enabled`, body: { logins: [await freshMailbox()], enabled: false } }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  row(
    "POST /api/v1/domains/:domain/mailboxes/delete-many",
    async () => ({ url: `${MB}/delete-many`, body: { logins: [await freshMailbox()] } }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  row("POST /api/v1/domains/:domain/mailboxes/delete-all", at(`${MB}/delete-all`, { confirm: domain.name }), [
    UN,
    NF,
    200,
    200,
    NF,
    200,
    FB,
  ]),
  row(
    "GET /api/v1/domains/:domain/mailboxes/:login",
    async () => ({ url: `${MB}/${await freshMailbox()}` }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  row(
    "PATCH /api/v1/domains/:domain/mailboxes/:login",
    async () => ({ url: `${MB}/${await freshMailbox()}`, body: { firstName: "Renamed" } }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  row(
    "DELETE /api/v1/domains/:domain/mailboxes/:login",
    async () => ({ url: `${MB}/${await freshMailbox()}` }),
    [UN, NF, 204, 204, NF, 204, FB],
  ),
  row(
    "POST /api/v1/domains/:domain/mailboxes/:login/aliases",
    async () => ({ url: `${MB}/${await freshMailbox()}/aliases`, body: { alias: `a${++mailboxSeq}x` } }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  row("DELETE /api/v1/domains/:domain/mailboxes/:login/aliases/:alias", async () => {
    const login = await freshMailbox();
    const alias = `a${++mailboxSeq}x`;
    await asOwner("POST", `${MB}/${login}/aliases`, { alias });
    return { url: `${MB}/${login}/aliases/${alias}` };
  }, [UN, NF, 200, 200, NF, 200, FB]),

  // ---- DNS records (the deputy has DNS granted and the domain is delegated) ------------------
  // outcomes: [visitor, other, deputy, owner, agent, scoped, unscoped]
  row("GET /api/v1/domains/:name/dns/records", async () => ({ url: await delegatedAgain(DNS) }), [
    UN,
    NF,
    200,
    200,
    NF,
    200,
    FB,
  ]),
  row(
    "POST /api/v1/domains/:name/dns/records",
    async () => ({
      url: await delegatedAgain(DNS),
      body: { name: `r${++recordSeq}`, type: "A", data: "192.0.2.1" },
    }),
    [UN, NF, 201, 201, NF, 201, FB],
  ),
  row(
    "PATCH /api/v1/domains/:name/dns/records/:id",
    async () => ({ url: await delegatedAgain(`${DNS}/${await freshRecord()}`), body: { ttl: 600 } }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  row(
    "DELETE /api/v1/domains/:name/dns/records/:id",
    async () => ({ url: await delegatedAgain(`${DNS}/${await freshRecord()}`) }),
    [UN, NF, 204, 204, NF, 204, FB],
  ),
  row(
    "POST /api/v1/domains/:name/dns/import",
    async () => ({
      url: await delegatedAgain(`${D}/dns/import`),
      body: { zone: `i${++recordSeq} 300 IN A 192.0.2.7\n`, dryRun: false },
    }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  row(
    "GET /api/v1/domains/:name/dns/export",
    async () => ({ url: await delegatedAgain(`${D}/dns/export`) }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  row(
    "GET /api/v1/domains/:name/dns/health",
    async () => ({ url: await delegatedAgain(`${D}/dns/health`) }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),
  // Checking changes no record: reading the zone's DNS is enough.
  row(
    "POST /api/v1/domains/:name/dns/health",
    async () => ({ url: await delegatedAgain(`${D}/dns/health`), body: {} }),
    [UN, NF, 200, 200, NF, 200, FB],
  ),

  // ---- the support desk: the form and the requester's page; the agents' queue ----------------
  // outcomes: [visitor, other, deputy, owner, agent, scoped, unscoped]
  row(
    "POST /api/v1/support/tickets",
    () => ({
      url: "/api/v1/support/tickets",
      body: {
        category: "other",
        domain: domain.name,
        replyTo: `matrix-form${++ticketSeq}@example.net`,
        message: "Hello",
      },
    }),
    [201, 201, 201, 201, 201, TN, TN],
  ),
  row(
    "POST /api/v1/support/tickets/:id/access",
    async () => ({
      url: `/api/v1/support/tickets/${await ownersTicket()}/access`,
      body: { key: "not-the-key" },
    }),
    anyone("TICKET_LINK_INVALID"),
  ),
  // The requester's page: its requester's session only (a token of the same account is no session).
  row(
    "GET /api/v1/support/tickets/:id",
    async () => ({ url: `/api/v1/support/tickets/${await ownersTicket()}` }),
    [NF, NF, NF, 200, NF, NF, NF],
  ),
  row(
    "POST /api/v1/support/tickets/:id/messages",
    async () => ({ url: `/api/v1/support/tickets/${await ownersTicket()}/messages`, body: { body: "More" } }),
    [NF, NF, NF, 200, NF, NF, NF],
  ),
  row("GET /api/v1/support/my-tickets", at("/api/v1/support/my-tickets"), ownAccount(200)),
  // The desk: agents alone; to everyone else it is not there.
  row("GET /api/v1/support/queue", at("/api/v1/support/queue"), [UN, NF, NF, NF, 200, TN, TN]),
  row(
    "GET /api/v1/support/queue/:id",
    async () => ({ url: `/api/v1/support/queue/${await ownersTicket()}` }),
    [UN, NF, NF, NF, 200, TN, TN],
  ),
  row(
    "POST /api/v1/support/queue/:id/replies",
    async () => ({ url: `/api/v1/support/queue/${await ownersTicket()}/replies`, body: { body: "Answer" } }),
    [UN, NF, NF, NF, 200, TN, TN],
  ),
  row(
    "POST /api/v1/support/queue/:id/notes",
    async () => ({ url: `/api/v1/support/queue/${await ownersTicket()}/notes`, body: { body: "Note" } }),
    [UN, NF, NF, NF, 200, TN, TN],
  ),
  row(
    "POST /api/v1/support/queue/:id/state",
    async () => ({ url: `/api/v1/support/queue/${await ownersTicket()}/state`, body: { state: "resolved" } }),
    [UN, NF, NF, NF, 200, TN, TN],
  ),
  // The ticket's hand-over actions: agents alone reach the hand-overs capability through them (the
  // agent's answers come from its rules: the requester's profile, the missing proof).
  row(
    "POST /api/v1/support/queue/:id/restore",
    async () => ({ url: `/api/v1/support/queue/${await restoreTicket()}/restore`, body: {} }),
    [UN, NF, NF, NF, "PROFILE_INCOMPLETE", TN, TN],
  ),
  row("POST /api/v1/support/queue/:id/handovers/:handoverId/check", async () => {
    const ticketId = await restoreTicket();
    const { id } = await freshHandover({ kind: "restore", state: "proving", ticketId });
    return { url: `/api/v1/support/queue/${ticketId}/handovers/${id}/check`, body: {} };
  }, [UN, NF, NF, NF, 200, TN, TN]),
  row("POST /api/v1/support/queue/:id/handovers/:handoverId/approve", async () => {
    const ticketId = await restoreTicket();
    const { id } = await freshHandover({ kind: "restore", state: "proving", ticketId });
    return { url: `/api/v1/support/queue/${ticketId}/handovers/${id}/approve`, body: {} };
  }, [UN, NF, NF, NF, "HANDOVER_PROOF_MISSING", TN, TN]),
  row(
    "POST /api/v1/support/queue/:id/transfer",
    async () => ({ url: `/api/v1/support/queue/${await ownersTicket("transfer")}/transfer`, body: {} }),
    [UN, NF, NF, NF, 200, TN, TN],
  ),
];

function isAccount(a: Attempt): a is Attempt & { accountId: string } {
  return a.accountId !== null && a.actor !== "scoped" && a.actor !== "unscoped";
}

// ---- running it -----------------------------------------------------------------------------

const registered = new Map(t.routes.map((r) => [`${r.method} ${r.url}`, r]));

/** The token permissions of the two token actors for a route. */
function tokenScopes(route: string): { scoped: Permission[]; unscoped: Permission[] } {
  const access = registered.get(route)?.access as { permission?: Permission } | undefined;
  const needed = access?.permission;
  if (needed && TOKEN_PERMISSIONS.includes(needed))
    return { scoped: [needed], unscoped: TOKEN_PERMISSIONS.filter((p) => p !== needed) };
  return { scoped: [...TOKEN_PERMISSIONS], unscoped: ["domains:read"] };
}

async function headersFor(actor: ActorName, route: string): Promise<Record<string, string>> {
  if (actor === "visitor") return {};
  if (actor === "scoped" || actor === "unscoped")
    return { authorization: `Bearer ${await ownerToken(tokenScopes(route)[actor])}` };
  return sessionHeaders(ACCOUNTS[actor].accountId);
}

/** What a cell answered, in the terms of its expectation. */
function observed(res: LightMyRequestResponse, expected: Outcome): Outcome | string {
  const code = res.headers["content-type"]?.toString().includes("problem+json") ? res.json().code : null;
  if (typeof expected === "number")
    return res.statusCode === expected ? expected : `${res.statusCode} ${code ?? res.body.slice(0, 60)}`;
  return code === expected && ERRORS[expected].status === res.statusCode
    ? expected
    : `${res.statusCode} ${code ?? res.body.slice(0, 60)}`;
}

const rows = TABLE.filter((r) => registered.has(r.route));

describe("authorization matrix", () => {
  it("has exactly one row for every registered route, and none for a route that does not exist", () => {
    const inTable = TABLE.map((r) => r.route);
    expect(
      inTable.filter((route, i) => inTable.indexOf(route) !== i),
      "routes listed twice",
    ).toEqual([]);
    const missing = [...registered.keys()].filter((route) => !inTable.includes(route));
    expect(missing, "registered routes without a row in the matrix").toEqual([]);
    const stale = TABLE.filter((r) => !registered.has(r.route) && !r.onlyWhen).map((r) => r.route);
    expect(stale, "rows for routes the app does not register").toEqual([]);
  });

  it(`covers ${rows.length} routes × ${ACTORS.length} actors = ${rows.length * ACTORS.length} real requests`, () => {
    console.info(
      `authorization matrix: ${rows.length} routes × ${ACTORS.length} actors = ${rows.length * ACTORS.length} cells`,
    );
    expect(rows.length).toBe(registered.size);
  });

  for (const r of rows) {
    it(r.route, async () => {
      const [method] = r.route.split(" ") as [string];
      const answers: Record<string, Outcome | string> = {};
      const expected: Record<string, Outcome> = {};
      for (const [i, actor] of ACTORS.entries()) {
        const holder =
          actor === "visitor" ? null : actor === "scoped" || actor === "unscoped" ? owner : ACCOUNTS[actor];
        // Rate limits are tested where they live; here they must never decide a cell.
        await t.db.deleteFrom("rateLimits").execute();
        const request = await r.request({ actor, accountId: holder?.accountId ?? null });
        const res = await send(method, request.url, await headersFor(actor, r.route), request.body);
        expected[actor] = r.expected[i] as Outcome;
        answers[actor] = observed(res, r.expected[i] as Outcome);
      }
      expect(answers).toEqual(expected);
    });
  }
});
