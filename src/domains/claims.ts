import { randomBytes } from "node:crypto";
import { DAY, HOUR, MINUTE } from "../lib/clock.js";

/** docs/SECURITY.md §33: a claim that is not proven within this time must be renewed (new id and token). */
export const CLAIM_LIFETIME_MS = 7 * DAY;

/**
 * Background re-checks of a pending claim: 1 min after connecting, then 5 min, 15 min, 1 h, and
 * every 6 h until the claim expires. `attempts` is the number of background checks so far.
 */
const BACKOFF_MS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR];
export const nextCheckDelay = (attempts: number): number =>
  BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length - 1)] as number;

/** How often mail routing of a domain whose MX is correct is looked at again. */
export const MX_OK_RECHECK_MS = 6 * HOUR;

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const base32 = (bytes: Buffer, length: number): string => {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
};

/**
 * The claim's public id: 10 lowercase base32 characters (50 bits), safe in a DNS label and a URL.
 * It names the CNAME label, the file and the name servers; it is not a secret.
 */
export const newClaimId = (): string => base32(randomBytes(7), 10);

/** The claim's secret: 160 random bits (docs/SECURITY.md §27), lowercase base32 so DNS tools cannot mangle it. */
export const newClaimToken = (): string => base32(randomBytes(20), 32);

export const TXT_LABEL = "_mfd-challenge";
export const TXT_PREFIX = "mfd-verification=";
export const FILE_PATH_PREFIX = "/.well-known/mfd-verification/";

/** The service's generic name servers: delegation to them never proves anything. */
export const genericNameServers = (serviceDomain: string): string[] => [
  `ns1.${serviceDomain}`,
  `ns2.${serviceDomain}`,
];

export const claimNameServers = (serviceDomain: string, claimId: string): string[] =>
  genericNameServers(serviceDomain).map((ns) => `${claimId}.${ns}`);

/** Whether a name server host is one of ours (generic or claim-specific). */
export const isOurNameServer = (serviceDomain: string, host: string): boolean =>
  genericNameServers(serviceDomain).some((ns) => host === ns || host.endsWith(`.${ns}`));

export interface ProofInstructions {
  txt: { name: string; value: string };
  cname: { name: string; target: string };
  file: { url: string; content: string };
  delegation: { nameServers: string[] };
}

/** What the customer publishes for one claim; the verifier checks exactly these names. */
export function proofInstructions(
  settings: { serviceDomain: string; httpPort: number },
  domain: string,
  claimId: string,
  token: string,
): ProofInstructions {
  const port = settings.httpPort === 80 ? "" : `:${settings.httpPort}`;
  return {
    txt: { name: `${TXT_LABEL}.${domain}`, value: `${TXT_PREFIX}${token}` },
    cname: { name: `mfd-${claimId}.${domain}`, target: `verify.${settings.serviceDomain}` },
    file: { url: `http://${domain}${port}${FILE_PATH_PREFIX}${claimId}`, content: token },
    delegation: { nameServers: claimNameServers(settings.serviceDomain, claimId) },
  };
}
