import * as packet from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeAnswer,
  dig,
  firstUdpAnswer,
  queryPacket,
  sendUdp,
  TcpClient,
  udpQuery,
} from "../../test/dns/client.js";
import { exampleZone } from "../../test/dns/example-zone.js";
import { skipWithout } from "../../test/helpers/prerequisites.js";
import { type DnsServer, startDnsServer } from "./server.js";
import { ZoneSet } from "./zone.js";

const zones = new ZoneSet();
zones.set(exampleZone());
zones.set({
  origin: "other.test",
  serial: 1,
  negativeTtl: 60,
  records: [
    {
      name: "other.test",
      type: "SOA",
      ttl: 600,
      data: {
        mname: "ns1.example.test",
        rname: "h.other.test",
        serial: 1,
        refresh: 1,
        retry: 1,
        expire: 1,
        minimum: 60,
      },
    },
    { name: "other.test", type: "A", ttl: 60, data: "198.51.100.1" },
  ],
});

const logged: unknown[] = [];
let server: DnsServer;
beforeAll(async () => {
  server = await startDnsServer({
    zones,
    host: "127.0.0.1",
    port: 0,
    log: (message, error) => logged.push([message, error]),
    tcpIdleMs: 300,
  });
});
afterAll(() => server?.close());

const ask = (name: string, type: string, options: Parameters<typeof udpQuery>[3] = {}) =>
  udpQuery(server.udpPort, name, type, options).then((result) => result.answer);

const summary = (records: packet.Answer[] | undefined) =>
  (records ?? []).map(
    (record) => `${record.name} ${record.type} ${JSON.stringify("data" in record ? record.data : "")}`,
  );

