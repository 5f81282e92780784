import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * TSIG (RFC 8945) with HMAC-SHA256, the one algorithm we offer: it signs zone transfers and NOTIFY
 * between mfd and its secondaries. dns-packet has no TSIG codec, so this works on the wire bytes:
 * the MAC covers the message exactly as sent, which a decode/encode round trip would not keep.
 */
export interface TsigKey {
  /** Lowercase, no trailing dot, as the secondaries' configuration names it. */
  name: string;
  secret: Buffer;
}

export const TSIG_ALGORITHM = "hmac-sha256";
export const TSIG_ERROR = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18 } as const;
/** Seconds of clock difference accepted (RFC 8945 §10 recommends 300). */
export const TSIG_FUDGE = 300;

const TYPE_TSIG = 250;
const CLASS_ANY = 255;
const MAC_BYTES = 32;
const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** `name:base64secret` (MFD_DNS_TSIG_KEY) → the key, or the reason it is not one. */
export function parseTsigKey(text: string): TsigKey | string {
  const colon = text.indexOf(":");
  if (colon <= 0) return "must be name:base64-secret";
  const name = text.slice(0, colon).toLowerCase().replace(/\.$/, "");
  const encoded = text.slice(colon + 1).trim();
  if (name.length > 253 || !name.split(".").every((label) => LABEL.test(label)))
    return `"${name}" is not a key name (letters, digits, - and _ labels)`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return "the secret must be base64";
  const secret = Buffer.from(encoded, "base64");
  // RFC 8945 §6: a key shorter than the hash output weakens the MAC; tsig-keygen makes 32 bytes.
  if (secret.length < 16) return "the secret must be at least 16 bytes (tsig-keygen makes 32)";
  return { name, secret };
}

/** The TSIG record of a message, with the message as it was before the record was added. */
export interface TsigRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
  /** The message without its TSIG record: ARCOUNT one less, the original ID restored. */
  unsigned: Buffer;
}

/** Wire form of a name, lowercase and uncompressed (RFC 8945 §4.3.3 canonical form). */
export function encodeName(name: string): Buffer {
  const labels = name === "" ? [] : name.toLowerCase().replace(/\.$/, "").split(".");
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, "ascii");
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

class Malformed extends Error {}

/** Reads a possibly compressed name; returns it lowercase and the offset after it in place. */
function readName(message: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let offset = start;
  let next = -1;
  for (let jumps = 0; ; ) {
    if (offset >= message.length) throw new Malformed("name runs past the message");
    const length = message[offset] as number;
    if (length === 0) {
      if (next === -1) next = offset + 1;
      break;
    }
    if ((length & 0xc0) === 0xc0) {
      if (offset + 1 >= message.length || ++jumps > 64) throw new Malformed("bad compression pointer");
      if (next === -1) next = offset + 2;
      offset = ((length & 0x3f) << 8) | (message[offset + 1] as number);
      continue;
    }
    if (length > 63 || offset + 1 + length > message.length) throw new Malformed("bad label");
    labels.push(message.toString("latin1", offset + 1, offset + 1 + length).toLowerCase());
    offset += 1 + length;
  }
  return { name: labels.join("."), next };
}

const readUint48 = (buffer: Buffer, offset: number): number =>
  buffer.readUInt16BE(offset) * 2 ** 32 + buffer.readUInt32BE(offset + 2);

const uint48 = (value: number): Buffer => {
  const bytes = Buffer.alloc(6);
  bytes.writeUInt16BE(Math.floor(value / 2 ** 32), 0);
  bytes.writeUInt32BE(value % 2 ** 32, 2);
  return bytes;
};

const uint16 = (value: number): Buffer => {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
};

/**
 * The TSIG record at the end of the additional section, or null when the message is unsigned.
 * Throws when the message cannot be walked or a TSIG record sits anywhere but last.
 */
export function findTsig(message: Buffer): TsigRecord | null {
  try {
    return walk(message);
  } catch (error) {
    if (error instanceof Malformed || error instanceof RangeError) throw new Error(`malformed message`);
    throw error;
  }
}

