/**
 * The DNS message format (RFC 1035 §4) as the authoritative server reads queries and writes
 * answers. Queries are read by hand rather than with dns-packet: the server must tell a packet it
 * cannot read at all (dropped) from one it can read but that breaks the rules (FORMERR), and must
 * echo the question byte for byte (RFC 1035 §7.3: resolvers match the case they sent).
 */

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 };

export const QTYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, OPT: 41, DS: 43, IXFR: 251, AXFR: 252, ANY: 255 };

const CLASS_IN = 1;
const CLASS_ANY = 255;

/** RFC 1035 §2.3.4 and §4.2.1: what a plain DNS message may hold. */
export const MAX_NAME_WIRE = 255;
export const MIN_UDP_PAYLOAD = 512;

export interface Edns {
  /** The client's UDP payload size, raised to 512 as RFC 6891 §6.2.5 says. */
  udpSize: number;
  version: number;
  /** DNSSEC OK; RFC 3225 §3 has the answer copy it. */
  dnssecOk: boolean;
}

/** A query whose header and question could be read. */
export interface Query {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  checkingDisabled: boolean;
  /** The question section as received: echoed unchanged. */
  question: Buffer;
  /** The name in lowercase presentation form without the trailing dot, the key the zones use. */
  qname: string;
  /** The name on the wire, lowercased: the owner of records synthesized from a wildcard. */
  qnameWire: Buffer;
  qtype: number;
  qclass: number;
  edns: Edns | undefined;
  /** The whole message, for handlers that need more than the question (zone transfers, TSIG). */
  raw: Buffer;
}

export type ParsedQuery =
  /** Not a query we can answer at all (shorter than a header, or itself an answer): say nothing. */
  | { kind: "drop" }
  /** A header we can read, but the rest breaks RFC 1035/6891: answer FORMERR with what we could read. */
  | {
      kind: "formerr";
      header: Pick<Query, "id" | "opcode" | "recursionDesired" | "checkingDisabled">;
      question?: Buffer;
      edns?: Edns;
    }
  | { kind: "query"; query: Query };

class Malformed extends Error {}

/** Presentation text of one label: bytes a key never holds are escaped, so "a.b" as one label never equals two. */
const labelText = (buf: Buffer, start: number, end: number): string => {
  let text = "";
  for (let i = start; i < end; i++) {
    let byte = buf[i] as number;
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    const plain =
      (byte >= 0x61 && byte <= 0x7a) ||
      (byte >= 0x30 && byte <= 0x39) ||
      byte === 0x2d ||
      byte === 0x5f ||
      byte === 0x2a;
    text += plain ? String.fromCharCode(byte) : `\\${byte.toString().padStart(3, "0")}`;
  }
  return text;
};

/** Skips one name (labels or a compression pointer) and returns the offset after it. */
const skipName = (buf: Buffer, offset: number): number => {
  let at = offset;
  for (;;) {
    if (at >= buf.length) throw new Malformed();
    const length = buf[at] as number;
    if (length === 0) return at + 1;
    if ((length & 0xc0) === 0xc0) {
      if (at + 2 > buf.length) throw new Malformed();
      return at + 2;
    }
    if ((length & 0xc0) !== 0) throw new Malformed();
    at += 1 + length;
  }
};

export function parseQuery(buf: Buffer): ParsedQuery {
  if (buf.length < 12) return { kind: "drop" };
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) return { kind: "drop" };
  const header = {
    id: buf.readUInt16BE(0),
    opcode: (flags >> 11) & 0xf,
    recursionDesired: (flags & 0x0100) !== 0,
    checkingDisabled: (flags & 0x0010) !== 0,
  };
  const qdcount = buf.readUInt16BE(4);
  const ancount = buf.readUInt16BE(6);
  const nscount = buf.readUInt16BE(8);
  const arcount = buf.readUInt16BE(10);
  if (qdcount !== 1) return { kind: "formerr", header };

  // The question: labels only, since a pointer in the first name could only point into the header.
  let at = 12;
  const labels: string[] = [];
  let wireLength = 0;
  for (;;) {
    if (at >= buf.length) return { kind: "formerr", header };
    const length = buf[at] as number;
    if (length === 0) break;
    if (length > 63) return { kind: "formerr", header };
    wireLength += length + 1;
    if (wireLength + 1 > MAX_NAME_WIRE || at + 1 + length > buf.length) return { kind: "formerr", header };
    labels.push(labelText(buf, at + 1, at + 1 + length));
    at += 1 + length;
  }
  const nameEnd = at + 1;
  if (nameEnd + 4 > buf.length) return { kind: "formerr", header };
  const qtype = buf.readUInt16BE(nameEnd);
  const qclass = buf.readUInt16BE(nameEnd + 2);
  const question = buf.subarray(12, nameEnd + 4);

  let edns: Edns | undefined;
  try {
    at = nameEnd + 4;
    for (let i = 0; i < ancount + nscount; i++) {
      at = skipName(buf, at);
      if (at + 10 > buf.length) throw new Malformed();
      at += 10 + buf.readUInt16BE(at + 8);
      if (at > buf.length) throw new Malformed();
    }
    for (let i = 0; i < arcount; i++) {
      const nameStart = at;
      at = skipName(buf, at);
      if (at + 10 > buf.length) throw new Malformed();
      const type = buf.readUInt16BE(at);
      const rdlength = buf.readUInt16BE(at + 8);
      if (at + 10 + rdlength > buf.length) throw new Malformed();
      if (type === QTYPE.OPT) {
        // RFC 6891 §6.1.1: one OPT, owned by the root.
        if (edns || at !== nameStart + 1) throw new Malformed();
        const ttl = buf.readUInt32BE(at + 4);
        edns = {
          udpSize: Math.max(MIN_UDP_PAYLOAD, buf.readUInt16BE(at + 2)),
          version: (ttl >> 16) & 0xff,
          dnssecOk: (ttl & 0x8000) !== 0,
        };
        for (let option = at + 10; option < at + 10 + rdlength; ) {
          if (option + 4 > at + 10 + rdlength) throw new Malformed();
          option += 4 + buf.readUInt16BE(option + 2);
          if (option > at + 10 + rdlength) throw new Malformed();
        }
      }
      at += 10 + rdlength;
    }
  } catch (error) {
    if (error instanceof Malformed) return { kind: "formerr", header, question, edns };
    throw error;
  }

  const qnameWire = Buffer.from(question.subarray(0, nameEnd - 12));
  for (let i = 0; i < qnameWire.length; ) {
    const length = qnameWire[i] as number;
    for (let j = i + 1; j <= i + length; j++) {
      const byte = qnameWire[j] as number;
      if (byte >= 0x41 && byte <= 0x5a) qnameWire[j] = byte + 0x20;
    }
    i += length + 1;
  }
  return {
    kind: "query",
    query: { ...header, question, qname: labels.join("."), qnameWire, qtype, qclass, edns, raw: buf },
  };
}

