import dgram from "node:dgram";
import net from "node:net";
import * as packet from "dns-packet";
import { preparedAnswer } from "./answer.js";
import {
  bareReply,
  type Edns,
  isInternetClass,
  MIN_UDP_PAYLOAD,
  type PreparedReply,
  parseQuery,
  QTYPE,
  type Query,
  RCODE,
  writeReply,
} from "./wire.js";
import type { ZoneSet } from "./zone.js";

/** Where a transfer request came from, and how to answer it (several messages for a long AXFR). */
export interface TransferSocket {
  transport: "udp" | "tcp";
  remoteAddress: string;
  remotePort: number;
  /** The query as received, for TSIG verification. */
  raw: Buffer;
  zones: ZoneSet;
  /**
   * The server's ordinary answer to this query, unsigned: what a TSIG-signed query (a secondary
   * checking the SOA serial) gets once the handler has signed it.
   */
  answer(): Buffer;
  /** Sends one DNS message (framed with its length over TCP; over UDP it must fit the query's size). */
  send(message: Buffer): void;
  /** Ends the TCP connection once what was sent is written; nothing over UDP. */
  close(): void;
}

export interface DnsServerOptions {
  zones: ZoneSet;
  host: string;
  /** 0 takes a free port (the same one for UDP and TCP). */
  port: number;
  log: (message: string, error?: unknown) => void;
  /**
   * AXFR and IXFR go here (src/dns/transfer.ts), and so does every query signed with TSIG, since
   * only the handler knows the keys; without it transfers are REFUSED and signed queries are
   * answered unsigned, as by a server that knows no TSIG.
   */
  onTransfer?: (query: packet.DecodedPacket, socket: TransferSocket) => void | Promise<void>;
  /** The UDP payload we answer with at most and advertise; 1232 avoids IP fragmentation (DNS flag day 2020). */
  maxUdpPayload?: number;
  /** A TCP connection with no complete query for this long is closed (RFC 7766 §6.2.3). */
  tcpIdleMs?: number;
  maxTcpConnections?: number;
}

export interface DnsServer {
  udpPort: number;
  tcpPort: number;
  close(): Promise<void>;
}

const TCP_MAX_MESSAGE = 65_535;

/**
 * The authoritative name server: answers on UDP and TCP from the zones in memory. It never
 * recurses, answers REFUSED for names outside its zones, and survives any input: a packet it
 * cannot read is dropped, one it can read but is wrong gets FORMERR, a fault answers SERVFAIL.
 */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  // An ephemeral UDP port may be taken for TCP by someone else: try another one.
  for (let attempt = 0; ; attempt++) {
    try {
      return await listen(options);
    } catch (error) {
      if (options.port !== 0 || attempt >= 10 || (error as { code?: string }).code !== "EADDRINUSE")
        throw error;
    }
  }
}

/** What the server answers to one message: bytes to send, or null to stay silent. */
export type Respond = (
  message: Buffer,
  transport: "udp" | "tcp",
  /** Where the message came from, asked only for a transfer (most queries need no such object). */
  transfer?: () => Omit<TransferSocket, "raw" | "zones" | "transport" | "answer">,
) => Buffer | null;

export function responder(options: DnsServerOptions): Respond {
  const { zones, log, onTransfer } = options;
  const ourUdpSize = options.maxUdpPayload ?? 1232;

  const limitFor = (transport: "udp" | "tcp", edns: Edns | undefined): number =>
    transport === "tcp" ? TCP_MAX_MESSAGE : edns ? Math.min(edns.udpSize, ourUdpSize) : MIN_UDP_PAYLOAD;

  const answer = (
    query: Query,
    transport: "udp" | "tcp",
    transfer?: Parameters<Respond>[2],
  ): PreparedReply | null => {
    if (query.opcode !== 0) return bareReply(RCODE.NOTIMP);
    if (query.edns && query.edns.version > 0) return bareReply(RCODE.BADVERS);
    if (!isInternetClass(query.qclass)) return bareReply(RCODE.REFUSED);
    const isTransfer = query.qtype === QTYPE.AXFR || query.qtype === QTYPE.IXFR;
    if (isTransfer && !(onTransfer && transfer)) return bareReply(RCODE.REFUSED);
    if (onTransfer && transfer && (isTransfer || query.signed)) {
      let decoded: packet.DecodedPacket;
      try {
        decoded = packet.decode(query.raw);
      } catch {
        return bareReply(RCODE.FORMERR);
      }
      const ordinary = () => write(query, transport, fromZones(query));
      Promise.resolve(
        onTransfer(decoded, { ...transfer(), transport, raw: query.raw, zones, answer: ordinary }),
      ).catch((error) => log("dns: zone transfer failed", error));
      return null;
    }
    return fromZones(query);
  };

  const fromZones = (query: Query): PreparedReply => {
    const zone = zones.findCanonical(query.qname);
    if (!zone) return bareReply(RCODE.REFUSED);
    return preparedAnswer(zone, query.qname, query.qnameWire, query.qtype);
  };

  const write = (query: Query, transport: "udp" | "tcp", reply: PreparedReply): Buffer => {
    // Our OPT always says version 0 (writeReply), also in BADVERS to a higher one (RFC 6891 §6.1.3).
    return writeReply(query, query.question, query.edns, reply, limitFor(transport, query.edns), ourUdpSize);
  };

  return (message, transport, transfer) => {
    const parsed = parseQuery(message);
    if (parsed.kind === "drop") return null;
    if (parsed.kind === "formerr") {
      const { header, question, edns } = parsed;
      return writeReply(
        header,
        question,
        edns,
        bareReply(RCODE.FORMERR),
        limitFor(transport, edns),
        ourUdpSize,
      );
    }
    const { query } = parsed;
    let reply: PreparedReply | null;
    try {
      reply = answer(query, transport, transfer);
    } catch (error) {
      log(`dns: answering ${query.qname} type ${query.qtype} failed`, error);
      reply = bareReply(RCODE.SERVFAIL);
    }
    return reply && write(query, transport, reply);
  };
}