function walk(message: Buffer): TsigRecord | null {
  if (message.length < 12) throw new Malformed("short header");
  const questions = message.readUInt16BE(4);
  const records = message.readUInt16BE(6) + message.readUInt16BE(8) + message.readUInt16BE(10);
  let offset = 12;
  for (let i = 0; i < questions; i++) offset = readName(message, offset).next + 4;
  let last: { start: number; type: number; rdata: number; rdlength: number; owner: string } | undefined;
  for (let i = 0; i < records; i++) {
    const start = offset;
    const owner = readName(message, offset);
    offset = owner.next;
    const type = message.readUInt16BE(offset);
    const rdlength = message.readUInt16BE(offset + 8);
    if (last?.type === TYPE_TSIG) throw new Malformed("TSIG is not the last record");
    last = { start, type, rdata: offset + 10, rdlength, owner: owner.name };
    offset += 10 + rdlength;
    if (offset > message.length) throw new Malformed("record runs past the message");
  }
  if (!last || last.type !== TYPE_TSIG || message.readUInt16BE(10) === 0) return null;

  const algorithm = readName(message, last.rdata);
  let at = algorithm.next;
  const timeSigned = readUint48(message, at);
  const fudge = message.readUInt16BE(at + 6);
  const macSize = message.readUInt16BE(at + 8);
  at += 10;
  const mac = Buffer.from(message.subarray(at, at + macSize));
  at += macSize;
  const originalId = message.readUInt16BE(at);
  const error = message.readUInt16BE(at + 2);
  const otherLength = message.readUInt16BE(at + 4);
  const otherData = Buffer.from(message.subarray(at + 6, at + 6 + otherLength));
  if (at + 6 + otherLength !== last.rdata + last.rdlength) throw new Malformed("TSIG RDATA length");

  const unsigned = Buffer.from(message.subarray(0, last.start));
  unsigned.writeUInt16BE(originalId, 0);
  unsigned.writeUInt16BE(message.readUInt16BE(10) - 1, 10);
  return {
    keyName: last.owner,
    algorithm: algorithm.name,
    timeSigned,
    fudge,
    mac,
    originalId,
    error,
    otherData,
    unsigned,
  };
}

interface Variables {
  timeSigned: number;
  fudge: number;
  error: number;
  otherData: Buffer;
}

/** RFC 8945 §4.3.3: the TSIG variables, or only the timers for later messages of a transfer. */
function variables(key: TsigKey, v: Variables, timersOnly: boolean): Buffer {
  const timers = Buffer.concat([uint48(v.timeSigned), uint16(v.fudge)]);
  if (timersOnly) return timers;
  const head = Buffer.alloc(6);
  head.writeUInt16BE(CLASS_ANY, 0); // TTL 0 follows
  return Buffer.concat([
    encodeName(key.name),
    head,
    encodeName(TSIG_ALGORITHM),
    timers,
    uint16(v.error),
    uint16(v.otherData.length),
    v.otherData,
  ]);
}

function hmac(key: TsigKey, parts: Buffer[]): Buffer {
  const h = createHmac("sha256", key.secret);
  for (const part of parts) h.update(part);
  return h.digest();
}

