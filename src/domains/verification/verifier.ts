import { randomBytes } from "node:crypto";
import type { Config } from "../../config.js";
import { checkTxtChallenge } from "../../dns/challenge.js";
import { delegationInParent } from "../../dns/delegation.js";
import { DnsLookup } from "../../dns/lookup.js";
import { publicSuffixOf } from "../../lib/domain-names.js";
import { constantTimeEqual } from "../../lib/random.js";
import {
  claimNameServers,
  FILE_PATH_PREFIX,
  isOurNameServer,
  proofInstructions,
  TXT_PREFIX,
} from "../claims.js";
import { fetchFile } from "./http-file.js";

export const METHODS = ["txt", "cname", "file", "delegation"] as const;
export type Method = (typeof METHODS)[number];

/** ok = proof found; absent = nothing published; wrong = something else published; failed = could not tell. */
export type MethodResult = "ok" | "absent" | "wrong" | "failed";
export interface MethodOutcome {
  result: MethodResult;
  detail: string;
}

export interface ClaimOutcome {
  /** The method that proved ownership, or null. */
  method: Method | null;
  methods: Record<Method, MethodOutcome>;
  /** The parent zone delegates the domain to mfd's name servers (generic or this claim's). */
  delegated: boolean;
}

export interface MxOutcome {
  result: MethodResult;
  detail: string;
}

export interface VerifierSettings {
  serviceDomain: string;
  mxHost: string;
  resolvers: readonly string[];
  httpPort: number;
  parentPort: number;
  allowPrivate: boolean;
  dnsTimeoutMs: number;
  httpTimeoutMs: number;
  maxFileBytes: number;
}

export const verifierSettings = (
  config: Config,
  overrides: Partial<VerifierSettings> = {},
): VerifierSettings => ({
  serviceDomain: config.serviceDomain,
  mxHost: config.mxHost,
  resolvers: config.dnsResolvers,
  httpPort: config.verifyHttpPort,
  parentPort: config.dnsParentPort,
  allowPrivate: config.allowPrivateFetch,
  dnsTimeoutMs: config.dnsTimeoutMs,
  httpTimeoutMs: config.verifyHttpTimeoutMs,
  maxFileBytes: 1024,
  ...overrides,
});

const ok = (detail: string): MethodOutcome => ({ result: "ok", detail });
const absent = (detail: string): MethodOutcome => ({ result: "absent", detail });
const wrong = (detail: string): MethodOutcome => ({ result: "wrong", detail });
const failed = (detail: string): MethodOutcome => ({ result: "failed", detail });

/**
 * Decides whether a claim's proof is published, reading only what the internet says through the
 * configured resolvers and the parent zones' servers, never our own zone tables (docs/SECURITY.md §30).
 * Only this claim's token, label, file and name servers count (docs/SECURITY.md §27–29).
 */
export class Verifier {
  private readonly lookup: DnsLookup;

  constructor(readonly settings: VerifierSettings) {
    this.lookup = new DnsLookup(settings.resolvers, settings.dnsTimeoutMs);
  }

  async verifyClaim(claim: { domain: string; claimId: string; token: string }): Promise<ClaimOutcome> {
    const proof = proofInstructions(
      { serviceDomain: this.settings.serviceDomain, httpPort: this.settings.httpPort },
      claim.domain,
      claim.claimId,
      claim.token,
    );
    const [txt, cname, file, delegation] = await Promise.all([
      this.txt(proof.txt.name, proof.txt.value),
      this.cname(claim.domain, proof.cname.name, proof.cname.target),
      this.file(claim.domain, claim.claimId, claim.token),
      this.delegation(claim.domain, claim.claimId),
    ]);
    const methods: Record<Method, MethodOutcome> = { txt, cname, file, delegation: delegation.outcome };
    return {
      method: METHODS.find((m) => methods[m].result === "ok") ?? null,
      methods,
      delegated: delegation.delegated,
    };
  }

  private async txt(name: string, expected: string): Promise<MethodOutcome> {
    return checkTxtChallenge(this.lookup, name, expected, TXT_PREFIX, "this claim");
  }