/** Class IN, or ANY which asks the same of an IN-only server. */
export const isInternetClass = (qclass: number): boolean => qclass === CLASS_IN || qclass === CLASS_ANY;

/** A name (lowercase ASCII, no trailing dot) on the wire, uncompressed. */
export function nameToWire(name: string): Buffer {
  if (name === "") return Buffer.from([0]);
  const labels = name.split(".");
  const wire = Buffer.alloc(name.length + 2);
  let at = 0;
  for (const label of labels) {
    wire[at] = wire.write(label, at + 1, "latin1");
    at += 1 + (wire[at] as number);
  }
  wire[at] = 0;
  return wire.subarray(0, at + 1);
}

/** One section of an answer: resource records already on the wire, with their count. */
export interface Section {
  parts: Buffer[];
  count: number;
}

export const emptySection = (): Section => ({ parts: [], count: 0 });

const sectionLength = (section: Section): number => section.parts.reduce((sum, part) => sum + part.length, 0);

export interface Reply {
  rcode: number;
  authoritative: boolean;
  answer: Section;
  authority: Section;
  additional: Section;
  /** Set when the additional section holds glue a referral cannot do without (RFC 9471). */
  additionalRequired?: boolean;
}

/** Our OPT: our own payload size, version 0, the DO bit copied, the upper bits of the rcode. */
const optRecord = (ourUdpSize: number, rcode: number, edns: Edns): Buffer => {
  const opt = Buffer.alloc(11);
  opt.writeUInt16BE(QTYPE.OPT, 1);
  opt.writeUInt16BE(ourUdpSize, 3);
  opt.writeUInt8((rcode >> 4) & 0xff, 5);
  opt.writeUInt16BE(edns.dnssecOk ? 0x8000 : 0, 7);
  return opt;
};

export interface Header {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  checkingDisabled: boolean;
}

/**
 * Writes the answer to `header`, within `limit` bytes: when it does not fit, the additional
 * section goes first (RFC 2181 §9: it needs no TC, unless it holds required glue), then everything
 * but the question and OPT, with TC set so the client asks again over TCP (RFC 1035 §4.2.1).
 * Recursion is never available (RA clear); RD and CD are copied.
 */
export function writeReply(
  header: Header,
  question: Buffer | undefined,
  edns: Edns | undefined,
  reply: Reply,
  limit: number,
  ourUdpSize: number,
): Buffer {
  const opt = edns ? optRecord(ourUdpSize, reply.rcode, edns) : undefined;
  const fixed = 12 + (question?.length ?? 0) + (opt?.length ?? 0);
  const answer = sectionLength(reply.answer);
  const authority = sectionLength(reply.authority);
  const additional = sectionLength(reply.additional);
  let sections: Section[] = [reply.answer, reply.authority, reply.additional];
  let truncated = false;
  if (fixed + answer + authority + additional > limit) {
    if (fixed + answer + authority <= limit) {
      sections = [reply.answer, reply.authority, emptySection()];
      truncated = reply.additionalRequired === true;
    } else {
      sections = [emptySection(), emptySection(), emptySection()];
      truncated = true;
    }
  }
  const size = fixed + sections.reduce((sum, section) => sum + sectionLength(section), 0);
  const out = Buffer.allocUnsafe(size);
  const flags =
    0x8000 |
    ((header.opcode & 0xf) << 11) |
    (reply.authoritative ? 0x0400 : 0) |
    (truncated ? 0x0200 : 0) |
    (header.recursionDesired ? 0x0100 : 0) |
    (header.checkingDisabled ? 0x0010 : 0) |
    (reply.rcode & 0xf);
  out.writeUInt16BE(header.id, 0);
  out.writeUInt16BE(flags, 2);
  out.writeUInt16BE(question ? 1 : 0, 4);
  out.writeUInt16BE(sections[0]?.count ?? 0, 6);
  out.writeUInt16BE(sections[1]?.count ?? 0, 8);
  out.writeUInt16BE((sections[2]?.count ?? 0) + (opt ? 1 : 0), 10);
  let at = 12;
  if (question) at += question.copy(out, at);
  for (const section of sections) for (const part of section.parts) at += part.copy(out, at);
  if (opt) opt.copy(out, at);
  return out;
}

/** A reply that carries no records: errors, REFUSED, NOTIMP. */
export const bareReply = (rcode: number): Reply => ({
  rcode,
  authoritative: false,
  answer: emptySection(),
  authority: emptySection(),
  additional: emptySection(),
});
