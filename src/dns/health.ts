import { type Delegation, delegationInParent, type ParentOptions } from "./delegation.js";
import type { DnsLookup, Lookup } from "./lookup.js";

/**
 * Delegation and mail health of a hosted domain, as the internet sees it: the parent zone's
 * servers for the delegation, the configured resolvers for MX, SPF, DKIM and DMARC. Never our own
 * zone tables: a record we serve proves nothing while the parent does not send anyone to us.
 */
export type HealthCheckName = "delegation" | "mx" | "spf" | "dkim" | "dmarc";

/** Why a check failed; the console shows what to fix for each. "OK" when it passed. */
export type HealthCode =
  | "OK"
  | "LOOKUP_FAILED"
  | "NOT_REGISTERED"
  | "NOT_DELEGATED"
  | "DELEGATED_ELSEWHERE"
  | "DELEGATION_INCOMPLETE"
  | "MX_MISSING"
  | "MX_ELSEWHERE"
  | "SPF_MISSING"
  | "SPF_MULTIPLE"
  | "SPF_TOO_OPEN"
  | "SPF_WITHOUT_US"
  | "DKIM_MISSING"
  | "DKIM_WRONG_KEY"
  | "DMARC_MISSING"
  | "DMARC_MULTIPLE"
  | "DMARC_NO_POLICY";

export interface HealthCheck {
  check: HealthCheckName;
  ok: boolean;
  code: HealthCode;
  /** What was seen, in words (names, values); the fix is the console's, by code. */
  detail: string;
  /** What the check wanted to see (name servers, MX host, record value), for the fix text. */
  expected: string;
}

export interface HealthExpectations {
  domain: string;
  /** MFD_NAME_SERVERS. */
  nameServers: readonly string[];
  /** MFD_MX_HOST. */
  mxHost: string;
  /** The domain's active DKIM keys: public key as base64 DER (SubjectPublicKeyInfo) or PEM. */
  dkim: ReadonlyArray<{ selector: string; publicKey: string }>;
}

export interface HealthResult {
  checks: HealthCheck[];
  ok: boolean;
}

const pass = (check: HealthCheckName, detail: string, expected: string): HealthCheck => ({
  check,
  ok: true,
  code: "OK",
  detail,
  expected,
});
const fail = (check: HealthCheckName, code: HealthCode, detail: string, expected: string): HealthCheck => ({
  check,
  ok: false,
  code,
  detail,
  expected,
});

/** Runs every check at once; one failing lookup fails only its own check. */
export async function checkDomainHealth(
  lookup: DnsLookup,
  expected: HealthExpectations,
  parent: ParentOptions | null,
): Promise<HealthResult> {
  const checks = await Promise.all([
    checkDelegation(
      expected,
      parent
        ? delegationInParent(lookup, expected.domain, parent)
        : Promise.resolve({ status: "failed", reason: "the domain has no public suffix" } as const),
    ),
    checkMx(expected, await lookup.mx(expected.domain)),
    lookup.txt(expected.domain).then((found) => checkSpf(expected, found)),
    checkDkim(expected, lookup),
    lookup.txt(`_dmarc.${expected.domain}`).then((found) => checkDmarc(expected, found)),
  ]);
  return { checks, ok: checks.every((check) => check.ok) };
}

export async function checkDelegation(
  expected: HealthExpectations,
  seenPromise: Promise<Delegation>,
): Promise<HealthCheck> {
  const ours = expected.nameServers.map((ns) => ns.toLowerCase());
  const want = ours.join(" ");
  const seen = await seenPromise;
  if (seen.status === "failed") return fail("delegation", "LOOKUP_FAILED", seen.reason, want);
  if (seen.status === "no-domain")
    return fail(
      "delegation",
      "NOT_REGISTERED",
      `The ${seen.zone} zone says ${expected.domain} does not exist.`,
      want,
    );
  if (seen.status === "not-delegated")
    return fail(
      "delegation",
      "NOT_DELEGATED",
      `The ${seen.zone} zone holds no delegation for ${expected.domain}.`,
      want,
    );
  const listed = seen.nameServers.join(", ");
  const foreign = seen.nameServers.filter((ns) => !ours.includes(ns));
  const missing = ours.filter((ns) => !seen.nameServers.includes(ns));
  if (foreign.length === seen.nameServers.length)
    return fail("delegation", "DELEGATED_ELSEWHERE", `The ${seen.zone} zone delegates to ${listed}.`, want);
  // A mix answers from two sources of truth; a subset of ours works but loses redundancy.
  if (foreign.length > 0 || missing.length > 0)
    return fail("delegation", "DELEGATION_INCOMPLETE", `The ${seen.zone} zone delegates to ${listed}.`, want);
  return pass("delegation", `The ${seen.zone} zone delegates to ${listed}.`, want);
}

