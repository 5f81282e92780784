import { parseRdata, printRdata, RDATA_TYPES, type RdataOf, type RdataType, relativeName } from "./rdata.js";

/**
 * BIND zone files (RFC 1035 §5.1): reading one into entries and printing a zone as one.
 *
 * Reading is two steps: the tokenizer turns the text into logical lines (parentheses join
 * physical lines, `;` starts a comment outside quotes, quoted strings keep their spaces), and the
 * reader resolves directives ($ORIGIN, $TTL), owner names (relative, `@`, blank = the previous
 * owner), TTL and class. RDATA stays text, in the file's own presentation form: the caller parses
 * it per type (src/dns/rdata.ts) relative to the entry's `origin`. Anything the reader cannot use
 * is reported with its line and a code, never thrown, so an import can show every problem at once.
 */

/** One resource record as written in the file. */
export interface ZoneFileEntry {
  /** Line the record starts on (1-based). */
  line: number;
  /** Lowercase FQDN without the trailing dot. */
  name: string;
  ttl: number;
  /** Upper case, as the file names it (A, MX, TYPE65…). */
  type: string;
  /** The RDATA tokens joined by one space, quotes and escapes kept as written. */
  rdata: string;
  /** The $ORIGIN in force: relative names in the RDATA are relative to it. */
  origin: string;
}

export type ZoneFileProblemCode =
  | "ZONE_FILE_SYNTAX"
  | "ZONE_FILE_DIRECTIVE_NOT_SUPPORTED"
  | "ZONE_FILE_CLASS_NOT_SUPPORTED"
  | "ZONE_FILE_OUT_OF_ZONE"
  | "ZONE_FILE_BAD_NAME"
  | "ZONE_FILE_BAD_TTL";

export interface ZoneFileProblem {
  line: number;
  code: ZoneFileProblemCode;
  detail: string;
}

export interface ReadOptions {
  /** The zone's apex (lowercase, no trailing dot): the first $ORIGIN, and every owner must be under it. */
  origin: string;
  /** TTL of records that name none when no $TTL or earlier TTL applies. */
  defaultTtl: number;
}

interface Token {
  /** The token as written (quotes and escapes included). */
  raw: string;
  quoted: boolean;
}

interface LogicalLine {
  line: number;
  /** The line began with a blank: the owner is the previous record's. */
  blankOwner: boolean;
  tokens: Token[];
}

const MAX_TTL = 2_147_483_647; // RFC 2181 §8
const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const CLASSES = new Set(["IN", "CH", "CS", "HS"]);

/** Splits the text into logical lines; a problem (an unclosed quote or parenthesis) skips its record. */
export function tokenize(text: string): { lines: LogicalLine[]; problems: ZoneFileProblem[] } {
  const lines: LogicalLine[] = [];
  const problems: ZoneFileProblem[] = [];
  let current: LogicalLine | null = null;
  let depth = 0;
  let lineNo = 1;
  let i = 0;
  let atLineStart = true;
  let broken = false; // the current record has a syntax error; drop it at its end

  const finish = () => {
    if (current && current.tokens.length > 0 && !broken) lines.push(current);
    current = null;
    broken = false;
  };
  const fail = (detail: string) => {
    problems.push({ line: current?.line ?? lineNo, code: "ZONE_FILE_SYNTAX", detail });
    broken = true;
  };

  while (i < text.length) {
    const ch = text[i] as string;
    if (atLineStart && depth === 0) {
      current = { line: lineNo, blankOwner: ch === " " || ch === "\t", tokens: [] };
      atLineStart = false;
    }
    if (ch === "\n") {
      lineNo++;
      i++;
      if (depth === 0) {
        finish();
        atLineStart = true;
      }
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r") {
      i++;
      continue;
    }
    if (ch === ";") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (ch === "(") {
      depth++;
      i++;
      continue;
    }
    if (ch === ")") {
      if (depth === 0) fail('")" without "("');
      else depth--;
      i++;
      continue;
    }
    const line = current as unknown as LogicalLine;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length || text[j] !== '"') {
        fail("a quoted string is not closed on its line");
        i = j;
        continue;
      }
      line.tokens.push({ raw: text.slice(i, j + 1), quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !' \t\r\n;()"'.includes(text[j] as string)) j += text[j] === "\\" ? 2 : 1;
    line.tokens.push({ raw: text.slice(i, Math.min(j, text.length)), quoted: false });
    i = j;
  }
  if (depth > 0) fail('"(" is not closed');
  finish();
  return { lines, problems };
}

