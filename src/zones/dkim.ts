import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";

const generate = promisify(generateKeyPair);

export interface DkimKeyPair {
  /** PKCS#8 PEM, for the mail servers that sign; stored sealed. */
  privateKey: string;
  /** Base64 of the DER SubjectPublicKeyInfo: the `p=` of the DNS record. */
  publicKey: string;
}

/**
 * A DKIM key pair for a domain: RSA 2048 (RFC 8301: at least 1024, 2048 recommended; 4096 does
 * not fit one UDP answer for many resolvers). Generated off the event loop (libuv's pool).
 */
export async function newDkimKey(): Promise<DkimKeyPair> {
  const { privateKey, publicKey } = await generate("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "der" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { privateKey, publicKey: (publicKey as Buffer).toString("base64") };
}

/** The selector names the month, so a rotation later adds a new selector beside the old one. */
export const dkimSelector = (nowMs: number): string =>
  `mfd${new Date(nowMs).toISOString().slice(0, 7).replace("-", "")}`;

/**
 * Key pairs handed out one at a time, the next one generated in the background meanwhile: an
 * RSA key takes a good part of a second, and the confirming transaction (which holds SQLite's
 * write lock) should not wait for it each time. Nothing is generated before the first request.
 */
export class DkimKeySource {
  private spare: Promise<DkimKeyPair> | null = null;

  take(): Promise<DkimKeyPair> {
    const key = this.spare ?? newDkimKey();
    const next = newDkimKey();
    // A failed spare is dropped; the next take generates its own.
    next.catch(() => {
      if (this.spare === next) this.spare = null;
    });
    this.spare = next;
    return key;
  }
}

/** The TXT text at `<selector>._domainkey` (RFC 6376 §3.6.1). */
export const dkimRecordText = (publicKey: string): string => `v=DKIM1; k=rsa; p=${publicKey}`;
