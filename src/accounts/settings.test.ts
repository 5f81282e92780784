import { verify } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import {
  Client,
  createTestApp,
  GOOD_PASSWORD,
  lastCodeTo,
  messagesTo,
  registerAccount,
  SERVICE_DOMAIN,
} from "../../test/helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../../test/helpers/domains.js";
import { REAUTH_WINDOW_MS } from "../access/access.js";
import { totpAt } from "../credentials/totp.js";
import { HOUR, MINUTE } from "../lib/clock.js";

const t = await createTestApp();

// Registration is limited per IP; every account here comes from its own address.
let seq = 0;
const nextIp = () => `10.2.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;
const newPhone = () => `+7916${5_000_000 + ++seq}`;
const newEmail = () => `owner${++seq}@example.org`;
const NEW_PASSWORD = "a brand new passphrase 77";

/** An account whose phone and recovery e-mail are both confirmed. */
async function accountWithContacts() {
  const phone = newPhone();
  const email = newEmail();
  const account = await registerAccount(t, { phone, recoveryEmail: email }, nextIp());
  const { client } = account;
  expect(
    (await client.post("/api/v1/account/phone/confirm", { code: await lastCodeTo(t, phone) })).statusCode,
  ).toBe(200);
  expect(
    (await client.post("/api/v1/account/recovery-email/confirm", { code: await lastCodeTo(t, email) }))
      .statusCode,
  ).toBe(200);
  return { ...account, phone, email };
}

async function signIn(login: string, password = GOOD_PASSWORD, extra: Record<string, string> = {}) {
  const client = new Client(t, nextIp());
  const res = await client.post("/api/v1/session", { login, password, ...extra });
  return { client, res };
}

async function actions(accountId: string) {
  const rows = await t.db
    .selectFrom("auditEvents")
    .select(["action", "details"])
    .where("accountId", "=", accountId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ action: r.action, details: r.details ? JSON.parse(r.details) : null }));
}

const wrongCode = (code: string) => `${(Number(code[0]) + 1) % 10}${code.slice(1)}`;

describe("password change", () => {
  it("needs the current password, ends every other session and tells every confirmed contact", async () => {
    const { client, login, phone, email, accountId } = await accountWithContacts();
    const { client: laptop } = await signIn(login);

    const res = await client.put("/api/v1/account/password", {
      currentPassword: GOOD_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(res.statusCode).toBe(204);

    expect((await client.get("/api/v1/account")).statusCode).toBe(200);
    expect((await laptop.get("/api/v1/account")).statusCode).toBe(401);
    expect((await signIn(login)).res.statusCode).toBe(401);
    expect((await signIn(login, NEW_PASSWORD)).res.statusCode).toBe(200);
    for (const contact of [phone, email]) {
      const [notice] = await messagesTo(t, contact);
      expect(notice?.body).toContain("The password was changed");
    }
    const events = await actions(accountId);
    expect(events).toContainEqual({ action: "password.change", details: { endedSessions: 1 } });
    expect(events).toContainEqual({
      action: "session.end",
      details: expect.objectContaining({ reason: "password-change" }),
    });
  });

  it("refuses a wrong current password, counts it toward the throttle (not as a failed sign-in) and changes nothing", async () => {
    const { client, login, accountId } = await registerAccount(t, {}, nextIp());
    const { client: laptop } = await signIn(login);

    const res = await client.put("/api/v1/account/password", {
      currentPassword: "not my password at all",
      newPassword: NEW_PASSWORD,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("PASSWORD_WRONG");
    expect((await laptop.get("/api/v1/account")).statusCode).toBe(200);
    expect((await signIn(login)).res.statusCode).toBe(200);
    expect((await signIn(login, NEW_PASSWORD)).res.statusCode).toBe(401);
    // Signed in already: not a failed sign-in in the account's log, but its own event (issue 12).
    const logged = (await actions(accountId)).map((e) => e.action);
    expect(logged.filter((a) => a === "reauth.failure")).toHaveLength(1);
    // The one failed sign-in is the sign-in with the refused new password above.
    expect(logged.filter((a) => a === "sign-in.failure")).toHaveLength(1);
  });

  it.each([
    ["short1", "PASSWORD_TOO_SHORT"],
    ["password123", "PASSWORD_TOO_COMMON"],
    [`${SERVICE_DOMAIN}!!`, "PASSWORD_CONTAINS_CONTEXT"],
  ])("refuses the new password %j with %s", async (newPassword, code) => {
    const { client, login } = await registerAccount(t, {}, nextIp());
    const res = await client.put("/api/v1/account/password", { currentPassword: GOOD_PASSWORD, newPassword });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(code);
    expect((await signIn(login)).res.statusCode).toBe(200);
  });

  it("refuses the name of a domain the account manages inside the new password", async () => {
    const { client, accountId, login } = await registerAccount(t, {}, nextIp());
    const { name } = await confirmedDomain(t, accountId);
    for (const newPassword of [`${name}!!`, `${name.split(".")[0]}#1`]) {
      const res = await client.put("/api/v1/account/password", {
        currentPassword: GOOD_PASSWORD,
        newPassword,
      });
      expect(res.json().code, newPassword).toBe("PASSWORD_CONTAINS_CONTEXT");
    }
    expect((await signIn(login)).res.statusCode).toBe(200);
  });

  it("refuses the login inside the new password", async () => {
    const { client, login } = await registerAccount(t, {}, nextIp());
    const res = await client.put("/api/v1/account/password", {
      currentPassword: GOOD_PASSWORD,
      newPassword: `${login}-2024`,
    });
    expect(res.json().code).toBe("PASSWORD_CONTAINS_CONTEXT");
  });
});

