import { verify } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { Client, createTestApp, GOOD_PASSWORD, lastCodeTo, registerAccount } from "../../test/helpers/app.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import { holdTransaction } from "../../test/helpers/locks.js";
import { REAUTH_WINDOW_MS } from "../access/access.js";
import { MAX_CODE_FAILURES } from "../credentials/codes.js";
import { DOVECOT_SCHEME, hashMailboxPassword } from "../credentials/mailbox-passwords.js";
import { totpAt } from "../credentials/totp.js";
import { newId, sha256 } from "../lib/random.js";

/** Races and ordering around sign-in, two-factor codes, contact codes and registration. */
const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.7.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;

const signIn = (login: string, password = GOOD_PASSWORD, extra: Record<string, string> = {}, ip = nextIp()) =>
  new Client(t, ip).post("/api/v1/session", { login, password, ...extra });

async function withTwoFactor() {
  const account = await registerAccount(t, {}, nextIp());
  const setup = (await account.client.post("/api/v1/account/two-factor/setup")).json();
  const enable = await account.client.post("/api/v1/account/two-factor/enable", {
    code: totpAt(setup.secret, t.clock.now()),
  });
  expect(enable.statusCode).toBe(200);
  // The enabling code's step is spent; the next step's code is fresh.
  t.clock.advance(30_000);
  return { ...account, secret: setup.secret as string };
}

describe("a two-factor code", () => {
  it("signs in once when four sign-ins send it at the same moment", async () => {
    const { login, secret } = await withTwoFactor();
    const totpCode = totpAt(secret, t.clock.now());
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => signIn(login, GOOD_PASSWORD, { totpCode })),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401, 401, 401]);
    expect(answers.filter((a) => a.statusCode === 401).map((a) => a.json().code)).toEqual(
      Array(3).fill("INVALID_TWO_FACTOR_CODE"),
    );
  });

  it("re-authenticates once when two re-authentications send it at the same moment", async () => {
    const { client, login, password, secret } = await withTwoFactor();
    // A second browser of the same account, so the two requests do not share one cookie.
    const other = new Client(t, nextIp());
    const second = await other.post("/api/v1/session", {
      login,
      password,
      totpCode: totpAt(secret, t.clock.now()),
    });
    expect(second.statusCode).toBe(200);
    t.clock.advance(REAUTH_WINDOW_MS + 1);
    t.clock.advance(30_000);
    const totpCode = totpAt(secret, t.clock.now());
    const answers = await Promise.all(
      [client, other].map((c) => c.post("/api/v1/session/reauthenticate", { password, totpCode })),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401]);
  });
});

describe("a contact confirmation code", () => {
  it("counts no more than five of twenty wrong guesses sent at once, and is dead afterwards", async () => {
    const phone = `+7916${6_000_000 + ++seq}`;
    const { client, accountId } = await registerAccount(t, { phone }, nextIp());
    const code = await lastCodeTo(t, phone);
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, "0");
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.post("/api/v1/account/phone/confirm", { code: wrong(i) })),
    );
    expect(answers.every((a) => a.statusCode === 400 || a.statusCode === 429)).toBe(true);
    const row = await t.db
      .selectFrom("verificationCodes")
      .select("failures")
      .where("accountId", "=", accountId)
      .where("purpose", "=", "confirm_phone")
      .executeTakeFirstOrThrow();
    expect(row.failures).toBeLessThanOrEqual(MAX_CODE_FAILURES);
    const right = await client.post("/api/v1/account/phone/confirm", { code });
    expect(right.json().code).toBe("INVALID_CODE");
    expect((await client.get("/api/v1/account")).json().phone).toBeNull();
  });
});

