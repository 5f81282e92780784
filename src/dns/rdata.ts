import { isIPv4, isIPv6 } from "node:net";

/**
 * RDATA in zone-file presentation form (RFC 1035 §5.1) and as dns-packet encodes it, one parser
 * and one printer per record type. The records API stores the printed text and the DNS server
 * answers from the parsed data; the zone-file import and export use the same pair, so a record
 * reads the same wherever it comes from. Names here are lowercase ASCII without the trailing dot,
 * as dns-packet takes them; printed names are absolute (trailing dot).
 */
export const RDATA_TYPES = ["SOA", "NS", "A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA"] as const;
export type RdataType = (typeof RDATA_TYPES)[number];

export interface MxData {
  preference: number;
  exchange: string;
}
export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}
export interface CaaData {
  flags: number;
  tag: string;
  value: string;
}
export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** dns-packet's `data` for each type: A/AAAA an address, NS/CNAME a name, TXT its strings. */
export interface RdataOf {
  A: string;
  AAAA: string;
  NS: string;
  CNAME: string;
  MX: MxData;
  TXT: Buffer[];
  SRV: SrvData;
  CAA: CaaData;
  SOA: SoaData;
}

/** Why a text is not RDATA of its type: an error code of src/lib/errors.ts and the part at fault. */
export interface RdataError {
  code: "INVALID_RECORD_DATA" | "NAME_TOO_LONG" | "LABEL_TOO_LONG";
  /** The RDATA field at fault (e.g. `preference`, `target`, `tag`). */
  field: string;
  detail: string;
}

export type RdataResult<T extends RdataType = RdataType> =
  | { ok: true; data: RdataOf[T] }
  | { ok: false; error: RdataError };

/** The most a single TXT character-string holds (RFC 1035 §3.3); longer text is split. */
export const TXT_STRING_MAX = 255;
/** The most RDATA of one record holds on the wire. */
const RDATA_MAX = 65535;
export const NAME_MAX = 253;
export const LABEL_MAX = 63;
const CAA_TAGS = ["issue", "issuewild", "iodef", "issuemail"] as const;

class Invalid extends Error {
  constructor(readonly error: RdataError) {
    super(error.detail);
  }
}

const invalid = (field: string, detail: string, code: RdataError["code"] = "INVALID_RECORD_DATA") =>
  new Invalid({ code, field, detail });

/**
 * Parses `text`, the RDATA of a `type` record, relative names completed with `origin` (a lowercase
 * FQDN without the trailing dot; `@` is the origin itself). Never throws: an error says which field.
 *
 * TXT: quoted strings (`"a" "b"`, with `\"`, `\\` and `\DDD` escapes) as in a zone file; a text
 * without any quote is taken whole as one string, so `v=spf1 mx -all` typed into the console is
 * not cut at its spaces. A string over 255 bytes is split into 255-byte strings.
 */
export function parseRdata<T extends RdataType>(type: T, text: string, origin: string): RdataResult<T> {
  try {
    return { ok: true, data: PARSERS[type](text.trim(), origin) as RdataOf[T] };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.error };
    throw error;
  }
}

/** The presentation text of `data`, names absolute: what parseRdata reads back to the same data. */
export function printRdata<T extends RdataType>(type: T, data: RdataOf[T]): string {
  return (PRINTERS[type] as (data: RdataOf[T]) => string)(data);
}

/**
 * An owner or target name as typed — `@`, relative to `origin`, or absolute with a trailing dot —
 * as a lowercase FQDN without the trailing dot, checked for label and name length. Throws nothing:
 * see parseRdata.
 */
export function resolveName(
  text: string,
  origin: string,
  field = "name",
): { ok: true; name: string } | { ok: false; error: RdataError } {
  try {
    return { ok: true, name: nameField(text, origin, field) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.error };
    throw error;
  }
}

/** `fqdn` relative to `origin`: `@` for the origin itself, else the labels before it. */
export function relativeName(fqdn: string, origin: string): string {
  if (fqdn === origin) return "@";
  if (fqdn.endsWith(`.${origin}`)) return fqdn.slice(0, -origin.length - 1);
  return `${fqdn}.`;
}

