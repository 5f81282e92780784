import { isIP } from "node:net";
import * as packet from "dns-packet";
import {
  checkRequest,
  type RequestCheck,
  ResponseSigner,
  TSIG_ERROR,
  type TsigKey,
  unsignedTsigError,
} from "./tsig.js";
import { canonicalName, isAtOrBelow, type Zone, type ZoneRecord, type ZoneSet } from "./zone.js";

/**
 * Zone transfers to our secondaries: AXFR (RFC 5936) and IXFR (RFC 1995) over TCP, only to the
 * addresses in MFD_DNS_SECONDARIES, signed with TSIG when a key is configured. The authoritative
 * server hands every AXFR/IXFR query here (its `onTransfer` hook); this answers from the same
 * in-memory ZoneSet the server answers from.
 */

/** A secondary: transfers are allowed from `host` (any port); NOTIFY goes to `host:port`. */
export interface Secondary {
  host: string;
  port: number;
}

/** Where a transfer query came from. */
export interface TransferPeer {
  address: string;
  transport: "tcp" | "udp";
}

export interface TransferLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export const RCODE = { NOERROR: 0, FORMERR: 1, REFUSED: 5, NOTAUTH: 9 } as const;

/** `ip`, `ip:port` or `[ipv6]:port`, comma-separated (MFD_DNS_SECONDARIES); port 53 by default. */
export function parseSecondaries(text: string | undefined): { secondaries: Secondary[]; problems: string[] } {
  const secondaries: Secondary[] = [];
  const problems: string[] = [];
  for (const entry of (text ?? "").split(",").map((s) => s.trim())) {
    if (entry === "") continue;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const v4 = /^([^:]+)(?::(\d+))?$/.exec(entry);
    const [host, portText] = bracketed
      ? [bracketed[1], bracketed[2]]
      : v4
        ? [v4[1], v4[2]]
        : [entry, undefined];
    const port = portText === undefined ? 53 : Number(portText);
    if (!host || !isIP(host) || !Number.isInteger(port) || port < 1 || port > 65535)
      problems.push(`"${entry}" is not ip, ip:port or [ipv6]:port`);
    else secondaries.push({ host: normalAddress(host), port });
  }
  return { secondaries, problems };
}

/** An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; compare it as a.b.c.d. */
const normalAddress = (address: string): string => {
  const lower = address.toLowerCase();
  return lower.startsWith("::ffff:") && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
};

/** RFC 1982: `a` is a later serial than `b`. */
export const serialAfter = (a: number, b: number): boolean =>
  a !== b && ((a > b && a - b < 2 ** 31) || (a < b && b - a > 2 ** 31));

/** One change of a zone, as IXFR sends it: the SOAs before and after, what went and what came. */
interface Difference {
  from: ZoneRecord;
  to: ZoneRecord;
  deleted: ZoneRecord[];
  added: ZoneRecord[];
}

/** One spelling per record, for telling two versions of a zone apart (TXT strings and Buffers alike). */
const recordKey = (r: ZoneRecord): string =>
  `${canonicalName(r.name)} ${r.type} ${r.ttl} ${JSON.stringify(r.data, (_, value) =>
    value?.type === "Buffer" && Array.isArray(value.data)
      ? Buffer.from(value.data).toString("latin1")
      : value,
  )}`;

const soaOf = (zone: Zone): ZoneRecord | undefined =>
  zone.records.find((r) => r.type === "SOA" && canonicalName(r.name) === canonicalName(zone.origin));

const serialOf = (soa: ZoneRecord): number => (soa.data as { serial: number }).serial;

/** Messages of a transfer are filled up to about this size (a TCP message may hold 65535 bytes). */
const MESSAGE_BYTES = 16_000;
const HEADER_BYTES = 12;
/** Differences kept per zone; beyond that, or when they add up to more than the zone, IXFR sends it whole. */
const JOURNAL_DEPTH = 64;

export interface TransferOptions {
  zones: ZoneSet;
  secondaries: readonly Secondary[];
  key: TsigKey | null;
  log?: TransferLog;
  now?: () => number;
}

export class ZoneTransfers {
  private readonly allowed: Set<string>;
  private readonly journal = new Map<string, Difference[]>();
  private readonly now: () => number;

  constructor(private readonly options: TransferOptions) {
    this.allowed = new Set(options.secondaries.map((s) => normalAddress(s.host)));
    this.now = options.now ?? Date.now;
  }