describe("profile and security question", () => {
  it("changes the names, trimmed, and refuses blank ones without changing anything", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const res = await client.patch("/api/v1/account/profile", { firstName: "  Alicia " });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ firstName: "Alicia", lastName: "Liddell" });

    const blank = await client.patch("/api/v1/account/profile", { firstName: "Bob", lastName: "   " });
    expect(blank.statusCode).toBe(400);
    expect(blank.json()).toMatchObject({ code: "VALIDATION_FAILED", field: "lastName" });
    expect((await client.get("/api/v1/account")).json()).toMatchObject({
      firstName: "Alicia",
      lastName: "Liddell",
    });
  });

  it("sets the question with a normalised, hashed answer and tells the contacts", async () => {
    const { client, accountId, phone } = await accountWithContacts();
    const res = await client.put("/api/v1/account/security-question", {
      question: "first-pet",
      answer: "  Mister   WHISKERS ",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().securityQuestion).toEqual({ id: "first-pet", text: "Name of your first pet" });
    const row = await t.db
      .selectFrom("accounts")
      .select("securityAnswerHash")
      .where("id", "=", accountId)
      .executeTakeFirstOrThrow();
    expect(row.securityAnswerHash).toMatch(/^\$argon2id\$/);
    expect(await verify(row.securityAnswerHash as string, "mister whiskers")).toBe(true);
    expect((await messagesTo(t, phone))[0]?.body).toContain("security question was changed");
    expect((await actions(accountId)).map((e) => e.action)).toContain("security-question.change");
  });

  it("refuses a question outside the catalog and needs a recent re-authentication", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const unknown = await client.put("/api/v1/account/security-question", {
      question: "favourite-colour",
      answer: "blue",
    });
    expect(unknown.json().code).toBe("SECURITY_QUESTION_INVALID");
    const short = await client.put("/api/v1/account/security-question", {
      question: "first-pet",
      answer: " x ",
    });
    expect(short.json().code).toBe("SECURITY_QUESTION_INVALID");

    t.clock.advance(REAUTH_WINDOW_MS + 1);
    const stale = await client.put("/api/v1/account/security-question", {
      question: "first-pet",
      answer: "Rex",
    });
    expect(stale.statusCode).toBe(403);
    expect(stale.json().code).toBe("REAUTH_REQUIRED");
    expect((await client.get("/api/v1/account")).json().securityQuestion).toBeNull();
  });
});