describe("the authoritative DNS server", () => {
  it("listens on UDP and TCP on the same port", () => {
    expect(server.udpPort).toBeGreaterThan(0);
    expect(server.tcpPort).toBe(server.udpPort);
  });

  it("answers with AA set, RA clear, RD copied and the question's case kept", async () => {
    const withRd = await ask("ExAmple.TEST", "A");
    expect(withRd.rcode).toBe("NOERROR");
    expect(withRd.flag_aa).toBe(true);
    expect(withRd.flag_ra).toBe(false);
    expect(withRd.flag_rd).toBe(true);
    expect(withRd.id).toBe(4242);
    expect(withRd.questions?.[0]?.name).toBe("ExAmple.TEST");
    expect(summary(withRd.answers)).toEqual(['example.test A "192.0.2.1"']);
    const withoutRd = await ask("example.test", "A", { flags: 0 });
    expect(withoutRd.flag_rd).toBe(false);
  });

  it("adds the addresses of an MX host in the zone to the additional section", async () => {
    const answer = await ask("example.test", "MX");
    expect(summary(answer.answers)).toEqual([
      'example.test MX {"preference":10,"exchange":"mail.example.test"}',
    ]);
    expect(summary(answer.additionals)).toEqual([
      'mail.example.test A "192.0.2.25"',
      'mail.example.test AAAA "2001:db8::25"',
    ]);
  });

  it("serves SRV, CAA and TXT", async () => {
    expect((await ask("_sip._tcp.example.test", "SRV")).answers?.[0]).toMatchObject({
      data: { priority: 10, weight: 5, port: 5060, target: "mail.example.test" },
    });
    expect((await ask("example.test", "CAA")).answers?.[0]).toMatchObject({
      data: { tag: "issue", value: "letsencrypt.org" },
    });
    const txt = await ask("example.test", "TXT");
    expect(txt.answers?.map((record) => String(((record as packet.TxtAnswer).data as Buffer[])[0]))).toEqual([
      "v=spf1 mx -all",
    ]);
  });

  it("answers NXDOMAIN for a name that does not exist, with the SOA at the negative TTL", async () => {
    const answer = await ask("missing.example.test", "A");
    expect(answer.rcode).toBe("NXDOMAIN");
    expect(answer.flag_aa).toBe(true);
    expect(answer.answers).toEqual([]);
    expect(answer.authorities).toHaveLength(1);
    // min(SOA minimum 300, SOA TTL 3600), RFC 2308 §3
    expect(answer.authorities?.[0]).toMatchObject({ name: "example.test", type: "SOA", ttl: 300 });
  });

  it("answers NODATA (NOERROR, no answer, SOA) for a name without that type", async () => {
    const answer = await ask("mail.example.test", "TXT");
    expect(answer.rcode).toBe("NOERROR");
    expect(answer.answers).toEqual([]);
    expect(answer.authorities?.[0]).toMatchObject({ type: "SOA", ttl: 300 });
  });

  it("answers NODATA for an empty non-terminal, which exists (RFC 4592 §2.2.2)", async () => {
    const answer = await ask("ent.example.test", "A");
    expect(answer.rcode).toBe("NOERROR");
    expect(answer.answers).toEqual([]);
    expect(answer.authorities?.[0]?.type).toBe("SOA");
  });

  it("refuses names outside its zones, without AA", async () => {
    const answer = await ask("example.org", "A");
    expect(answer.rcode).toBe("REFUSED");
    expect(answer.flag_aa).toBe(false);
    expect(answer.answers).toEqual([]);
  });

  it("answers each name from the zone it lies in", async () => {
    expect(summary((await ask("other.test", "A")).answers)).toEqual(['other.test A "198.51.100.1"']);
    const negative = await ask("nothing.other.test", "A");
    expect(negative.authorities?.[0]).toMatchObject({ name: "other.test", ttl: 60 });
  });

  it("follows a CNAME chain inside the zone", async () => {
    const answer = await ask("www.example.test", "A");
    expect(answer.rcode).toBe("NOERROR");
    expect(summary(answer.answers)).toEqual([
      'www.example.test CNAME "web.example.test"',
      'web.example.test CNAME "host.example.test"',
      'host.example.test A "192.0.2.80"',
    ]);
  });

  it("answers the CNAME itself when asked for CNAME", async () => {
    expect(summary((await ask("www.example.test", "CNAME")).answers)).toEqual([
      'www.example.test CNAME "web.example.test"',
    ]);
  });

  it("ends a chain that leaves the zone with the CNAME, and one into nothing with NXDOMAIN", async () => {
    const out = await ask("out.example.test", "A");
    expect(out.rcode).toBe("NOERROR");
    expect(summary(out.answers)).toEqual(['out.example.test CNAME "elsewhere.example.net"']);
    const dangling = await ask("dangling.example.test", "A");
    expect(dangling.rcode).toBe("NXDOMAIN");
    expect(summary(dangling.answers)).toEqual(['dangling.example.test CNAME "nowhere.example.test"']);
    expect(dangling.authorities?.[0]?.type).toBe("SOA");
  });

  it("stops a CNAME loop", async () => {
    const answer = await ask("loop1.example.test", "A");
    expect(answer.rcode).toBe("NOERROR");
    expect(summary(answer.answers)).toEqual([
      'loop1.example.test CNAME "loop2.example.test"',
      'loop2.example.test CNAME "loop1.example.test"',
    ]);
  });

  describe("wildcards (RFC 4592)", () => {
    it("synthesizes the answer under the query's name", async () => {
      const answer = await ask("Anything.WILD.example.test", "A");
      expect(answer.rcode).toBe("NOERROR");
      expect(answer.flag_aa).toBe(true);
      expect(summary(answer.answers)).toEqual(['anything.wild.example.test A "192.0.2.99"']);
      expect(summary((await ask("a.b.c.wild.example.test", "A")).answers)).toEqual([
        'a.b.c.wild.example.test A "192.0.2.99"',
      ]);
    });

    it("answers NODATA from the wildcard for a type it lacks", async () => {
      const answer = await ask("anything.wild.example.test", "MX");
      expect(answer.rcode).toBe("NOERROR");
      expect(answer.answers).toEqual([]);
      expect(answer.authorities?.[0]?.type).toBe("SOA");
    });

    it("does not cover a name that exists, nor names below one (closest encloser)", async () => {
      const existing = await ask("sub.wild.example.test", "A");
      expect(existing.rcode).toBe("NOERROR");
      expect(existing.answers).toEqual([]);
      const below = await ask("x.sub.wild.example.test", "A");
      expect(below.rcode).toBe("NXDOMAIN");
    });

    it("does not apply to the wildcard's parent", async () => {
      const parent = await ask("wild.example.test", "A");
      expect(parent.rcode).toBe("NOERROR"); // an empty non-terminal above *.wild and sub.wild
      expect(parent.answers).toEqual([]);
    });

    it("answers NODATA when the wildcard is an empty non-terminal", async () => {
      const answer = await ask("q.ewild.example.test", "A");
      expect(answer.rcode).toBe("NOERROR");
      expect(answer.answers).toEqual([]);
    });

    it("follows a CNAME found at a wildcard", async () => {
      expect(summary((await ask("x.wc.example.test", "A")).answers)).toEqual([
        'x.wc.example.test CNAME "host.example.test"',
        'host.example.test A "192.0.2.80"',
      ]);
    });
  });

  describe("delegation below the apex", () => {
    it("refers to the child's name servers with glue, AA clear", async () => {
      for (const name of ["child.example.test", "deep.below.child.example.test"]) {
        const answer = await ask(name, "A");
        expect(answer.rcode).toBe("NOERROR");
        expect(answer.flag_aa).toBe(false);
        expect(answer.answers).toEqual([]);
        expect(summary(answer.authorities)).toEqual([
          'child.example.test NS "ns.child.example.test"',
          'child.example.test NS "ns.elsewhere.net"',
        ]);
        expect(summary(answer.additionals)).toEqual([
          'ns.child.example.test A "192.0.2.200"',
          'ns.child.example.test AAAA "2001:db8::200"',
        ]);
      }
    });

    it("refers the glue names too, which belong to the child", async () => {
      const answer = await ask("ns.child.example.test", "A");
      expect(answer.flag_aa).toBe(false);
      expect(answer.authorities?.[0]?.type).toBe("NS");
    });

    it("answers the apex NS authoritatively, with the in-zone server's address", async () => {
      const answer = await ask("example.test", "NS");
      expect(answer.flag_aa).toBe(true);
      expect(summary(answer.answers)).toEqual([
        'example.test NS "ns1.example.test"',
        'example.test NS "ns2.example.net"',
      ]);
      expect(summary(answer.additionals)).toEqual(['ns1.example.test A "192.0.2.53"']);
    });
  });

  describe("ANY (RFC 8482)", () => {
    it("answers one RRset", async () => {
      const answer = await ask("example.test", "ANY");
      expect(answer.rcode).toBe("NOERROR");
      expect(new Set(answer.answers?.map((record) => record.type)).size).toBe(1);
      const mail = await ask("mail.example.test", "ANY");
      expect(summary(mail.answers)).toEqual(['mail.example.test A "192.0.2.25"']);
    });

    it("answers NXDOMAIN for a name that does not exist", async () => {
      expect((await ask("missing.example.test", "ANY")).rcode).toBe("NXDOMAIN");
    });
  });

  describe("EDNS0 and truncation", () => {
    it("answers without OPT to a query without one, within 512 bytes, TC set when it does not fit", async () => {
      const { raw, answer } = await udpQuery(server.udpPort, "medium.example.test", "TXT");
      expect(raw.length).toBeLessThanOrEqual(512);
      expect(answer.flag_tc).toBe(true);
      expect(answer.answers).toEqual([]);
      expect(answer.additionals).toEqual([]);
      expect(answer.questions?.[0]?.name).toBe("medium.example.test");
    });

    it("echoes OPT and fits the answer in the client's buffer size", async () => {
      const { raw, answer } = await udpQuery(server.udpPort, "medium.example.test", "TXT", { udpSize: 1232 });
      expect(answer.flag_tc).toBe(false);
      expect(answer.answers).toHaveLength(7);
      expect(raw.length).toBeLessThanOrEqual(1232);
      const opt = answer.additionals?.find((record) => record.type === "OPT") as { udpPayloadSize: number };
      expect(opt).toBeDefined();
      const small = await udpQuery(server.udpPort, "medium.example.test", "TXT", { udpSize: 600 });
      expect(small.answer.flag_tc).toBe(true);
      expect(small.raw.length).toBeLessThanOrEqual(600);
      expect(small.answer.additionals?.map((record) => record.type)).toEqual(["OPT"]);
    });

    it("never answers more than 1232 bytes over UDP, whatever the client offers", async () => {
      const { raw, answer } = await udpQuery(server.udpPort, "big.example.test", "TXT", { udpSize: 65000 });
      expect(answer.flag_tc).toBe(true);
      expect(raw.length).toBeLessThanOrEqual(1232);
    });

    it("drops the additional section before truncating", async () => {
      // An MX answer with its two addresses is 120 bytes; a 512-byte limit keeps it whole.
      const { answer } = await udpQuery(server.udpPort, "example.test", "MX");
      expect(answer.flag_tc).toBe(false);
    });

    it("answers BADVERS to an EDNS version it does not speak", async () => {
      const { raw, answer } = await udpQuery(server.udpPort, "example.test", "A", {
        udpSize: 1232,
        ednsVersion: 1,
      });
      expect(answer.answers).toEqual([]);
      const opt = answer.additionals?.find((record) => record.type === "OPT") as {
        extendedRcode: number;
        ednsVersion: number;
      };
      expect(opt.extendedRcode).toBe(1); // BADVERS = 16 = 1 << 4
      expect(opt.ednsVersion).toBe(0);
      expect(raw.readUInt16BE(2) & 0xf).toBe(0);
    });

    it("answers the whole RRset over TCP", async () => {
      const client = await TcpClient.connect(server.tcpPort);
      client.send(queryPacket("big.example.test", "TXT"));
      const [answer] = await client.receive(1);
      client.close();
      expect(answer?.flag_tc).toBe(false);
      expect(answer?.answers).toHaveLength(25);
    });
  });

  describe("TCP", () => {
    it("answers several queries on one connection, also when they arrive in pieces", async () => {
      const client = await TcpClient.connect(server.tcpPort);
      const names = ["example.test", "mail.example.test", "missing.example.test", "www.example.test"];
      const framed = Buffer.concat(
        names.map((name, index) => {
          const message = queryPacket(name, "A", { id: index + 1 });
          const length = Buffer.alloc(2);
          length.writeUInt16BE(message.length);
          return Buffer.concat([length, message]);
        }),
      );
      // All at once, then byte by byte.
      client.socket.write(framed);
      const first = await client.receive(names.length);
      expect(first.map((answer) => answer.id)).toEqual([1, 2, 3, 4]);
      expect(first.map((answer) => answer.rcode)).toEqual(["NOERROR", "NOERROR", "NXDOMAIN", "NOERROR"]);
      for (const byte of framed) client.socket.write(Buffer.from([byte]));
      expect((await client.receive(names.length)).map((answer) => answer.id)).toEqual([1, 2, 3, 4]);
      client.close();
    });

    it("closes a connection that stays idle", async () => {
      const client = await TcpClient.connect(server.tcpPort);
      await client.closedByServer();
      expect(client.closed).toBe(true);
    });
  });

  describe("bad input", () => {
    it("drops what is not a query: too short, or an answer", async () => {
      const answerPacket = queryPacket("example.test", "A", { id: 1 });
      answerPacket[2] = (answerPacket[2] as number) | 0x80;
      const probe = queryPacket("example.test", "A", { id: 2 });
      const first = await firstUdpAnswer(server.udpPort, [Buffer.from([1, 2, 3]), answerPacket, probe]);
      expect(decodeAnswer(first).id).toBe(2);
    });

    it("answers FORMERR to a readable header with a broken body", async () => {
      const cut = queryPacket("example.test", "A").subarray(0, 20);
      const raw = await sendUdp(server.udpPort, cut);
      expect(raw).not.toBeNull();
      const answer = decodeAnswer(raw as Buffer);
      expect(answer.rcode).toBe("FORMERR");
      expect(answer.id).toBe(4242);
      const twoQuestions = packet.encode({
        type: "query",
        id: 7,
        questions: [
          { name: "example.test", type: "A" },
          { name: "example.test", type: "MX" },
        ],
      });
      expect(decodeAnswer((await sendUdp(server.udpPort, twoQuestions)) as Buffer).rcode).toBe("FORMERR");
    });

    it("answers NOTIMP to other opcodes and REFUSED to other classes", async () => {
      const update = queryPacket("example.test", "SOA");
      update[2] = ((update[2] as number) & 0x87) | (5 << 3);
      expect(decodeAnswer((await sendUdp(server.udpPort, update)) as Buffer).rcode).toBe("NOTIMP");
      const chaos = packet.encode({
        type: "query",
        id: 9,
        questions: [{ name: "version.bind", type: "TXT", class: "CH" }],
      });
      expect(decodeAnswer((await sendUdp(server.udpPort, chaos)) as Buffer).rcode).toBe("REFUSED");
    });

    it("refuses zone transfers when no transfer handler is set", async () => {
      const client = await TcpClient.connect(server.tcpPort);
      client.send(queryPacket("example.test", "AXFR"));
      const [answer] = await client.receive(1);
      client.close();
      expect(answer?.rcode).toBe("REFUSED");
    });
  });
});

