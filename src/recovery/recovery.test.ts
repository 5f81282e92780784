import { describe, expect, it } from "vitest";
import {
  Client,
  createTestApp,
  GOOD_PASSWORD,
  lastCodeTo,
  messagesTo,
  registerAccount,
  SERVICE_DOMAIN,
  uniqueLogin,
} from "../../test/helpers/app.js";
import { SECURITY_QUESTIONS } from "../credentials/security-questions.js";
import { newTotpSecret, totpAt } from "../credentials/totp.js";
import { DAY, HOUR, MINUTE } from "../lib/clock.js";

const t = await createTestApp();

const NEW_PASSWORD = "a brand new passphrase 77";

// Every test works from its own addresses, so per-IP limits of one test do not leak into another.
let ipCounter = 0;
const visitor = () => new Client(t, `198.51.100.${++ipCounter}`);

let phoneCounter = 0;
const uniquePhone = () => `+7916${String(1_000_000 + ++phoneCounter * 7919).slice(-7)}`;
const uniqueEmail = () => `${uniqueLogin("r")}@example.org`;

/** An account whose given contacts are confirmed through the console, as a user would. */
async function accountWith(options: {
  phone?: string;
  email?: string;
  question?: { id: string; answer: string };
  confirm?: boolean;
}) {
  const account = await registerAccount(
    t,
    {
      ...(options.phone ? { phone: options.phone } : {}),
      ...(options.email ? { recoveryEmail: options.email } : {}),
      ...(options.question
        ? { securityQuestion: options.question.id, securityAnswer: options.question.answer }
        : {}),
    },
    `192.0.2.${(ipCounter % 250) + 1}`,
  );
  if (options.confirm !== false) {
    if (options.phone) {
      const res = await account.client.post("/api/v1/account/phone/confirm", {
        code: await lastCodeTo(t, options.phone),
      });
      expect(res.statusCode).toBe(200);
    }
    if (options.email) {
      const res = await account.client.post("/api/v1/account/recovery-email/confirm", {
        code: await lastCodeTo(t, options.email),
      });
      expect(res.statusCode).toBe(200);
    }
  }
  return account;
}

const passwordHashOf = async (accountId: string) =>
  (
    await t.db
      .selectFrom("accounts")
      .select("passwordHash")
      .where("id", "=", accountId)
      .executeTakeFirstOrThrow()
  ).passwordHash;

const eventsOf = async (accountId: string) =>
  (
    await t.db
      .selectFrom("auditEvents")
      .select("action")
      .where("accountId", "=", accountId)
      .orderBy("id")
      .execute()
  ).map((e) => e.action);

const signIn = (login: string, password: string, totpCode?: string) =>
  visitor().post("/api/v1/session", { login, password, ...(totpCode ? { totpCode } : {}) });

/** A six-digit code that is certainly not `code`. */
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

/** Runs a code flow to the reset grant. */
async function grantByCode(client: Client, login: string, channel: "phone" | "email", contact: string) {
  const started = await client.post("/api/v1/recovery/code", { login, channel, contact });
  expect(started.statusCode).toBe(202);
  const verified = await client.post("/api/v1/recovery/verify", {
    flowId: started.json().flowId,
    code: await lastCodeTo(t, contact),
  });
  expect(verified.statusCode).toBe(200);
  return verified.json().resetToken as string;
}