describe("registration", () => {
  it("gives one account and LOGIN_TAKEN to the rest when ten register one login at once", async () => {
    const login = `racer${++seq}x${Math.floor(Math.random() * 1e6)}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        new Client(t, nextIp()).post("/api/v1/accounts", {
          login,
          password: GOOD_PASSWORD,
          firstName: "Alice",
          lastName: "Liddell",
        }),
      ),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(answers.filter((a) => a.statusCode === 409).map((a) => a.json().code)).toEqual(
      Array(9).fill("LOGIN_TAKEN"),
    );
  });

  it.skipIf(t.deps.database.dialect !== "postgres")(
    "answers LOGIN_TAKEN, not a server error, when another registration commits the login mid-request",
    async () => {
      const login = `racer${++seq}y${Math.floor(Math.random() * 1e6)}`;
      // Another registration that has written the row but not committed yet.
      const other = await holdTransaction(t.deps.database, async (tx) => {
        await tx
          .insertInto("accounts")
          .values({
            id: newId(),
            login,
            passwordHash: "x",
            firstName: "Other",
            lastName: "Racer",
            createdAt: t.clock.now(),
            passwordChangedAt: t.clock.now(),
          })
          .execute();
      });
      const pending = new Client(t, nextIp()).post("/api/v1/accounts", {
        login,
        password: GOOD_PASSWORD,
        firstName: "Alice",
        lastName: "Liddell",
      });
      await other.waitedOn();
      await other.commit();
      const res = await pending;
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe("LOGIN_TAKEN");
    },
  );
});

describe("passwords typed on another system", () => {
  // "é" as one code point (what most systems send) and as "e" + combining acute (what some send).
  const composed = "caf\u00e9 terrace by the river 9";
  const decomposed = "cafe\u0301 terrace by the river 9";

  it("sign in whichever Unicode form they were registered and typed in", async () => {
    const { login } = await registerAccount(t, { password: decomposed }, nextIp());
    expect((await signIn(login, composed)).statusCode).toBe(200);
    expect((await signIn(login, decomposed)).statusCode).toBe(200);
    const other = await registerAccount(t, { password: composed }, nextIp());
    expect((await signIn(other.login, decomposed)).statusCode).toBe(200);
  });

  it("are the same after a change and as mailbox passwords", async () => {
    const { client, login, password } = await registerAccount(t, {}, nextIp());
    const changed = await client.put("/api/v1/account/password", {
      currentPassword: password,
      newPassword: decomposed,
    });
    expect(changed.statusCode).toBe(204);
    expect((await signIn(login, composed)).statusCode).toBe(200);
    const stored = await hashMailboxPassword(decomposed);
    expect(await verify(stored.slice(DOVECOT_SCHEME.length), composed)).toBe(true);
  });
});

describe("sign-in checks before the rate limit", () => {
  it("limits sign-ins with a hosted mailbox address like any other sign-in", async () => {
    const { accountId } = await registerAccount(t, {}, nextIp());
    const domain = await confirmedDomain(t, accountId);
    const ip = nextIp();
    const answers = [];
    for (let i = 0; i < 61; i++)
      answers.push(await signIn(`someone@${domain.name}`, "whatever it is", {}, ip));
    expect(answers[0]?.json().code).toBe("MAILBOX_ADDRESS_NOT_ACCOUNT");
    expect(answers[60]?.statusCode).toBe(429);
  });
});

describe("audit of sign-in failures", () => {
  const events = (action: string, ip: string) =>
    t.db
      .selectFrom("auditEvents")
      .select(["accountId", "details"])
      .where("action", "=", action)
      .where("ip", "=", ip)
      .execute();

  it("records an unknown login's failure with no account and the login's hash, never the password", async () => {
    const ip = nextIp();
    const login = `nobody${++seq}here`;
    expect((await signIn(login, "a secret nobody should store", {}, ip)).statusCode).toBe(401);
    const rows = await events("sign-in.failure", ip);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.accountId).toBeNull();
    expect(JSON.parse(rows[0]?.details ?? "{}")).toEqual({
      reason: "unknown-login",
      loginSha256: sha256(login),
    });
    expect(rows[0]?.details).not.toContain("a secret nobody should store");
  });

  it("records the refusal when an address goes over the sign-in limit", async () => {
    const ip = nextIp();
    for (let i = 0; i < 62; i++) await signIn(`nobody${seq}limit`, "wrong", {}, ip);
    const rows = await events("sign-in.rate-limited", ip);
    // Once per window, not once per refused request.
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]?.details ?? "{}")).toMatchObject({ limit: "ip" });
  });
});
