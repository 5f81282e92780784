import { lookupName } from "../lib/domain-names.js";
import { AppError } from "../lib/errors.js";

/** The original api2 allows logins of at most 30 characters; scripts written for it rely on that. */
export const LOGIN_MAX = 30;

/**
 * Local parts only the domain's owner may create. These carry authority over the
 * domain: certificate authorities validate domain control by mail to admin, administrator,
 * webmaster, hostmaster and postmaster (CA/Browser Forum baseline requirements 3.2.2.4.4);
 * RFC 2142 names abuse, noc and security as the domain's official contacts; mailer-daemon and
 * noreply speak for the mail system itself. A deputy holding one of them could obtain a TLS
 * certificate or answer abuse reports in the owner's name.
 */
export const RESERVED_LOGINS: ReadonlySet<string> = new Set([
  "abuse",
  "admin",
  "administrator",
  "hostmaster",
  "mailer-daemon",
  "no-reply",
  "noc",
  "noreply",
  "postmaster",
  "root",
  "security",
  "ssl-admin",
  "ssladmin",
  "sysadmin",
  "webmaster",
]);

const SHAPE = /^[a-z][a-z0-9._-]*$/;

export type LoginField = "login" | "alias";

const invalid = (field: LoginField, reason: string, detail: string) =>
  new AppError("LOGIN_INVALID", detail, { field, reason });

/**
 * A login as typed — `bob`, `Bob` or `bob@example.org` on this domain — in its stored form (lower
 * case, no domain). PDD rules (Latin letters, digits, `-`, `.`, `_`; starts with a letter; at most
 * 30) plus what makes it a valid address: no dot at the end and no two dots in a row (RFC 5321
 * dot-atom). `reason` in the problem tells a client (and the PDD façade) which rule failed.
 */
export function parseLogin(input: string, domain: string, field: LoginField = "login"): string {
  let value = input.trim().toLowerCase();
  const at = value.lastIndexOf("@");
  if (at !== -1) {
    if (lookupName(value.slice(at + 1)) !== domain)
      throw invalid(field, "other-domain", `Give the ${field} alone or as an address on ${domain}.`);
    value = value.slice(0, at);
  }
  if (value === "") throw invalid(field, "empty", `Enter the ${field}.`);
  if (value.length > LOGIN_MAX)
    throw invalid(field, "too-long", `A ${field} has at most ${LOGIN_MAX} characters.`);
  if (!SHAPE.test(value))
    throw invalid(
      field,
      "characters",
      `A ${field} uses Latin letters, digits, dots, hyphens and underscores, and starts with a letter.`,
    );
  if (value.endsWith(".") || value.includes(".."))
    throw invalid(field, "dots", `A ${field} cannot end with a dot or have two dots in a row.`);
  return value;
}

/** The stored login behind a path parameter, or null when it cannot name a mailbox of the domain. */
export function loginOrNull(input: string, domain: string): string | null {
  try {
    return parseLogin(input, domain);
  } catch {
    return null;
  }
}

/**
 * The form names are searched in: Unicode-normalised (NFKC), lower-cased, single spaces. Computed
 * here, not by the database, so SQLite (whose lower() knows only ASCII) and PostgreSQL agree.
 */
export const searchKey = (value: string): string =>
  value.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();

/** The search keys stored with a mailbox: "first last" and "last first". */
export const nameKeys = (firstName: string, lastName: string) => ({
  firstLastKey: searchKey(`${firstName} ${lastName}`),
  lastFirstKey: searchKey(`${lastName} ${firstName}`),
});

/**
 * [prefix, end): exactly the strings starting with `prefix` in code-point order, which is the
 * order of SQLite's default collation and of PostgreSQL's "C" (both compare UTF-8 bytes), so a
 * prefix search is one index range. `end` is the prefix with its last code point incremented
 * (null when there is no such string: the prefix is all U+10FFFF).
 */
export function prefixRange(prefix: string): [from: string, to: string | null] {
  const points = [...prefix];
  while (points.length > 0) {
    const last = (points.pop() as string).codePointAt(0) as number;
    if (last === 0x10ffff) continue;
    const next = last + 1 === 0xd800 ? 0xe000 : last + 1; // surrogates are not characters
    return [prefix, points.join("") + String.fromCodePoint(next)];
  }
  return [prefix, null];
}

/** Paging cursors are opaque to clients: the last login of the page, base64url-encoded. */
export const encodeCursor = (login: string): string => Buffer.from(login, "utf8").toString("base64url");

export function decodeCursor(cursor: string): string {
  const login = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (login.length === 0 || login.length > LOGIN_MAX || !SHAPE.test(login))
    throw new AppError("VALIDATION_FAILED", "`after` is not a cursor this list gave out.", {
      field: "after",
    });
  return login;
}
