/**
 * The floor (issue 13): the least a server can do to answer `GET /api/v1/account` and
 * `GET /api/v1/domains/{d}/mailboxes` as mfd does — the same session and token checks against the
 * database on every request, the same SQL (prepared once), the same JSON — with nothing else:
 * plain Fastify, no plugins, no query builder. What mfd spends above it is overhead.
 *
 *   node --import tsx bench/floor/server.ts
 *
 * Reads the database mfd created, configured by mfd's own variables (MFD_DATA_DIR,
 * MFD_DATABASE_URL, MFD_SERVICE_DOMAIN). FLOOR_LISTEN is host:port (default 127.0.0.1:18180);
 * FLOOR_HEADERS a JSON object of headers sent with every answer — bench/request-path.ts passes
 * the security headers mfd sends, so both put the same bytes on the wire.
 *
 * Not copied, as no measured request takes those paths: revoking a token found in a URL (the floor
 * refuses the request), search (`q`), CSRF checks (GET only).
 */
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { resolve } from "node:path";
import { domainToASCII } from "node:url";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { postgresStore } from "./postgres-store.js";
import { sqliteStore } from "./sqlite-store.js";
import type { MailboxRow, Store } from "./store.js";

const MINUTE = 60_000;
const SESSION_IDLE_MS = 30 * MINUTE;
const SESSION_ABSOLUTE_MS = 12 * 60 * MINUTE;
const TOUCH_EVERY_MS = MINUTE;
const MAX_URL_LENGTH = 8192;
const SESSION_COOKIE = "mfd_session";
const TOKEN_PREFIX = "mfd_";
const TOKEN_LENGTH = TOKEN_PREFIX.length + 43;
const TOKEN_IN_TEXT = /mfd_[A-Za-z0-9_-]{43}/;
const TOKEN_PERMISSIONS = ["domains:read", "mailboxes:read", "mailboxes:write", "dns:read", "dns:write"];
const SECURITY_QUESTIONS: Record<string, string> = {
  "mother-maiden-name": "Mother's maiden name",
  "first-pet": "Name of your first pet",
  "first-school": "Number or name of your first school",
  "favourite-teacher": "Surname of your favourite teacher",
  "childhood-street": "Street you grew up on",
  "passport-last-digits": "Last six digits of your passport",
};
const ASCII_ALLOWED = /^[A-Za-z0-9.-]$/;
const LOGIN_SHAPE = /^[a-z][a-z0-9._-]*$/;
const DOMAIN_SHAPE =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const env = process.env;
const serviceDomain = (env.MFD_SERVICE_DOMAIN ?? "mfd.localhost").trim().toLowerCase().replace(/\.$/, "");
const databaseUrl =
  env.MFD_DATABASE_URL?.trim() || `sqlite:${resolve(env.MFD_DATA_DIR ?? "./data", "mfd.sqlite")}`;
const store: Store = databaseUrl.startsWith("postgres://")
  ? postgresStore(databaseUrl)
  : sqliteStore(databaseUrl.slice("sqlite:".length));
const [host = "127.0.0.1", port = "18180"] = (env.FLOOR_LISTEN ?? "127.0.0.1:18180").split(":");
const headers: Record<string, string> = {
  "cache-control": "no-store",
  ...(JSON.parse(env.FLOOR_HEADERS ?? "{}") as Record<string, string>),
};

const ERRORS = {
  TOKEN_IN_URL: 400,
  URI_TOO_LONG: 414,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TOKEN_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  VALIDATION_FAILED: 400,
} as const;

/** Refusals answer mfd's problem document, without its titles. */
class Refusal extends Error {
  constructor(readonly code: keyof typeof ERRORS) {
    super(code);
  }
}

type Actor =
  | { kind: "account"; accountId: string }
  | { kind: "token"; accountId: string; permissions: string[]; domains: string[] | null; issuedAt: number };

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const iso = (ms: number) => new Date(Number(ms)).toISOString();

function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value.includes("%") ? decodeURIComponent(value) : value;
    }
  }
  return undefined;
}

/** What src/http/authenticate.ts decides before a handler runs, for a GET. */
async function authenticate(request: FastifyRequest, reply: FastifyReply, now: number): Promise<Actor> {
  const url = request.url;
  if (TOKEN_IN_TEXT.test(url) || (url.includes("%") && TOKEN_IN_TEXT.test(decoded(url))))
    throw new Refusal("TOKEN_IN_URL");
  if (url.length > MAX_URL_LENGTH) throw new Refusal("URI_TOO_LONG");

  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const actor = match ? await resolveToken(match[1] as string, now, request.ip) : null;
    if (!actor) throw new Refusal("UNAUTHENTICATED");
    return actor;
  }
  const secret = cookie(request.headers.cookie, SESSION_COOKIE);
  if (secret) {
    const accountId = await resolveSession(secret, now);
    if (accountId) return { kind: "account", accountId };
    reply.header(
      "set-cookie",
      `${SESSION_COOKIE}=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT`,
    );
  }
  throw new Refusal("UNAUTHENTICATED");
}

