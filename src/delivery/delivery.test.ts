import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApp } from "../../test/helpers/app.js";
import { buildApp } from "../app.js";
import type { Config } from "../config.js";
import type { Deps } from "../deps.js";
import { HOUR, MINUTE } from "../lib/clock.js";
import type { Message } from "../notify/outbox.js";
import { deliveryJob, listOutbox } from "./delivery.js";

/** An SMTP server on loopback that keeps what it receives. */
const mails: Array<{ from: string | null; to: string[]; raw: string }> = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      mails.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        to: session.envelope.rcptTo.map((r) => r.address),
        raw: Buffer.concat(chunks).toString("utf8"),
      });
      callback();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
const smtpPort = (smtp.server.address() as AddressInfo).port;

/** An SMS gateway on loopback; `failing` recipients get HTTP 500. */
const sms: Array<{ contentType: string | undefined; body: { to: string; text: string } }> = [];
/** The Idempotency-Key of every request, by recipient. */
const smsKeys = new Map<string, Array<string | undefined>>();
const failing = new Set<string>();
const gateway = createServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => {
    raw += chunk;
  });
  req.on("end", () => {
    const body = JSON.parse(raw) as { to: string; text: string };
    sms.push({ contentType: req.headers["content-type"], body });
    const key = req.headers["idempotency-key"];
    smsKeys.set(body.to, [...(smsKeys.get(body.to) ?? []), typeof key === "string" ? key : undefined]);
    res.statusCode = failing.has(body.to) ? 500 : 200;
    res.end(failing.has(body.to) ? "gateway trouble" : "ok");
  });
});
await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
const gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`;

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
});

const t = await createTestApp({
  MFD_DEV: "0",
  MFD_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  MFD_SMTP_FROM: "notices@mfd.test",
  MFD_SMS_URL: gatewayUrl,
});

/** The same installation (database, clock, outbox) run with other settings. */
const withConfig = (overrides: Partial<Config>): Deps => ({
  ...t.deps,
  config: { ...t.config, ...overrides },
});
const unreachableSmtp = withConfig({ smtpUrl: "smtp://127.0.0.1:1" });
const noTransports = withConfig({ smtpUrl: null, smsUrl: null });
const devMode = withConfig({ dev: true, smtpUrl: null, smsUrl: null });
const devModeWithGateway = withConfig({ dev: true, smtpUrl: null });

const devApp = await buildApp(devMode);
await devApp.app.ready();
afterAll(() => devApp.app.close());

// Each test starts with nothing due, so what a run handles is what the test enqueued.
beforeEach(async () => {
  await t.db
    .updateTable("outbox")
    .set({ failedAt: t.clock.now(), lastError: "cleared between tests" })
    .where("sentAt", "is", null)
    .where("failedAt", "is", null)
    .execute();
});

let counter = 0;
const unique = () => ++counter;
const smsTo = (phone: string) => sms.filter((s) => s.body.to === phone);

async function enqueue(message: Partial<Message> & Pick<Message, "channel">) {
  const n = unique();
  const full: Message = {
    recipient: message.channel === "sms" ? `+7916000${String(n).padStart(4, "0")}` : `user${n}@example.org`,
    subject: `Subject ${n}`,
    body: `Your code is ${100000 + n}.`,
    ...message,
  };
  await t.deps.outbox.enqueue(t.db, t.clock.now(), full);
  return full;
}

const rowTo = (recipient: string) =>
  t.db.selectFrom("outbox").selectAll().where("recipient", "=", recipient).executeTakeFirstOrThrow();

describe("delivery", () => {
  it("sends e-mail over SMTP with its recipient, sender, subject and body, and then forgets the body", async () => {
    const message = await enqueue({ channel: "email", subject: "Your code to restore access to mfd" });
    expect(await deliveryJob.run(t.deps)).toBe(1);

    const mail = mails.find((m) => m.to.includes(message.recipient));
    expect(mail?.to).toEqual([message.recipient]);
    expect(mail?.from).toBe("notices@mfd.test");
    expect(mail?.raw).toMatch(/^Subject: Your code to restore access to mfd\r$/m);
    expect(mail?.raw).toMatch(new RegExp(`^To: ${message.recipient}\\r$`, "m"));
    expect(mail?.raw).toContain(message.body);

    const row = await rowTo(message.recipient);
    expect(row.sentAt).toBe(t.clock.now());
    expect(row.body).toBe("[delivered]");
    // The Message-ID is the row's: a repeat of this message (after a crash) carries the same one.
    expect(mail?.raw).toMatch(new RegExp(`^Message-ID: <${row.id}@mfd\\.test>\r$`, "mi"));
    // Delivered once: the next run has nothing to do.
    expect(await deliveryJob.run(t.deps)).toBe(0);
    expect(mails.filter((m) => m.to.includes(message.recipient))).toHaveLength(1);
  });

  it("never sends a code whose time has run out, even before the scrub job has run", async () => {
    const message = await enqueue({ channel: "sms", expiresAt: t.clock.now() + 10 * MINUTE });
    t.clock.advance(10 * MINUTE);
    expect(await deliveryJob.run(t.deps)).toBe(0);
    expect(smsTo(message.recipient)).toEqual([]);
  });

  it("posts SMS to the gateway as JSON {to, text}", async () => {
    const message = await enqueue({ channel: "sms" });
    await deliveryJob.run(t.deps);
    expect(smsTo(message.recipient)).toEqual([
      { contentType: "application/json", body: { to: message.recipient, text: message.body } },
    ]);
    const row = await rowTo(message.recipient);
    expect(row.sentAt).not.toBeNull();
    expect(row.body).toBe("[delivered]");
  });

  it("retries a failed message with growing delays and delivers it when the gateway recovers", async () => {
    const message = await enqueue({ channel: "sms" });
    failing.add(message.recipient);
    await deliveryJob.run(t.deps);
    let row = await rowTo(message.recipient);
    expect(row).toMatchObject({
      sentAt: null,
      failedAt: null,
      attempts: 1,
      nextAttemptAt: t.clock.now() + 30_000,
    });
    expect(row.lastError).toContain("HTTP 500");
    expect(row.lastError).not.toContain(message.body);

    // Not due yet: nothing is sent.
    t.clock.advance(29_000);
    await deliveryJob.run(t.deps);
    expect(smsTo(message.recipient)).toHaveLength(1);

    t.clock.advance(1_000);
    await deliveryJob.run(t.deps);
    expect(smsTo(message.recipient)).toHaveLength(2);
    row = await rowTo(message.recipient);
    expect(row.nextAttemptAt).toBe(t.clock.now() + 2 * MINUTE);

    failing.delete(message.recipient);
    t.clock.advance(2 * MINUTE);
    await deliveryJob.run(t.deps);
    expect(smsTo(message.recipient)).toHaveLength(3);
    row = await rowTo(message.recipient);
    expect(row).toMatchObject({ attempts: 3, lastError: null, body: "[delivered]" });
    // Every attempt carried the same Idempotency-Key, the row's id: a gateway can drop repeats.
    expect(smsKeys.get(message.recipient)).toEqual([row.id, row.id, row.id]);
    expect(row.sentAt).toBe(t.clock.now());
  });

  it("gives up after the eighth attempt and keeps no body", async () => {
    const message = await enqueue({ channel: "sms" });
    failing.add(message.recipient);
    const waits = [30_000, 2 * MINUTE, 10 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR];
    for (const wait of waits) {
      await deliveryJob.run(t.deps);
      t.clock.advance(wait);
    }
    await deliveryJob.run(t.deps);
    expect(smsTo(message.recipient)).toHaveLength(8);
    const row = await rowTo(message.recipient);
    expect(row).toMatchObject({
      attempts: 8,
      sentAt: null,
      failedAt: t.clock.now(),
      body: "[not delivered]",
    });
    expect(row.lastError).toContain("HTTP 500");

    t.clock.advance(2 * 24 * HOUR);
    await deliveryJob.run(t.deps);
    expect(smsTo(message.recipient)).toHaveLength(8);
    failing.delete(message.recipient);
  });

  it("sends each message once when two workers run at the same time", async () => {
    const messages = await Promise.all([1, 2, 3, 4].map(() => enqueue({ channel: "sms" })));
    const handled = await Promise.all([deliveryJob.run(t.deps), deliveryJob.run(t.deps)]);
    expect(handled[0] + handled[1]).toBe(4);
    for (const message of messages) expect(smsTo(message.recipient)).toHaveLength(1);
  });

  it("retries when the SMTP server cannot be reached", async () => {
    const message = await enqueue({ channel: "email" });
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    await deliveryJob.run(unreachableSmtp);
    const row = await rowTo(message.recipient);
    expect(row).toMatchObject({
      sentAt: null,
      failedAt: null,
      attempts: 1,
      nextAttemptAt: t.clock.now() + 30_000,
    });
    expect(row.lastError).toMatch(/ECONNREFUSED/);
  });

  it("fails at once, saying what to configure, when a channel has no transport outside development mode", async () => {
    const mail = await enqueue({ channel: "email" });
    const text = await enqueue({ channel: "sms" });
    expect(await deliveryJob.run(noTransports)).toBe(2);
    expect(await rowTo(mail.recipient)).toMatchObject({ sentAt: null, failedAt: t.clock.now(), attempts: 1 });
    expect((await rowTo(mail.recipient)).lastError).toContain("MFD_SMTP_URL");
    expect((await rowTo(text.recipient)).lastError).toContain("MFD_SMS_URL");
    t.clock.advance(HOUR);
    expect(await deliveryJob.run(noTransports)).toBe(0);
  });
});

describe("development mode", () => {
  it("keeps messages readable at /dev/outbox and /dev/outbox.json, newest first", async () => {
    const first = await enqueue({ channel: "email", subject: "Hello <b>there</b>", body: "a & b <script>" });
    t.clock.advance(1_000);
    const second = await enqueue({ channel: "sms" });
    expect(await deliveryJob.run(devMode)).toBe(2);

    const json = await devApp.app.inject({ method: "GET", url: "/dev/outbox.json" });
    expect(json.statusCode).toBe(200);
    const list = json.json() as Array<Record<string, unknown>>;
    expect(list.slice(0, 2).map((m) => m.recipient)).toEqual([second.recipient, first.recipient]);
    expect(list[1]).toEqual({
      id: expect.any(String),
      channel: "email",
      recipient: first.recipient,
      subject: first.subject,
      body: first.body,
      createdAt: new Date(t.clock.now() - 1_000).toISOString(),
      sentAt: new Date(t.clock.now()).toISOString(),
    });

    const page = await devApp.app.inject({ method: "GET", url: "/dev/outbox" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.body).toContain("Hello &lt;b&gt;there&lt;/b&gt;");
    expect(page.body).toContain("a &amp; b &lt;script&gt;");
    expect(page.body).not.toContain("<script>");
    expect(page.body.indexOf(second.recipient)).toBeLessThan(page.body.indexOf(first.recipient));
  });

  it("delivers through a configured transport and still keeps the body", async () => {
    const message = await enqueue({ channel: "sms" });
    await deliveryJob.run(devModeWithGateway);
    expect(smsTo(message.recipient)).toHaveLength(1);
    expect(await rowTo(message.recipient)).toMatchObject({ body: message.body, sentAt: t.clock.now() });
  });

  it("lists the outbox for the CLI, newest first and limited", async () => {
    const messages = [];
    for (let i = 0; i < 3; i++) {
      messages.push(await enqueue({ channel: "email" }));
      t.clock.advance(1_000);
    }
    const listed = await listOutbox(t.db, 2);
    expect(listed.map((m) => m.recipient)).toEqual([messages[2]?.recipient, messages[1]?.recipient]);
    expect(listed[0]).toMatchObject({ sentAt: null, failedAt: null, attempts: 0, lastError: null });
  });

  it("does not exist outside development mode", async () => {
    for (const url of ["/dev/outbox", "/dev/outbox.json"]) {
      // Asked at the public address (elsewhere a page request is redirected there first).
      const res = await t.app.inject({
        method: "GET",
        url,
        headers: { host: new URL(t.config.publicUrl).host },
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe("ROUTE_NOT_FOUND");
    }
  });
});
