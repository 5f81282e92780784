import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecondaries, type Secondaries } from "../src/dns/secondaries.js";
import { type DnsServer, startDnsServer } from "../src/dns/server.js";
import { parseTsigKey, type TsigKey } from "../src/dns/tsig.js";
import { type Zone, ZoneSet } from "../src/dns/zone.js";
import { freeDnsPort, type Nsd, skipWithoutNsd, startNsd } from "./dns/nsd.js";
import { exampleZone } from "./dns/zones.js";
import { waitFor } from "./helpers/mfd-process.js";
import { WAIT_MS } from "./helpers/patience.js";

const run = promisify(execFile);
const KEY = parseTsigKey("mfd-xfr:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0zMg==") as TsigKey;
const DIG_KEY = `hmac-sha256:${KEY.name}:${KEY.secret.toString("base64")}`;
const ORIGINS = ["example.org", "example.net", "big.example"];

/** dig's answer lines grouped by `name type`, each group's `ttl data` sorted. */
function grouped(stdout: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const line of stdout.split("\n")) {
    if (line === "" || line.startsWith(";")) continue;
    const [name, ttl, , type, ...data] = line.split(/\s+/);
    if (type === "TSIG") continue;
    const key = `${name} ${type}`;
    groups.set(key, [...(groups.get(key) ?? []), `${ttl} ${data.join(" ")}`].sort());
  }
  return groups;
}

const dig = async (port: number, args: string[]) =>
  (
    await run("dig", ["@127.0.0.1", "-p", String(port), "+tries=2", "+noall", "+answer", ...args], {
      maxBuffer: 64 * 1024 * 1024,
    })
  ).stdout;

/** Asks the server every `name type` (many per dig run: one process per record takes minutes). */
async function answers(port: number, rrsets: string[]): Promise<Map<string, string[]>> {
  const all = new Map<string, string[]>();
  for (let i = 0; i < rrsets.length; i += 200) {
    const questions = rrsets.slice(i, i + 200).flatMap((rrset) => ["+norec", ...rrset.split(" ")]);
    for (const [key, values] of grouped(await dig(port, questions))) all.set(key, values);
  }
  return all;
}

const soaSerial = async (port: number, origin: string): Promise<number | undefined> => {
  const soa = (await answers(port, [`${origin} SOA`])).get(`${origin}. SOA`)?.[0];
  return soa ? Number(soa.split(" ")[3]) : undefined;
};

/**
 * Every record of the zone as NSD answers it, compared with the zone as we transfer it (dig's AXFR
 * of our primary) and with mfd's answers to the same questions, all printed by dig.
 */
async function compareEveryRecord(nsdPort: number, primaryPort: number, origin: string) {
  const ours = grouped(await dig(primaryPort, ["+tcp", "-y", DIG_KEY, origin, "AXFR"]));
  const soa = ours.get(`${origin}. SOA`);
  if (soa) ours.set(`${origin}. SOA`, [...new Set(soa)]); // AXFR carries the SOA twice
  const theirs = await answers(nsdPort, [...ours.keys()]);
  const mfds = await answers(primaryPort, [...ours.keys()]);
  expect(theirs.size).toBe(ours.size);
  expect(Object.fromEntries(theirs)).toEqual(Object.fromEntries(ours));
  // And what mfd's own server answers to the same questions is the same.
  expect(Object.fromEntries(mfds)).toEqual(Object.fromEntries(theirs));
}

describe.skipIf(skipWithoutNsd())(
  "secondaries: Debian's NSD transfers our zones, signed, and follows NOTIFY",
  () => {
    const zones = new ZoneSet();
    const big = Array.from({ length: 2000 }, (_, i) => ({
      name: `host${i}.big.example`,
      type: "A" as const,
      ttl: 300,
      data: `10.1.${Math.floor(i / 256)}.${i % 256}`,
    }));
    const logged: Array<Record<string, unknown> & { message: string }> = [];
    const log = {
      info: (details: object, message: string) => logged.push({ ...details, message }),
      warn: (details: object, message: string) => logged.push({ ...details, message }),
    };
    let secondaries: Secondaries;
    let primary: DnsServer;
    let nsd: Nsd;

    beforeAll(async () => {
      const nsdPort = await freeDnsPort();
      secondaries = createSecondaries({
        zones,
        secondaries: [{ host: "127.0.0.1", port: nsdPort }],
        key: KEY,
        log,
      });
      secondaries.setZone(exampleZone("example.org", 2026120101));
      secondaries.setZone(exampleZone("example.net", 1));
      secondaries.setZone(exampleZone("big.example", 5, big));
      primary = await startDnsServer({
        zones,
        host: "127.0.0.1",
        port: 0,
        log: (message, error) => logged.push({ message, error }),
        onTransfer: secondaries.onTransfer,
      });
      nsd = await startNsd({
        port: nsdPort,
        primary: { host: "127.0.0.1", port: primary.tcpPort },
        zones: ORIGINS,
        key: KEY,
      });
    });
    afterAll(async () => {
      await nsd?.stop();
      await secondaries?.close();
      await primary?.close();
    });

    it("NSD transfers every zone and answers every record as we hold it", async () => {
      for (const origin of ORIGINS) {
        const zone = zones.get(origin) as Zone;
        await waitFor(
          `NSD to transfer ${origin}`,
          async () => (await soaSerial(nsd.port, origin)) === zone.serial,
          WAIT_MS,
        ).catch((error) => {
          throw new Error(`${error.message}\n${nsd.log()}`);
        });
        await compareEveryRecord(nsd.port, primary.tcpPort, origin);
      }
      const spot = await answers(nsd.port, ["www.example.org AAAA", "host1999.big.example A"]);
      expect(spot.get("www.example.org. AAAA")).toEqual(["300 2001:db8::1"]);
      expect(spot.get("host1999.big.example. A")).toEqual(["300 10.1.7.207"]);
    });

    it("a changed record reaches NSD through NOTIFY and IXFR, long before its SOA refresh", async () => {
      const before = zones.get("example.org") as Zone;
      const changed = exampleZone("example.org", 2026120102);
      changed.records = changed.records.map((r) =>
        r.name === "www.example.org" && r.type === "AAAA" ? { ...r, data: "2001:db8::2" } : r,
      );
      changed.records.push({ name: "new.example.org", type: "A", ttl: 300, data: "192.0.2.99" });
      expect(before.serial).toBe(2026120101);
      secondaries.setZone(changed);
      await waitFor(
        "NSD to take the change",
        async () => (await soaSerial(nsd.port, "example.org")) === 2026120102,
        WAIT_MS,
      ).catch((error) => {
        throw new Error(`${error.message}\n${nsd.log()}`);
      });
      const spot = await answers(nsd.port, ["www.example.org AAAA", "new.example.org A"]);
      expect(spot.get("www.example.org. AAAA")).toEqual(["300 2001:db8::2"]);
      expect(spot.get("new.example.org. A")).toEqual(["300 192.0.2.99"]);
      await compareEveryRecord(nsd.port, primary.tcpPort, "example.org");
      await secondaries.settled();
      expect(logged).toContainEqual(
        expect.objectContaining({ message: "NOTIFY acknowledged", zone: "example.org" }),
      );
      // NSD asked for the difference since its serial and got it, not the whole zone.
      expect(logged).toContainEqual(
        expect.objectContaining({
          message: "zone transfer",
          type: "IXFR",
          from: 2026120101,
          incremental: true,
          signed: true,
        }),
      );
      expect(
        logged.filter((e) => e.message !== "zone transfer" && e.message !== "NOTIFY acknowledged"),
      ).toEqual([]);
    });
  },
);
