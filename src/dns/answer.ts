import * as packet from "dns-packet";
import {
  emptySection,
  nameToWire,
  type PreparedReply,
  prepareReply,
  QTYPE,
  RCODE,
  type Reply,
  type Section,
} from "./wire.js";
import {
  canonicalName,
  type IndexedZone,
  isAtOrBelow,
  type Node,
  negativeTtlOf,
  parentName,
  type RecordType,
  rrsetOf,
  type ZoneRecord,
} from "./zone.js";

/** The types a zone holds, by their number on the wire. */
const TYPE_BY_CODE = new Map<number, RecordType>([
  [1, "A"],
  [2, "NS"],
  [5, "CNAME"],
  [6, "SOA"],
  [15, "MX"],
  [16, "TXT"],
  [28, "AAAA"],
  [33, "SRV"],
  [257, "CAA"],
]);

/** RFC 8482 §4.1: ANY gets one RRset; these are the most useful to whoever asks ANY, first. */
const ANY_PREFERENCE: RecordType[] = ["SOA", "NS", "CNAME", "A", "AAAA", "MX", "TXT", "SRV", "CAA"];

/** A chain longer than this is a loop in all but name; the answer stops with what it has (as BIND does). */
const MAX_CNAME_CHAIN = 16;

// RRsets are encoded once and kept as long as the zone that holds them: dns-packet writes no
// compression pointers, so a record's bytes are the same wherever in a message it lands. Only the
// whole RRset is kept (one Buffer): the records split from their owner, which a wildcard answer
// needs, are cut from it when asked for.
const encoded = new WeakMap<readonly ZoneRecord[], Buffer>();
const negativeSoas = new WeakMap<IndexedZone, Buffer>();

/** A character-string holds at most 255 bytes (RFC 1035 §3.3); a longer TXT value is split, as RFC 7208 §3.3 reads it. */
const txtStrings = (data: unknown): Buffer[] =>
  (Array.isArray(data) ? data : [data]).flatMap((part: string | Buffer) => {
    const bytes = Buffer.isBuffer(part) ? part : Buffer.from(String(part));
    const strings: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 255) strings.push(bytes.subarray(at, at + 255));
    return strings.length > 0 ? strings : [bytes];
  });

export const toPacketAnswer = (record: ZoneRecord, ttl = record.ttl): packet.Answer =>
  ({
    name: record.name,
    type: record.type,
    class: "IN",
    ttl,
    data: record.type === "TXT" ? txtStrings(record.data) : record.data,
  }) as packet.Answer;

export const encodeRecord = (answer: packet.Answer): Buffer =>
  packet.encode({ type: "response", id: 0, flags: 0, questions: [], answers: [answer] }).subarray(12);

/** Names nameToWire writes as dns-packet would: plain labels, nothing escaped. */
const PLAIN_NAME = /^(?:[a-z0-9_*-]{1,63}\.)*[a-z0-9_*-]{1,63}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const TYPE_CODE: Partial<Record<RecordType, number>> = { A: 1, NS: 2, CNAME: 5, MX: 15, TXT: 16 };

/**
 * The record on the wire (owner, type, class IN, TTL, RDATA) for the types most zones are made
 * of, written directly: the first answer from a name otherwise goes through dns-packet's whole
 * message encoder, which was most of the cost of a query answered for the first time. Anything
 * else (other types, names with escapes) is left to dns-packet: undefined.
 */
export function encodeCommon(record: ZoneRecord, ttl = record.ttl): Buffer | undefined {
  const code = TYPE_CODE[record.type];
  if (code === undefined || !PLAIN_NAME.test(record.name)) return undefined;
  let rdata: Buffer[];
  if (record.type === "A") {
    const octets = IPV4.exec(record.data as string);
    if (!octets) return undefined;
    rdata = [Buffer.from(octets.slice(1, 5).map(Number))];
  } else if (record.type === "NS" || record.type === "CNAME") {
    const target = canonicalName(record.data as string);
    if (!PLAIN_NAME.test(target)) return undefined;
    rdata = [nameToWire(target)];
  } else if (record.type === "MX") {
    const { preference, exchange } = record.data as { preference: number; exchange: string };
    const target = canonicalName(exchange);
    if (!PLAIN_NAME.test(target)) return undefined;
    const head = Buffer.alloc(2);
    head.writeUInt16BE(preference);
    rdata = [head, nameToWire(target)];
  } else {
    rdata = txtStrings(record.data).flatMap((string) => [Buffer.from([string.length]), string]);
  }
  const owner = nameToWire(record.name);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(code, 0);
  fixed.writeUInt16BE(1, 2); // IN
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(
    rdata.reduce((sum, part) => sum + part.length, 0),
    8,
  );
  return Buffer.concat([owner, fixed, ...rdata]);
}

