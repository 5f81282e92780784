import dgram from "node:dgram";
import * as packet from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeAnswer, queryPacket, TcpClient, udpQuery } from "../../test/dns/client.js";
import { exampleZone } from "../../test/dns/example-zone.js";
import { type DnsServer, responder, startDnsServer } from "./server.js";
import { ZoneSet } from "./zone.js";

/** A seeded generator (mulberry32), so a failure comes back with the same packets. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const NAMES = [
  "example.test",
  "MAIL.example.test",
  "www.example.test",
  "x.y.wild.example.test",
  "deep.child.example.test",
  "big.example.test",
  "medium.example.test",
  "missing.example.test",
  "example.org",
];
const TYPES = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "CNAME", "SRV", "CAA", "ANY", "AXFR", "DS"];

/** Valid queries of every kind, the material mutations start from. */
const seeds = NAMES.flatMap((name) =>
  TYPES.flatMap((type) => [
    queryPacket(name, type),
    queryPacket(name, type, { udpSize: 512 + ((name.length * 97) % 4000) }),
  ]),
);

function fuzzPackets(count: number, seed: number): Buffer[] {
  const next = random(seed);
  const int = (below: number) => Math.floor(next() * below);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 4 === 0) {
      // Random bytes, biased towards something with a header.
      const bytes = Buffer.alloc(int(i % 8 === 0 ? 16 : 600));
      for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
      if (bytes.length >= 3) bytes[2] = (bytes[2] as number) & 0x7f; // a query, not an answer
      out.push(bytes);
      continue;
    }
    const base = Buffer.from(seeds[int(seeds.length)] as Buffer);
    let mutated: Buffer = base;
    for (let m = 1 + int(4); m > 0; m--) {
      const kind = int(5);
      if (kind === 0 && mutated.length > 0) {
        const at = int(mutated.length);
        mutated[at] = (mutated[at] as number) ^ (1 << int(8));
      } else if (kind === 1 && mutated.length > 0) mutated[int(mutated.length)] = int(256);
      else if (kind === 2) mutated = mutated.subarray(0, int(mutated.length + 1));
      else if (kind === 3) {
        const at = int(mutated.length + 1);
        const extra = Buffer.alloc(1 + int(20));
        for (let j = 0; j < extra.length; j++) extra[j] = int(256);
        mutated = Buffer.concat([mutated.subarray(0, at), extra, mutated.subarray(at)]);
      } else if (mutated.length >= 12) mutated.writeUInt16BE(int(4), 4 + 2 * int(4)); // a section count
    }
    if (mutated.length >= 3) mutated[2] = (mutated[2] as number) & 0x7f;
    out.push(mutated);
  }
  return out;
}

/** The most a UDP answer to `query` may hold: 512, or what its OPT offers up to our 1232. */
function allowedSize(query: Buffer): number {
  try {
    const opt = packet.decode(query).additionals?.find((record) => record.type === "OPT") as
      | { udpPayloadSize: number }
      | undefined;
    return opt ? Math.min(1232, Math.max(512, opt.udpPayloadSize)) : 512;
  } catch {
    return 512;
  }
}

const zones = new ZoneSet();
zones.set(exampleZone());
const logged: unknown[] = [];
const options = {
  zones,
  host: "127.0.0.1",
  port: 0,
  log: (message: string, error?: unknown) => logged.push([message, error]),
};

describe("the DNS server under malformed input", () => {
  let server: DnsServer;
  beforeAll(async () => {
    server = await startDnsServer(options);
  });
  afterAll(() => server?.close());

  it("answers 100,000 random and mutated packets without a fault, each within its size", () => {
    const respond = responder(options);
    let answered = 0;
    for (const message of fuzzPackets(100_000, 1)) {
      const out = respond(message, "udp");
      if (!out) continue;
      answered++;
      if (out.length > 512 && out.length > allowedSize(message))
        expect.fail(`${out.length} bytes answer ${message.toString("hex")}`);
    }
    expect(answered).toBeGreaterThan(50_000);
    expect(logged).toEqual([]);
  });

  it("keeps answering over UDP after thousands of them, none larger than the query allows", async () => {
    const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 4 * 1024 * 1024 });
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const sent = new Map<number, Buffer>();
    const answers: Buffer[] = [];
    let probeAnswered: (() => void) | undefined;
    const PROBE_ID = 0xffff;
    socket.on("message", (answer) => {
      if (answer.length >= 2 && answer.readUInt16BE(0) === PROBE_ID) probeAnswered?.();
      else answers.push(answer);
    });
    try {
      const packets = fuzzPackets(5000, 2);
      for (let batch = 0; batch < packets.length; batch += 100) {
        for (const [offset, message] of packets.slice(batch, batch + 100).entries()) {
          // Unique ids tie each answer to its query.
          if (message.length >= 2) message.writeUInt16BE(batch + offset, 0);
          sent.set(batch + offset, message);
          socket.send(message, server.udpPort, "127.0.0.1");
        }
        // A valid query after the batch: its answer shows the server is still there, and that
        // the batch's answers (sent before it, in order) have arrived.
        await new Promise<void>((resolve) => {
          probeAnswered = resolve;
          socket.send(queryPacket("example.test", "SOA", { id: PROBE_ID }), server.udpPort, "127.0.0.1");
        });
      }
    } finally {
      socket.close();
    }
    expect(answers.length).toBeGreaterThan(1000);
    for (const answer of answers) {
      const query = sent.get(answer.readUInt16BE(0)) as Buffer;
      expect(answer.length).toBeLessThanOrEqual(allowedSize(query));
    }
    expect(logged).toEqual([]);
  });

  it("keeps answering over TCP after garbage, framed or not", async () => {
    const packets = fuzzPackets(2000, 3);
    for (let connection = 0; connection < 20; connection++) {
      const client = await TcpClient.connect(server.tcpPort);
      const chunk = packets.slice(connection * 100, connection * 100 + 100);
      if (connection % 2 === 0) for (const message of chunk) client.send(message);
      else client.socket.write(Buffer.concat(chunk));
      client.close();
    }
    const client = await TcpClient.connect(server.tcpPort);
    client.send(queryPacket("example.test", "SOA"));
    const [answer] = await client.receive(1);
    client.close();
    expect(answer?.rcode).toBe("NOERROR");
    const udp = await udpQuery(server.udpPort, "example.test", "A");
    expect(decodeAnswer(udp.raw).rcode).toBe("NOERROR");
    expect(logged).toEqual([]);
  });
});