describe.skipIf(
  skipWithout({ what: "dig tests", path: "/usr/bin/dig", install: "apt-get install bind9-dnsutils" }),
)("the server as Debian's dig sees it", () => {
  it("answers authoritatively and without recursion", async () => {
    const output = await dig(server.udpPort, ["mail.example.test", "A"]);
    expect(output).toMatch(/status: NOERROR/);
    expect(output).toMatch(/flags: qr aa rd;/);
    expect(output).toMatch(/mail\.example\.test\.\s+3600\s+IN\s+A\s+192\.0\.2\.25/);
  });

  it("shows NXDOMAIN with the SOA, and REFUSED outside the zones", async () => {
    const missing = await dig(server.udpPort, ["nope.example.test", "A"]);
    expect(missing).toMatch(/status: NXDOMAIN/);
    expect(missing).toMatch(/AUTHORITY SECTION:\nexample\.test\.\s+300\s+IN\s+SOA/);
    expect(await dig(server.udpPort, ["example.org", "A"])).toMatch(/status: REFUSED/);
  });

  it("falls back to TCP for a truncated answer and gets it whole", async () => {
    const output = await dig(server.udpPort, ["+noedns", "big.example.test", "TXT"]);
    expect(output).toMatch(/Truncated, retrying in TCP mode/);
    expect(output).toMatch(/ANSWER: 25,/);
  });

  it("sees EDNS echoed with our payload size", async () => {
    const output = await dig(server.udpPort, ["+bufsize=4096", "medium.example.test", "TXT"]);
    expect(output).toMatch(/EDNS: version: 0, flags:; udp: 1232/);
    expect(output).toMatch(/ANSWER: 7,/);
  });

  it("sees a referral for a delegated name", async () => {
    const output = await dig(server.udpPort, ["+norecurse", "www.child.example.test", "A"]);
    expect(output).toMatch(/flags: qr;/);
    expect(output).toMatch(/AUTHORITY: 2, ADDITIONAL: 3/);
    expect(output).toMatch(/ns\.child\.example\.test\.\s+3600\s+IN\s+A\s+192\.0\.2\.200/);
  });

  it("keeps the case of the question (0x20)", async () => {
    const output = await dig(server.udpPort, ["MaIl.ExAmPlE.tEsT", "A"]);
    expect(output).toMatch(/;MaIl\.ExAmPlE\.tEsT\.\s+IN\s+A/);
  });
});
