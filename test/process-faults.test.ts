import { Agent, createServer as createHttpServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { createTestApp } from "./helpers/app.js";
import { HttpClient, PASSWORD, register } from "./helpers/http-client.js";
import { type MfdProcess, newDataDir, silentRelay, startMfd, waitFor } from "./helpers/mfd-process.js";

/**
 * Faults injected into real `mfd serve` processes: a mail relay that never answers, SIGTERM while
 * requests and sends are in flight, SIGKILL in the middle of a send.
 */

const running: MfdProcess[] = [];
const stopAll = async () => {
  for (const process of running.splice(0)) await process.stop();
};
afterEach(stopAll);
const start = async (dataDir: string, env: Record<string, string>) => {
  const mfd = await startMfd(dataDir, env);
  running.push(mfd);
  return mfd;
};

/** An SMS gateway on loopback that keeps what it receives, with the relay's state at arrival. */
const texts: Array<{ to: string; text: string; idempotencyKey: string | undefined; relayOpen: number }> = [];
let relayOpenNow = () => 0;
const gateway = createHttpServer((req, res) => {
  let raw = "";
  req.on("data", (chunk) => {
    raw += chunk;
  });
  req.on("end", () => {
    const body = JSON.parse(raw) as { to: string; text: string };
    const key = req.headers["idempotency-key"];
    texts.push({
      ...body,
      idempotencyKey: typeof key === "string" ? key : undefined,
      relayOpen: relayOpenNow(),
    });
    res.end("ok");
  });
});
await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
const gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`;
afterAll(() => new Promise<void>((resolve) => gateway.close(() => resolve())));

describe("a silent mail relay", () => {
  it("does not hold SMS codes back: each channel delivers on its own", async () => {
    const relay = await silentRelay();
    relayOpenNow = relay.open;
    try {
      const mfd = await start(newDataDir(), {
        MFD_SMTP_URL: `smtp://127.0.0.1:${relay.port}`,
        MFD_SMS_URL: gatewayUrl,
        MFD_SMTP_TIMEOUT: "60",
      });
      // An e-mail code goes out first and hangs on the relay.
      await register(mfd.url, { recoveryEmail: "first@example.org" });
      await waitFor("the worker to connect to the relay", () => relay.open() > 0);

      const phones = ["+79168100001", "+79168100002", "+79168100003"];
      await Promise.all(phones.map((phone) => register(mfd.url, { phone })));
      await waitFor("three SMS codes", () => phones.every((phone) => texts.some((t) => t.to === phone)));
      for (const phone of phones) {
        const text = texts.find((t) => t.to === phone);
        expect(text?.text).toMatch(/\b\d{6,8}\b/);
        // Each message has its own key, the same on every attempt (the outbox row's id).
        expect(text?.idempotencyKey).toMatch(/^\S+$/);
        // They arrived while the e-mail was still stuck on the relay, not after it gave up.
        expect(text?.relayOpen).toBeGreaterThan(0);
      }
    } finally {
      await stopAll();
      await relay.close();
    }
  }, 400_000);
});

describe("readiness", () => {
  it("answers 503 once the process drains, so balancers stop sending", async () => {
    const t = await createTestApp();
    expect((await t.app.inject({ url: "/readyz" })).statusCode).toBe(200);
    t.lifecycle.draining = true;
    const draining = await t.app.inject({ url: "/readyz" });
    expect(draining.statusCode).toBe(503);
    expect(draining.json()).toEqual({ status: "shutting down" });
  }, 120_000);
});

