import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { v7 as uuidv7 } from "uuid";

/** Time-ordered unique id for rows (UUIDv7): sortable, generated in the app. */
export const newId = (): string => uuidv7();

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
