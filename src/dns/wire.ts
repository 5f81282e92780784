/**
 * The DNS message format (RFC 1035 §4) as the authoritative server reads queries and writes
 * answers. Queries are read by hand rather than with dns-packet: the server must tell a packet it
 * cannot read at all (dropped) from one it can read but that breaks the rules (FORMERR), and must
 * echo the question byte for byte (resolvers that randomise the case of names, the "0x20" defence
 * against spoofing, check that it comes back as sent).
 */

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 };

export const QTYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  OPT: 41,
  DS: 43,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
};

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
  /**
   * The name on the wire, lowercased, when it holds bytes the key escapes; otherwise
   * nameToWire(qname) is the same. The owner of records synthesized from a wildcard.
   */
  qnameWire: Buffer | undefined;
  qtype: number;
  qclass: number;
  edns: Edns | undefined;
  /** The whole message, for handlers that need more than the question (zone transfers, TSIG). */
  raw: Buffer;
  /** A TSIG record ends the additional section (RFC 8945 §5.1); the transfer handler checks it. */
  signed: boolean;
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

/** Bytes a name keeps as they are in its key: letters (lowercased), digits, "-", "_" and "*". */
const PLAIN = new Uint8Array(256);
for (const range of ["az", "AZ", "09", "--", "__", "**"])
  for (let byte = range.charCodeAt(0); byte <= range.charCodeAt(1); byte++) PLAIN[byte] = 1;

/** Presentation text of one label: other bytes are escaped, so "a.b" as one label never equals two. */
const escapedLabel = (buf: Buffer, start: number, end: number): string => {
  let text = "";
  for (let i = start; i < end; i++) {
    let byte = buf[i] as number;
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    text += PLAIN[byte] ? String.fromCharCode(byte) : `\\${byte.toString().padStart(3, "0")}`;
  }
  return text;
};

/** Reused by every parse (which runs start to end without yielding): the key built without allocating per label. */
const scratch = Buffer.alloc(MAX_NAME_WIRE);

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
  let keyLength = 0;
  let plain = true;
  for (;;) {
    if (at >= buf.length) return { kind: "formerr", header };
    const length = buf[at] as number;
    if (length === 0) break;
    if (length > 63) return { kind: "formerr", header };
    if (at - 12 + length + 2 > MAX_NAME_WIRE || at + 1 + length > buf.length)
      return { kind: "formerr", header };
    if (keyLength > 0) scratch[keyLength++] = 0x2e;
    for (let i = at + 1; i <= at + length; i++) {
      const byte = buf[i] as number;
      if (!PLAIN[byte]) plain = false;
      scratch[keyLength++] = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
    }
    at += 1 + length;
  }
  const nameEnd = at + 1;
  if (nameEnd + 4 > buf.length) return { kind: "formerr", header };
  const qtype = buf.readUInt16BE(nameEnd);
  const qclass = buf.readUInt16BE(nameEnd + 2);
  const question = buf.subarray(12, nameEnd + 4);

  let edns: Edns | undefined;
  let signed = false;
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
      if (type === QTYPE.TSIG) signed = true;
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

  let qname = scratch.toString("latin1", 0, keyLength);
  let qnameWire: Buffer | undefined;
  if (!plain) {
    // Rare: a byte the key escapes. The wire name cannot be rebuilt from the key, so keep it.
    const labels: string[] = [];
    qnameWire = Buffer.from(question.subarray(0, nameEnd - 12));
    for (let i = 0; i < qnameWire.length - 1; i += 1 + (qnameWire[i] as number)) {
      labels.push(escapedLabel(qnameWire, i + 1, i + 1 + (qnameWire[i] as number)));
      for (let j = i + 1; j <= i + (qnameWire[i] as number); j++) {
        const byte = qnameWire[j] as number;
        if (byte >= 0x41 && byte <= 0x5a) qnameWire[j] = byte + 0x20;
      }
    }
    qname = labels.join(".");
  }
  return {
    kind: "query",
    // Fields written out: spreading `header` here made the parse some twenty times slower.
    query: {
      id: header.id,
      opcode: header.opcode,
      recursionDesired: header.recursionDesired,
      checkingDisabled: header.checkingDisabled,
      question,
      qname,
      qnameWire,
      qtype,
      qclass,
      edns,
      raw: buf,
      signed,
    },
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

export interface Reply {
  rcode: number;
  authoritative: boolean;
  answer: Section;
  authority: Section;
  additional: Section;
  /** Set when the additional section holds glue a referral cannot do without (RFC 9471). */
  additionalRequired?: boolean;
}

export interface Header {
  id: number;
  opcode: number;
  recursionDesired: boolean;
  checkingDisabled: boolean;
}

/**
 * A reply with its sections already joined, ready to be copied behind a query's header and
 * question: what the answer cache of src/dns/answer.ts keeps per name and type, so that
 * answering a query costs one allocation and three copies.
 */
export interface PreparedReply {
  rcode: number;
  authoritative: boolean;
  /** Set when the additional section holds glue a referral cannot do without (RFC 9471). */
  additionalRequired: boolean;
  answerCount: number;
  authorityCount: number;
  additionalCount: number;
  /** The answer, authority and additional sections on the wire, in that order. */
  body: Buffer;
  /** How many bytes of `body` the answer and authority sections take: what is left without the additional. */
  withoutAdditional: number;
}

const NOTHING = Buffer.alloc(0);

const joined = (parts: Buffer[]): Buffer =>
  parts.length === 0 ? NOTHING : parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);

