import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as packet from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleZone, soa } from "../../test/dns/zones.js";
import { skipWithout } from "../../test/helpers/prerequisites.js";
import { type DnsServer, startDnsServer } from "./server.js";
import {
  parseSecondaries,
  RCODE,
  serialAfter,
  type TransferOptions,
  transferHook,
  ZoneTransfers,
} from "./transfer.js";
import { checkRequest, parseTsigKey, signRequest, type TsigKey } from "./tsig.js";
import { type Zone, type ZoneRecord, ZoneSet } from "./zone.js";

const run = promisify(execFile);
const KEY = parseTsigKey("xfr-key.:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0zMg==") as TsigKey;
const DIG_KEY = `hmac-sha256:xfr-key:${KEY.secret.toString("base64")}`;
const noDig = () =>
  skipWithout({
    what: "Zone transfer tests with dig",
    path: "/usr/bin/dig",
    install: "apt-get install bind9-dnsutils",
  });

/** mfd's authoritative server with `transfers` behind its onTransfer hook. */
const serve = (zones: ZoneSet, transfers: ZoneTransfers) =>
  startDnsServer({
    zones,
    host: "127.0.0.1",
    port: 0,
    log: () => {},
    onTransfer: transferHook(transfers),
  });

/** dig's answer lines as `name type data`, TTL and class left out. */
async function dig(port: number, args: string[]): Promise<{ records: string[]; output: string }> {
  const { stdout } = await run("dig", [
    "@127.0.0.1",
    "-p",
    String(port),
    "+tcp",
    "+tries=1",
    "+time=5",
    ...args,
  ]);
  const records = stdout
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith(";"))
    .map((line) => {
      const [name, , , type, ...data] = line.split(/\s+/);
      return `${name} ${type} ${data.join(" ")}`;
    })
    // dig shows each message's TSIG record as a line of its own.
    .filter((line) => line.split(" ")[1] !== "TSIG");
  return { records, output: stdout };
}

function transfers(options: Partial<TransferOptions> = {}) {
  const zones = new ZoneSet();
  zones.set(exampleZone("example.org", 2026120101));
  return {
    zones,
    transfers: new ZoneTransfers({
      zones,
      secondaries: [{ host: "127.0.0.1", port: 53 }],
      key: null,
      ...options,
    }),
  };
}

const query = (name: string, type: "AXFR" | "IXFR", serial?: number) =>
  packet.encode({
    type: "query",
    id: 4242,
    questions: [{ name, type, class: "IN" }],
    authorities: serial === undefined ? [] : [soa(name, serial) as packet.Answer],
  });

const rcodeOf = (message: Buffer) => message.readUInt16BE(2) & 0xf;

describe("zone transfers: who may transfer", () => {
  it("refuses every address but the secondaries', and zones we do not serve are NOTAUTH", () => {
    const { transfers: t } = transfers();
    const [refused] = t.answer(query("example.org", "AXFR"), { address: "192.0.2.9", transport: "tcp" });
    expect(rcodeOf(refused as Buffer)).toBe(RCODE.REFUSED);
    const [mapped] = t.answer(query("example.org", "AXFR"), {
      address: "::ffff:127.0.0.1",
      transport: "tcp",
    });
    expect(rcodeOf(mapped as Buffer)).toBe(RCODE.NOERROR);
    const [elsewhere] = t.answer(query("example.com", "AXFR"), { address: "127.0.0.1", transport: "tcp" });
    expect(rcodeOf(elsewhere as Buffer)).toBe(RCODE.NOTAUTH);
    // Below the apex is not a zone either.
    const [below] = t.answer(query("www.example.org", "AXFR"), { address: "127.0.0.1", transport: "tcp" });
    expect(rcodeOf(below as Buffer)).toBe(RCODE.NOTAUTH);
  });

  it("answers AXFR over UDP with FORMERR and IXFR over UDP with the SOA alone", () => {
    const { transfers: t } = transfers();
    const [axfr] = t.answer(query("example.org", "AXFR"), { address: "127.0.0.1", transport: "udp" });
    expect(rcodeOf(axfr as Buffer)).toBe(RCODE.FORMERR);
    const ixfr = t.answer(query("example.org", "IXFR", 1), { address: "127.0.0.1", transport: "udp" });
    expect(ixfr).toHaveLength(1);
    const decoded = packet.decode(ixfr[0] as Buffer);
    expect(decoded.answers?.map((a) => a.type)).toEqual(["SOA"]);
  });

  it("stays silent on bytes that are no DNS message", () => {
    const { transfers: t } = transfers();
    expect(t.answer(Buffer.from([1, 2, 3]), { address: "127.0.0.1", transport: "tcp" })).toEqual([]);
  });

  it("reads MFD_DNS_SECONDARIES", () => {
    expect(parseSecondaries("192.0.2.1, 127.0.0.1:10054,[2001:db8::1]:5300, 2001:db8::2")).toEqual({
      secondaries: [
        { host: "192.0.2.1", port: 53 },
        { host: "127.0.0.1", port: 10054 },
        { host: "2001:db8::1", port: 5300 },
        { host: "2001:db8::2", port: 53 },
      ],
      problems: [],
    });
    expect(parseSecondaries("ns2.example.net, 192.0.2.1:0").problems).toHaveLength(2);
    expect(parseSecondaries(undefined).secondaries).toEqual([]);
  });

  it("compares serials the RFC 1982 way, across the wrap", () => {
    expect(serialAfter(2, 1)).toBe(true);
    expect(serialAfter(1, 2)).toBe(false);
    expect(serialAfter(1, 1)).toBe(false);
    expect(serialAfter(5, 2 ** 32 - 5)).toBe(true);
    expect(serialAfter(2 ** 32 - 5, 5)).toBe(false);
  });
});