describe("restore access with a code", () => {
  it("by phone: the code resets the password, ends every session, tells the contacts and does not sign in", async () => {
    const phone = uniquePhone();
    const email = uniqueEmail();
    const { client: oldSession, login, accountId } = await accountWith({ phone, email });
    expect((await oldSession.get("/api/v1/account")).statusCode).toBe(200);
    // A token issued before the reset (by the owner, or by whoever had taken the account over).
    const issued = await oldSession.post("/api/v1/tokens", {
      name: "before reset",
      permissions: ["domains:read"],
      domains: "all",
      expiresInDays: 30,
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const bearer = { authorization: `Bearer ${issued.json().token}` };
    expect((await visitor().get("/api/v1/domains", bearer)).statusCode).toBe(200);

    const user = visitor();
    // The full number as people type it, and the login as the full address.
    const spaced = `${phone.slice(0, 2)} ${phone.slice(2, 5)} ${phone.slice(5, 8)}-${phone.slice(8)}`;
    const started = await user.post("/api/v1/recovery/code", {
      login: `${login}@${SERVICE_DOMAIN}`,
      channel: "phone",
      contact: spaced,
    });
    expect(started.statusCode).toBe(202);
    const [sms] = await messagesTo(t, phone);
    expect(sms).toMatchObject({ channel: "sms", subject: "Your code to restore access to mfd" });

    const verified = await user.post("/api/v1/recovery/verify", {
      flowId: started.json().flowId,
      code: await lastCodeTo(t, phone),
    });
    expect(verified.statusCode).toBe(200);
    const { resetToken, expiresAt } = verified.json();
    expect(Buffer.from(resetToken, "base64url").length).toBeGreaterThanOrEqual(16);
    expect(Date.parse(expiresAt)).toBe(t.clock.now() + 10 * MINUTE);

    const reset = await user.post("/api/v1/recovery/reset", { resetToken, newPassword: NEW_PASSWORD });
    expect(reset.statusCode).toBe(204);
    expect(reset.cookies.find((c) => c.name === "mfd_session")).toBeUndefined();
    expect((await user.get("/api/v1/account")).statusCode).toBe(401);
    expect((await oldSession.get("/api/v1/account")).statusCode).toBe(401);
    expect((await visitor().get("/api/v1/domains", bearer)).statusCode).toBe(401);

    expect((await signIn(login, GOOD_PASSWORD)).statusCode).toBe(401);
    expect((await signIn(login, NEW_PASSWORD)).statusCode).toBe(200);

    for (const contact of [phone, email]) {
      const [notice] = await messagesTo(t, contact);
      expect(notice?.subject).toBe("Your mfd password was reset");
      expect(notice?.body).toContain(`${login}@${SERVICE_DOMAIN}`);
    }
    expect(await eventsOf(accountId)).toEqual(
      expect.arrayContaining(["recovery.code-requested", "password.reset"]),
    );

    // The token works once.
    const again = await user.post("/api/v1/recovery/reset", {
      resetToken,
      newPassword: "yet another passphrase 1",
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe("RECOVERY_INVALID");
    expect((await signIn(login, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it("by recovery e-mail, typed with a different letter case", async () => {
    const email = uniqueEmail();
    const { client: oldSession, login } = await accountWith({ email });
    const user = visitor();
    const started = await user.post("/api/v1/recovery/code", {
      login,
      channel: "email",
      contact: `  ${email.toUpperCase()} `,
    });
    expect(started.statusCode).toBe(202);
    const [mail] = await messagesTo(t, email);
    expect(mail).toMatchObject({ channel: "email", subject: "Your code to restore access to mfd" });

    const verified = await user.post("/api/v1/recovery/verify", {
      flowId: started.json().flowId,
      code: await lastCodeTo(t, email),
    });
    expect(verified.statusCode).toBe(200);
    const reset = await user.post("/api/v1/recovery/reset", {
      resetToken: verified.json().resetToken,
      newPassword: NEW_PASSWORD,
    });
    expect(reset.statusCode).toBe(204);
    expect((await oldSession.get("/api/v1/account")).statusCode).toBe(401);
    expect((await signIn(login, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it("answers an unknown login, a wrong contact, an unconfirmed contact and the right contact alike", async () => {
    const phone = uniquePhone();
    const { login, accountId } = await accountWith({ phone });
    const pendingPhone = uniquePhone();
    const { login: pendingLogin } = await accountWith({ phone: pendingPhone, confirm: false });
    const hashBefore = await passwordHashOf(accountId);
    const sentBefore = (await messagesTo(t, phone)).length;
    const pendingSentBefore = (await messagesTo(t, pendingPhone)).length;

    const answers = [];
    for (const body of [
      { login: uniqueLogin("nobody"), channel: "phone", contact: phone },
      { login, channel: "phone", contact: uniquePhone() },
      { login, channel: "email", contact: uniqueEmail() },
      { login: pendingLogin, channel: "phone", contact: pendingPhone },
      { login, channel: "phone", contact: phone },
    ]) {
      answers.push(await visitor().post("/api/v1/recovery/code", body));
    }
    const shapes = answers.map((res) => ({
      status: res.statusCode,
      type: res.headers["content-type"],
      body: res.body.replace(/"flowId":"[^"]+"/, '"flowId":"…"'),
    }));
    for (const shape of shapes) expect(shape).toEqual(shapes.at(-1));
    expect(shapes[0]?.status).toBe(202);
    expect(new Set(answers.map((res) => res.json().flowId)).size).toBe(answers.length);

    // Only the right contact got a code, and asking changed nothing on the account.
    expect((await messagesTo(t, phone)).length).toBe(sentBefore + 1);
    expect((await messagesTo(t, pendingPhone)).length).toBe(pendingSentBefore);
    expect(await passwordHashOf(accountId)).toBe(hashBefore);
    expect((await signIn(login, GOOD_PASSWORD)).statusCode).toBe(200);

    // A flow that sent nothing can never be verified, not even with a real code of another flow.
    const realCode = await lastCodeTo(t, phone);
    for (const decoy of answers.slice(0, 4)) {
      const res = await visitor().post("/api/v1/recovery/verify", {
        flowId: decoy.json().flowId,
        code: realCode,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("INVALID_CODE");
    }
  });

  it("writes as much for an unknown login and a wrong contact as for a code it sends, so timing tells nothing", async () => {
    const email = uniqueEmail();
    const { login } = await accountWith({ email });
    // Rows written: counter hits, flows, audit events and outbox messages, all told.
    const written = async () => {
      const [limits, flows, events, messages] = await Promise.all([
        t.db.selectFrom("rateLimits").select("count").execute(),
        t.db.selectFrom("verificationCodes").select("id").execute(),
        t.db.selectFrom("auditEvents").select("id").execute(),
        t.db.selectFrom("outbox").select("id").execute(),
      ]);
      return (
        limits.reduce((sum, r) => sum + Number(r.count), 0) + flows.length + events.length + messages.length
      );
    };
    const cost = async (body: Record<string, string>) => {
      const before = await written();
      const res = await visitor().post("/api/v1/recovery/code", body);
      expect(res.statusCode).toBe(202);
      return (await written()) - before;
    };
    const sent = await cost({ login, channel: "email", contact: email });
    expect(await lastCodeTo(t, email)).toMatch(/^\d{6}$/);
    expect(await cost({ login, channel: "email", contact: uniqueEmail() })).toBe(sent);
    expect(await cost({ login: uniqueLogin("nobody"), channel: "email", contact: uniqueEmail() })).toBe(sent);
  });

  it("takes a code once: the second use of a right code is refused", async () => {
    const phone = uniquePhone();
    const { login } = await accountWith({ phone });
    const user = visitor();
    const started = await user.post("/api/v1/recovery/code", { login, channel: "phone", contact: phone });
    const body = { flowId: started.json().flowId, code: await lastCodeTo(t, phone) };
    expect((await user.post("/api/v1/recovery/verify", body)).statusCode).toBe(200);
    const again = await user.post("/api/v1/recovery/verify", body);
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe("INVALID_CODE");
  });

  it("does not let one account's code open another account's flow", async () => {
    const phoneA = uniquePhone();
    const phoneB = uniquePhone();
    const a = await accountWith({ phone: phoneA });
    const b = await accountWith({ phone: phoneB });
    const user = visitor();
    await user.post("/api/v1/recovery/code", { login: a.login, channel: "phone", contact: phoneA });
    const flowB = await user.post("/api/v1/recovery/code", {
      login: b.login,
      channel: "phone",
      contact: phoneB,
    });
    const res = await user.post("/api/v1/recovery/verify", {
      flowId: flowB.json().flowId,
      code: await lastCodeTo(t, phoneA),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("INVALID_CODE");
    // B's own code still opens B's flow.
    const own = await user.post("/api/v1/recovery/verify", {
      flowId: flowB.json().flowId,
      code: await lastCodeTo(t, phoneB),
    });
    expect(own.statusCode).toBe(200);
  });

  it("expires a code after 10 minutes and a reset token 10 minutes after it was given", async () => {
    const phone = uniquePhone();
    const { login, accountId } = await accountWith({ phone });
    const user = visitor();
    const started = await user.post("/api/v1/recovery/code", { login, channel: "phone", contact: phone });
    t.clock.advance(10 * MINUTE);
    const late = await user.post("/api/v1/recovery/verify", {
      flowId: started.json().flowId,
      code: await lastCodeTo(t, phone),
    });
    expect(late.statusCode).toBe(400);
    expect(late.json().code).toBe("INVALID_CODE");

    const resetToken = await grantByCode(user, login, "phone", phone);
    const hashBefore = await passwordHashOf(accountId);
    t.clock.advance(10 * MINUTE);
    const res = await user.post("/api/v1/recovery/reset", { resetToken, newPassword: NEW_PASSWORD });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("RECOVERY_INVALID");
    expect(await passwordHashOf(accountId)).toBe(hashBefore);
  });

  it("kills a code after 5 wrong tries, and logs each failure for the account", async () => {
    const phone = uniquePhone();
    const { login, accountId } = await accountWith({ phone });
    const user = visitor();
    const started = await user.post("/api/v1/recovery/code", { login, channel: "phone", contact: phone });
    const flowId = started.json().flowId;
    const code = await lastCodeTo(t, phone);
    for (let i = 0; i < 5; i++) {
      const res = await user.post("/api/v1/recovery/verify", { flowId, code: wrongCode(code) });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("INVALID_CODE");
    }
    const right = await user.post("/api/v1/recovery/verify", { flowId, code });
    expect(right.statusCode).toBe(400);
    expect(right.json().code).toBe("INVALID_CODE");
    expect((await eventsOf(accountId)).filter((a) => a === "recovery.code-failure").length).toBe(6);
  });

  it("replaces the code on resend but keeps its failure count", async () => {
    const phone = uniquePhone();
    const { login } = await accountWith({ phone });
    const user = visitor();
    const first = await user.post("/api/v1/recovery/code", { login, channel: "phone", contact: phone });
    const firstCode = await lastCodeTo(t, phone);
    for (let i = 0; i < 3; i++) {
      await user.post("/api/v1/recovery/verify", { flowId: first.json().flowId, code: wrongCode(firstCode) });
    }
    const second = await user.post("/api/v1/recovery/code", { login, channel: "phone", contact: phone });
    const secondCode = await lastCodeTo(t, phone);

    const replaced = await user.post("/api/v1/recovery/verify", {
      flowId: first.json().flowId,
      code: firstCode,
    });
    expect(replaced.json().code).toBe("INVALID_CODE");
    // 3 failures carried over + 2 now = 5: the new code is dead too.
    for (let i = 0; i < 2; i++) {
      await user.post("/api/v1/recovery/verify", {
        flowId: second.json().flowId,
        code: wrongCode(secondCode),
      });
    }
    const res = await user.post("/api/v1/recovery/verify", {
      flowId: second.json().flowId,
      code: secondCode,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("INVALID_CODE");
  });

  it("sends at most 5 codes an hour to an account, without saying so", async () => {
    const phone = uniquePhone();
    const { login } = await accountWith({ phone });
    // A fresh hour, so the confirmation code sent at registration does not count.
    t.clock.advance(HOUR);
    const before = (await messagesTo(t, phone)).length;
    const user = visitor();
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push(await user.post("/api/v1/recovery/code", { login, channel: "phone", contact: phone }));
    }
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 202, 202, 202]);
    expect((await messagesTo(t, phone)).length).toBe(before + 5);

    // The refused sixth request did not replace the fifth code, which still works.
    const fifth = answers[4]?.json().flowId;
    const sixth = answers[5]?.json().flowId;
    const code = await lastCodeTo(t, phone);
    expect((await user.post("/api/v1/recovery/verify", { flowId: sixth, code })).json().code).toBe(
      "INVALID_CODE",
    );
    expect((await user.post("/api/v1/recovery/verify", { flowId: fifth, code })).statusCode).toBe(200);

    t.clock.advance(HOUR);
    await user.post("/api/v1/recovery/code", { login, channel: "phone", contact: phone });
    expect((await messagesTo(t, phone)).length).toBe(before + 6);
  });

  it("limits requests per address with 429 and Retry-After", async () => {
    const user = visitor();
    const body = { login: uniqueLogin("nobody"), channel: "email", contact: uniqueEmail() };
    for (let i = 0; i < 20; i++)
      expect((await user.post("/api/v1/recovery/code", body)).statusCode).toBe(202);
    const limited = await user.post("/api/v1/recovery/code", body);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe("RATE_LIMITED");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await visitor().post("/api/v1/recovery/code", body)).statusCode).toBe(202);
  });
});

describe("restore access with the security question", () => {
  it("is offered to an account without confirmed contacts; the answer is forgiving about case and spaces", async () => {
    const {
      client: oldSession,
      login,
      accountId,
    } = await accountWith({
      question: { id: "first-pet", answer: "Mister  Whiskers" },
    });
    const user = visitor();
    const offered = await user.post("/api/v1/recovery/question", { login });
    expect(offered.statusCode).toBe(200);
    expect(offered.json().question).toEqual({ id: "first-pet", text: SECURITY_QUESTIONS["first-pet"] });

    const wrong = await user.post("/api/v1/recovery/verify", {
      flowId: offered.json().flowId,
      answer: "Tom",
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe("RECOVERY_INVALID");
    expect(await eventsOf(accountId)).toContain("recovery.question-failure");

    const right = await user.post("/api/v1/recovery/verify", {
      flowId: offered.json().flowId,
      answer: " mister whiskers ",
    });
    expect(right.statusCode).toBe(200);
    const reset = await user.post("/api/v1/recovery/reset", {
      resetToken: right.json().resetToken,
      newPassword: NEW_PASSWORD,
    });
    expect(reset.statusCode).toBe(204);
    expect((await oldSession.get("/api/v1/account")).statusCode).toBe(401);
    expect((await signIn(login, NEW_PASSWORD)).statusCode).toBe(200);
    expect(await eventsOf(accountId)).toContain("password.reset");
  });

  it("kills the question flow after 5 wrong answers, also across new flows", async () => {
    const { login } = await accountWith({ question: { id: "first-school", answer: "School 57" } });
    const user = visitor();
    const first = await user.post("/api/v1/recovery/question", { login });
    for (let i = 0; i < 3; i++) {
      await user.post("/api/v1/recovery/verify", { flowId: first.json().flowId, answer: `guess ${i}` });
    }
    const second = await user.post("/api/v1/recovery/question", { login });
    for (let i = 0; i < 2; i++) {
      await user.post("/api/v1/recovery/verify", { flowId: second.json().flowId, answer: `guess ${i}` });
    }
    const right = await user.post("/api/v1/recovery/verify", {
      flowId: second.json().flowId,
      answer: "School 57",
    });
    expect(right.statusCode).toBe(400);
    expect(right.json().code).toBe("RECOVERY_INVALID");
  });

  it("allows 10 answers a day per account, which no new flow restores, and counts wrong ones toward the sign-in throttle", async () => {
    // At the start of a day, so the whole budget's window lies inside the test.
    t.clock.advance(DAY - (t.clock.now() % DAY));
    const { login, accountId } = await accountWith({ question: { id: "first-school", answer: "School 57" } });
    const user = visitor();
    // Two flows' worth of wrong answers, each flow spent (5) and left to expire before the next.
    for (let flow = 0; flow < 2; flow++) {
      if (flow > 0) t.clock.advance(11 * MINUTE);
      const offered = await user.post("/api/v1/recovery/question", { login });
      for (let i = 0; i < 5; i++) {
        const res = await user.post("/api/v1/recovery/verify", {
          flowId: offered.json().flowId,
          answer: `guess ${flow}-${i}`,
        });
        expect(res.json().code).toBe("RECOVERY_INVALID");
      }
    }
    // The wrong answers are failures of the account: sign-in is throttled now.
    const throttled = await signIn(login, GOOD_PASSWORD);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().code).toBe("SIGN_IN_THROTTLED");
    expect(await eventsOf(accountId)).toContain("sign-in.throttle");

    // A fresh flow does not buy more tries today, not even for the right answer.
    t.clock.advance(11 * MINUTE);
    const fresh = await user.post("/api/v1/recovery/question", { login });
    expect(fresh.statusCode).toBe(200);
    const refused = await user.post("/api/v1/recovery/verify", {
      flowId: fresh.json().flowId,
      answer: "School 57",
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe("RECOVERY_INVALID");

    t.clock.advance(DAY);
    const tomorrow = await user.post("/api/v1/recovery/question", { login });
    const right = await user.post("/api/v1/recovery/verify", {
      flowId: tomorrow.json().flowId,
      answer: "School 57",
    });
    expect(right.statusCode).toBe(200);
  });

  it("shows a stable decoy, never the real question, when the account has a confirmed contact", async () => {
    const phone = uniquePhone();
    const { login, accountId } = await accountWith({
      phone,
      question: { id: "childhood-street", answer: "Baker Street" },
    });
    const user = visitor();
    const first = await user.post("/api/v1/recovery/question", { login });
    const second = await user.post("/api/v1/recovery/question", {
      login: `${login.toUpperCase()}@${SERVICE_DOMAIN}`,
    });
    expect(first.statusCode).toBe(200);
    expect(second.json().question).toEqual(first.json().question);
    expect(first.json().flowId).not.toBe(second.json().flowId);

    const res = await user.post("/api/v1/recovery/verify", {
      flowId: second.json().flowId,
      answer: "Baker Street",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("RECOVERY_INVALID");
    expect(await eventsOf(accountId)).not.toContain("password.reset");
  });

  it("shows unknown logins a plausible question that stays the same and spreads over the catalog", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const user = visitor();
      const login = uniqueLogin("ghost");
      const a = await user.post("/api/v1/recovery/question", { login });
      const b = await user.post("/api/v1/recovery/question", { login });
      expect(a.statusCode).toBe(200);
      expect(Object.keys(SECURITY_QUESTIONS)).toContain(a.json().question.id);
      expect(b.json().question).toEqual(a.json().question);
      seen.add(a.json().question.id);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it("gives an account with neither contacts nor a question a decoy whose flow never verifies", async () => {
    const { login } = await accountWith({});
    const user = visitor();
    const offered = await user.post("/api/v1/recovery/question", { login });
    expect(offered.statusCode).toBe(200);
    const res = await user.post("/api/v1/recovery/verify", {
      flowId: offered.json().flowId,
      answer: "anything",
    });
    expect(res.json().code).toBe("RECOVERY_INVALID");
  });
});

describe("floods", () => {
  it("of unknown logins from many addresses do not stop restore access for an account nobody attacked", {
    timeout: 180_000,
  }, async () => {
    // At the start of an hour, so every limit's window holds the whole flood.
    t.clock.advance(HOUR - (t.clock.now() % HOUR));
    const email = uniqueEmail();
    const byEmail = await accountWith({ email });
    const byQuestion = await accountWith({ question: { id: "first-pet", answer: "Rex" } });
    // ≈1,000 requests for unknown logins from 51 addresses, each within its per-address limit.
    for (let a = 0; a < 51; a++) {
      const attacker = new Client(t, `10.99.${a}.1`);
      for (let i = 0; i < 20; i++) {
        const login = `ghost${a}x${i}`;
        await attacker.post("/api/v1/recovery/code", {
          login,
          channel: "email",
          contact: `${login}@example.net`,
        });
        await attacker.post("/api/v1/recovery/question", { login });
      }
    }

    const user = visitor();
    const started = await user.post("/api/v1/recovery/code", {
      login: byEmail.login,
      channel: "email",
      contact: email,
    });
    expect(started.statusCode, started.body).toBe(202);
    const verified = await user.post("/api/v1/recovery/verify", {
      flowId: started.json().flowId,
      code: await lastCodeTo(t, email),
    });
    expect(verified.statusCode, verified.body).toBe(200);

    const offered = await visitor().post("/api/v1/recovery/question", { login: byQuestion.login });
    expect(offered.statusCode, offered.body).toBe(200);
    const answered = await visitor().post("/api/v1/recovery/verify", {
      flowId: offered.json().flowId,
      answer: "rex",
    });
    expect(answered.statusCode, answered.body).toBe(200);
  });
});

describe("the reset", () => {
  it("does not bypass two-factor, and a grant dies after 5 wrong two-factor codes", async () => {
    const phone = uniquePhone();
    const { login, accountId } = await accountWith({ phone });
    const secret = newTotpSecret();
    await t.db
      .updateTable("accounts")
      .set({ totpSecret: secret, totpEnabledAt: t.clock.now() })
      .where("id", "=", accountId)
      .execute();
    const hashBefore = await passwordHashOf(accountId);
    const user = visitor();

    const resetToken = await grantByCode(user, login, "phone", phone);
    const without = await user.post("/api/v1/recovery/reset", { resetToken, newPassword: NEW_PASSWORD });
    expect(without.statusCode).toBe(401);
    expect(without.json().code).toBe("TWO_FACTOR_REQUIRED");
    const current = totpAt(secret, t.clock.now());
    const wrong = await user.post("/api/v1/recovery/reset", {
      resetToken,
      newPassword: NEW_PASSWORD,
      totpCode: wrongCode(current),
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe("INVALID_TWO_FACTOR_CODE");
    expect(await passwordHashOf(accountId)).toBe(hashBefore);

    const ok = await user.post("/api/v1/recovery/reset", {
      resetToken,
      newPassword: NEW_PASSWORD,
      totpCode: current,
    });
    expect(ok.statusCode).toBe(204);
    // The password alone does not sign in, and the code spent on the reset cannot be replayed.
    expect((await signIn(login, NEW_PASSWORD)).json().code).toBe("TWO_FACTOR_REQUIRED");
    expect((await signIn(login, NEW_PASSWORD, current)).json().code).toBe("INVALID_TWO_FACTOR_CODE");

    t.clock.advance(MINUTE);
    const second = await grantByCode(user, login, "phone", phone);
    const now = totpAt(secret, t.clock.now());
    for (let i = 0; i < 5; i++) {
      const res = await user.post("/api/v1/recovery/reset", {
        resetToken: second,
        newPassword: "never set passphrase 99",
        totpCode: wrongCode(now),
      });
      expect(res.json().code).toBe("INVALID_TWO_FACTOR_CODE");
    }
    const dead = await user.post("/api/v1/recovery/reset", {
      resetToken: second,
      newPassword: "never set passphrase 99",
      totpCode: now,
    });
    expect(dead.statusCode).toBe(400);
    expect(dead.json().code).toBe("RECOVERY_INVALID");
    expect((await signIn(login, "never set passphrase 99")).json().code).toBe("INVALID_CREDENTIALS");
    expect(await eventsOf(accountId)).toContain("recovery.two-factor-failure");
  });

  it("works for an account throttled by failed sign-ins, and lifts the throttle", async () => {
    const email = uniqueEmail();
    const { login } = await accountWith({ email });
    for (let i = 0; i < 10; i++) await signIn(login, "wrong password entirely");
    expect((await signIn(login, GOOD_PASSWORD)).statusCode).toBe(429);

    const user = visitor();
    const resetToken = await grantByCode(user, login, "email", email);
    const res = await user.post("/api/v1/recovery/reset", { resetToken, newPassword: NEW_PASSWORD });
    expect(res.statusCode).toBe(204);
    expect((await signIn(login, NEW_PASSWORD)).statusCode).toBe(200);
  });

  it("logs one session.end per session it ends, naming the session", async () => {
    const email = uniqueEmail();
    const { login, accountId } = await accountWith({ email });
    for (let i = 0; i < 2; i++) expect((await signIn(login, GOOD_PASSWORD)).statusCode).toBe(200);
    const open = (
      await t.db.selectFrom("sessions").select("id").where("accountId", "=", accountId).execute()
    ).map((s) => s.id);
    expect(open).toHaveLength(3);

    const user = visitor();
    const resetToken = await grantByCode(user, login, "email", email);
    expect(
      (await user.post("/api/v1/recovery/reset", { resetToken, newPassword: NEW_PASSWORD })).statusCode,
    ).toBe(204);

    const client = visitor();
    expect((await client.post("/api/v1/session", { login, password: NEW_PASSWORD })).statusCode).toBe(200);
    const events: { action: string; target: string | null; details: unknown }[] = (
      await client.get("/api/v1/account/events")
    ).json().events;
    const ended = events.filter((e) => e.action === "session.end");
    expect(ended.map((e) => e.target).sort()).toEqual([...open].sort());
    for (const e of ended) expect(e.details).toMatchObject({ reason: "password-reset" });
    expect(events.find((e) => e.action === "password.reset")?.details).toMatchObject({ sessionsEnded: 3 });
  });

  it("refuses a weak password without spending the token", async () => {
    const email = uniqueEmail();
    const { login, accountId } = await accountWith({ email });
    const user = visitor();
    const resetToken = await grantByCode(user, login, "email", email);
    const hashBefore = await passwordHashOf(accountId);
    for (const [newPassword, code] of [
      ["short", "PASSWORD_TOO_SHORT"],
      ["password123", "PASSWORD_TOO_COMMON"],
      [`${login}12345`, "PASSWORD_CONTAINS_CONTEXT"],
    ]) {
      const res = await user.post("/api/v1/recovery/reset", { resetToken, newPassword });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe(code);
    }
    expect(await passwordHashOf(accountId)).toBe(hashBefore);
    expect(
      (await user.post("/api/v1/recovery/reset", { resetToken, newPassword: NEW_PASSWORD })).statusCode,
    ).toBe(204);
  });
});

describe("bad input", () => {
  const counts = async () => ({
    flows: (await t.db.selectFrom("verificationCodes").select("id").execute()).length,
    messages: (await t.db.selectFrom("outbox").select("id").execute()).length,
  });

  it("is refused with a 4xx code and changes nothing", async () => {
    const phone = uniquePhone();
    const { login, accountId } = await accountWith({ phone });
    const user = visitor();
    const started = await user.post("/api/v1/recovery/code", { login, channel: "phone", contact: phone });
    const flowId = started.json().flowId;
    const code = await lastCodeTo(t, phone);
    const before = await counts();
    const hashBefore = await passwordHashOf(accountId);

    const cases: Array<[string, unknown, number, string]> = [
      [
        "/api/v1/recovery/code",
        { login, channel: "phone", contact: phone, confirmed: true },
        400,
        "UNKNOWN_FIELD",
      ],
      ["/api/v1/recovery/code", { login, channel: "fax", contact: phone }, 400, "VALIDATION_FAILED"],
      ["/api/v1/recovery/code", { login, channel: "phone" }, 400, "VALIDATION_FAILED"],
      ["/api/v1/recovery/code", { login, channel: "phone", contact: "9161234567" }, 400, "PHONE_INVALID"],
      ["/api/v1/recovery/code", { login, channel: "email", contact: "not-an-address" }, 400, "EMAIL_INVALID"],
      ["/api/v1/recovery/code", { login: "", channel: "phone", contact: phone }, 400, "VALIDATION_FAILED"],
      [
        "/api/v1/recovery/code",
        { login: "bob@example.org", channel: "phone", contact: phone },
        401,
        "MAILBOX_ADDRESS_NOT_ACCOUNT",
      ],
      ["/api/v1/recovery/question", { login, role: "admin" }, 400, "UNKNOWN_FIELD"],
      ["/api/v1/recovery/question", {}, 400, "VALIDATION_FAILED"],
      ["/api/v1/recovery/question", { login: 12345 }, 400, "VALIDATION_FAILED"],
      ["/api/v1/recovery/verify", { flowId, code, answer: "x" }, 400, "VALIDATION_FAILED"],
      ["/api/v1/recovery/verify", { flowId }, 400, "VALIDATION_FAILED"],
      ["/api/v1/recovery/verify", { flowId, code: "12ab56" }, 400, "VALIDATION_FAILED"],
      ["/api/v1/recovery/verify", { flowId: "x".repeat(65), code }, 400, "VALIDATION_FAILED"],
      ["/api/v1/recovery/verify", { flowId: "no-such-flow", code }, 400, "INVALID_CODE"],
      ["/api/v1/recovery/verify", { flowId: "no-such-flow", answer: "x" }, 400, "RECOVERY_INVALID"],
      [
        "/api/v1/recovery/reset",
        { resetToken: "forged", newPassword: NEW_PASSWORD },
        400,
        "RECOVERY_INVALID",
      ],
      ["/api/v1/recovery/reset", { resetToken: "forged" }, 400, "VALIDATION_FAILED"],
      [
        "/api/v1/recovery/reset",
        { resetToken: "forged", newPassword: NEW_PASSWORD, totpCode: "abc" },
        400,
        "VALIDATION_FAILED",
      ],
      [
        "/api/v1/recovery/reset",
        { resetToken: "forged", newPassword: NEW_PASSWORD, accountId },
        400,
        "UNKNOWN_FIELD",
      ],
    ];
    for (const [url, body, status, errorCode] of cases) {
      const res = await user.post(url, body);
      expect({ url, body, status: res.statusCode, code: res.json().code }).toEqual({
        url,
        body,
        status,
        code: errorCode,
      });
    }
    const raw = await user.request("POST", "/api/v1/recovery/verify", undefined, {
      "content-type": "application/json",
    });
    expect(raw.statusCode).toBe(400);

    expect(await counts()).toEqual(before);
    expect(await passwordHashOf(accountId)).toBe(hashBefore);
    // Malformed tries were not counted against the code: it still works.
    expect((await user.post("/api/v1/recovery/verify", { flowId, code })).statusCode).toBe(200);
  });
});