/** A Reply's sections joined once (a single RRset is used as it is, without a copy). */
export function prepareReply(reply: Reply): PreparedReply {
  const main = [...reply.answer.parts, ...reply.authority.parts];
  const withoutAdditional = main.reduce((sum, part) => sum + part.length, 0);
  return {
    rcode: reply.rcode,
    authoritative: reply.authoritative,
    additionalRequired: reply.additionalRequired === true,
    answerCount: reply.answer.count,
    authorityCount: reply.authority.count,
    additionalCount: reply.additional.count,
    body: joined(reply.additional.parts.length === 0 ? main : [...main, ...reply.additional.parts]),
    withoutAdditional,
  };
}

/** Our OPT (RFC 6891 §6.1.2): root owner, our payload size, the upper bits of the rcode, version 0, DO copied. */
const OPT_LENGTH = 11;

/**
 * Writes the answer to `header`, within `limit` bytes: when it does not fit, the additional
 * section goes first (RFC 2181 §9: it needs no TC, unless it holds required glue), then everything
 * but the question and OPT, with TC set so the client asks again over TCP (RFC 1035 §4.2.1).
 * Recursion is never available (RA clear); RD and CD are copied. Every byte of the message is
 * written here (it is allocated unzeroed).
 */
export function writeReply(
  header: Header,
  question: Buffer | undefined,
  edns: Edns | undefined,
  reply: PreparedReply,
  limit: number,
  ourUdpSize: number,
): Buffer {
  const questionLength = question ? question.length : 0;
  const fixed = 12 + questionLength + (edns ? OPT_LENGTH : 0);
  let bodyLength = reply.body.length;
  let answerCount = reply.answerCount;
  let authorityCount = reply.authorityCount;
  let additionalCount = reply.additionalCount;
  let truncated = false;
  if (fixed + bodyLength > limit) {
    additionalCount = 0;
    if (fixed + reply.withoutAdditional <= limit) {
      bodyLength = reply.withoutAdditional;
      truncated = reply.additionalRequired;
    } else {
      bodyLength = 0;
      answerCount = 0;
      authorityCount = 0;
      truncated = true;
    }
  }
  const out = Buffer.allocUnsafe(fixed + bodyLength);
  const flags =
    0x8000 |
    ((header.opcode & 0xf) << 11) |
    (reply.authoritative ? 0x0400 : 0) |
    (truncated ? 0x0200 : 0) |
    (header.recursionDesired ? 0x0100 : 0) |
    (header.checkingDisabled ? 0x0010 : 0) |
    (reply.rcode & 0xf);
  const additional = additionalCount + (edns ? 1 : 0);
  out[0] = header.id >> 8;
  out[1] = header.id & 0xff;
  out[2] = flags >> 8;
  out[3] = flags & 0xff;
  out[4] = 0;
  out[5] = question ? 1 : 0;
  out[6] = answerCount >> 8;
  out[7] = answerCount & 0xff;
  out[8] = authorityCount >> 8;
  out[9] = authorityCount & 0xff;
  out[10] = additional >> 8;
  out[11] = additional & 0xff;
  if (question) question.copy(out, 12);
  let at = 12 + questionLength;
  if (bodyLength > 0) at += reply.body.copy(out, at, 0, bodyLength);
  if (edns) {
    out[at] = 0; // the root
    out[at + 1] = 0;
    out[at + 2] = QTYPE.OPT;
    out[at + 3] = ourUdpSize >> 8;
    out[at + 4] = ourUdpSize & 0xff;
    out[at + 5] = (reply.rcode >> 4) & 0xff;
    out[at + 6] = 0; // version 0, also in BADVERS to a higher one (RFC 6891 §6.1.3)
    out[at + 7] = edns.dnssecOk ? 0x80 : 0;
    out[at + 8] = 0;
    out[at + 9] = 0; // no options
    out[at + 10] = 0;
  }
  return out;
}

const BARE = new Map<number, PreparedReply>();

/** A reply that carries no records: errors, REFUSED, NOTIMP (one object per rcode, shared). */
export const bareReply = (rcode: number): PreparedReply => {
  let reply = BARE.get(rcode);
  if (!reply) {
    reply = prepareReply({
      rcode,
      authoritative: false,
      answer: emptySection(),
      authority: emptySection(),
      additional: emptySection(),
    });
    BARE.set(rcode, reply);
  }
  return reply;
};
