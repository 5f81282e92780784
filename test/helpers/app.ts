import type { LightMyRequestResponse } from "fastify";
import { afterAll } from "vitest";
import { buildApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import type { Deps } from "../../src/deps.js";
import { ManualClock } from "../../src/lib/clock.js";
import { Outbox } from "../../src/notify/outbox.js";
import { createTestDatabase } from "./database.js";

export const SERVICE_DOMAIN = "mfd.test";
export const PUBLIC_URL = "http://localhost:8080";
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString("base64");

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/**
 * A whole mfd (HTTP app + services) on a fresh database with a manual clock. Closed after the
 * test file. `env` overrides configuration variables.
 */
export async function createTestApp(env: Record<string, string> = {}) {
  const config: Config = loadConfig({
    MFD_SERVICE_DOMAIN: SERVICE_DOMAIN,
    MFD_PUBLIC_URL: PUBLIC_URL,
    MFD_DEV: "1",
    // Tests never write a key file into the working directory.
    MFD_SECRET_KEY: TEST_SECRET_KEY,
    ...env,
  });
  const database = await createTestDatabase();
  const clock = new ManualClock();
  const deps: Deps = { config, database, clock, outbox: new Outbox() };
  const built = await buildApp(deps);
  await built.app.ready();
  afterAll(async () => {
    await built.app.close();
    await database.destroy();
  });
  return { ...built, deps, clock, db: database.db, config };
}

/** A browser-like client: keeps the session cookie and sends the anti-CSRF token. */
export class Client {
  cookie: string | null = null;
  /** The long-lived cookie of a browser that signed in before (`mfd_device`). */
  device: string | null = null;
  csrf: string | null = null;
  constructor(
    readonly t: TestApp,
    readonly ip = "203.0.113.10",
  ) {}

  async request(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const response = await this.t.app.inject({
      method: method as "GET",
      url,
      remoteAddress: this.ip,
      headers: {
        ...(this.cookie || this.device
          ? {
              cookie: [
                ...(this.cookie ? [`mfd_session=${this.cookie}`] : []),
                ...(this.device ? [`mfd_device=${this.device}`] : []),
              ].join("; "),
            }
          : {}),
        ...(this.csrf && method !== "GET" ? { "x-csrf-token": this.csrf } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        // A browser opened at the public URL (MFD_PUBLIC_URL) sends its host.
        host: new URL(this.t.config.publicUrl).host,
        ...headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    const set = response.cookies.find((c) => c.name === "mfd_session");
    if (set) this.cookie = set.value || null;
    const device = response.cookies.find((c) => c.name === "mfd_device");
    if (device) this.device = device.value || null;
    const json = response.headers["content-type"]?.toString().includes("json") ? response.json() : null;
    if (json && typeof json === "object" && "csrfToken" in json) this.csrf = String(json.csrfToken);
    return response;
  }
  get = (url: string, headers?: Record<string, string>) => this.request("GET", url, undefined, headers);
  post = (url: string, body: unknown = {}, headers?: Record<string, string>) =>
    this.request("POST", url, body, headers);
  put = (url: string, body: unknown = {}, headers?: Record<string, string>) =>
    this.request("PUT", url, body, headers);
  patch = (url: string, body: unknown = {}, headers?: Record<string, string>) =>
    this.request("PATCH", url, body, headers);
  delete = (url: string, body?: unknown, headers?: Record<string, string>) =>
    this.request("DELETE", url, body, headers);
}

let counter = 0;
export const uniqueLogin = (prefix = "user") => `${prefix}${++counter}x${Math.floor(Math.random() * 1e6)}`;
export const GOOD_PASSWORD = "correct horse battery staple 42";

/** Registers an account through the API and returns a signed-in client. */
export async function registerAccount(
  t: TestApp,
  overrides: Partial<{
    login: string;
    password: string;
    phone: string;
    recoveryEmail: string;
    securityQuestion: string;
    securityAnswer: string;
  }> = {},
  ip?: string,
) {
  const client = new Client(t, ip);
  const login = overrides.login ?? uniqueLogin();
  const response = await client.post("/api/v1/accounts", {
    login,
    password: overrides.password ?? GOOD_PASSWORD,
    firstName: "Alice",
    lastName: "Liddell",
    ...(overrides.phone ? { phone: overrides.phone } : {}),
    ...(overrides.recoveryEmail ? { recoveryEmail: overrides.recoveryEmail } : {}),
    ...(overrides.securityQuestion
      ? { securityQuestion: overrides.securityQuestion, securityAnswer: overrides.securityAnswer }
      : {}),
  });
  if (response.statusCode !== 201)
    throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  return {
    client,
    login,
    password: overrides.password ?? GOOD_PASSWORD,
    accountId: response.json().accountId as string,
  };
}

let contactSerial = 0;
/** An account whose phone and recovery e-mail are confirmed, so notices reach it. */
export async function registerWithContacts(t: TestApp, ip?: string) {
  const serial = ++contactSerial;
  const phone = `+7917${String(1_000_000 + serial * 7 + Math.floor(Math.random() * 7)).padStart(7, "0")}`;
  const email = `contact${serial}x${Math.floor(Math.random() * 1e6)}@example.net`;
  const created = await registerAccount(t, { phone, recoveryEmail: email }, ip);
  for (const [path, contact] of [
    ["phone", phone],
    ["recovery-email", email],
  ] as const) {
    const res = await created.client.post(`/api/v1/account/${path}/confirm`, {
      code: await lastCodeTo(t, contact),
    });
    if (res.statusCode !== 200) throw new Error(`confirming ${path} failed: ${res.statusCode} ${res.body}`);
  }
  return { ...created, phone, email };
}

/** Messages in the outbox for a recipient, newest first. */
export async function messagesTo(t: TestApp, recipient: string) {
  return t.db
    .selectFrom("outbox")
    .selectAll()
    .where("recipient", "=", recipient)
    .orderBy("createdAt", "desc")
    .orderBy("id", "desc")
    .execute();
}

/** The code in the newest message to a recipient. */
export async function lastCodeTo(t: TestApp, recipient: string): Promise<string> {
  const [message] = await messagesTo(t, recipient);
  const code = message ? /\b(\d{6,8})\b/.exec(message.body)?.[1] : undefined;
  if (!code) throw new Error(`no code sent to ${recipient}`);
  return code;
}
