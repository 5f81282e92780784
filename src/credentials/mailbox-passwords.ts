import pLimit from "p-limit";
import { checkPasswordPolicy, HASH_CONCURRENCY, hashPassword } from "./passwords.js";

/** Dovecot's scheme prefix: `{ARGON2ID}$argon2id$v=19$m=…` is what `doveadm pw -t` verifies. */
export const DOVECOT_SCHEME = "{ARGON2ID}";

/**
 * A mailbox password as Dovecot reads it: the account's argon2id parameters, through
 * the same process-wide hashing limiter, so mailbox work never starves sign-ins of the event loop.
 */
export const hashMailboxPassword = async (password: string): Promise<string> =>
  `${DOVECOT_SCHEME}${await hashPassword(password)}`;

/**
 * Hashes many passwords without queueing them all at once: the shared limiter is first come, first
 * served, so a batch that queued a thousand hashes would make every sign-in behind it wait for
 * them. Feeding it at most HASH_CONCURRENCY at a time lets other requests' hashes interleave.
 */
export async function hashMailboxPasswords(passwords: readonly string[]): Promise<string[]> {
  const feed = pLimit(HASH_CONCURRENCY);
  return Promise.all(passwords.map((password) => feed(() => hashMailboxPassword(password))));
}

/**
 * Account password rules, with the mailbox's login and its domain (and the domain's
 * first label, "example" of example.org) as context words.
 */
export function checkMailboxPassword(password: string, login: string, domain: string, serviceDomain: string) {
  const label = domain.split(".")[0] ?? domain;
  checkPasswordPolicy(password, { login, serviceDomain, domains: [domain, label] });
}
