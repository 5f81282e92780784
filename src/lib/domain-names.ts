import { isIP } from "node:net";
import { domainToASCII, domainToUnicode } from "node:url";
import { parse } from "tldts";
import { AppError } from "./errors.js";

const MAX_NAME = 253;
const MAX_LABEL = 63;
// ASCII other than letters, digits, "-" and "." ("_", "%", "/", "*", " ", controls …) is refused
// before domainToASCII, which would otherwise percent-decode it or cut at "/" and hide the mistake.
const ASCII_ALLOWED = /^[A-Za-z0-9.-]$/;
const hasBadAscii = (value: string) =>
  [...value].some((ch) => ch.charCodeAt(0) < 128 && !ASCII_ALLOWED.test(ch));
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// Private-section suffixes (github.io, …) count as public suffixes: their children belong to different people.
const PSL = { allowPrivateDomains: true } as const;

const stripDot = (value: string) => (value.endsWith(".") ? value.slice(0, -1) : value);

/**
 * The ASCII (punycode) form of a typed name, checked for shape only: lower case, IDN → punycode,
 * no trailing dot. Throws the precise DOMAIN_* code.
 */
export function asciiName(input: string): string {
  const typed = stripDot(input.trim());
  if (typed === "") throw new AppError("DOMAIN_EMPTY");
  if (isIP(typed) || isIP(typed.replace(/^\[(.*)\]$/, "$1"))) throw new AppError("DOMAIN_IS_IP");
  if (hasBadAscii(typed)) {
    throw new AppError(
      "DOMAIN_BAD_CHARACTERS",
      "Use letters, digits, hyphens and dots only (no spaces, underscores, slashes or wildcards).",
    );
  }
  const ascii = stripDot(domainToASCII(typed));
  if (ascii === "") throw new AppError("DOMAIN_BAD_CHARACTERS");
  // URL host parsing reads "127.1" or "12345" as IPv4 addresses.
  if (isIP(ascii)) throw new AppError("DOMAIN_IS_IP");
  if (ascii.length > MAX_NAME) throw new AppError("DOMAIN_TOO_LONG");
  for (const label of ascii.split(".")) {
    if (label === "") throw new AppError("DOMAIN_INVALID", "The name has an empty part (two dots in a row).");
    if (label.length > MAX_LABEL) throw new AppError("DOMAIN_LABEL_TOO_LONG");
    if (!LABEL.test(label))
      throw new AppError("DOMAIN_BAD_CHARACTERS", "A part of the name starts or ends with a hyphen.");
  }
  return ascii;
}

/**
 * A name a customer may connect: a valid name under a public suffix, not a suffix itself, and not
 * one of the service's own domains.
 */
export function connectableName(input: string, serviceDomains: readonly string[]): string {
  const name = asciiName(input);
  if (serviceDomains.some((own) => name === own || name.endsWith(`.${own}`)))
    throw new AppError("DOMAIN_OF_SERVICE");
  const parsed = parse(name, PSL);
  if (!parsed.isIcann && !parsed.isPrivate) throw new AppError("DOMAIN_NOT_UNDER_PUBLIC_SUFFIX");
  if (parsed.domain === null || name === parsed.publicSuffix) throw new AppError("DOMAIN_IS_PUBLIC_SUFFIX");
  return name;
}

/**
 * The service's own domains: the service domain, the MX host, and the registrable domains they
 * sit in (whoever runs mail.example.net runs example.net, so no customer may connect it).
 */
export function serviceDomains(serviceDomain: string, mxHost: string): string[] {
  const own = new Set<string>([serviceDomain, mxHost]);
  for (const host of [serviceDomain, mxHost]) {
    const registrable = parse(host, PSL).domain;
    if (registrable) own.add(registrable);
  }
  return [...own];
}

/** A name from a URL path: its ASCII form, or null when it cannot be a domain (so: not yours). */
export function lookupName(input: string): string | null {
  try {
    return asciiName(input);
  } catch {
    return null;
  }
}

/**
 * The names a domain sits under, nearest first, down to its registrable domain:
 * `a.b.example.org` → `b.example.org`, `example.org`. Whoever holds one of these holds this one.
 */
export function parentNames(name: string): string[] {
  const registrable = parse(name, PSL).domain;
  if (!registrable || name === registrable) return [];
  const parents: string[] = [];
  for (let at = name.indexOf("."); at !== -1; at = name.indexOf(".", at + 1)) {
    const parent = name.slice(at + 1);
    parents.push(parent);
    if (parent === registrable) break;
  }
  return parents;
}

/** The public suffix a name sits under ("org", "co.uk"). */
export const publicSuffixOf = (name: string): string | null => parse(name, PSL).publicSuffix;

export const unicodeName = (name: string): string => domainToUnicode(name) || name;
