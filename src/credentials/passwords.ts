import { Algorithm, hash, verify } from "@node-rs/argon2";
import { dictionary } from "@zxcvbn-ts/language-common";
import pLimit from "p-limit";
import { hashConcurrency } from "../config.js";
import { AppError } from "../lib/errors.js";

/** argon2id with OWASP's minimum; stored as a PHC string. */
export const ARGON2_PARAMS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

// argon2 runs on libuv's thread pool (4 threads). Unbounded, 4 hashes on 2 cores starve the event
// loop and every other request waits; one hash per core less one leaves a core for the event loop
// (bench/README.md has the figures). MFD_HASH_CONCURRENCY overrides (src/config.ts).
export const HASH_CONCURRENCY = hashConcurrency();
const hashing = pLimit(HASH_CONCURRENCY);

/**
 * Passwords are compared in Unicode NFC: "é" typed as one code point on one system and as "e" plus
 * a combining accent on another is the same password. Every hash and check goes through this.
 */
export const normalisePassword = (password: string): string => password.normalize("NFC");

export const hashPassword = (password: string): Promise<string> =>
  hashing(() => hash(normalisePassword(password), ARGON2_PARAMS));

// A real hash of a random string: verifying against it costs the same as a real account, so an
// unknown login takes as long as a wrong password.
let dummyHash: Promise<string> | null = null;
const getDummyHash = () => {
  dummyHash ??= hashPassword(`dummy-${Math.random()}`);
  return dummyHash;
};

/** Verifies a password; with no stored hash it verifies against a dummy and returns false. */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  const phc = stored ?? (await getDummyHash());
  const check = async (candidate: string) => {
    try {
      return await hashing(() => verify(phc, candidate));
    } catch {
      return false;
    }
  };
  const normalised = normalisePassword(password);
  if (await check(normalised)) return Boolean(stored);
  // Hashes made before normalisation hold the form that was typed then.
  return normalised !== password && (await check(password)) && Boolean(stored);
}

/** True when a stored hash uses weaker parameters than today's and should be re-hashed. */
export function needsRehash(stored: string): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
  if (!match) return true;
  return (
    Number(match[1]) < ARGON2_PARAMS.memoryCost ||
    Number(match[2]) < ARGON2_PARAMS.timeCost ||
    Number(match[3]) !== 1
  );
}

const COMMON = new Set<string>((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));

export const PASSWORD_MIN = 10; // ≥ 10 for accounts without two-factor
export const PASSWORD_MIN_WITH_TWO_FACTOR = 8; // ≥ 8 when a second factor guards it
export const PASSWORD_MAX_BYTES = 1024;

/**
 * Password rules: length only (no composition rules), no truncation or case
 * folding, and refusal of common passwords and of the obvious context words.
 */
export function checkPasswordPolicy(
  typed: string,
  context: { login?: string; serviceDomain: string; domains?: string[] },
  min = PASSWORD_MIN,
): void {
  const password = normalisePassword(typed);
  if (password === "")
    throw new AppError("PASSWORD_TOO_SHORT", `The password is empty; use at least ${min} characters.`, {
      min,
    });
  if ([...password].length < min)
    throw new AppError("PASSWORD_TOO_SHORT", `Use at least ${min} characters.`, { min });
  if (Buffer.byteLength(password, "utf8") > PASSWORD_MAX_BYTES) {
    throw new AppError("PASSWORD_TOO_LONG", `Use at most ${PASSWORD_MAX_BYTES} bytes.`);
  }
  const lower = password.toLowerCase();
  if (COMMON.has(lower))
    throw new AppError("PASSWORD_TOO_COMMON", "This password is on the list of the most common passwords.");
  const words = [
    context.login,
    context.serviceDomain,
    context.serviceDomain.split(".")[0],
    "mfd",
    // A domain counts as itself and as its first label ("example.org" and "example").
    ...(context.domains ?? []).flatMap((d) => [d, d.split(".")[0]]),
  ]
    .filter((w): w is string => Boolean(w) && (w as string).length >= 3)
    .map((w) => w.toLowerCase());
  for (const word of words) {
    if (lower.includes(word) && lower.length - word.length < 6) {
      throw new AppError("PASSWORD_CONTAINS_CONTEXT", `The password is too close to "${word}".`);
    }
  }
}