function wireOf(rrset: readonly ZoneRecord[]): Buffer {
  let wire = encoded.get(rrset);
  if (!wire) {
    wire = Buffer.concat(rrset.map((record) => encodeCommon(record) ?? encodeRecord(toPacketAnswer(record))));
    encoded.set(rrset, wire);
  }
  return wire;
}

/** Each record of `rrset` on the wire without its owner name (type, class, TTL, length and data). */
function restsOf(rrset: readonly ZoneRecord[]): Buffer[] {
  const whole = wireOf(rrset);
  const rests: Buffer[] = [];
  for (let at = 0; at < whole.length; ) {
    let start = at;
    while (whole[start] !== 0) start += 1 + (whole[start] as number); // the owner: labels, no pointers
    start += 1;
    const end = start + 10 + whole.readUInt16BE(start + 8);
    rests.push(whole.subarray(start, end));
    at = end;
  }
  return rests;
}

const negativeSoa = (zone: IndexedZone): Buffer | undefined => {
  if (!zone.soa) return undefined;
  let wire = negativeSoas.get(zone);
  if (!wire) {
    // RFC 2308 §3: the SOA of a negative answer carries the negative TTL, never more than
    // min(SOA TTL, SOA minimum) whatever the zone's builder computed.
    const ttl = Math.min(zone.zone.negativeTtl, negativeTtlOf(zone.soa));
    wire = encodeRecord(toPacketAnswer(zone.soa, ttl));
    negativeSoas.set(zone, wire);
  }
  return wire;
};

const add = (section: Section, rrset: readonly ZoneRecord[], owner?: Buffer): void => {
  if (owner) for (const rest of restsOf(rrset)) section.parts.push(owner, rest);
  else section.parts.push(wireOf(rrset));
  section.count += rrset.length;
};

/** The highest zone cut at or above `name` (below the apex): everything under it is the child's. */
const cutAbove = (zone: IndexedZone, name: string): string | undefined => {
  if (zone.cuts.size === 0) return undefined;
  let cut: string | undefined;
  for (let up: string | undefined = name; up !== undefined && up !== zone.zone.origin; up = parentName(up)) {
    if (zone.cuts.has(up)) cut = up;
  }
  return cut;
};

/** The names in a record's data that additional-section processing looks up (RFC 1035 §3.3). */
const targetOf = (record: ZoneRecord): string | undefined => {
  const data = record.data as { exchange?: string; target?: string } | string;
  if (record.type === "NS") return canonicalName(data as string);
  if (record.type === "MX") return canonicalName((data as { exchange: string }).exchange);
  if (record.type === "SRV") return canonicalName((data as { target: string }).target);
  return undefined;
};

function addAddresses(
  zone: IndexedZone,
  rrset: readonly ZoneRecord[],
  additional: Section,
  glue: boolean,
): void {
  for (const record of rrset) {
    const target = targetOf(record);
    if (target === undefined || !isAtOrBelow(target, zone.zone.origin)) continue;
    // Addresses below a cut are the child's, served only as glue of that referral.
    const cut = cutAbove(zone, target);
    if (cut !== undefined && !(glue && isAtOrBelow(target, canonicalName(record.name)))) continue;
    const node = zone.nodes.get(target);
    for (const type of ["A", "AAAA"] as const) {
      const addresses = rrsetOf(node, type);
      if (addresses && !additional.parts.includes(wireOf(addresses))) add(additional, addresses);
    }
  }
}

/**
 * The answer to `qname`/`qtype` from one zone (RFC 1034 §4.3.2 with RFC 4592's wildcards):
 * referral below a cut, the RRset, a CNAME chain inside the zone, NODATA or NXDOMAIN with the
 * SOA and its negative TTL, and for ANY one RRset (RFC 8482).
 */
