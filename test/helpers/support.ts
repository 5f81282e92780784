import { setSupportAgent } from "../../src/accounts/support-agents.js";
import { totpAt } from "../../src/credentials/totp.js";
import { Client, GOOD_PASSWORD, registerAccount, type TestApp } from "./app.js";

/**
 * A support agent as the operator makes one: an account with two-factor on, given the role by
 * `mfd support-agent add`, signed in with its code. `firstSession` is the session it registered
 * with, which never passed two-factor.
 */
export async function supportAgent(t: TestApp, ip = "198.51.100.77") {
  const account = await registerAccount(t, {}, ip);
  const { secret } = (await account.client.post("/api/v1/account/two-factor/setup")).json();
  const enabled = await account.client.post("/api/v1/account/two-factor/enable", {
    code: totpAt(secret, t.clock.now()),
  });
  if (enabled.statusCode >= 300) throw new Error(`two-factor: ${enabled.statusCode} ${enabled.body}`);
  await setSupportAgent(t.deps, account.login, true);
  // The code of the next step: the one just used to turn two-factor on is spent.
  t.clock.advance(30_000);
  const client = new Client(t, ip);
  const signedIn = await client.post("/api/v1/session", {
    login: account.login,
    password: GOOD_PASSWORD,
    totpCode: totpAt(secret, t.clock.now()),
  });
  if (signedIn.statusCode !== 200) throw new Error(`agent sign-in: ${signedIn.statusCode} ${signedIn.body}`);
  return { ...account, client, firstSession: account.client, totpSecret: secret };
}

/** The single-use link's key in the newest e-mail to a reply address. */
export async function ticketLinkIn(
  t: TestApp,
  recipient: string,
): Promise<{ ticketId: string; key: string }> {
  const message = await t.db
    .selectFrom("outbox")
    .select("body")
    .where("recipient", "=", recipient)
    .orderBy("createdAt", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
  const match = message ? /\/support\/tickets\/([0-9a-f-]+)#key=([A-Za-z0-9_-]+)/.exec(message.body) : null;
  if (!match) throw new Error(`no ticket link was sent to ${recipient}`);
  return { ticketId: match[1] as string, key: match[2] as string };
}