describe("contacts", () => {
  it("changes the phone only when the new number's code comes back, and tells the old number", async () => {
    const { client, phone: oldPhone, email, accountId } = await accountWithContacts();
    const newNumber = newPhone();

    const start = await client.post("/api/v1/account/phone", { phone: newNumber.replace(/^\+7/, "+7 ") });
    expect(start.statusCode).toBe(202);
    expect(start.json()).toEqual({ pending: newNumber });
    const waiting = (await client.get("/api/v1/account")).json();
    expect(waiting.phone).toEqual({ number: oldPhone, confirmed: true });
    expect(waiting.pendingPhone).toBe(newNumber);

    const res = await client.post("/api/v1/account/phone/confirm", { code: await lastCodeTo(t, newNumber) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ phone: { number: newNumber, confirmed: true }, pendingPhone: null });
    const [toOld] = await messagesTo(t, oldPhone);
    expect(toOld?.body).toContain("was replaced");
    expect((await messagesTo(t, email))[0]?.body).toContain("was replaced");
    expect((await actions(accountId)).filter((e) => e.action === "contact.change")).toHaveLength(3);
  });

  it("confirms the contacts given at registration with the same endpoints", async () => {
    const email = newEmail();
    const { client } = await registerAccount(t, { recoveryEmail: email }, nextIp());
    expect((await client.get("/api/v1/account")).json()).toMatchObject({
      recoveryEmail: null,
      pendingEmail: email,
    });
    const res = await client.post("/api/v1/account/recovery-email/confirm", {
      code: await lastCodeTo(t, email),
    });
    expect(res.json()).toMatchObject({
      recoveryEmail: { address: email, confirmed: true },
      pendingEmail: null,
    });
  });

  it("kills a code after five wrong tries", async () => {
    const phone = newPhone();
    const { client } = await registerAccount(t, { phone }, nextIp());
    const code = await lastCodeTo(t, phone);
    for (let i = 0; i < 5; i++) {
      const res = await client.post("/api/v1/account/phone/confirm", { code: wrongCode(code) });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("INVALID_CODE");
    }
    const late = await client.post("/api/v1/account/phone/confirm", { code });
    expect(late.json().code).toBe("INVALID_CODE");
    expect((await client.get("/api/v1/account")).json()).toMatchObject({ phone: null, pendingPhone: null });
  });

  it("keeps the failure count when the code is resent", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const phone = newPhone();
    await client.post("/api/v1/account/phone", { phone });
    const first = await lastCodeTo(t, phone);
    for (let i = 0; i < 4; i++)
      await client.post("/api/v1/account/phone/confirm", { code: wrongCode(first) });

    expect((await client.post("/api/v1/account/phone", { phone })).statusCode).toBe(202);
    const second = await lastCodeTo(t, phone);
    expect((await client.post("/api/v1/account/phone/confirm", { code: first })).json().code).toBe(
      "INVALID_CODE",
    );
    const res = await client.post("/api/v1/account/phone/confirm", { code: second });
    expect(res.json().code).toBe("INVALID_CODE");
    expect((await client.get("/api/v1/account")).json().phone).toBeNull();
  });

  it("sends at most five codes per account per hour", async () => {
    const { client, login } = await registerAccount(t, {}, nextIp());
    for (let i = 0; i < 5; i++) {
      expect((await client.post("/api/v1/account/recovery-email", { email: newEmail() })).statusCode).toBe(
        202,
      );
    }
    const refused = newEmail();
    const res = await client.post("/api/v1/account/recovery-email", { email: refused });
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe("RATE_LIMITED");
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    expect(await messagesTo(t, refused)).toHaveLength(0);

    t.clock.advance(HOUR);
    const { client: nextHour } = await signIn(login);
    expect((await nextHour.post("/api/v1/account/recovery-email", { email: refused })).statusCode).toBe(202);
  });

  it("answers a confirmation with nothing pending, and never confirms with another account's code", async () => {
    const alice = await registerAccount(t, {}, nextIp());
    const bob = await registerAccount(t, {}, nextIp());
    const phone = newPhone();
    await alice.client.post("/api/v1/account/phone", { phone });
    const res = await bob.client.post("/api/v1/account/phone/confirm", { code: await lastCodeTo(t, phone) });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("NOTHING_TO_CONFIRM");
    expect((await bob.client.get("/api/v1/account")).json().phone).toBeNull();
    expect((await alice.client.get("/api/v1/account")).json().pendingPhone).toBe(phone);
  });

  it("refuses a recovery e-mail on the service's own domain and a malformed phone, sending nothing", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    for (const email of [`me@${SERVICE_DOMAIN}`, `me@mail.${SERVICE_DOMAIN}`]) {
      const res = await client.post("/api/v1/account/recovery-email", { email });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("EMAIL_ON_SERVICE_DOMAIN");
      expect(await messagesTo(t, email)).toHaveLength(0);
    }
    expect((await client.post("/api/v1/account/recovery-email", { email: "no-at-sign" })).json().code).toBe(
      "EMAIL_INVALID",
    );
    expect((await client.post("/api/v1/account/phone", { phone: "8 916 123-45-67" })).json().code).toBe(
      "PHONE_INVALID",
    );
  });

  it("refuses a recovery e-mail on a domain the account owns or administers, sending nothing", async () => {
    const { client, accountId } = await registerAccount(t, {}, nextIp());
    const other = await registerAccount(t, {}, nextIp());
    const owned = await confirmedDomain(t, accountId);
    const administered = await confirmedDomain(t, other.accountId);
    await t.db
      .insertInto("deputies")
      .values({ domainId: administered.domainId, accountId, createdAt: t.clock.now() })
      .execute();
    const foreign = await confirmedDomain(t, other.accountId);
    for (const email of [`me@${owned.name}`, `me@mail.${owned.name}`, `me@${administered.name}`]) {
      const res = await client.post("/api/v1/account/recovery-email", { email });
      expect(res.statusCode, email).toBe(400);
      expect(res.json().code).toBe("EMAIL_ON_MANAGED_DOMAIN");
      expect(await messagesTo(t, email)).toHaveLength(0);
    }
    // A domain someone else manages is just another address.
    expect(
      (await client.post("/api/v1/account/recovery-email", { email: `me@${foreign.name}` })).statusCode,
    ).toBe(202);
  });

  it("refuses a pending recovery e-mail whose domain the account came to manage before the code returned", async () => {
    const { client, accountId } = await registerAccount(t, {}, nextIp());
    const name = uniqueDomain();
    const email = `me@${name}`;
    expect((await client.post("/api/v1/account/recovery-email", { email })).statusCode).toBe(202);
    await confirmedDomain(t, accountId, name);
    const res = await client.post("/api/v1/account/recovery-email/confirm", {
      code: await lastCodeTo(t, email),
    });
    expect(res.json().code).toBe("EMAIL_ON_MANAGED_DOMAIN");
    expect((await client.get("/api/v1/account")).json().recoveryEmail).toBeNull();
  });

  it("refuses to re-send to the contact that is already confirmed", async () => {
    const { client, phone } = await accountWithContacts();
    const res = await client.post("/api/v1/account/phone", { phone });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "VALIDATION_FAILED", field: "phone" });
  });

  it("removes a contact after re-authentication and tells it", async () => {
    const { client, password, phone, email, accountId } = await accountWithContacts();
    t.clock.advance(REAUTH_WINDOW_MS + 1);
    const stale = await client.delete("/api/v1/account/phone");
    expect(stale.json().code).toBe("REAUTH_REQUIRED");

    await client.post("/api/v1/session/reauthenticate", { password });
    expect((await client.delete("/api/v1/account/phone")).statusCode).toBe(204);
    const profile = (await client.get("/api/v1/account")).json();
    expect(profile.phone).toBeNull();
    expect(profile.missing).toContain("confirmedPhone");
    expect((await messagesTo(t, phone))[0]?.body).toContain("was removed");
    expect((await messagesTo(t, email))[0]?.body).toContain("was removed");
    expect((await actions(accountId)).map((e) => e.action)).toContain("contact.remove");

    const again = await client.delete("/api/v1/account/phone");
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe("NOT_FOUND");
  });
});