export function answerFromZone(
  zone: IndexedZone,
  qname: string,
  qnameWire: Buffer | undefined,
  qtype: number,
): Reply {
  const reply: Reply = {
    rcode: RCODE.NOERROR,
    authoritative: true,
    answer: emptySection(),
    authority: emptySection(),
    additional: emptySection(),
  };
  const type = TYPE_BY_CODE.get(qtype);
  const visited = new Set<string>();
  let name = qname;
  let ownerWire: Buffer | undefined = qnameWire;

  const negative = (rcode: number) => {
    reply.rcode = rcode;
    const soa = negativeSoa(zone);
    if (soa) {
      reply.authority.parts.push(soa);
      reply.authority.count += 1;
    }
    return reply;
  };

  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    visited.add(name);
    const cut = cutAbove(zone, name);
    // DS lives on the parent's side of the cut (RFC 4035 §3.1.4.1); we hold none, so NODATA.
    if (cut !== undefined && !(qtype === QTYPE.DS && name === cut)) {
      const ns = rrsetOf(zone.nodes.get(cut), "NS") as readonly ZoneRecord[];
      add(reply.authority, ns);
      addAddresses(zone, ns, reply.additional, true);
      reply.additionalRequired = reply.additional.count > 0;
      if (reply.answer.count === 0) reply.authoritative = false;
      return reply;
    }

    let node: Node | undefined = zone.nodes.get(name);
    let synthesizedOwner: Buffer | undefined;
    if (!node) {
      let closestEncloser = parentName(name) as string;
      while (!zone.nodes.has(closestEncloser)) closestEncloser = parentName(closestEncloser) as string;
      const source = closestEncloser === "" ? "*" : `*.${closestEncloser}`;
      node = zone.nodes.get(source);
      if (!node) return negative(RCODE.NXDOMAIN);
      synthesizedOwner = ownerWire ?? nameToWire(name);
    }
    // An empty non-terminal (or a wildcard that is one) exists with no data: NODATA.
    if (node.rrsets.length === 0) return negative(RCODE.NOERROR);
    const at = node;

    if (qtype === QTYPE.ANY) {
      const picked = ANY_PREFERENCE.map((t) => rrsetOf(at, t)).find((rrset) => rrset !== undefined);
      if (picked) add(reply.answer, picked, synthesizedOwner);
      return picked ? reply : negative(RCODE.NOERROR);
    }
    const rrset = type ? rrsetOf(node, type) : undefined;
    if (rrset) {
      add(reply.answer, rrset, synthesizedOwner);
      addAddresses(zone, rrset, reply.additional, false);
      return reply;
    }
    const cname = rrsetOf(node, "CNAME");
    if (!cname || qtype === QTYPE.CNAME) return negative(RCODE.NOERROR);
    add(reply.answer, cname, synthesizedOwner);
    const target = canonicalName((cname[0] as ZoneRecord).data as string);
    // Out of the zone (or round in a loop) the resolver follows on its own (RFC 1034 §3.6.2).
    if (!isAtOrBelow(target, zone.zone.origin) || visited.has(target)) return reply;
    name = target;
    ownerWire = undefined;
  }
  return reply;
}

/** Where each type a zone may hold keeps its prepared answer in a node's cache (-1: not cached). */
const SLOT = new Int8Array(258).fill(-1);
for (const [i, code] of [...TYPE_BY_CODE.keys(), QTYPE.ANY, QTYPE.DS].entries()) SLOT[code] = i;

/**
 * The answer to `qname`/`qtype` from one zone, ready to write behind the query's header and
 * question. An answer is a function of the zone, the name and the type alone (the question, with
 * its case, is echoed separately), so the answers to names the zone holds are prepared once and
 * kept on their node until the zone changes — a bounded cache: the zone's names × the types a
 * zone may hold. Names the zone does not hold (NXDOMAIN, wildcard matches, names below a cut)
 * are answered afresh every time, so a flood of random names fills no memory.
 */
export function preparedAnswer(
  zone: IndexedZone,
  qname: string,
  qnameWire: Buffer | undefined,
  qtype: number,
): PreparedReply {
  const node = zone.nodes.get(qname);
  const slot = qtype < SLOT.length ? (SLOT[qtype] as number) : -1;
  if (node === undefined || slot < 0) return prepareReply(answerFromZone(zone, qname, qnameWire, qtype));
  // A node may be shared with other versions of the zone: only its answers from this one count.
  const cached =
    node.preparedFor === zone.version ? (node.prepared?.[slot] as PreparedReply | undefined) : undefined;
  if (cached) return cached;
  const prepared = prepareReply(answerFromZone(zone, qname, qnameWire, qtype));
  if (!node.prepared || node.preparedFor !== zone.version) {
    node.prepared = [];
    node.preparedFor = zone.version;
  }
  node.prepared[slot] = prepared;
  return prepared;
}
