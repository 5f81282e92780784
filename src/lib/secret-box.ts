import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Secrets the server must read back (TOTP seeds) are stored encrypted with AES-256-GCM under a key
 * kept outside the database — MFD_SECRET_KEY, or a key file in the data directory — so a copy of
 * the database alone (a backup, a dump, an injected SELECT) does not hand out second factors.
 * Stored form: `v1:` + base64url(iv ‖ tag ‖ ciphertext); the version lets the scheme change later.
 * Anything without the prefix is a secret stored in plain text before encryption existed.
 */
export const SEALED_PREFIX = "v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_FILE = "secret.key";

/** Where the key comes from: MFD_SECRET_KEY, or else a key file in the data directory (the config). */
export interface SecretKeySource {
  secretKey: string | null;
  dataDir: string;
}

const keys = new WeakMap<SecretKeySource, Buffer>();

/** The installation's key: MFD_SECRET_KEY, else `<data dir>/secret.key` (created 0600 on first use). */
export function secretKeyFor(config: SecretKeySource): Buffer {
  let key = keys.get(config);
  if (!key) {
    key = config.secretKey ? Buffer.from(config.secretKey, "base64") : keyFile(config.dataDir);
    keys.set(config, key);
  }
  return key;
}

function keyFile(dataDir: string): Buffer {
  secureDataDir(dataDir);
  const file = join(dataDir, KEY_FILE);
  try {
    // "wx": of two processes starting at once, one creates the key and the other reads it.
    writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key.`);
  return key;
}

/** The data directory, created if missing, readable by mfd's user only. */
export function secureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if ((statSync(dataDir).mode & 0o077) !== 0) chmodSync(dataDir, 0o700);
}

export function sealSecret(config: SecretKeySource, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", secretKeyFor(config), iv);
  const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
}

export const isSealed = (stored: string): boolean => stored.startsWith(SEALED_PREFIX);

/** The plaintext of a stored secret; a secret from before encryption is returned as it is. */
export function openSecret(config: SecretKeySource, stored: string): string {
  if (!isSealed(stored)) return stored;
  const raw = Buffer.from(stored.slice(SEALED_PREFIX.length), "base64url");
  const decipher = createDecipheriv("aes-256-gcm", secretKeyFor(config), raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    throw new Error(
      "A stored secret does not decrypt: MFD_SECRET_KEY or the key file is not this installation's.",
    );
  }
}