async function listen(options: DnsServerOptions): Promise<DnsServer> {
  const { host, log } = options;
  const respond = responder(options);
  const idleMs = options.tcpIdleMs ?? 10_000;

  const family = net.isIPv6(host) ? 6 : 4;
  const udp = dgram.createSocket({
    type: family === 6 ? "udp6" : "udp4",
    recvBufferSize: 4 * 1024 * 1024,
    // We only ever answer the address a query came from, never a host name: without this, every
    // send would go through dns.lookup, which answers an address literal on the next tick — a
    // closure, a tick and an address check per answer (some 4 % of the server's time under load).
    lookup: (address, _options, callback) =>
      (callback as (error: null, address: string, family: number) => void)(null, address, family),
  });
  // Errors of a send go to the socket's "error" handler: no callback per answer on the hot path.
  const sendUdp = (reply: Buffer, port: number, address: string) => {
    try {
      udp.send(reply, port, address);
    } catch (error) {
      log("dns: UDP send failed", error);
    }
  };
  udp.on("message", (message, remote) => {
    // Port 0 cannot be answered (send would throw); such a source is forged anyway.
    if (remote.port === 0) return;
    let out: Buffer | null = null;
    try {
      out = respond(message, "udp", () => ({
        remoteAddress: remote.address,
        remotePort: remote.port,
        send: (reply: Buffer) => sendUdp(reply, remote.port, remote.address),
        close: () => {},
      }));
    } catch (error) {
      log("dns: a UDP query failed", error);
    }
    if (out) sendUdp(out, remote.port, remote.address);
  });
  udp.on("error", (error) => log("dns: UDP socket error", error));
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind({ port: options.port, address: host, exclusive: true }, () => {
      udp.off("error", reject);
      resolve();
    });
  });
  const udpPort = udp.address().port;

  const connections = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    connections.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(idleMs, () => socket.destroy());
    socket.on("error", () => socket.destroy());
    socket.on("close", () => connections.delete(socket));
    const send = (reply: Buffer) => {
      if (socket.destroyed) return;
      const length = Buffer.alloc(2);
      length.writeUInt16BE(reply.length);
      // A client that sends and never reads must not fill our memory: stop reading until it drains.
      if (!socket.write(Buffer.concat([length, reply])) && !socket.isPaused()) {
        socket.pause();
        socket.once("drain", () => socket.resume());
      }
    };
    const transfer = {
      remoteAddress: socket.remoteAddress ?? "",
      remotePort: socket.remotePort ?? 0,
      send,
      close: () => socket.end(),
    };
    // Several queries may come in one connection, and one query in several segments (RFC 7766
    // §6.2.1). Segments are joined only once a whole message is there: joining on every segment
    // would let a client trickling one byte at a time make us copy gigabytes.
    let chunks: Buffer[] = [];
    let buffered = 0;
    let needed = 2;
    const answerTcp = () => transfer;
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered < needed) return;
      const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, buffered);
      let offset = 0;
      while (all.length - offset >= 2) {
        const length = all.readUInt16BE(offset);
        if (all.length - offset < 2 + length) break;
        const message = all.subarray(offset + 2, offset + 2 + length);
        offset += 2 + length;
        let out: Buffer | null = null;
        try {
          out = respond(message, "tcp", answerTcp);
        } catch (error) {
          log("dns: a TCP query failed", error);
        }
        if (out) send(out);
      }
      const rest = all.subarray(offset);
      chunks = rest.length > 0 ? [rest] : [];
      buffered = rest.length;
      needed = rest.length >= 2 ? 2 + rest.readUInt16BE(0) : 2;
    });
  });
  tcp.maxConnections = options.maxTcpConnections ?? 1000;
  tcp.on("error", (error) => log("dns: TCP server error", error));
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen({ port: udpPort, host, exclusive: true }, () => {
        tcp.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    udp.close();
    throw error;
  }
  const tcpPort = (tcp.address() as net.AddressInfo).port;

  return {
    udpPort,
    tcpPort,
    close: async () => {
      for (const socket of connections) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
