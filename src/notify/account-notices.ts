import type { Config } from "../config.js";
import type { Executor } from "../db/database.js";
import type { Outbox } from "./outbox.js";

/** What a notice needs: where to write it and the service's name for its text (a part of Deps). */
export interface NoticeDeps {
  config: Pick<Config, "serviceDomain" | "publicUrl">;
  outbox: Outbox;
}

/**
 * Tells every confirmed contact of an account about a security change, through
 * the outbox in the caller's transaction: the notice exists if and only if the change does.
 * Call it before the change when the change replaces or removes a contact, so the old contact is
 * among the recipients. `except` skips an address that has just proved itself (a new contact).
 */
export async function notifySecurityChange(
  db: Executor,
  deps: NoticeDeps,
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
  deps: NoticeDeps,
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

/**
 * Tells everyone who manages a domain about a change that costs them its mail (deleting every
 * mailbox, disconnecting): the owner's confirmed contacts as a security change, each deputy's as a
 * notice that names nothing of the owner's. Call it in the change's transaction, before deputy
 * rows are deleted with the domain.
 */
export async function tellDomainManagers(
  tx: Executor,
  deps: NoticeDeps,
  now: number,
  domain: { id: string; name: string; ownerAccountId: string },
  message: { what: string; detail: string },
): Promise<void> {
  await notifySecurityChange(tx, deps, now, domain.ownerAccountId, message.what);
  const deputies = await tx
    .selectFrom("deputies")
    .select("accountId")
    .where("domainId", "=", domain.id)
    .execute();
  for (const { accountId } of deputies)
    await tellAccount(tx, deps, now, accountId, (login) => ({
      subject: message.what,
      body:
        `${message.what} at ${new Date(now).toISOString()}; your mfd account ` +
        `${login}@${deps.config.serviceDomain} administers it. ${message.detail}`,
    }));
}
