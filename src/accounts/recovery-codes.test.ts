import { describe, expect, it } from "vitest";
import {
  Client,
  createTestApp,
  GOOD_PASSWORD,
  lastCodeTo,
  messagesTo,
  registerWithContacts,
} from "../../test/helpers/app.js";
import { REAUTH_WINDOW_MS } from "../access/access.js";
import { RECOVERY_CODE_COUNT } from "../credentials/recovery-codes.js";
import { totpAt } from "../credentials/totp.js";

/**
 * Two-factor recovery codes: the way back in for someone whose authenticator is lost — shown once
 * when two-factor goes on, each working once at sign-in, re-authentication, restore access and
 * turning two-factor off; renewable after re-authentication; counted on the account.
 */
const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.12.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;
const CODE_FORMAT = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{2}$/;

/** An account with confirmed contacts and two-factor on; its recovery codes as shown once. */
async function withTwoFactor() {
  const account = await registerWithContacts(t, nextIp());
  const { secret } = (await account.client.post("/api/v1/account/two-factor/setup")).json();
  const enabled = await account.client.post("/api/v1/account/two-factor/enable", {
    code: totpAt(secret, t.clock.now()),
  });
  expect(enabled.statusCode, enabled.body).toBe(200);
  // The enabling code's step is spent; the next step's code is fresh.
  t.clock.advance(30_000);
  return { ...account, secret: secret as string, codes: enabled.json().recoveryCodes as string[] };
}

const signIn = (login: string, extra: Record<string, string>, ip = nextIp()) =>
  new Client(t, ip).post("/api/v1/session", { login, password: GOOD_PASSWORD, ...extra });

const codesLeft = async (client: Client) =>
  (await client.get("/api/v1/account")).json().recoveryCodesLeft as number;

const actionsOf = async (accountId: string) =>
  (
    await t.db
      .selectFrom("auditEvents")
      .select(["action", "details"])
      .where("accountId", "=", accountId)
      .orderBy("id")
      .execute()
  ).map((e) => ({ action: e.action, details: e.details ? JSON.parse(e.details) : null }));