  /**
   * Keeps what changed between two versions of a zone, so an IXFR from the older serial gets the
   * difference instead of the whole zone. Call it with the zone being replaced and its successor.
   */
  zoneChanged(previous: Zone | undefined, next: Zone): void {
    // Nobody may transfer: keeping differences would only cost memory.
    if (this.allowed.size === 0) return;
    const origin = canonicalName(next.origin);
    const from = previous && soaOf(previous);
    const to = soaOf(next);
    if (!from || !to || !serialAfter(serialOf(to), serialOf(from))) {
      this.journal.delete(origin);
      return;
    }
    const before = new Map(previous.records.filter((r) => r.type !== "SOA").map((r) => [recordKey(r), r]));
    const after = new Map(next.records.filter((r) => r.type !== "SOA").map((r) => [recordKey(r), r]));
    const deleted = [...before].filter(([key]) => !after.has(key)).map(([, r]) => r);
    const added = [...after].filter(([key]) => !before.has(key)).map(([, r]) => r);
    let kept = this.journal.get(origin) ?? [];
    const last = kept.at(-1);
    if (last && serialOf(last.to) !== serialOf(from)) kept = [];
    kept = [...kept, { from, to, deleted, added }];
    let size = kept.reduce((sum, d) => sum + d.deleted.length + d.added.length, 0);
    while (kept.length > 0 && (kept.length > JOURNAL_DEPTH || size > next.records.length)) {
      const dropped = kept.shift() as Difference;
      size -= dropped.deleted.length + dropped.added.length;
    }
    this.journal.set(origin, kept);
  }

  /** A zone no longer served: its differences go too. */
  zoneDeleted(origin: string): void {
    this.journal.delete(canonicalName(origin));
  }

  /**
   * The answer to one AXFR or IXFR query: the DNS messages to send in order (each without the TCP
   * length prefix), or none to stay silent (the query could not be read).
   */
  answer(query: Buffer, peer: TransferPeer): Buffer[] {
    let request: packet.DecodedPacket;
    try {
      request = packet.decode(query);
    } catch {
      return [];
    }
    if (request.type !== "query") return [];
    const reply = (rcode: number, answers: packet.Answer[] = []) => replyTo(request, rcode, answers);

    const address = normalAddress(peer.address);
    const question = request.questions?.[0];
    const log = { peer: address, zone: question?.name, type: question?.type };
    // Everyone but the secondaries is refused before anything else is looked at, TSIG included.
    if (!this.allowed.has(address)) {
      this.options.log?.warn(log, "zone transfer refused: not a configured secondary");
      return [reply(RCODE.REFUSED)];
    }

    let check: ReturnType<typeof checkRequest>;
    try {
      check = checkRequest(query, this.options.key, this.now());
    } catch {
      return [reply(RCODE.FORMERR)];
    }
    if (check.status === "invalid") {
      this.options.log?.warn({ ...log, tsigError: check.error }, "zone transfer refused: TSIG failed");
      return [this.tsigFailure(request, check)];
    }
    const signer =
      check.status === "valid" && this.options.key
        ? new ResponseSigner(this.options.key, check.tsig.mac, this.now)
        : undefined;
    const send = (messages: Buffer[]): Buffer[] => (signer ? messages.map((m) => signer.sign(m)) : messages);
    const logged = { ...log, signed: signer !== undefined };

    if (this.options.key && !signer) {
      this.options.log?.warn(log, "zone transfer refused: not signed with MFD_DNS_TSIG_KEY");
      return [reply(RCODE.REFUSED)];
    }
    if (!question || request.questions?.length !== 1 || (question.class ?? "IN") !== "IN")
      return send([reply(RCODE.FORMERR)]);
    const zone = this.options.zones.get(question.name);
    const soa = zone && soaOf(zone);
    if (!zone || !soa) return send([reply(RCODE.NOTAUTH)]);

    if (question.type === "IXFR") {
      const theirs = request.authorities?.find((r) => r.type === "SOA");
      if (!theirs) return send([reply(RCODE.FORMERR)]);
      const theirSerial = (theirs.data as { serial: number }).serial;
      // Up to date, or over UDP (RFC 1995 §2: the SOA alone tells the client to come over TCP).
      if (!serialAfter(serialOf(soa), theirSerial) || peer.transport === "udp")
        return send([reply(0, [soa as packet.Answer])]);
      const chain = this.differencesSince(zone.origin, theirSerial, serialOf(soa));
      this.options.log?.info(
        { ...logged, from: theirSerial, to: serialOf(soa), incremental: !!chain },
        "zone transfer",
      );
      const records = chain ? incremental(soa, chain) : whole(zone, soa);
      return send(this.split(request, records));
    }
    if (question.type !== "AXFR" || peer.transport !== "tcp") return send([reply(RCODE.FORMERR)]);
    this.options.log?.info({ ...logged, serial: serialOf(soa) }, "zone transfer");
    return send(this.split(request, whole(zone, soa)));
  }

  /**
   * A TSIG-signed ordinary query (a secondary checking the SOA serial wants a signed answer):
   * `answer` is the server's unsigned answer; it goes out signed, or a TSIG error instead. The
   * answer is public, so any address may ask; only the MAC decides.
   */
  signAnswer(query: Buffer, answer: Buffer): Buffer[] {
    let request: packet.DecodedPacket;
    let check: RequestCheck;
    try {
      request = packet.decode(query);
      check = checkRequest(query, this.options.key, this.now());
    } catch {
      return [];
    }
    if (check.status === "invalid") return [this.tsigFailure(request, check)];
    if (check.status === "unsigned" || !this.options.key) return [answer];
    return [new ResponseSigner(this.options.key, check.tsig.mac, this.now).sign(answer)];
  }

