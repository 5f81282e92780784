import { Algorithm, hash, verify } from "@node-rs/argon2";
import { describe, expect, it, vi } from "vitest";
import { Client, createTestApp, GOOD_PASSWORD, registerAccount } from "../../test/helpers/app.js";
import { ARGON2_PARAMS } from "../credentials/passwords.js";
import { THROTTLE_AFTER_FAILURES } from "./accounts.service.js";

// Counts the password checks the service makes (the hash is computed in every case).
const argon2 = vi.hoisted(() => ({ verifications: 0 }));
vi.mock("@node-rs/argon2", async (importOriginal) => {
  const original = await importOriginal<typeof import("@node-rs/argon2")>();
  return {
    ...original,
    verify: (...args: Parameters<typeof original.verify>) => {
      argon2.verifications++;
      return original.verify(...args);
    },
  };
});

/** Passwords and their hashes. */
const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.6.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;

const signIn = (login: string, password: string) =>
  new Client(t, nextIp()).post("/api/v1/session", { login, password });

const storedHash = async (accountId: string) =>
  (
    await t.db
      .selectFrom("accounts")
      .select("passwordHash")
      .where("id", "=", accountId)
      .executeTakeFirstOrThrow()
  ).passwordHash;

describe("password rules", () => {
  it("accepts 64 characters and 1024 bytes, refuses 1025 bytes, and neither truncates nor folds case", async () => {
    const long = "Quiet river stones remember the long way home, every single one!";
    expect(long).toHaveLength(64);
    const widest = "é".repeat(512); // 1024 bytes in UTF-8
    for (const password of [long, widest]) {
      const { login } = await registerAccount(t, { password }, nextIp());
      expect((await signIn(login, password)).statusCode).toBe(200);
      expect((await signIn(login, password.slice(0, -1))).statusCode).toBe(401);
      expect((await signIn(login, `${password}x`)).statusCode).toBe(401);
      expect((await signIn(login, password.toUpperCase())).statusCode).toBe(401);
    }
    const res = await new Client(t, nextIp()).post("/api/v1/accounts", {
      login: `long${++seq}`,
      password: `${widest}a`,
      firstName: "L",
      lastName: "O",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("PASSWORD_TOO_LONG");
  });
});

describe("password hashes", () => {
  it("are argon2id PHC strings with at least OWASP's parameters and a unique salt", async () => {
    const a = await registerAccount(t, {}, nextIp());
    const b = await registerAccount(t, {}, nextIp());
    const [first, second] = [await storedHash(a.accountId), await storedHash(b.accountId)];
    for (const phc of [first, second]) {
      const [, m, tCost, p] = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+$/.exec(phc) ?? [];
      expect(Number(m)).toBeGreaterThanOrEqual(19456);
      expect(Number(tCost)).toBeGreaterThanOrEqual(2);
      expect(Number(p)).toBe(1);
    }
    // The same password, a different salt.
    expect(first.split("$")[4]).not.toBe(second.split("$")[4]);
    expect(first).not.toBe(second);
  });

  it("are upgraded from weaker parameters at the next successful sign-in, and only then", async () => {
    const { login, accountId } = await registerAccount(t, {}, nextIp());
    const weak = await hash(GOOD_PASSWORD, {
      algorithm: Algorithm.Argon2id,
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    });
    await t.db.updateTable("accounts").set({ passwordHash: weak }).where("id", "=", accountId).execute();

    expect((await signIn(login, "not the password at all")).statusCode).toBe(401);
    expect(await storedHash(accountId)).toBe(weak);

    expect((await signIn(login, GOOD_PASSWORD)).statusCode).toBe(200);
    const upgraded = await storedHash(accountId);
    expect(upgraded).toMatch(
      new RegExp(`^\\$argon2id\\$v=19\\$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=1\\$`),
    );
    expect(await verify(upgraded, GOOD_PASSWORD)).toBe(true);
    expect((await signIn(login, GOOD_PASSWORD)).statusCode).toBe(200);
    const events = await t.db
      .selectFrom("auditEvents")
      .select("details")
      .where("accountId", "=", accountId)
      .where("action", "=", "sign-in")
      .execute();
    expect(events.filter((e) => e.details && JSON.parse(e.details).rehashed)).toHaveLength(1);
  });
});

describe("sign-in answers", () => {
  it("compute the hash once for an unknown login, a wrong password, a throttled login and the right one", async () => {
    const { login } = await registerAccount(t, {}, nextIp());
    const throttled = await registerAccount(t, {}, nextIp());
    const throttledUnknown = "nobody-throttled-here";
    for (let i = 0; i < THROTTLE_AFTER_FAILURES; i++) {
      await signIn(throttled.login, `wrong ${i}`);
      await signIn(throttledUnknown, `wrong ${i}`);
    }

    const cases: Array<[string, string, number]> = [
      ["nobody-by-this-name", GOOD_PASSWORD, 401],
      [login, "not the password at all", 401],
      [throttled.login, GOOD_PASSWORD, 429],
      [throttledUnknown, GOOD_PASSWORD, 429],
      [login, GOOD_PASSWORD, 200],
    ];
    const bodies = new Map<number, Set<string>>();
    for (const [who, password, status] of cases) {
      const before = argon2.verifications;
      const res = await signIn(who, password);
      expect(res.statusCode, who).toBe(status);
      expect(argon2.verifications - before, who).toBe(1);
      bodies.set(status, (bodies.get(status) ?? new Set()).add(res.body));
    }
    // Unknown and wrong answer alike; so do a throttled known login and a throttled unknown one.
    expect(bodies.get(401)?.size).toBe(1);
    expect(bodies.get(429)?.size).toBe(1);
  });
});