describe("two-factor authentication", () => {
  async function enableTwoFactor(client: Client) {
    const setup = await client.post("/api/v1/account/two-factor/setup");
    expect(setup.statusCode).toBe(200);
    const { secret } = setup.json();
    const code = totpAt(secret, t.clock.now());
    expect((await client.post("/api/v1/account/two-factor/enable", { code })).statusCode).toBe(200);
    return { secret: secret as string, code };
  }

  it("turns on with a code from the app; sign-in then needs a code, and each code works once", async () => {
    const { client, login, phone, accountId } = await accountWithContacts();
    const setup = await client.post("/api/v1/account/two-factor/setup");
    const { secret, otpauthUri, qrSvg } = setup.json();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(qrSvg).toContain("<svg");
    expect((await client.get("/api/v1/account")).json().twoFactor).toBe(false);

    const wrong = await client.post("/api/v1/account/two-factor/enable", {
      code: totpAt(secret, t.clock.now() + 5 * MINUTE),
    });
    expect(wrong.json().code).toBe("INVALID_TWO_FACTOR_CODE");
    expect((await client.get("/api/v1/account")).json().twoFactor).toBe(false);

    const code = totpAt(secret, t.clock.now());
    expect((await client.post("/api/v1/account/two-factor/enable", { code })).statusCode).toBe(200);
    expect((await client.get("/api/v1/account")).json().twoFactor).toBe(true);
    expect((await messagesTo(t, phone))[0]?.body).toContain("Two-factor authentication was turned on");
    expect((await actions(accountId)).map((e) => e.action)).toContain("two-factor.enable");

    expect((await signIn(login)).res.json().code).toBe("TWO_FACTOR_REQUIRED");
    // The code that turned two-factor on is spent.
    expect((await signIn(login, GOOD_PASSWORD, { totpCode: code })).res.json().code).toBe(
      "INVALID_TWO_FACTOR_CODE",
    );
    t.clock.advance(30_000);
    const next = totpAt(secret, t.clock.now());
    expect((await signIn(login, GOOD_PASSWORD, { totpCode: next })).res.statusCode).toBe(200);
    expect((await signIn(login, GOOD_PASSWORD, { totpCode: next })).res.json().code).toBe(
      "INVALID_TWO_FACTOR_CODE",
    );
  });

  it("accepts a code one step early or late, not two", async () => {
    const { client, login } = await registerAccount(t, {}, nextIp());
    const { secret } = await enableTwoFactor(client);
    t.clock.advance(10 * 30_000);
    const at = (steps: number) => totpAt(secret, t.clock.now() + steps * 30_000);
    const signInWith = async (totpCode: string) =>
      (await signIn(login, GOOD_PASSWORD, { totpCode })).res.statusCode;
    expect(await signInWith(at(-2))).toBe(401);
    expect(await signInWith(at(2))).toBe(401);
    expect(await signInWith(at(-1))).toBe(200);
    expect(await signInWith(at(1))).toBe(200);
    // A step not newer than the last used one never works again, even inside the window.
    expect(await signInWith(at(0))).toBe(401);
  });

  it("is turned off with re-authentication and a valid code; re-authentication then needs the code", async () => {
    const { client, login, password, accountId } = await registerAccount(t, {}, nextIp());
    const { secret } = await enableTwoFactor(client);
    t.clock.advance(REAUTH_WINDOW_MS + 1);
    const code = () => totpAt(secret, t.clock.now());

    const stale = await client.post("/api/v1/account/two-factor/disable", { code: code(), password });
    expect(stale.json().code).toBe("REAUTH_REQUIRED");
    expect((await client.post("/api/v1/session/reauthenticate", { password })).json().code).toBe(
      "TWO_FACTOR_REQUIRED",
    );
    expect(
      (await client.post("/api/v1/session/reauthenticate", { password, totpCode: code() })).statusCode,
    ).toBe(200);

    t.clock.advance(30_000);
    const bad = await client.post("/api/v1/account/two-factor/disable", {
      code: totpAt(secret, t.clock.now() + HOUR),
      password,
    });
    expect(bad.json().code).toBe("INVALID_TWO_FACTOR_CODE");
    expect((await client.get("/api/v1/account")).json().twoFactor).toBe(true);

    expect(
      (await client.post("/api/v1/account/two-factor/disable", { code: code(), password })).statusCode,
    ).toBe(204);
    expect((await client.get("/api/v1/account")).json().twoFactor).toBe(false);
    expect((await signIn(login)).res.statusCode).toBe(200);
    expect((await actions(accountId)).map((e) => e.action)).toContain("two-factor.disable");
    const off = await client.post("/api/v1/account/two-factor/disable", { code: code(), password });
    expect(off.json().code).toBe("TWO_FACTOR_NOT_ENABLED");
  });

  it("cannot be turned off by a support agent", async () => {
    const { client, accountId } = await registerAccount(t, {}, nextIp());
    const { secret } = await enableTwoFactor(client);
    await t.db.updateTable("accounts").set({ isSupportAgent: 1 }).where("id", "=", accountId).execute();
    t.clock.advance(30_000);
    const res = await client.post("/api/v1/account/two-factor/disable", {
      code: totpAt(secret, t.clock.now()),
      password: GOOD_PASSWORD,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe("TWO_FACTOR_REQUIRED_FOR_ROLE");
    expect((await client.get("/api/v1/account")).json().twoFactor).toBe(true);
  });

  it("answers setup and enable in the wrong state", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const early = await client.post("/api/v1/account/two-factor/enable", { code: "123456" });
    expect(early.json().code).toBe("TWO_FACTOR_NOT_STARTED");
    await enableTwoFactor(client);
    expect((await client.post("/api/v1/account/two-factor/setup")).json().code).toBe(
      "TWO_FACTOR_ALREADY_ENABLED",
    );
    expect((await client.post("/api/v1/account/two-factor/enable", { code: "123456" })).json().code).toBe(
      "TWO_FACTOR_ALREADY_ENABLED",
    );
  });

  it("limits code checks, so the six digits cannot be walked", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const { secret } = (await client.post("/api/v1/account/two-factor/setup")).json();
    const wrong = totpAt(secret, t.clock.now() + HOUR);
    for (let i = 0; i < 10; i++) await client.post("/api/v1/account/two-factor/enable", { code: wrong });
    const res = await client.post("/api/v1/account/two-factor/enable", {
      code: totpAt(secret, t.clock.now()),
    });
    expect(res.statusCode).toBe(429);
    expect((await client.get("/api/v1/account")).json().twoFactor).toBe(false);
  });

  it("lets an account with two-factor keep an 8-character password", async () => {
    const { client, login } = await registerAccount(t, {}, nextIp());
    const res0 = await client.put("/api/v1/account/password", {
      currentPassword: GOOD_PASSWORD,
      newPassword: "q7#Lm2@x",
    });
    expect(res0.json().code).toBe("PASSWORD_TOO_SHORT");
    const { secret } = await enableTwoFactor(client);
    const res = await client.put("/api/v1/account/password", {
      currentPassword: GOOD_PASSWORD,
      newPassword: "q7#Lm2@x",
    });
    expect(res.statusCode).toBe(204);
    t.clock.advance(30_000);
    const totpCode = totpAt(secret, t.clock.now());
    expect((await signIn(login, "q7#Lm2@x", { totpCode })).res.statusCode).toBe(200);
  });

  it("is not turned off while the password is shorter than 10 characters, and says to change it first", async () => {
    const { client, login, accountId } = await registerAccount(t, {}, nextIp());
    const { secret } = await enableTwoFactor(client);
    const short = "q7#Lm2@x";
    expect(
      (await client.put("/api/v1/account/password", { currentPassword: GOOD_PASSWORD, newPassword: short }))
        .statusCode,
    ).toBe(204);
    t.clock.advance(30_000);
    const refused = await client.post("/api/v1/account/two-factor/disable", {
      code: totpAt(secret, t.clock.now()),
      password: short,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: "PASSWORD_TOO_SHORT_WITHOUT_TWO_FACTOR", min: 10 });
    expect((await client.get("/api/v1/account")).json().twoFactor).toBe(true);
    expect((await actions(accountId)).map((e) => e.action)).not.toContain("two-factor.disable");

    // A wrong password is refused as such and counted, whatever its length.
    const wrong = await client.post("/api/v1/account/two-factor/disable", {
      code: totpAt(secret, t.clock.now()),
      password: "not it at all",
    });
    expect(wrong.json().code).toBe("PASSWORD_WRONG");

    expect(
      (await client.put("/api/v1/account/password", { currentPassword: short, newPassword: NEW_PASSWORD }))
        .statusCode,
    ).toBe(204);
    t.clock.advance(30_000);
    const off = await client.post("/api/v1/account/two-factor/disable", {
      code: totpAt(secret, t.clock.now()),
      password: NEW_PASSWORD,
    });
    expect(off.statusCode).toBe(204);
    expect((await signIn(login, NEW_PASSWORD)).res.statusCode).toBe(200);
  });
});
