import { describe, expect, it } from "vitest";
import {
  checkNow,
  connectDomain,
  createDomainWorld,
  publishTxt,
  uniqueDomain,
} from "../../test/dns/fixtures.js";
import { Client, lastCodeTo, messagesTo, registerAccount, type TestApp } from "../../test/helpers/app.js";

/**
 * A recovery e-mail on a domain the account manages is no way back into the account: whoever
 * else manages that domain (a deputy, or the owner for a deputy) can create the mailbox and read
 * the code. Reported as "a deputy can take over the owner's account" (issue 7, item 1).
 */
const { t, internet } = await createDomainWorld();

let seq = 0;
const nextIp = () => `10.71.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;
const visitor = () => new Client(t, nextIp());
const uniquePhone = () => `+7916${String(3_000_000 + ++seq * 7919).slice(-7)}`;
const MAILBOX_PASSWORD = "winter orchard lantern 58";

/** An account whose phone (when given) and recovery e-mail are confirmed through the console. */
async function accountWith(app: TestApp, contacts: { phone?: string; email: string }) {
  const account = await registerAccount(
    app,
    { recoveryEmail: contacts.email, ...(contacts.phone ? { phone: contacts.phone } : {}) },
    nextIp(),
  );
  const confirm = async (path: string, contact: string) => {
    const res = await account.client.post(`/api/v1/account/${path}/confirm`, {
      code: await lastCodeTo(app, contact),
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  if (contacts.phone) await confirm("phone", contacts.phone);
  await confirm("recovery-email", contacts.email);
  return account;
}

/** Connects the domain and proves it with TXT through the real verification engine. */
async function confirmDomain(client: Client, name: string) {
  publishTxt(internet, await connectDomain(client, name));
  const res = await checkNow(client, name);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().status).toBe("mx-activate");
}

/** Restore codes sent to an address so far. */
const codesTo = async (email: string) =>
  (await messagesTo(t, email)).filter((m) => m.subject === "Your code to restore access to mfd").length;

const codeRequest = (login: string, email: string) =>
  visitor().post("/api/v1/recovery/code", { login, channel: "email", contact: email });

const eventsOf = async (accountId: string) =>
  (
    await t.db
      .selectFrom("auditEvents")
      .select(["action", "details"])
      .where("accountId", "=", accountId)
      .orderBy("id")
      .execute()
  ).map((e) => ({ action: e.action, details: e.details ? JSON.parse(e.details) : null }));

describe("a recovery e-mail on a domain the account manages", () => {
  it("stops working for restore access once the domain is confirmed; the deputy cannot take the owner's address", async () => {
    const domain = uniqueDomain();
    const phone = uniquePhone();
    const email = `boss@${domain}`;
    const owner = await accountWith(t, { phone, email });

    // Before the domain is the owner's, the e-mail is an ordinary outside address and works.
    const before = await codeRequest(owner.login, email);
    expect(before.statusCode).toBe(202);
    expect(await codesTo(email)).toBe(1);

    await confirmDomain(owner.client, domain);
    // The owner hears of it on the phone, and the console says so on the contact.
    const [notice] = await messagesTo(t, phone);
    expect(notice?.subject).toBe("Your recovery e-mail no longer restores access");
    expect(notice?.body).toContain(domain);
    const view = (await owner.client.get("/api/v1/account")).json();
    expect(view.recoveryEmail).toEqual({
      address: email,
      confirmed: true,
      usableForRestore: false,
      unusableReason: "on-managed-domain",
      managedDomain: domain,
    });
    expect((await eventsOf(owner.accountId)).map((e) => e.action)).toContain(
      "contact.recovery-email-unusable",
    );

    const deputy = await registerAccount(t, {}, nextIp());
    const added = await owner.client.post(`/api/v1/domains/${domain}/deputies`, { login: deputy.login });
    expect(added.statusCode, added.body).toBe(201);

    // The deputy may not create the owner's address, as a mailbox or as an alias, in any case.
    const mailboxes = `/api/v1/domains/${domain}/mailboxes`;
    for (const login of ["boss", "BOSS", `boss@${domain}`]) {
      const res = await deputy.client.post(mailboxes, { login, password: MAILBOX_PASSWORD });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().code).toBe("LOGIN_IS_OWNER_CONTACT");
    }
    const own = await deputy.client.post(mailboxes, { login: "helper", password: MAILBOX_PASSWORD });
    expect(own.statusCode, own.body).toBe(201);
    const alias = await deputy.client.post(`${mailboxes}/helper/aliases`, { alias: "boss" });
    expect(alias.statusCode).toBe(400);
    expect(alias.json().code).toBe("LOGIN_IS_OWNER_CONTACT");
    const batch = await deputy.client.post(`${mailboxes}/batch`, {
      mailboxes: [{ login: "boss", password: MAILBOX_PASSWORD }],
    });
    expect(batch.json().results[0]).toMatchObject({ status: "failed", code: "LOGIN_IS_OWNER_CONTACT" });

    // Nor through a token of the deputy's.
    const issued = await deputy.client.post("/api/v1/tokens", {
      name: "script",
      permissions: ["mailboxes:read", "mailboxes:write"],
      domains: [domain],
      expiresInDays: 30,
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const byToken = await t.app.inject({
      method: "POST",
      url: mailboxes,
      headers: { authorization: `Bearer ${issued.json().token}` },
      payload: { login: "boss", password: MAILBOX_PASSWORD },
    });
    expect(byToken.statusCode).toBe(400);
    expect(byToken.json().code).toBe("LOGIN_IS_OWNER_CONTACT");

    // The owner may create it; even then no code for the account is ever sent there.
    const mine = await owner.client.post(mailboxes, { login: "boss", password: MAILBOX_PASSWORD });
    expect(mine.statusCode, mine.body).toBe(201);
    // Setting its password is taking it over: the deputy may not.
    const takeOver = await deputy.client.patch(`${mailboxes}/boss`, {
      password: "another orchard lantern 77",
    });
    expect(takeOver.statusCode).toBe(400);
    expect(takeOver.json().code).toBe("LOGIN_IS_OWNER_CONTACT");

    const mismatch = await codeRequest(owner.login, `other@${uniqueDomain()}`);
    const refused = await codeRequest(owner.login, email);
    expect(refused.statusCode).toBe(202);
    // The same answer as a wrong contact, and no code to the address.
    expect(refused.body.replace(/"flowId":"[^"]+"/, "")).toBe(mismatch.body.replace(/"flowId":"[^"]+"/, ""));
    expect(await codesTo(email)).toBe(1);
    const verify = await visitor().post("/api/v1/recovery/verify", {
      flowId: refused.json().flowId,
      code: "123456",
    });
    expect(verify.json().code).toBe("INVALID_CODE");
    expect((await eventsOf(owner.accountId)).at(-1)).toMatchObject({
      action: "recovery.code-requested",
      details: { channel: "email", sent: false, reason: "email-on-managed-domain" },
    });
  });

  it("covers subdomains and deputies: a new deputy's e-mail on the domain stops working, and the deputy is told", async () => {
    const domain = uniqueDomain();
    const owner = await registerAccount(t, {}, nextIp());
    await confirmDomain(owner.client, domain);

    const phone = uniquePhone();
    const email = `Deputy@mail.${domain}`;
    const deputy = await accountWith(t, { phone, email });
    expect((await codeRequest(deputy.login, email)).statusCode).toBe(202);
    expect(await codesTo(email)).toBe(1);

    const added = await owner.client.post(`/api/v1/domains/${domain}/deputies`, { login: deputy.login });
    expect(added.statusCode, added.body).toBe(201);
    const notices = (await messagesTo(t, phone)).map((m) => m.subject);
    expect(notices).toContain("Your recovery e-mail no longer restores access");
    // Not told through the address itself, which the domain's managers can now read.
    expect((await messagesTo(t, email)).map((m) => m.subject)).not.toContain(
      "Your recovery e-mail no longer restores access",
    );
    expect((await deputy.client.get("/api/v1/account")).json().recoveryEmail).toMatchObject({
      usableForRestore: false,
      unusableReason: "on-managed-domain",
      managedDomain: domain,
    });

    await codeRequest(deputy.login, email);
    expect(await codesTo(email)).toBe(1);

    // Once no longer a deputy, the address works again.
    const removed = await owner.client.delete(`/api/v1/domains/${domain}/deputies/${deputy.login}`);
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await deputy.client.get("/api/v1/account")).json().recoveryEmail).toMatchObject({
      usableForRestore: true,
      unusableReason: null,
      managedDomain: null,
    });
    expect((await codeRequest(deputy.login, email)).statusCode).toBe(202);
    expect(await codesTo(email)).toBe(2);
  });

  it("is recorded for an account without a confirmed phone, which has nowhere else to be told", async () => {
    const domain = uniqueDomain();
    const email = `me@${domain}`;
    const owner = await accountWith(t, { email });
    await confirmDomain(owner.client, domain);
    expect((await messagesTo(t, email)).map((m) => m.subject)).not.toContain(
      "Your recovery e-mail no longer restores access",
    );
    expect(await eventsOf(owner.accountId)).toContainEqual({
      action: "contact.recovery-email-unusable",
      details: { domain, notified: [] },
    });
  });

  it("leaves an address on another account's domain alone", async () => {
    const domain = uniqueDomain();
    const owner = await registerAccount(t, {}, nextIp());
    await confirmDomain(owner.client, domain);
    const email = `staff@${domain}`;
    const staff = await accountWith(t, { email });
    expect((await staff.client.get("/api/v1/account")).json().recoveryEmail).toMatchObject({
      usableForRestore: true,
    });
    expect((await codeRequest(staff.login, email)).statusCode).toBe(202);
    expect(await codesTo(email)).toBe(1);
    // The owner may create the address (it is the owner's domain), and nobody else is limited by it.
    const res = await owner.client.post(`/api/v1/domains/${domain}/mailboxes`, {
      login: "staff",
      password: MAILBOX_PASSWORD,
    });
    expect(res.statusCode, res.body).toBe(201);
  });
});