  private async cname(domain: string, name: string, target: string): Promise<MethodOutcome> {
    // A wildcard CNAME to us would answer for every claim's label, so it proves nothing about this claim.
    const probe = `mfd-${randomBytes(8).toString("hex")}.${domain}`;
    const [found, wildcard] = await Promise.all([this.lookup.cname(name), this.lookup.cname(probe)]);
    if (found.status === "failed") return failed(`CNAME ${name}: ${found.reason}`);
    if (found.status === "absent") return absent(`No CNAME record at ${name}.`);
    if (!found.values.includes(target))
      return wrong(`CNAME ${name} points at ${found.values.join(", ")}, not ${target}.`);
    if (wildcard.status === "failed")
      return failed(`Could not rule out a wildcard CNAME: ${wildcard.reason}`);
    if (wildcard.status === "found" && wildcard.values.includes(target))
      return wrong(
        `Every name under ${domain} points at ${target} (a wildcard), so the CNAME proves nothing; use another method.`,
      );
    return ok(`CNAME ${name} points at ${target}.`);
  }

  private async file(domain: string, claimId: string, token: string): Promise<MethodOutcome> {
    const path = `${FILE_PATH_PREFIX}${claimId}`;
    const fetched = await fetchFile(this.lookup, domain, path, {
      port: this.settings.httpPort,
      timeoutMs: this.settings.httpTimeoutMs,
      maxBytes: this.settings.maxFileBytes,
      allowPrivate: this.settings.allowPrivate,
    });
    if (fetched.status === "failed") return failed(`File ${path}: ${fetched.reason}`);
    if (fetched.status === "absent") return absent(`File ${path}: ${fetched.reason}.`);
    if (constantTimeEqual(fetched.body.trim(), token)) return ok(`File ${path} holds this claim's token.`);
    return wrong(`File ${path} does not hold this claim's token.`);
  }

  private async delegation(
    domain: string,
    claimId: string | null,
  ): Promise<{ outcome: MethodOutcome; delegated: boolean }> {
    const suffix = publicSuffixOf(domain);
    if (!suffix) return { outcome: failed("No public suffix for this name."), delegated: false };
    const seen = await delegationInParent(this.lookup, domain, {
      port: this.settings.parentPort,
      timeoutMs: this.settings.dnsTimeoutMs,
      allowPrivate: this.settings.allowPrivate,
      publicSuffix: suffix,
    });
    if (seen.status === "failed") return { outcome: failed(`Delegation: ${seen.reason}`), delegated: false };
    if (seen.status === "no-domain")
      return { outcome: absent(`The ${seen.zone} zone says ${domain} does not exist.`), delegated: false };
    if (seen.status === "not-delegated")
      return {
        outcome: absent(`The ${seen.zone} zone holds no delegation for ${domain}.`),
        delegated: false,
      };
    const ours = seen.nameServers.filter((ns) => isOurNameServer(this.settings.serviceDomain, ns));
    const delegated = ours.length > 0;
    const listed = seen.nameServers.join(", ");
    if (claimId !== null) {
      const expected = claimNameServers(this.settings.serviceDomain, claimId);
      if (seen.nameServers.some((ns) => expected.includes(ns)))
        return { outcome: ok(`The ${seen.zone} zone delegates ${domain} to ${listed}.`), delegated };
    }
    if (delegated) {
      return {
        outcome: wrong(
          `The ${seen.zone} zone delegates ${domain} to ${listed}. Delegation to mfd's general name servers does not prove ownership; delegate to this claim's name servers or use another method.`,
        ),
        delegated,
      };
    }
    return { outcome: wrong(`The ${seen.zone} zone delegates ${domain} to ${listed}.`), delegated };
  }

  /** Whether the parent zone delegates a (confirmed) domain to our name servers; null when unknown. */
  async delegatedToUs(domain: string): Promise<boolean | null> {
    const { outcome, delegated } = await this.delegation(domain, null);
    return outcome.result === "failed" ? null : delegated;
  }

  /** Mail is routed to us when every most-preferred MX host is our MX host. */
  async checkMx(domain: string): Promise<MxOutcome> {
    const expected = this.settings.mxHost;
    const found = await this.lookup.mx(domain);
    if (found.status === "failed") return failed(`MX ${domain}: ${found.reason}`);
    if (found.status === "absent") return absent(`${domain} has no MX record; point it at ${expected}.`);
    const best = Math.min(...found.values.map((mx) => mx.priority));
    const preferred = found.values.filter((mx) => mx.priority === best).map((mx) => mx.exchange);
    if (preferred.every((host) => host === expected)) return ok(`MX ${domain} points at ${expected}.`);
    return wrong(`Mail for ${domain} goes to ${preferred.join(", ")}; point the MX record at ${expected}.`);
  }
}
