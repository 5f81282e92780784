import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRuntime } from "../src/cli/runtime.js";
import { loadConfig } from "../src/config.js";
import { CODE_TTL_MS } from "../src/credentials/codes.js";
import { totpAt } from "../src/credentials/totp.js";
import { sealPlaintextSecrets } from "../src/credentials/totp-sealing.js";
import { deliverDue } from "../src/delivery/delivery.js";
import { runJob } from "../src/jobs/worker.js";
import { MINUTE } from "../src/lib/clock.js";
import { openSecret, secretKeyFor } from "../src/lib/secret-box.js";
import { JOBS } from "../src/modules.js";
import { Client, createTestApp, GOOD_PASSWORD, messagesTo, registerAccount } from "./helpers/app.js";

/**
 * A copy of the database (a backup, a dump, a read-only SQL injection) must not hand out second
 * factors: TOTP secrets are stored encrypted with a key kept outside the database.
 */
const t = await createTestApp();
const scratch = mkdtempSync(join(tmpdir(), "mfd-secrets-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let seq = 0;
const nextIp = () => `10.81.0.${++seq}`;

const stored = (accountId: string) =>
  t.db
    .selectFrom("accounts")
    .select(["totpSecret", "totpPendingSecret"])
    .where("id", "=", accountId)
    .executeTakeFirstOrThrow();

const signIn = (login: string, totpCode?: string) =>
  new Client(t, nextIp()).post("/api/v1/session", {
    login,
    password: GOOD_PASSWORD,
    ...(totpCode ? { totpCode } : {}),
  });

describe("TOTP secrets", () => {
  it("are stored encrypted, pending and enabled, and sign-in with a code still works", async () => {
    const { client, login, accountId } = await registerAccount(t, {}, nextIp());
    const setup = await client.post("/api/v1/account/two-factor/setup");
    const { secret } = setup.json() as { secret: string };
    const pending = await stored(accountId);
    expect(pending.totpPendingSecret).not.toContain(secret);
    expect(pending.totpPendingSecret).toMatch(/^v1:/);

    const enabled = await client.post("/api/v1/account/two-factor/enable", {
      code: totpAt(secret, t.clock.now()),
    });
    expect(enabled.statusCode).toBe(200);
    const row = await stored(accountId);
    expect(row.totpSecret).not.toContain(secret);
    expect(row.totpSecret).toMatch(/^v1:/);

    t.clock.advance(60_000);
    expect((await signIn(login)).json().code).toBe("TWO_FACTOR_REQUIRED");
    expect((await signIn(login, totpAt(secret, t.clock.now()))).statusCode).toBe(200);
  });

  it("stored in plain text before this change keep working, and are encrypted at start", async () => {
    const { login, accountId } = await registerAccount(t, {}, nextIp());
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    await t.db
      .updateTable("accounts")
      .set({ totpSecret: secret, totpEnabledAt: t.clock.now() })
      .where("id", "=", accountId)
      .execute();
    t.clock.advance(60_000);
    expect((await signIn(login, totpAt(secret, t.clock.now()))).statusCode).toBe(200);

    await sealPlaintextSecrets(t.deps);
    const row = await stored(accountId);
    expect(row.totpSecret).toMatch(/^v1:/);
    expect(row.totpSecret).not.toContain(secret);
    expect(openSecret(t.config, row.totpSecret as string)).toBe(secret);
    t.clock.advance(60_000);
    expect((await signIn(login, totpAt(secret, t.clock.now()))).statusCode).toBe(200);
  });
});

describe("the secret key", () => {
  it("without MFD_SECRET_KEY is a key file in the data directory, created 0600 and kept", () => {
    const dataDir = join(scratch, "data");
    const config = loadConfig({ MFD_DATA_DIR: dataDir, MFD_SECRET_KEY: "" });
    const key = secretKeyFor(config);
    const file = join(dataDir, "secret.key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    // Another process of the installation reads the same key.
    expect(secretKeyFor(loadConfig({ MFD_DATA_DIR: dataDir }))).toEqual(key);
    expect(readFileSync(file, "utf8").trim()).toHaveLength(44);
  });

  it("MFD_SECRET_KEY must be 32 bytes in base64", () => {
    expect(() => loadConfig({ MFD_SECRET_KEY: "short" })).toThrow(/MFD_SECRET_KEY/);
  });
});

describe("the data directory", () => {
  const modeOf = (path: string) => statSync(path).mode & 0o777;

  it("is created 0700 with the database, its journal files and the key file 0600", async () => {
    const dataDir = join(scratch, "fresh", "data");
    const { database } = await openRuntime({
      MFD_DATA_DIR: dataDir,
      MFD_DATABASE_URL: "",
      MFD_SECRET_KEY: "",
    });
    try {
      await database.db.insertInto("appSecrets").values({ name: "probe", value: "x" }).execute();
      expect(modeOf(dataDir)).toBe(0o700);
      for (const file of ["mfd.sqlite", "mfd.sqlite-wal", "mfd.sqlite-shm", "secret.key"]) {
        expect(existsSync(join(dataDir, file)), file).toBe(true);
        expect(modeOf(join(dataDir, file)), file).toBe(0o600);
      }
    } finally {
      await database.destroy();
    }
  });

  it("left world-readable by an older mfd is closed at start", async () => {
    const dataDir = join(scratch, "old", "data");
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const first = await openRuntime({ MFD_DATA_DIR: dataDir, MFD_DATABASE_URL: "", MFD_SECRET_KEY: "" });
    await first.database.destroy();
    for (const file of ["mfd.sqlite", "secret.key"]) chmodSync(join(dataDir, file), 0o644);
    writeFileSync(join(dataDir, "mfd.sqlite-wal"), "", { flag: "a" });
    chmodSync(join(dataDir, "mfd.sqlite-wal"), 0o644);
    chmodSync(dataDir, 0o755);

    const again = await openRuntime({ MFD_DATA_DIR: dataDir, MFD_DATABASE_URL: "", MFD_SECRET_KEY: "" });
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      for (const file of ["mfd.sqlite", "mfd.sqlite-wal", "secret.key"])
        expect(modeOf(join(dataDir, file)), file).toBe(0o600);
    } finally {
      await again.database.destroy();
    }
  });
});

describe("codes in the outbox", () => {
  const failing = { email: async () => Promise.reject(new Error("relay unreachable")), sms: null };

  it("are scrubbed by the worker when they expire, delivered or not, and an expired one is not sent", async () => {
    const pendingTo = `pending${++seq}@example.org`;
    const deliveredTo = `delivered${seq}@example.org`;
    await registerAccount(t, { recoveryEmail: pendingTo }, nextIp());
    // The relay is down: the code waits for a retry, readable at rest.
    await deliverDue(t.deps, failing);
    const [waiting] = await messagesTo(t, pendingTo);
    expect(waiting?.body).toMatch(/\b\d{6}\b/);
    expect(waiting?.sentAt).toBe(null);
    // In development mode a delivered message keeps its body (read at /dev/outbox) — until expiry.
    await registerAccount(t, { recoveryEmail: deliveredTo }, nextIp());
    await deliverDue(t.deps, { email: null, sms: null });
    expect((await messagesTo(t, deliveredTo))[0]?.sentAt).not.toBe(null);

    t.clock.advance(CODE_TTL_MS - MINUTE);
    await runJob(t.deps, JOBS, "scrub-expired-codes");
    expect((await messagesTo(t, pendingTo))[0]?.body).toMatch(/\b\d{6}\b/);

    t.clock.advance(2 * MINUTE);
    await runJob(t.deps, JOBS, "scrub-expired-codes");
    for (const recipient of [pendingTo, deliveredTo]) {
      const [message] = await messagesTo(t, recipient);
      expect(message?.body, recipient).not.toMatch(/\d{6}/);
    }
    const [expired] = await messagesTo(t, pendingTo);
    expect(expired?.failedAt).not.toBe(null);
    // The relay is back: the dead code is not sent.
    const sent: string[] = [];
    t.clock.advance(60 * MINUTE);
    await deliverDue(t.deps, { email: async (m) => void sent.push(m.recipient), sms: null });
    expect(sent).not.toContain(pendingTo);
  });
});
