import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";

const generate = promisify(generateKeyPair);

export interface DkimKeyPair {
  selector: string;
  /** PKCS#8 PEM, for the mail servers that sign; stored sealed. */
  privateKey: string;
  /** Base64 of the DER SubjectPublicKeyInfo: the `p=` of the DNS record. */
  publicKey: string;
}

/**
 * A DKIM key pair for a domain: RSA 2048 (RFC 8301: at least 1024, 2048 recommended; 4096 does
 * not fit one UDP answer for many resolvers). Generated off the event loop (libuv's pool); the
 * selector names the month, so a rotation later adds a new selector beside the old one.
 */
export async function newDkimKey(nowMs: number): Promise<DkimKeyPair> {
  const { privateKey, publicKey } = await generate("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "der" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const month = new Date(nowMs).toISOString().slice(0, 7).replace("-", "");
  return { selector: `mfd${month}`, privateKey, publicKey: (publicKey as Buffer).toString("base64") };
}

/** The TXT text at `<selector>._domainkey` (RFC 6376 §3.6.1). */
export const dkimRecordText = (publicKey: string): string => `v=DKIM1; k=rsa; p=${publicKey}`;
