import { createHash, randomBytes, randomFillSync, randomInt, timingSafeEqual } from "node:crypto";

/**
 * Random bytes for ids, drawn from the CSPRNG 4 KiB at a time: the uuid package asks
 * `crypto.getRandomValues` for 16 bytes per id, some 5 µs each, and every write makes two or three.
 */
const pool = Buffer.allocUnsafe(4096);
let poolAt = pool.length;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
/** The millisecond and the 32-bit counter of the last id: ids made in one millisecond still sort in order. */
let lastMs = Number.NEGATIVE_INFINITY;
let sequence = 0;

/**
 * Time-ordered unique id for rows (UUIDv7, RFC 9562): sortable, generated in the app. The same
 * layout as the uuid package's v7 — 48 bits of Unix milliseconds, a counter seeded at random each
 * new millisecond (its "method 1"), then random bits — so ids made by one process sort in the
 * order they were made.
 */
export function newId(): string {
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const r = poolAt;
  poolAt += 16;
  const now = Date.now();
  if (now > lastMs) {
    sequence =
      (((pool[r + 6] as number) & 0x7f) << 24) |
      ((pool[r + 7] as number) << 16) |
      ((pool[r + 8] as number) << 8) |
      (pool[r + 9] as number);
    lastMs = now;
  } else {
    sequence = (sequence + 1) | 0;
    if (sequence === 0) lastMs++;
  }
  const ms = lastMs;
  const h = (value: number) => HEX[value & 0xff] as string;
  return (
    h(ms / 0x10000000000) +
    h(ms / 0x100000000) +
    h(ms / 0x1000000) +
    h(ms / 0x10000) +
    "-" +
    h(ms / 0x100) +
    h(ms) +
    "-" +
    h(0x70 | ((sequence >>> 28) & 0x0f)) +
    h(sequence >>> 20) +
    "-" +
    h(0x80 | ((sequence >>> 14) & 0x3f)) +
    h(sequence >>> 6) +
    "-" +
    h(((sequence << 2) & 0xff) | ((pool[r + 10] as number) & 0x03)) +
    h(pool[r + 11] as number) +
    h(pool[r + 12] as number) +
    h(pool[r + 13] as number) +
    h(pool[r + 14] as number) +
    h(pool[r + 15] as number)
  );
}

/** A URL-safe secret of `bytes` random bytes (default 32 = 256 bits). */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString("base64url");

/** A numeric one-time code of `digits` digits from the CSPRNG, leading zeros kept. */
export const numericCode = (digits = 6): string =>
  Array.from({ length: digits }, () => randomInt(0, 10)).join("");

export const sha256 = (value: string): string => createHash("sha256").update(value).digest("hex");

/** Compares two strings without leaking where they differ. */
export const constantTimeEqual = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
};