function decoded(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

/** src/accounts/sessions.service.ts `resolve`: idle and absolute expiry, lastSeenAt written once a minute. */
async function resolveSession(secret: string, now: number): Promise<string | null> {
  const row = await store.session(sha256(secret));
  if (!row) return null;
  if (now - row.last_seen_at > SESSION_IDLE_MS || now - row.created_at > SESSION_ABSOLUTE_MS) {
    await store.deleteSession(row.id);
    return null;
  }
  if (now - row.last_seen_at >= TOUCH_EVERY_MS) await store.touchSession(row.id, now);
  return row.account_id;
}

/** src/tokens/tokens.service.ts `resolve`. */
async function resolveToken(secret: string, now: number, ip: string): Promise<Actor | null> {
  if (secret.length !== TOKEN_LENGTH || !secret.startsWith(TOKEN_PREFIX)) return null;
  const row = await store.token(sha256(secret));
  if (!row || row.revoked_at !== null || row.expires_at <= now) return null;
  if (row.last_used_at === null || now - row.last_used_at >= TOUCH_EVERY_MS)
    await store.touchToken(row.id, now, ip, now - TOUCH_EVERY_MS);
  const domains = row.all_domains === 1 ? null : (await store.tokenDomains(row.id)).map((d) => d.domain_id);
  const stored = JSON.parse(row.permissions) as unknown;
  const permissions = Array.isArray(stored) ? TOKEN_PERMISSIONS.filter((p) => stored.includes(p)) : [];
  return { kind: "token", accountId: row.account_id, permissions, domains, issuedAt: Number(row.created_at) };
}

/** A domain name from a path as src/domains/names.ts `lookupName` reads it, or null. */
function lookupName(raw: string): string | null {
  const typed = raw.trim().replace(/\.$/, "");
  if (typed === "" || [...typed].some((ch) => ch.charCodeAt(0) < 128 && !ASCII_ALLOWED.test(ch))) return null;
  const ascii = domainToASCII(typed).replace(/\.$/, "");
  return DOMAIN_SHAPE.test(ascii) && isIP(ascii) === 0 ? ascii : null;
}

async function profile(accountId: string, now: number) {
  const a = await store.account(accountId);
  if (!a) throw new Refusal("NOT_FOUND");
  const pending = await store.pendingCodes(accountId, now);
  const missing: string[] = [];
  if (!a.first_name || !a.last_name) missing.push("names");
  if (!a.security_question || !a.security_answer_hash) missing.push("securityQuestion");
  if (!a.phone || a.phone_confirmed_at === null) missing.push("confirmedPhone");
  // Read whether or not there is an address, as mfd does (src/accounts/recovery-email.ts).
  const managed = (await store.managedDomainNames(a.id)).map((r) => r.name);
  let blockedBy: string | null = null;
  if (a.recovery_email) {
    const domain = a.recovery_email.slice(a.recovery_email.lastIndexOf("@") + 1).toLowerCase();
    blockedBy = managed.find((name) => domain === name || domain.endsWith(`.${name}`)) ?? null;
  }
  const question = a.security_question ? SECURITY_QUESTIONS[a.security_question] : undefined;
  return {
    id: a.id,
    login: a.login,
    address: `${a.login}@${serviceDomain}`,
    firstName: a.first_name,
    lastName: a.last_name,
    securityQuestion: a.security_question && question ? { id: a.security_question, text: question } : null,
    phone: a.phone ? { number: a.phone, confirmed: a.phone_confirmed_at !== null } : null,
    recoveryEmail: a.recovery_email
      ? {
          address: a.recovery_email,
          confirmed: a.email_confirmed_at !== null,
          usableForRestore: blockedBy === null,
          unusableReason: blockedBy === null ? null : "on-managed-domain",
          managedDomain: blockedBy,
        }
      : null,
    pendingPhone: pending.find((p) => p.purpose === "confirm_phone")?.target ?? null,
    pendingEmail: pending.find((p) => p.purpose === "confirm_email")?.target ?? null,
    twoFactor: a.totp_enabled_at !== null,
    // mfd counts unused recovery codes only with two-factor on; the bench's account has it off,
    // so neither server runs that query (request-path.ts checks both answers are equal).
    recoveryCodesLeft: 0,
    isSupportAgent: a.is_support_agent === 1,
    complete: missing.length === 0,
    missing,
    createdAt: iso(a.created_at),
  };
}

/** src/access/domain-access.ts `authorizeDomain` for "mailboxes:read": the domain's id and name. */
async function readableDomain(actor: Actor, rawName: string): Promise<{ id: string; name: string }> {
  const name = lookupName(rawName);
  if (!name) throw new Refusal("NOT_FOUND");
  const row = await store.domainGrant(actor.accountId, name);
  if (!row) throw new Refusal("NOT_FOUND");
  const role = row.owner_account_id === actor.accountId ? "owner" : row.deputy_account_id ? "deputy" : null;
  if (!role) throw new Refusal("NOT_FOUND");
  if (actor.kind === "token") {
    if (actor.domains !== null && !actor.domains.includes(row.id)) throw new Refusal("NOT_FOUND");
    if (role === "deputy" && actor.issuedAt < Number(row.deputy_since)) throw new Refusal("NOT_FOUND");
    if (!actor.permissions.includes("mailboxes:read")) throw new Refusal("FORBIDDEN");
  }
  return { id: row.id, name: row.name };
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return 50;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new Refusal("VALIDATION_FAILED");
  return limit;
}

function decodeCursor(cursor: string): string {
  const login = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (login.length === 0 || login.length > 30 || !LOGIN_SHAPE.test(login))
    throw new Refusal("VALIDATION_FAILED");
  return login;
}

const view = (domain: string, row: MailboxRow, aliases: string[]) => ({
  login: row.login,
  address: `${row.login}@${domain}`,
  firstName: row.first_name,
  lastName: row.last_name,
  enabled: row.enabled === 1,
  quotaMb: Number(row.quota_mb),
  aliases,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

const app = Fastify({ routerOptions: { maxParamLength: 200 } });

app.setErrorHandler((error, _request, reply) => {
  const code = error instanceof Refusal ? error.code : null;
  if (code === null) {
    console.error(error);
    return reply.status(500).headers(headers).send({ status: 500 });
  }
  const status = ERRORS[code];
  return reply
    .status(status)
    .headers(headers)
    .type("application/problem+json")
    .send({ type: `urn:mfd:error:${code}`, status, code });
});

// For the bench to see it is up; not measured.
app.get("/healthz", async () => ({ status: "ok" }));

app.get("/api/v1/account", async (request, reply) => {
  const now = Date.now();
  const actor = await authenticate(request, reply, now);
  // account:self is never a token's (src/access/actor.ts TOKEN_PERMISSIONS).
  if (actor.kind === "token") throw new Refusal("TOKEN_NOT_ALLOWED");
  const body = await profile(actor.accountId, now);
  return reply.headers(headers).send(body);
});

app.get<{ Params: { domain: string }; Querystring: { limit?: string; after?: string; q?: string } }>(
  "/api/v1/domains/:domain/mailboxes",
  async (request, reply) => {
    const now = Date.now();
    const actor = await authenticate(request, reply, now);
    if (actor.kind === "token" && !actor.permissions.includes("mailboxes:read"))
      throw new Refusal("FORBIDDEN");
    const { limit: rawLimit, after: cursor, q } = request.query;
    if (q !== undefined) throw new Refusal("VALIDATION_FAILED"); // search is not part of the floor
    const limit = parseLimit(rawLimit);
    const domain = await readableDomain(actor, request.params.domain);
    const after = cursor === undefined ? null : decodeCursor(cursor);
    const [rows, count] = await Promise.all([
      store.page(domain.id, after, limit + 1),
      store.mailboxCount(domain.id),
    ]);
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    const next = rows.length > limit && last ? Buffer.from(last.login, "utf8").toString("base64url") : null;
    const byMailbox = new Map<string, string[]>();
    if (shown.length > 0)
      for (const row of await store.aliases(shown.map((r) => r.id))) {
        const list = byMailbox.get(row.mailbox_id);
        if (list) list.push(row.alias);
        else byMailbox.set(row.mailbox_id, [row.alias]);
      }
    return reply.headers(headers).send({
      mailboxes: shown.map((row) => view(domain.name, row, byMailbox.get(row.id) ?? [])),
      next,
      total: Number(count?.count ?? 0),
    });
  },
);

const stop = async () => {
  await app.close();
  await store.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

await app.listen({ host, port: Number(port) });
console.log(`floor listening on http://${host}:${port} (${databaseUrl.split(":")[0]})`);