describe("SIGTERM", () => {
  it("refuses new connections at once, finishes the request in flight, and exits 0 within the deadline though a send hangs", async () => {
    const relay = await silentRelay();
    try {
      const mfd = await start(newDataDir(), {
        MFD_SMTP_URL: `smtp://127.0.0.1:${relay.port}`,
        MFD_SMTP_TIMEOUT: "60",
        MFD_SHUTDOWN_TIMEOUT: "30",
      });
      await register(mfd.url, { recoveryEmail: "pending@example.org" });
      await waitFor("the worker to hang on the relay", () => relay.open() > 0);

      // A keep-alive connection opened before the signal, to ask /readyz during the drain.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const readyz = () =>
        new Promise<number | string>((resolve) => {
          const req = httpRequest(`${mfd.url}/readyz`, { agent }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          });
          req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
          req.end();
        });
      expect(await readyz()).toBe(200);

      // A request in flight: the server has its headers (it said 100 Continue), the body is still to come.
      const body = JSON.stringify({
        login: `late${Date.now()}`,
        password: PASSWORD,
        firstName: "A",
        lastName: "B",
      });
      const inFlight = httpRequest(`${mfd.url}/api/v1/accounts`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          expect: "100-continue",
        },
      });
      const answered = new Promise<number>((resolve, reject) => {
        inFlight.on("response", (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        inFlight.on("error", reject);
      });
      answered.catch(() => {});
      await new Promise<void>((resolve) => inFlight.once("continue", resolve));
      inFlight.write(body.slice(0, 10));

      const signalledAt = Date.now();
      mfd.child.kill("SIGTERM");
      await waitFor("mfd to say it is shutting down", () => mfd.output().includes("shutting down"), 60_000);

      const refused = await new Promise<string>((resolve) => {
        const socket = connect(mfd.port, "127.0.0.1");
        socket.on("connect", () => {
          socket.destroy();
          resolve("accepted");
        });
        socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      });
      expect(refused).toBe("ECONNREFUSED");
      // Reachable only over a connection opened before: then it says not ready.
      expect([503, "ECONNRESET", "ECONNREFUSED", "EPIPE"]).toContain(await readyz());

      inFlight.end(body.slice(10));
      expect(await answered).toBe(201);

      expect(await mfd.exited).toBe(0);
      // Within the deadline (30 s) and some slack for a busy machine; the relay would have held it 60 s more.
      expect(Date.now() - signalledAt).toBeLessThan(30_000 + 20_000);
      agent.destroy();
    } finally {
      await stopAll();
      await relay.close();
    }
  }, 400_000);
});

describe("a crash in the middle of a send", () => {
  it("delivers the message again after a restart, with the same Message-ID, and its code works once", async () => {
    // A relay that takes the whole message and, the first time, never says it accepted it.
    let answer = false;
    const received: string[] = [];
    const relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          received.push(Buffer.concat(chunks).toString("utf8"));
          if (answer) callback();
        });
      },
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    const port = (relay.server.address() as AddressInfo).port;
    const dataDir = newDataDir();
    const env = { MFD_SMTP_URL: `smtp://127.0.0.1:${port}`, MFD_SMTP_TIMEOUT: "60" };
    try {
      const first = await start(dataDir, env);
      const { client } = await register(first.url, { recoveryEmail: "twice@example.org" });
      await waitFor("the relay to receive the message", () => received.length === 1);
      first.child.kill("SIGKILL");
      await first.exited;

      // Five minutes pass: the dead worker's lease on the message runs out.
      const database = openDatabase(`sqlite:${join(dataDir, "mfd.sqlite")}`);
      await database.db
        .updateTable("outbox")
        .set({ nextAttemptAt: Date.now() })
        .where("sentAt", "is", null)
        .execute();
      await database.destroy();

      answer = true;
      const second = await start(dataDir, env);
      await waitFor("the message to arrive again", () => received.length === 2);
      const messageId = (raw: string) => /^Message-ID:\s*(\S+)\r?$/im.exec(raw)?.[1];
      expect(messageId(received[0] as string)).toBeDefined();
      expect(messageId(received[1] as string)).toBe(messageId(received[0] as string));
      const code = (raw: string) =>
        /\b(\d{6,8})\b/.exec(
          raw
            .split(/\r?\n\r?\n/)
            .slice(1)
            .join("\n"),
        )?.[1];
      expect(code(received[1] as string)).toBe(code(received[0] as string));

      const other = new HttpClient(second.url);
      other.cookie = client.cookie;
      other.csrf = client.csrf;
      const confirmed = await other.post("/api/v1/account/recovery-email/confirm", {
        code: code(received[1] as string),
      });
      expect(confirmed.status).toBe(200);
      const again = await other.post("/api/v1/account/recovery-email/confirm", {
        code: code(received[1] as string),
      });
      expect(again.status).not.toBe(200);
    } finally {
      await stopAll();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  }, 400_000);
});