// Letters, digits, hyphen; underscore for service labels (_dmarc, _sip._tcp); `*` alone for wildcards.
const LABEL = /^(?:\*|[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)$/;

function nameField(raw: string, origin: string, field: string): string {
  const text = raw.toLowerCase();
  if (text === "") throw invalid(field, "A name is missing.");
  if (text === "@") return origin;
  if (text === ".") return ".";
  const absolute = text.endsWith(".");
  const name = absolute ? text.slice(0, -1) : origin === "" ? text : `${text}.${origin}`;
  if (name.length > NAME_MAX)
    throw invalid(field, `The name is longer than ${NAME_MAX} characters.`, "NAME_TOO_LONG");
  for (const label of name.split(".")) {
    if (label.length > LABEL_MAX)
      throw invalid(field, `"${label}" is longer than ${LABEL_MAX} characters.`, "LABEL_TOO_LONG");
    if (!LABEL.test(label))
      throw invalid(
        field,
        label === ""
          ? "The name has an empty label (two dots in a row)."
          : `"${label}" may hold only letters, digits, hyphens and underscores, and not begin or end with a hyphen.`,
      );
  }
  return name;
}

/** A target name: like an owner name, but a wildcard label can never be pointed at. */
function targetField(text: string, origin: string, field: string): string {
  const name = nameField(text, origin, field);
  if (name.split(".").includes("*")) throw invalid(field, "A target cannot contain a wildcard label.");
  return name;
}

function integerField(text: string | undefined, field: string, max: number): number {
  if (text === undefined) throw invalid(field, `The ${field} is missing.`);
  if (!/^\d+$/.test(text)) throw invalid(field, `The ${field} must be a whole number from 0 to ${max}.`);
  const value = Number(text);
  if (value > max) throw invalid(field, `The ${field} must be a whole number from 0 to ${max}.`);
  return value;
}

function fields(text: string, names: readonly string[]): string[] {
  const parts = text === "" ? [] : text.split(/\s+/);
  if (parts.length < names.length)
    throw invalid(
      names[parts.length] as string,
      `Expected ${names.join(", ")}; the ${names[parts.length]} is missing.`,
    );
  if (parts.length > names.length)
    throw invalid(names[names.length - 1] as string, `Expected only ${names.join(", ")}; there is more.`);
  return parts;
}

/** Quoted character-strings of a zone file, each as bytes. */
function quotedStrings(text: string, field: string): Buffer[] {
  const strings: Buffer[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    if (c !== 0x22) throw invalid(field, 'Text outside quotes: put each string in "double quotes".');
    i++;
    // Runs without escapes are taken whole (a DKIM key is hundreds of plain characters).
    const parts: Buffer[] = [];
    let closed = false;
    while (i < text.length) {
      const quote = text.indexOf('"', i);
      const slash = text.indexOf("\\", i);
      if (quote === -1 && slash === -1) break;
      if (slash === -1 || (quote !== -1 && quote < slash)) {
        parts.push(Buffer.from(text.slice(i, quote), "utf8"));
        i = quote + 1;
        closed = true;
        break;
      }
      parts.push(Buffer.from(text.slice(i, slash), "utf8"));
      const digits = /^\d{3}/.exec(text.slice(slash + 1, slash + 4));
      if (digits) {
        const value = Number(digits[0]);
        if (value > 255) throw invalid(field, `\\${digits[0]} is not a byte.`);
        parts.push(Buffer.of(value));
        i = slash + 4;
        continue;
      }
      if (slash + 1 >= text.length) throw invalid(field, "The text ends in a lone backslash.");
      const escaped = String.fromCodePoint(text.codePointAt(slash + 1) as number);
      parts.push(Buffer.from(escaped, "utf8"));
      i = slash + 1 + escaped.length;
    }
    if (!closed) throw invalid(field, "A quoted string is not closed.");
    strings.push(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts));
  }
  return strings;
}

function splitLong(strings: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const s of strings) {
    if (s.length === 0) out.push(s);
    for (let at = 0; at < s.length; at += TXT_STRING_MAX) out.push(s.subarray(at, at + TXT_STRING_MAX));
  }
  return out;
}

function parseTxt(text: string): Buffer[] {
  if (text === "") throw invalid("text", "The text is missing.");
  const strings = splitLong(text.includes('"') ? quotedStrings(text, "text") : [Buffer.from(text, "utf8")]);
  const length = strings.reduce((sum, s) => sum + 1 + s.length, 0);
  if (length > RDATA_MAX)
    throw invalid("text", `The text is longer than a record holds (${RDATA_MAX} bytes).`);
  return strings;
}

