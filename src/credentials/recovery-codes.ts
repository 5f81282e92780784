import { createHmac, randomInt } from "node:crypto";
import type { Executor } from "../db/database.js";
import { newId } from "../lib/random.js";
import { type SecretKeySource, secretKeyFor } from "../lib/secret-box.js";

/**
 * Two-factor recovery codes (docs/SECURITY.md §6): for the day the authenticator is lost. Ten
 * per account, shown once when two-factor is turned on or the codes are made anew, each usable
 * once in place of a TOTP code at sign-in, re-authentication and restore access.
 *
 * A code is 10 characters of Crockford's base32 (`7k3m-q9xd-2f`): 50 bits from the CSPRNG. It is
 * stored as HMAC-SHA-256 under a key derived from the installation's secret key (MFD_SECRET_KEY or
 * the key file, outside the database), salted with the account id. Not argon2: the code is no
 * human-chosen password, so there is no dictionary to slow down — online, 2^50 guesses behind the
 * sign-in throttle are out of reach; offline, a copy of the database alone cannot test a single
 * guess without the key, and whoever also has the key can open the sealed TOTP secrets
 * (src/lib/secret-box.ts) and make valid codes outright, so a slow hash would protect nothing more
 * and cost ten argon2 runs per sign-in with a recovery code.
 */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const LENGTH = 10;

/** What a person may type: letters in any case, spaces and hyphens anywhere, o/i/l for 0/1. */
export const RECOVERY_CODE_PATTERN = "^[0-9A-Za-z -]{10,24}$";

const newCode = (): string => {
  const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(0, ALPHABET.length)]).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
};

/** The code as stored: lower case, no separators, Crockford's look-alikes read as digits. */
export function normaliseRecoveryCode(typed: string): string | null {
  const code = typed.toLowerCase().replace(/[\s-]/g, "").replace(/o/g, "0").replace(/[il]/g, "1");
  if (code.length !== LENGTH || [...code].some((c) => !ALPHABET.includes(c))) return null;
  return code;
}

const keys = new WeakMap<SecretKeySource, Buffer>();
function hashKey(config: SecretKeySource): Buffer {
  let key = keys.get(config);
  if (!key) {
    key = createHmac("sha256", secretKeyFor(config)).update("mfd two-factor recovery codes v1").digest();
    keys.set(config, key);
  }
  return key;
}

const hashOf = (config: SecretKeySource, accountId: string, code: string): string =>
  createHmac("sha256", hashKey(config)).update(`${accountId}:${code}`).digest("hex");

/**
 * Replaces the account's recovery codes with RECOVERY_CODE_COUNT new ones and returns them, the
 * only time they exist in plain text. Call it inside the transaction of the change it belongs to.
 */
export async function issueRecoveryCodes(
  db: Executor,
  config: SecretKeySource,
  accountId: string,
  now: number,
): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await db.deleteFrom("recoveryCodes").where("accountId", "=", accountId).execute();
  await db
    .insertInto("recoveryCodes")
    .values(
      codes.map((code) => ({
        id: newId(),
        accountId,
        codeHash: hashOf(config, accountId, normaliseRecoveryCode(code) as string),
        createdAt: now,
        usedAt: null,
      })),
    )
    .execute();
  return codes;
}

/** The unused recovery code matching `typed`: its row id, or null. Spend it with `spendRecoveryCode`. */
export async function matchRecoveryCode(
  db: Executor,
  config: SecretKeySource,
  accountId: string,
  typed: string,
): Promise<string | null> {
  const code = normaliseRecoveryCode(typed);
  if (code === null) return null;
  const row = await db
    .selectFrom("recoveryCodes")
    .select("id")
    .where("accountId", "=", accountId)
    .where("codeHash", "=", hashOf(config, accountId, code))
    .where("usedAt", "is", null)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Spends a matched code inside the transaction that acts on it: of parallel requests with one
 * code exactly one gets through. False: a parallel request spent it first.
 */
export async function spendRecoveryCode(db: Executor, id: string, now: number): Promise<boolean> {
  const spent = await db
    .updateTable("recoveryCodes")
    .set({ usedAt: now })
    .where("id", "=", id)
    .where("usedAt", "is", null)
    .executeTakeFirst();
  return Number(spent.numUpdatedRows) === 1;
}

/** Unused recovery codes of the account. */
export async function recoveryCodesLeft(db: Executor, accountId: string): Promise<number> {
  const row = await db
    .selectFrom("recoveryCodes")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("accountId", "=", accountId)
    .where("usedAt", "is", null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Two-factor turned off: its recovery codes go with it. */
export async function deleteRecoveryCodes(db: Executor, accountId: string): Promise<void> {
  await db.deleteFrom("recoveryCodes").where("accountId", "=", accountId).execute();
}