describe.skipIf(noDig())("zone transfers seen by dig", () => {
  const zones = new ZoneSet();
  const big = Array.from(
    { length: 3000 },
    (_, i): ZoneRecord => ({
      name: `host${i}.big.example`,
      type: "A",
      ttl: 300,
      data: `10.0.${Math.floor(i / 256)}.${i % 256}`,
    }),
  );
  zones.set(exampleZone("example.org", 2026120101));
  zones.set(exampleZone("big.example", 7, big));
  let open: ZoneTransfers;
  let signed: ZoneTransfers;
  let openServer: DnsServer;
  let signedServer: DnsServer;

  beforeAll(async () => {
    const secondaries = [{ host: "127.0.0.1", port: 53 }];
    open = new ZoneTransfers({ zones, secondaries, key: null });
    signed = new ZoneTransfers({ zones, secondaries, key: KEY });
    openServer = await serve(zones, open);
    signedServer = await serve(zones, signed);
  });
  afterAll(async () => {
    await openServer.close();
    await signedServer.close();
  });

  it("AXFR: the SOA, every record, the SOA again", async () => {
    const { records } = await dig(openServer.tcpPort, ["example.org", "AXFR"]);
    expect(records[0]).toMatch(
      /^example\.org\. SOA ns1\.example\.org\. hostmaster\.example\.org\. 2026120101 /,
    );
    expect(records.at(-1)).toBe(records[0]);
    expect(records.slice(1, -1).sort()).toEqual(
      [
        'example.org. CAA 0 issue "letsencrypt.org"',
        "example.org. MX 10 mx.example.net.",
        "example.org. NS ns1.example.org.",
        'example.org. TXT "v=spf1 mx -all"',
        "_imaps._tcp.example.org. SRV 0 1 993 imap.example.net.",
        "mail.example.org. CNAME www.example.org.",
        "ns1.example.org. A 192.0.2.53",
        "www.example.org. AAAA 2001:db8::1",
      ].sort(),
    );
  });

  it("TSIG: dig's signed AXFR of a large zone comes in several messages, each verified by dig", async () => {
    const { records, output } = await dig(signedServer.tcpPort, ["-y", DIG_KEY, "big.example", "AXFR"]);
    expect(output).not.toMatch(/failed|tsig verify/i);
    expect(records).toHaveLength(3000 + 10);
    const messages = Number(/messages (\d+)/.exec(output)?.[1]);
    expect(messages).toBeGreaterThan(2);
  });

  it("TSIG: unsigned, wrong secret, or another key are not answered with the zone", async () => {
    const unsigned = await dig(signedServer.tcpPort, ["big.example", "AXFR"]);
    expect(unsigned.output).toMatch(/Transfer failed/);
    expect(unsigned.records).toEqual([]);
    const wrongSecret = await dig(signedServer.tcpPort, [
      "-y",
      `hmac-sha256:xfr-key:${Buffer.alloc(32, 7).toString("base64")}`,
      "example.org",
      "AXFR",
    ]);
    expect(wrongSecret.records).toEqual([]);
    const otherKey = await dig(signedServer.tcpPort, [
      "-y",
      `hmac-sha256:other:${KEY.secret.toString("base64")}`,
      "example.org",
      "AXFR",
    ]);
    expect(otherKey.records).toEqual([]);
  });

  it("TSIG: a signed SOA query (a secondary's serial check) gets a signed answer, over UDP and TCP", async () => {
    for (const transport of ["+notcp", "+tcp"]) {
      const { stdout } = await run("dig", [
        "@127.0.0.1",
        "-p",
        String(signedServer.udpPort),
        transport,
        "+tries=1",
        "-y",
        DIG_KEY,
        "example.org",
        "SOA",
      ]);
      expect(stdout).toMatch(/status: NOERROR/);
      expect(stdout).toMatch(
        /TSIG PSEUDOSECTION:\nxfr-key\.\s+0\s+ANY\s+TSIG\s+hmac-sha256\. \d+ 300 32 \S+ \d+ NOERROR 0/,
      );
      expect(stdout).not.toMatch(/verify|failure/i);
    }
    const { stdout } = await run("dig", [
      "@127.0.0.1",
      "-p",
      String(signedServer.udpPort),
      "+tries=1",
      "-y",
      `hmac-sha256:xfr-key:${Buffer.alloc(32, 7).toString("base64")}`,
      "example.org",
      "SOA",
    ]);
    expect(stdout).toMatch(/status: NOTAUTH/);
    expect(stdout).toMatch(/BADSIG/);
  });

  it("TSIG: the server checks the MAC, the key and the time (BADSIG, BADKEY, BADTIME)", () => {
    const request = query("example.org", "AXFR");
    const { signed: signedRequest } = signRequest(request, KEY, Date.now());
    expect(checkRequest(signedRequest, KEY).status).toBe("valid");
    const tampered = Buffer.from(signedRequest);
    tampered[13] = (tampered[13] as number) ^ 1; // a letter of the question
    expect(checkRequest(tampered, KEY)).toMatchObject({ status: "invalid", error: 16 });
    expect(checkRequest(signedRequest, { name: "another", secret: KEY.secret })).toMatchObject({ error: 17 });
    const old = signRequest(request, KEY, Date.now() - 301_000).signed;
    expect(checkRequest(old, KEY)).toMatchObject({ status: "invalid", error: 18 });
    expect(checkRequest(request, KEY).status).toBe("unsigned");
    const [answer] = signed.answer(tampered, { address: "127.0.0.1", transport: "tcp" });
    expect(rcodeOf(answer as Buffer)).toBe(RCODE.NOTAUTH);
  });

  it("IXFR: the SOA alone when up to date, the differences when kept, the whole zone otherwise", async () => {
    const before = zones.get("example.org") as Zone;
    const after = exampleZone("example.org", 2026120102, [
      { name: "new.example.org", type: "A", ttl: 300, data: "192.0.2.7" },
    ]);
    after.records = after.records.filter((r) => r.type !== "CAA");
    open.zoneChanged(before, after);
    zones.set(after);
    try {
      const upToDate = await dig(openServer.tcpPort, ["example.org", "IXFR=2026120102"]);
      expect(upToDate.records).toHaveLength(1);
      expect(upToDate.records[0]).toMatch(/ SOA .* 2026120102 /);

      const diff = await dig(openServer.tcpPort, ["example.org", "IXFR=2026120101"]);
      expect(diff.records.map((r) => r.replace(/ ns1.*? (\d+) .*$/, " $1"))).toEqual([
        "example.org. SOA 2026120102",
        "example.org. SOA 2026120101",
        'example.org. CAA 0 issue "letsencrypt.org"',
        "example.org. SOA 2026120102",
        "new.example.org. A 192.0.2.7",
        "example.org. SOA 2026120102",
      ]);

      const unknown = await dig(openServer.tcpPort, ["example.org", "IXFR=2026110101"]);
      expect(unknown.records).toHaveLength(after.records.length + 1);
      expect(unknown.records[1]).not.toMatch(/ SOA /);
    } finally {
      zones.set(before);
    }
  });
});