function parseCaa(text: string): CaaData {
  const match = /^(\S+)\s+(\S+)\s+(.*)$/.exec(text);
  if (!match) throw invalid("value", "Expected flags, tag and value.");
  const [, flagsText, tagText, valueText] = match as unknown as [string, string, string, string];
  const flags = integerField(flagsText, "flags", 255);
  const tag = tagText.toLowerCase();
  if (!(CAA_TAGS as readonly string[]).includes(tag))
    throw invalid("tag", `The tag must be one of ${CAA_TAGS.join(", ")}.`);
  const quoted = valueText.startsWith('"');
  const strings = quoted ? quotedStrings(valueText, "value") : [Buffer.from(valueText, "utf8")];
  if (strings.length !== 1) throw invalid("value", "The value is one string.");
  const value = (strings[0] as Buffer).toString("utf8");
  if (value.length > 255) throw invalid("value", "The value is longer than 255 characters.");
  if (tag === "iodef" && !/^(mailto:|https?:\/\/)\S+$/.test(value))
    throw invalid("value", "An iodef value is a mailto: or http(s):// address.");
  if ((tag === "issue" || tag === "issuewild") && !/^[a-z0-9.-]*(\s*;.*)?$/i.test(value))
    throw invalid("value", 'An issue value is a CA\'s domain name, optionally with parameters after ";".');
  return { flags, tag, value };
}

const PARSERS: { [T in RdataType]: (text: string, origin: string) => RdataOf[T] } = {
  A: (text) => {
    if (!isIPv4(text)) throw invalid("address", "This is not an IPv4 address (e.g. 192.0.2.1).");
    return text;
  },
  AAAA: (text) => {
    if (!isIPv6(text)) throw invalid("address", "This is not an IPv6 address (e.g. 2001:db8::1).");
    return text.toLowerCase();
  },
  NS: (text, origin) => targetField(fields(text, ["target"])[0] as string, origin, "target"),
  CNAME: (text, origin) => targetField(fields(text, ["target"])[0] as string, origin, "target"),
  MX: (text, origin) => {
    const [preference, exchange] = fields(text, ["preference", "exchange"]) as [string, string];
    return {
      preference: integerField(preference, "preference", 65535),
      exchange: targetField(exchange, origin, "exchange"),
    };
  },
  SRV: (text, origin) => {
    const [priority, weight, port, target] = fields(text, ["priority", "weight", "port", "target"]) as [
      string,
      string,
      string,
      string,
    ];
    return {
      priority: integerField(priority, "priority", 65535),
      weight: integerField(weight, "weight", 65535),
      port: integerField(port, "port", 65535),
      target: targetField(target, origin, "target"),
    };
  },
  TXT: (text) => parseTxt(text),
  CAA: (text) => parseCaa(text),
  SOA: (text, origin) => {
    const names = ["mname", "rname", "serial", "refresh", "retry", "expire", "minimum"] as const;
    const parts = fields(text, names) as [string, string, string, string, string, string, string];
    const max = 0xffffffff;
    return {
      mname: targetField(parts[0], origin, "mname"),
      rname: targetField(parts[1], origin, "rname"),
      serial: integerField(parts[2], "serial", max),
      refresh: integerField(parts[3], "refresh", max),
      retry: integerField(parts[4], "retry", max),
      expire: integerField(parts[5], "expire", max),
      minimum: integerField(parts[6], "minimum", max),
    };
  },
};

const absolute = (name: string) => (name === "." || name === "" ? "." : `${name}.`);

/** One character-string quoted, with `"`, `\` and bytes outside printable ASCII escaped. */
function quote(bytes: Buffer): string {
  let out = '"';
  for (const byte of bytes) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${String(byte).padStart(3, "0")}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

const PRINTERS: { [T in RdataType]: (data: RdataOf[T]) => string } = {
  A: (data) => data,
  AAAA: (data) => data,
  NS: (data) => absolute(data),
  CNAME: (data) => absolute(data),
  MX: (data) => `${data.preference} ${absolute(data.exchange)}`,
  SRV: (data) => `${data.priority} ${data.weight} ${data.port} ${absolute(data.target)}`,
  TXT: (data) => (Array.isArray(data) ? data : [data]).map((s) => quote(Buffer.from(s))).join(" "),
  CAA: (data) => `${data.flags} ${data.tag} ${quote(Buffer.from(data.value, "utf8"))}`,
  SOA: (data) =>
    `${absolute(data.mname)} ${absolute(data.rname)} ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`,
};
