import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.js";
import type { Deps } from "../deps.js";

/**
 * Secrets the server must read back (TOTP seeds) are stored encrypted with AES-256-GCM under a key
 * kept outside the database — MFD_SECRET_KEY, or a key file in the data directory — so a copy of
 * the database alone (a backup, a dump, an injected SELECT) does not hand out second factors.
 * Stored form: `v1:` + base64url(iv ‖ tag ‖ ciphertext); the version lets the scheme change later.
 * Anything without the prefix is a secret stored in plain text before encryption existed.
 */
const VERSION = "v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_FILE = "secret.key";

const keys = new WeakMap<Config, Buffer>();

/** The installation's key: MFD_SECRET_KEY, else `<data dir>/secret.key` (created 0600 on first use). */
export function secretKeyFor(config: Config): Buffer {
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

export function sealSecret(config: Config, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", secretKeyFor(config), iv);
  const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
}

export const isSealed = (stored: string): boolean => stored.startsWith(VERSION);

/** The plaintext of a stored secret; a secret from before encryption is returned as it is. */
export function openSecret(config: Config, stored: string): string {
  if (!isSealed(stored)) return stored;
  const raw = Buffer.from(stored.slice(VERSION.length), "base64url");
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

/** Encrypts TOTP secrets stored in plain text by an older mfd; `serve` runs it at start. */
export async function sealPlaintextSecrets(deps: Deps): Promise<number> {
  const { db } = deps.database;
  const rows = await db
    .selectFrom("accounts")
    .select(["id", "totpSecret", "totpPendingSecret"])
    .where((eb) =>
      eb.or([
        eb.and([eb("totpSecret", "is not", null), eb("totpSecret", "not like", `${VERSION}%`)]),
        eb.and([eb("totpPendingSecret", "is not", null), eb("totpPendingSecret", "not like", `${VERSION}%`)]),
      ]),
    )
    .execute();
  for (const row of rows) {
    const seal = (value: string | null) =>
      value === null || isSealed(value) ? value : sealSecret(deps.config, value);
    // Only the value read is replaced: a change made meanwhile (setup, disable) is left alone.
    await db
      .updateTable("accounts")
      .set({ totpSecret: seal(row.totpSecret), totpPendingSecret: seal(row.totpPendingSecret) })
      .where("id", "=", row.id)
      .where((eb) =>
        eb.and([
          row.totpSecret === null ? eb("totpSecret", "is", null) : eb("totpSecret", "=", row.totpSecret),
          row.totpPendingSecret === null
            ? eb("totpPendingSecret", "is", null)
            : eb("totpPendingSecret", "=", row.totpPendingSecret),
        ]),
      )
      .execute();
  }
  return rows.length;
}