describe("two-factor recovery codes", () => {
  it("come as ten distinct codes of 50 bits when two-factor goes on, and are stored only as hashes", async () => {
    const { client, codes, accountId } = await withTwoFactor();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(CODE_FORMAT);
    expect(await codesLeft(client)).toBe(10);
    const stored = await t.db
      .selectFrom("recoveryCodes")
      .selectAll()
      .where("accountId", "=", accountId)
      .execute();
    expect(stored).toHaveLength(10);
    const bare = codes.map((c) => c.replaceAll("-", ""));
    for (const row of stored) {
      expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
      for (const code of [...codes, ...bare]) expect(row.codeHash).not.toContain(code);
    }
  });

  it("sign in once each in place of the authenticator's code, and the account counts them down", async () => {
    const { client, codes, login, accountId, phone, email } = await withTwoFactor();
    const [first, second] = codes as [string, string];
    const used = await signIn(login, { recoveryCode: first });
    expect(used.statusCode, used.body).toBe(200);
    expect(await codesLeft(client)).toBe(9);
    // Spent: the same code never works again.
    const again = await signIn(login, { recoveryCode: first });
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe("INVALID_TWO_FACTOR_CODE");
    // Typed as people type: upper case, spaces for hyphens.
    const typed = await signIn(login, { recoveryCode: second.toUpperCase().replaceAll("-", " ") });
    expect(typed.statusCode, typed.body).toBe(200);
    expect(await codesLeft(client)).toBe(8);

    // An audit event with what is left, and a notice to every contact.
    const events = (await actionsOf(accountId)).filter((e) => e.action === "two-factor.recovery-code-used");
    expect(events.map((e) => e.details)).toEqual([
      { purpose: "sign-in", left: 9 },
      { purpose: "sign-in", left: 8 },
    ]);
    for (const contact of [phone, email]) {
      const [notice] = await messagesTo(t, contact);
      expect(notice?.body).toContain("A two-factor recovery code was used (sign in); 8 of them are left");
    }
  });

  it("refuses a wrong code, another account's code and a password that is wrong, counting the failures", async () => {
    const alice = await withTwoFactor();
    const bob = await withTwoFactor();
    const wrong = await signIn(alice.login, { recoveryCode: "0000-0000-00" });
    expect(wrong.json().code).toBe("INVALID_TWO_FACTOR_CODE");
    const bobs = await signIn(alice.login, { recoveryCode: bob.codes[0] as string });
    expect(bobs.json().code).toBe("INVALID_TWO_FACTOR_CODE");
    const noPassword = await new Client(t, nextIp()).post("/api/v1/session", {
      login: alice.login,
      password: "not the password at all",
      recoveryCode: alice.codes[0],
    });
    expect(noPassword.json().code).toBe("INVALID_CREDENTIALS");
    expect(await codesLeft(alice.client)).toBe(10);
    expect(await codesLeft(bob.client)).toBe(10);
    const failures = (await actionsOf(alice.accountId)).filter((e) => e.action === "sign-in.failure");
    expect(failures.length).toBeGreaterThanOrEqual(3);
  });

  it("let exactly one of two parallel sign-ins with the same code through", async () => {
    const { login, codes, client } = await withTwoFactor();
    const code = codes[3] as string;
    const results = await Promise.all([
      signIn(login, { recoveryCode: code }),
      signIn(login, { recoveryCode: code }),
      signIn(login, { recoveryCode: code }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401, 401]);
    expect(await codesLeft(client)).toBe(9);
  });

  it("are made anew only after re-authentication, voiding the old ones", async () => {
    const { client, codes, login, password, accountId, secret } = await withTwoFactor();
    t.clock.advance(REAUTH_WINDOW_MS + 1);
    const stale = await client.post("/api/v1/account/two-factor/recovery-codes");
    expect(stale.json().code).toBe("REAUTH_REQUIRED");
    expect(await codesLeft(client)).toBe(10);

    const reauth = await client.post("/api/v1/session/reauthenticate", {
      password,
      totpCode: totpAt(secret, t.clock.now()),
    });
    expect(reauth.statusCode, reauth.body).toBe(200);
    const renewed = await client.post("/api/v1/account/two-factor/recovery-codes");
    expect(renewed.statusCode, renewed.body).toBe(200);
    const fresh = renewed.json().recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((code) => codes.includes(code))).toEqual([]);
    expect((await signIn(login, { recoveryCode: codes[0] as string })).statusCode).toBe(401);
    expect((await signIn(login, { recoveryCode: fresh[0] as string })).statusCode).toBe(200);
    expect(await codesLeft(client)).toBe(9);
    expect((await actionsOf(accountId)).map((e) => e.action)).toContain(
      "two-factor.recovery-codes-regenerate",
    );
  });

  it("cannot be made for an account without two-factor (tokens: test/authorization-matrix.test.ts)", async () => {
    const { client } = await registerWithContacts(t, nextIp());
    const none = await client.post("/api/v1/account/two-factor/recovery-codes");
    expect(none.json().code).toBe("TWO_FACTOR_NOT_ENABLED");
    expect(await codesLeft(client)).toBe(0);
  });

  it("re-authenticate and turn two-factor off for whoever lost the authenticator; off, they are gone", async () => {
    const { client, codes, password, accountId, login } = await withTwoFactor();
    t.clock.advance(REAUTH_WINDOW_MS + 1);
    const reauth = await client.post("/api/v1/session/reauthenticate", {
      password,
      recoveryCode: codes[0],
    });
    expect(reauth.statusCode, reauth.body).toBe(200);
    const off = await client.post("/api/v1/account/two-factor/disable", { recoveryCode: codes[1], password });
    expect(off.statusCode, off.body).toBe(204);
    expect((await client.get("/api/v1/account")).json()).toMatchObject({
      twoFactor: false,
      recoveryCodesLeft: 0,
    });
    expect(
      await t.db.selectFrom("recoveryCodes").select("id").where("accountId", "=", accountId).execute(),
    ).toEqual([]);
    // Without two-factor the password alone signs in; the old codes are nothing any more.
    expect((await signIn(login, {})).statusCode).toBe(200);
    const purposes = (await actionsOf(accountId))
      .filter((e) => e.action === "two-factor.recovery-code-used")
      .map((e) => e.details.purpose);
    expect(purposes).toEqual(["re-authentication", "two-factor-off"]);
  });

  it("stand in for the authenticator where restore access asks for the second factor", async () => {
    const { codes, login, phone, client } = await withTwoFactor();
    const visitor = new Client(t, nextIp());
    const started = await visitor.post("/api/v1/recovery/code", { login, channel: "phone", contact: phone });
    expect(started.statusCode).toBe(202);
    const verified = await visitor.post("/api/v1/recovery/verify", {
      flowId: started.json().flowId,
      code: await lastCodeTo(t, phone),
    });
    const resetToken = verified.json().resetToken as string;
    const newPassword = "a brand new passphrase 77";
    const asked = await visitor.post("/api/v1/recovery/reset", { resetToken, newPassword });
    expect(asked.json().code).toBe("TWO_FACTOR_REQUIRED");
    const reset = await visitor.post("/api/v1/recovery/reset", {
      resetToken,
      newPassword,
      recoveryCode: codes[0],
    });
    expect(reset.statusCode, reset.body).toBe(204);
    const after = await new Client(t, nextIp()).post("/api/v1/session", {
      login,
      password: newPassword,
      recoveryCode: codes[1],
    });
    expect(after.statusCode, after.body).toBe(200);
    // The old session ended with the reset; a new one sees the count.
    expect((await client.get("/api/v1/account")).statusCode).toBe(401);
    const fresh = new Client(t, nextIp());
    fresh.cookie = after.cookies.find((c) => c.name === "mfd_session")?.value ?? null;
    expect(await codesLeft(fresh)).toBe(8);
  });
});