/** Appends a TSIG record to `message` (ARCOUNT + 1). */
function appendTsig(message: Buffer, key: TsigKey, v: Variables, mac: Buffer): Buffer {
  const rdata = Buffer.concat([
    encodeName(TSIG_ALGORITHM),
    uint48(v.timeSigned),
    uint16(v.fudge),
    uint16(mac.length),
    mac,
    uint16(message.readUInt16BE(0)),
    uint16(v.error),
    uint16(v.otherData.length),
    v.otherData,
  ]);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(TYPE_TSIG, 0);
  fixed.writeUInt16BE(CLASS_ANY, 2);
  fixed.writeUInt16BE(rdata.length, 8);
  const signed = Buffer.concat([message, encodeName(key.name), fixed, rdata]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return signed;
}

const seconds = (now: number) => Math.floor(now / 1000);

/** Signs a request (a NOTIFY we send); keep `mac` to check the answer with. */
export function signRequest(
  message: Buffer,
  key: TsigKey,
  now = Date.now(),
): { signed: Buffer; mac: Buffer } {
  const v = { timeSigned: seconds(now), fudge: TSIG_FUDGE, error: 0, otherData: Buffer.alloc(0) };
  const mac = hmac(key, [message, variables(key, v, false)]);
  return { signed: appendTsig(message, key, v, mac), mac };
}

export type RequestCheck =
  | { status: "unsigned" }
  | { status: "valid"; tsig: TsigRecord }
  /** Answer NOTAUTH with this TSIG error (RFC 8945 §5.2). */
  | { status: "invalid"; error: number; tsig: TsigRecord };

/** RFC 8945 §5.2: key, then MAC, then time; a request signed with a key we do not have is BADKEY. */
export function checkRequest(message: Buffer, key: TsigKey | null, now = Date.now()): RequestCheck {
  const tsig = findTsig(message);
  if (!tsig) return { status: "unsigned" };
  if (!key || tsig.keyName !== key.name || tsig.algorithm !== TSIG_ALGORITHM)
    return { status: "invalid", error: TSIG_ERROR.BADKEY, tsig };
  const expected = hmac(key, [tsig.unsigned, variables(key, tsig, false)]);
  // Truncated MACs (RFC 8945 §5.2.2.1) are not offered by the servers we pair with: full length only.
  if (tsig.mac.length !== MAC_BYTES || !timingSafeEqual(tsig.mac, expected))
    return { status: "invalid", error: TSIG_ERROR.BADSIG, tsig };
  if (Math.abs(seconds(now) - tsig.timeSigned) > tsig.fudge)
    return { status: "invalid", error: TSIG_ERROR.BADTIME, tsig };
  return { status: "valid", tsig };
}

/**
 * Signs the messages of one response: the first with the request's MAC and all the variables,
 * each later one (a transfer's further messages) with the MAC before it and the timers only
 * (RFC 8945 §5.3.1). Signing every message, not every hundredth, costs little and lets the
 * secondary check each one.
 */
export class ResponseSigner {
  private prior: Buffer;
  private first = true;

  constructor(
    private readonly key: TsigKey,
    requestMac: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.prior = requestMac;
  }

  sign(message: Buffer, error: number = TSIG_ERROR.NOERROR, otherData = Buffer.alloc(0)): Buffer {
    const v = { timeSigned: seconds(this.now()), fudge: TSIG_FUDGE, error, otherData };
    const mac = hmac(this.key, [
      uint16(this.prior.length),
      this.prior,
      message,
      variables(this.key, v, !this.first),
    ]);
    this.first = false;
    this.prior = mac;
    return appendTsig(message, this.key, v, mac);
  }
}

/** The error answer to a request whose TSIG failed: unsigned for BADKEY and BADSIG (§5.2). */
export function unsignedTsigError(response: Buffer, key: { name: string }, error: number, now = Date.now()) {
  const v = { timeSigned: seconds(now), fudge: TSIG_FUDGE, error, otherData: Buffer.alloc(0) };
  return appendTsig(response, { name: key.name, secret: Buffer.alloc(0) }, v, Buffer.alloc(0));
}

/** Checks the messages of a signed response the way `ResponseSigner` made them. */
export class ResponseVerifier {
  private prior: Buffer;
  private first = true;

  constructor(
    private readonly key: TsigKey,
    requestMac: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.prior = requestMac;
  }

  /** The reason the message fails, or null when it is signed correctly. */
  verify(message: Buffer): string | null {
    const tsig = findTsig(message);
    if (!tsig) return "the answer is not signed";
    if (tsig.keyName !== this.key.name || tsig.algorithm !== TSIG_ALGORITHM) return "signed with another key";
    if (tsig.error !== TSIG_ERROR.NOERROR) return `TSIG error ${tsig.error}`;
    const expected = hmac(this.key, [
      uint16(this.prior.length),
      this.prior,
      tsig.unsigned,
      variables(this.key, tsig, !this.first),
    ]);
    if (tsig.mac.length !== MAC_BYTES || !timingSafeEqual(tsig.mac, expected)) return "bad signature";
    if (Math.abs(seconds(this.now()) - tsig.timeSigned) > tsig.fudge) return "signed outside the time window";
    this.first = false;
    this.prior = tsig.mac;
    return null;
  }
}