/** A TTL in seconds: digits, or BIND's units ("1h30m", "2d", "1W"). */
export function parseTtl(text: string): number | null {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value <= MAX_TTL ? value : null;
  }
  const parts = text.toLowerCase().match(/\d+[smhdw]/g);
  if (!parts || parts.join("") !== text.toLowerCase()) return null;
  const value = parts.reduce(
    (sum, part) => sum + Number(part.slice(0, -1)) * (TTL_UNITS[part.slice(-1)] ?? 0),
    0,
  );
  return value <= MAX_TTL ? value : null;
}

const isTtl = (token: Token) => !token.quoted && parseTtl(token.raw) !== null;

/** An owner or $ORIGIN name made absolute; null when it cannot be a host-style name. */
export function absoluteName(raw: string, origin: string): string | null {
  if (raw === "@") return origin;
  // Escaped characters (\. or \DDD) in owner names are legal DNS, but no record type mfd serves needs them.
  if (raw.includes("\\") || raw === "" || raw.includes("..")) return null;
  const lower = raw.toLowerCase();
  if (lower === ".") return null;
  if (lower.endsWith(".")) return lower.slice(0, -1);
  return origin === "" ? lower : `${lower}.${origin}`;
}

const within = (name: string, apex: string) => name === apex || name.endsWith(`.${apex}`);

/** Reads a zone file into entries; every record it cannot use is a problem with its line. */
export function readZoneFile(
  text: string,
  options: ReadOptions,
): { entries: ZoneFileEntry[]; problems: ZoneFileProblem[] } {
  const apex = options.origin.toLowerCase().replace(/\.$/, "");
  const { lines, problems } = tokenize(text);
  const entries: ZoneFileEntry[] = [];
  let origin = apex;
  let defaultTtl: number | null = null; // $TTL
  let lastTtl: number | null = null; // RFC 1035: a record without TTL takes the previous one's
  let lastOwner: string | null = null;
  const problem = (line: number, code: ZoneFileProblemCode, detail: string) =>
    problems.push({ line, code, detail });

  for (const { line, blankOwner, tokens } of lines) {
    const first = tokens[0] as Token;
    if (!blankOwner && !first.quoted && first.raw.startsWith("$")) {
      const directive = first.raw.toUpperCase();
      const argument = tokens[1];
      if (directive === "$ORIGIN") {
        const name = argument && !argument.quoted ? absoluteName(argument.raw, origin) : null;
        if (name === null) problem(line, "ZONE_FILE_BAD_NAME", "$ORIGIN needs a domain name");
        else if (!within(name, apex))
          problem(line, "ZONE_FILE_OUT_OF_ZONE", `$ORIGIN ${name} is outside the zone ${apex}`);
        else origin = name;
      } else if (directive === "$TTL") {
        const ttl = argument && !argument.quoted ? parseTtl(argument.raw) : null;
        if (ttl === null) problem(line, "ZONE_FILE_BAD_TTL", "$TTL needs a number of seconds (or 1h, 1d…)");
        else defaultTtl = ttl;
      } else {
        // $INCLUDE would read the server's files; $GENERATE is BIND-only.
        problem(line, "ZONE_FILE_DIRECTIVE_NOT_SUPPORTED", `${directive} is not supported`);
      }
      continue;
    }

    let rest = tokens;
    let owner: string | null = lastOwner;
    if (!blankOwner) {
      owner = first.quoted ? null : absoluteName(first.raw, origin);
      rest = tokens.slice(1);
      if (owner === null) {
        problem(line, "ZONE_FILE_BAD_NAME", `"${first.raw}" is not a usable owner name`);
        continue;
      }
      lastOwner = owner;
    }
    if (owner === null) {
      problem(line, "ZONE_FILE_SYNTAX", "the first record has no owner name");
      continue;
    }

    // [TTL] [class] or [class] [TTL], in either order, before the type.
    let ttl: number | null = null;
    let recordClass = "IN";
    for (let k = 0; k < 2 && rest.length > 0; k++) {
      const token = rest[0] as Token;
      if (ttl === null && isTtl(token)) ttl = parseTtl(token.raw);
      else if (!token.quoted && CLASSES.has(token.raw.toUpperCase())) recordClass = token.raw.toUpperCase();
      else break;
      rest = rest.slice(1);
    }
    const typeToken = rest[0];
    if (!typeToken || typeToken.quoted || !/^[A-Za-z][A-Za-z0-9-]*$/.test(typeToken.raw)) {
      problem(line, "ZONE_FILE_SYNTAX", "a record needs a type (A, MX, TXT…) after its name, TTL and class");
      continue;
    }
    if (recordClass !== "IN") {
      problem(line, "ZONE_FILE_CLASS_NOT_SUPPORTED", `class ${recordClass}: only IN records are served`);
      continue;
    }
    if (!within(owner, apex)) {
      problem(line, "ZONE_FILE_OUT_OF_ZONE", `${owner} is outside the zone ${apex}`);
      continue;
    }
    const type = typeToken.raw.toUpperCase();
    // In a zone file each unquoted TXT word is a string of its own; rdata.ts takes unquoted text whole.
    const data = rest
      .slice(1)
      .map((token) => (type === "TXT" && !token.quoted ? `"${token.raw}"` : token.raw));
    if (ttl !== null) lastTtl = ttl;
    // An SOA without TTL takes $TTL; its own minimum field is the negative-caching TTL (RFC 2308).
    const resolved = ttl ?? defaultTtl ?? lastTtl ?? options.defaultTtl;
    entries.push({ line, name: owner, ttl: resolved, type, rdata: data.join(" "), origin });
  }
  problems.sort((a, b) => a.line - b.line);
  return { entries, problems };
}