  /** NOTAUTH with the TSIG error: BADTIME signed with our clock in Other Data, the others unsigned (RFC 8945 §5.2). */
  private tsigFailure(request: packet.DecodedPacket, check: RequestCheck & { status: "invalid" }): Buffer {
    const response = replyTo(request, RCODE.NOTAUTH);
    if (check.error === TSIG_ERROR.BADTIME && this.options.key) {
      const otherData = Buffer.alloc(6);
      const time = Math.floor(this.now() / 1000);
      otherData.writeUInt16BE(Math.floor(time / 2 ** 32), 0);
      otherData.writeUInt32BE(time % 2 ** 32, 2);
      const signer = new ResponseSigner(this.options.key, check.tsig.mac, this.now);
      return signer.sign(response, TSIG_ERROR.BADTIME, otherData);
    }
    return unsignedTsigError(response, { name: check.tsig.keyName }, check.error, this.now());
  }

  /** The differences leading from `serial` to `current`, or undefined when the journal lacks one. */
  private differencesSince(origin: string, serial: number, current: number): Difference[] | undefined {
    const kept = this.journal.get(canonicalName(origin)) ?? [];
    const start = kept.findIndex((d) => serialOf(d.from) === serial);
    if (start === -1) return undefined;
    const chain = kept.slice(start);
    return serialOf((chain.at(-1) as Difference).to) === current ? chain : undefined;
  }

  /** Packs records into messages of about MESSAGE_BYTES; the question rides in the first one only. */
  private split(request: packet.DecodedPacket, records: ZoneRecord[]): Buffer[] {
    const messages: Buffer[] = [];
    let batch: packet.Answer[] = [];
    let size = 0;
    const flush = () => {
      messages.push(
        packet.encode({
          type: "response",
          id: request.id,
          flags: packet.AUTHORITATIVE_ANSWER,
          questions: messages.length === 0 ? request.questions : [],
          answers: batch,
        }),
      );
      batch = [];
      size = 0;
    };
    for (const record of records) {
      // dns-packet turns a TXT's strings into Buffers in place: encode a copy, never the served record.
      const data = Array.isArray(record.data) ? [...record.data] : record.data;
      const answer = { ...record, data, class: "IN" } as packet.Answer;
      const length = packet.encodingLength({ answers: [answer] }) - HEADER_BYTES;
      if (batch.length > 0 && size + length > MESSAGE_BYTES) flush();
      batch.push(answer);
      size += length;
    }
    flush();
    return messages;
  }
}

const replyTo = (request: packet.DecodedPacket, rcode: number, answers: packet.Answer[] = []): Buffer =>
  packet.encode({
    type: "response",
    id: request.id,
    flags: (rcode === RCODE.NOERROR ? packet.AUTHORITATIVE_ANSWER : 0) | rcode,
    questions: request.questions,
    answers,
  });

/** RFC 5936 §2.2: the SOA, every other record, the SOA again. */
const whole = (zone: Zone, soa: ZoneRecord): ZoneRecord[] => [
  soa,
  // Records outside the zone are not served (see indexZone), so they are not transferred either.
  ...zone.records.filter(
    (r) => r.type !== "SOA" && isAtOrBelow(canonicalName(r.name), canonicalName(zone.origin)),
  ),
  soa,
];

/** RFC 1995 §4: the new SOA, then per change the old SOA, deletions, the new SOA, additions; the new SOA. */
const incremental = (soa: ZoneRecord, chain: Difference[]): ZoneRecord[] => [
  soa,
  ...chain.flatMap((d) => [d.from, ...d.deleted, d.to, ...d.added]),
  soa,
];

/** What the authoritative server passes its `onTransfer` hook besides the decoded query (src/dns/server.ts). */
export interface TransferConnection {
  transport: "udp" | "tcp";
  remoteAddress: string;
  /** The query as received: TSIG covers these bytes. */
  raw: Buffer;
  /** The server's ordinary answer to the query, unsigned. */
  answer(): Buffer;
  send(message: Buffer): void;
}

/**
 * The server's `onTransfer` hook: AXFR and IXFR are answered by `transfers`, any other query
 * reaches it only because it is TSIG-signed, and gets the server's answer signed.
 */
export const transferHook =
  (transfers: ZoneTransfers) =>
  (query: { questions?: Array<{ type: string }> }, connection: TransferConnection): void => {
    const type = query.questions?.[0]?.type;
    const messages =
      type === "AXFR" || type === "IXFR"
        ? transfers.answer(connection.raw, {
            address: connection.remoteAddress,
            transport: connection.transport,
          })
        : transfers.signAnswer(connection.raw, connection.answer());
    for (const message of messages) connection.send(message);
  };