/** Mail reaches us when every most-preferred MX host is our MX host. */
export function checkMx(expected: HealthExpectations, found: Lookup<{ exchange: string; priority: number }>) {
  const want = expected.mxHost;
  if (found.status === "failed")
    return fail("mx", "LOOKUP_FAILED", `MX ${expected.domain}: ${found.reason}`, want);
  if (found.status === "absent")
    return fail("mx", "MX_MISSING", `${expected.domain} has no MX record.`, want);
  const best = Math.min(...found.values.map((mx) => mx.priority));
  const preferred = found.values.filter((mx) => mx.priority === best).map((mx) => mx.exchange);
  const listed = found.values.map((mx) => `${mx.priority} ${mx.exchange}`).join(", ");
  if (preferred.every((host) => host === want)) return pass("mx", `MX: ${listed}.`, want);
  return fail("mx", "MX_ELSEWHERE", `MX: ${listed}.`, want);
}

const terms = (record: string) => record.trim().toLowerCase().split(/\s+/).slice(1);

/** One SPF record (RFC 7208 §4.5: two are a permanent error) that lets our MX host send. */
export function checkSpf(expected: HealthExpectations, found: Lookup<string>): HealthCheck {
  const want = "v=spf1 mx -all";
  if (found.status === "failed")
    return fail("spf", "LOOKUP_FAILED", `TXT ${expected.domain}: ${found.reason}`, want);
  const records = found.status === "found" ? found.values.filter((v) => /^v=spf1(\s|$)/i.test(v.trim())) : [];
  if (records.length === 0) return fail("spf", "SPF_MISSING", `${expected.domain} has no SPF record.`, want);
  if (records.length > 1)
    return fail("spf", "SPF_MULTIPLE", `${records.length} SPF records: ${records.join(" | ")}`, want);
  const record = records[0] as string;
  const spfTerms = terms(record);
  if (spfTerms.some((term) => term === "+all" || term === "all"))
    return fail("spf", "SPF_TOO_OPEN", `SPF: ${record}`, want);
  // "mx" covers us only while the MX check passes; "a:<mx host>" names us directly.
  const authorizesUs = spfTerms.some((term) =>
    ["mx", "+mx", `a:${expected.mxHost}`, `+a:${expected.mxHost}`].includes(term),
  );
  if (!authorizesUs) return fail("spf", "SPF_WITHOUT_US", `SPF: ${record}`, want);
  return pass("spf", `SPF: ${record}`, want);
}

/** "-----BEGIN PUBLIC KEY----- …" or bare base64, without whitespace. */
const bareKey = (key: string) => key.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");

const tags = (record: string): Map<string, string> =>
  new Map(
    record
      .split(";")
      .map((part) => part.trim())
      .filter((part) => part.includes("="))
      .map((part) => {
        const at = part.indexOf("=");
        return [part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).replace(/\s+/g, "")] as const;
      }),
  );

/** Every active key's public half is published at its selector (RFC 6376 §3.6.2). */
export async function checkDkim(expected: HealthExpectations, lookup: DnsLookup): Promise<HealthCheck> {
  if (expected.dkim.length === 0)
    return fail("dkim", "DKIM_MISSING", `${expected.domain} has no DKIM key yet.`, "");
  for (const key of expected.dkim) {
    const name = `${key.selector}._domainkey.${expected.domain}`;
    const want = `v=DKIM1; k=rsa; p=${bareKey(key.publicKey)}`;
    const found = await lookup.txt(name);
    if (found.status === "failed") return fail("dkim", "LOOKUP_FAILED", `TXT ${name}: ${found.reason}`, want);
    if (found.status === "absent") return fail("dkim", "DKIM_MISSING", `No TXT record at ${name}.`, want);
    const keys = found.values.map((value) => tags(value).get("p"));
    if (!keys.includes(bareKey(key.publicKey)))
      return fail("dkim", "DKIM_WRONG_KEY", `TXT ${name} holds another key.`, want);
  }
  const names = expected.dkim.map((key) => `${key.selector}._domainkey`).join(", ");
  return pass("dkim", `Published at ${names}.`, "");
}

/** One DMARC record at _dmarc with a policy (RFC 7489 §6.6.3: several count as none). */
export function checkDmarc(expected: HealthExpectations, found: Lookup<string>): HealthCheck {
  const name = `_dmarc.${expected.domain}`;
  const want = "v=DMARC1; p=none";
  if (found.status === "failed") return fail("dmarc", "LOOKUP_FAILED", `TXT ${name}: ${found.reason}`, want);
  const records =
    found.status === "found" ? found.values.filter((v) => /^v=DMARC1\s*(;|$)/i.test(v.trim())) : [];
  if (records.length === 0) return fail("dmarc", "DMARC_MISSING", `No DMARC record at ${name}.`, want);
  if (records.length > 1)
    return fail("dmarc", "DMARC_MULTIPLE", `${records.length} DMARC records: ${records.join(" | ")}`, want);
  const record = records[0] as string;
  const policy = tags(record).get("p")?.toLowerCase();
  if (!policy || !["none", "quarantine", "reject"].includes(policy))
    return fail("dmarc", "DMARC_NO_POLICY", `DMARC: ${record}`, want);
  return pass("dmarc", `DMARC: ${record}`, want);
}