/** A record of the file whose RDATA parsed: `data` as dns-packet takes it, `text` as mfd prints it. */
export interface ZoneFileRecord {
  line: number;
  name: string;
  ttl: number;
  type: RdataType;
  data: RdataOf[RdataType];
  text: string;
}

export interface ZoneFileRecordProblem {
  line: number;
  /** A ZONE_FILE_* code, or rdata.ts's (INVALID_RECORD_DATA, NAME_TOO_LONG, LABEL_TOO_LONG) with its field. */
  code: string;
  detail: string;
}

/** readZoneFile, then each entry's RDATA through src/dns/rdata.ts; types it does not know are problems. */
export function parseZoneFile(
  text: string,
  options: ReadOptions,
): { records: ZoneFileRecord[]; problems: ZoneFileRecordProblem[] } {
  const { entries, problems } = readZoneFile(text, options);
  const records: ZoneFileRecord[] = [];
  const more: ZoneFileRecordProblem[] = [];
  for (const entry of entries) {
    if (!(RDATA_TYPES as readonly string[]).includes(entry.type)) {
      more.push({
        line: entry.line,
        code: "ZONE_FILE_TYPE_NOT_SUPPORTED",
        detail: `${entry.type} records are not served (only ${RDATA_TYPES.join(", ")})`,
      });
      continue;
    }
    const type = entry.type as RdataType;
    const parsed = parseRdata(type, entry.rdata, entry.origin);
    if (!parsed.ok) {
      more.push({
        line: entry.line,
        code: parsed.error.code,
        detail: `${parsed.error.field}: ${parsed.error.detail}`,
      });
      continue;
    }
    const { line, name, ttl } = entry;
    records.push({ line, name, ttl, type, data: parsed.data, text: printRdata(type, parsed.data) });
  }
  return { records, problems: [...problems, ...more].sort((a, b) => a.line - b.line) };
}

/** One record to print: its data is already in presentation form (absolute names end with "."). */
export interface PrintableRecord {
  name: string;
  type: string;
  ttl: number;
  data: string;
}

const TYPE_ORDER = ["SOA", "NS", "MX", "A", "AAAA", "CNAME", "TXT", "SRV", "CAA"];
const typeRank = (type: string) => {
  const rank = TYPE_ORDER.indexOf(type);
  return rank === -1 ? TYPE_ORDER.length : rank;
};

/**
 * A zone file of `records` that readZoneFile (and BIND's named-checkzone) reads back to the same
 * records: $ORIGIN and $TTL first, then the apex (SOA, NS first), then the other names in order.
 */
export function printZoneFile(
  origin: string,
  defaultTtl: number,
  records: readonly PrintableRecord[],
): string {
  const sorted = [...records].sort((a, b) => {
    const apexFirst = Number(b.name === origin) - Number(a.name === origin);
    if (apexFirst !== 0) return apexFirst;
    // Sort by labels from the right, so a name's children follow it.
    const byName = a.name.split(".").reverse().join(".").localeCompare(b.name.split(".").reverse().join("."));
    if (byName !== 0) return byName;
    return typeRank(a.type) - typeRank(b.type) || a.data.localeCompare(b.data);
  });
  const owners = sorted.map((record) => relativeName(record.name, origin));
  const width = Math.max(1, ...owners.map((owner) => owner.length));
  const lines = sorted.map((record, index) =>
    [
      (owners[index] as string).padEnd(width),
      String(record.ttl),
      "IN",
      record.type.padEnd(5),
      record.data,
    ].join(" "),
  );
  return [`$ORIGIN ${origin}.`, `$TTL ${defaultTtl}`, ...lines, ""].join("\n");
}
