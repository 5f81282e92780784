import type { Executor } from "../db/database.js";
import type { Deps } from "../deps.js";

/**
 * Tells every confirmed contact of an account about a security change, through
 * the outbox in the caller's transaction: the notice exists if and only if the change does.
 * Call it before the change when the change replaces or removes a contact, so the old contact is
 * among the recipients. `except` skips an address that has just proved itself (a new contact).
 */
export async function notifySecurityChange(
  db: Executor,
  deps: Deps,
  now: number,
  accountId: string,
  what: string,
  options: { except?: string } = {},
): Promise<void> {
  const contacts = await confirmedContacts(db, accountId);
  if (!contacts) return;
  const { serviceDomain, publicUrl } = deps.config;
  const when = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
  const body =
    `${what} on your mfd account ${contacts.login}@${serviceDomain} at ${when}. ` +
    `If this was not you, restore access at ${publicUrl} right away.`;
  for (const { channel, recipient } of contacts.recipients) {
    if (recipient === options.except) continue;
    await deps.outbox.enqueue(db, now, {
      channel,
      recipient,
      subject: "Security change on your mfd account",
      body,
      accountId,
    });
  }
}

/** Where an account can be told something: its login and each confirmed contact; null if it is gone. */
export async function confirmedContacts(
  db: Executor,
  accountId: string,
): Promise<{ login: string; recipients: Array<{ channel: "sms" | "email"; recipient: string }> } | null> {
  const account = await db
    .selectFrom("accounts")
    .select(["login", "phone", "phoneConfirmedAt", "recoveryEmail", "emailConfirmedAt"])
    .where("id", "=", accountId)
    .executeTakeFirst();
  if (!account) return null;
  const recipients: Array<{ channel: "sms" | "email"; recipient: string }> = [];
  if (account.phone && account.phoneConfirmedAt !== null)
    recipients.push({ channel: "sms", recipient: account.phone });
  if (account.recoveryEmail && account.emailConfirmedAt !== null)
    recipients.push({ channel: "email", recipient: account.recoveryEmail });
  return { login: account.login, recipients };
}

/**
 * A notice to every confirmed contact of an account, in the caller's transaction (not a change the
 * account made, so not a security alert). `compose` receives the account's login.
 */
export async function tellAccount(
  db: Executor,
  deps: Deps,
  now: number,
  accountId: string,
  compose: (login: string) => { subject: string; body: string },
): Promise<void> {
  const contacts = await confirmedContacts(db, accountId);
  if (!contacts) return;
  const message = compose(contacts.login);
  for (const { channel, recipient } of contacts.recipients)
    await deps.outbox.enqueue(db, now, { channel, recipient, accountId, ...message });
}
