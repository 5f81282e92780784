import { createHash, randomBytes, randomFillSync, randomInt, timingSafeEqual } from "node:crypto";
import { v7 as uuidv7 } from "uuid";

/**
 * Random bytes for ids, drawn from the CSPRNG 4 KiB at a time (as Node's own randomUUID keeps a
 * pool): uuid asks the web crypto API for 16 bytes per id, some 13,000 instructions each — two
 * ids of a record write were 3 % of it.
 */
const idBytes = new Uint8Array(16 * 256);
let idBytesUsed = idBytes.length;
/** The last id's time and counter: ids made in one millisecond count up, as uuid's own state does. */
const lastId = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

/** Time-ordered unique id for rows (UUIDv7, RFC 9562): sortable, generated in the app. */
export const newId = (): string => {
  if (idBytesUsed === idBytes.length) {
    randomFillSync(idBytes);
    idBytesUsed = 0;
  }
  const random = idBytes.subarray(idBytesUsed, idBytesUsed + 16);
  idBytesUsed += 16;
  const now = Date.now();
  if (now > lastId.msecs) {
    // A new millisecond starts its counter at a random 31-bit value, as uuid does.
    lastId.msecs = now;
    lastId.seq =
      (((random[6] as number) & 0x7f) << 24) |
      ((random[7] as number) << 16) |
      ((random[8] as number) << 8) |
      (random[9] as number);
  } else {
    lastId.seq = (lastId.seq + 1) | 0;
    // The counter ran over: the id borrows the next millisecond.
    if (lastId.seq === 0) lastId.msecs++;
  }
  return uuidv7({ random, msecs: lastId.msecs, seq: lastId.seq });
};

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
