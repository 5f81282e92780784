import type { RequestContext } from "../access/actor.js";
import { recordEvent } from "../audit/audit.service.js";
import type { Executor } from "../db/database.js";
import { preparedQuery } from "../db/prepared.js";
import type { Deps } from "../deps.js";
import { maskEmail } from "./contacts.js";

/**
 * A recovery e-mail on a domain the account manages is no way back into the account: everyone
 * else who manages that domain (its deputies, or its owner when the account is a deputy) can
 * create the mailbox and read a restore code sent there. Such an address is refused when it is
 * set (`checkRecoveryEmailFor`); one set before the account came to manage its domain stays on
 * the account, but no restore code is ever sent to it (the rule is evaluated at use), the account
 * is told when it happens, and its local part is kept for the domain's owner.
 */
export const UNUSABLE_REASON = "on-managed-domain";

/**
 * Names of the confirmed domains an account manages: those it owns and those it administers as a
 * deputy. Its recovery e-mail may not be on them, nor its password contain them.
 */
export async function managedDomainNames(db: Executor, accountId: string): Promise<string[]> {
  return (await managedNames.all(db, { accountId })).map((r) => r.name);
}

// Every profile read runs it: built once (src/db/prepared.ts).
const managedNames = preparedQuery((db, p: { accountId: string }) =>
  db
    .selectFrom("domains")
    .select("name")
    .where((eb) =>
      eb.or([
        eb("ownerAccountId", "=", p.accountId),
        eb("id", "in", eb.selectFrom("deputies").select("domainId").where("accountId", "=", p.accountId)),
      ]),
    ),
);

/** The managed domain `email` is on or under (`a@corp.example`, `a@mail.corp.example`), or null. */
export function managingDomainOf(email: string, managed: readonly string[]): string | null {
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  return managed.find((name) => domain === name || domain.endsWith(`.${name}`)) ?? null;
}

/** Which domain the account manages makes its recovery e-mail unusable for restore access, if any. */
export async function recoveryEmailBlockedBy(
  db: Executor,
  accountId: string,
  email: string | null,
): Promise<string | null> {
  // Read whether or not there is an address, so both paths of a restore request do the same work.
  const managed = await managedDomainNames(db, accountId);
  return email ? managingDomainOf(email, managed) : null;
}

/**
 * Called in the transaction that makes the account manage `domain` (a confirmation, a new deputy
 * role): when its recovery e-mail is on that domain, the account is told by its confirmed phone —
 * not through the address itself, which others can now read — and the account's log says so (the
 * console shows it on the contact), also when there is no phone to tell.
 */
export async function warnIfRecoveryEmailManaged(
  db: Executor,
  deps: Deps,
  ctx: RequestContext,
  accountId: string,
  domain: string,
): Promise<void> {
  const account = await db
    .selectFrom("accounts")
    .select(["login", "phone", "phoneConfirmedAt", "recoveryEmail"])
    .where("id", "=", accountId)
    .executeTakeFirst();
  if (!account?.recoveryEmail || managingDomainOf(account.recoveryEmail, [domain]) === null) return;
  const notified: string[] = [];
  if (account.phone && account.phoneConfirmedAt !== null) {
    const { serviceDomain, publicUrl } = deps.config;
    await deps.outbox.enqueue(db, ctx.now, {
      channel: "sms",
      recipient: account.phone,
      subject: "Your recovery e-mail no longer restores access",
      body:
        `Your mfd account ${account.login}@${serviceDomain} now manages ${domain}, so its recovery e-mail ` +
        `${maskEmail(account.recoveryEmail)} on that domain can no longer restore access: others who manage ` +
        `${domain} could read the codes. Set a recovery e-mail elsewhere at ${publicUrl}.`,
      accountId,
    });
    notified.push("phone");
  }
  // The system's doing, without the address of whoever caused it (a deputy's log never names the owner).
  await recordEvent(
    db,
    { ...ctx, ip: null },
    {
      action: "contact.recovery-email-unusable",
      accountId,
      actorType: "system",
      details: { domain, notified },
    },
  );
}

/**
 * The local parts of the owner's contacts on `domain` (their recovery e-mail, and its part before
 * a `+` tag), which only the owner may create there: whoever holds such a mailbox reads what is
 * sent to the owner.
 */
export async function ownerContactLocalParts(
  db: Executor,
  ownerAccountId: string,
  domain: string,
): Promise<Set<string>> {
  const owner = await db
    .selectFrom("accounts")
    .select("recoveryEmail")
    .where("id", "=", ownerAccountId)
    .executeTakeFirst();
  const reserved = new Set<string>();
  const email = owner?.recoveryEmail;
  if (!email) return reserved;
  const at = email.lastIndexOf("@");
  if (email.slice(at + 1).toLowerCase() !== domain) return reserved;
  const local = email.slice(0, at).toLowerCase();
  reserved.add(local);
  reserved.add(local.split("+")[0] as string);
  return reserved;
}
