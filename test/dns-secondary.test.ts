import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecondaries, type Secondaries } from "../src/dns/secondaries.js";
import { type DnsServer, startDnsServer } from "../src/dns/server.js";
import { parseTsigKey, type TsigKey } from "../src/dns/tsig.js";
import { type Zone, ZoneSet } from "../src/dns/zone.js";
import { type DomainApi, ownerWithDomain, randomLabel } from "./dns/hosted-domain.js";
import { freeDnsPort, type Nsd, skipWithoutNsd, startNsd } from "./dns/nsd.js";
import { exampleZone } from "./dns/zones.js";
import { TEST_DATABASE_URL, testDialect } from "./helpers/database.js";
import { type MfdProcess, newDataDir, startMfd, waitFor } from "./helpers/mfd-process.js";
import { WAIT_MS } from "./helpers/patience.js";
import { ephemeralPorts } from "./helpers/server.js";

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

describe("a port picked for a server started later (freePort)", () => {
  it("lies below the kernel's ephemeral range, where no outgoing connection takes it before the server binds it", async () => {
    const { low } = ephemeralPorts();
    for (let i = 0; i < 20; i++) expect(await freeDnsPort()).toBeLessThan(low);
  });
});

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

describe.skipIf(skipWithoutNsd())(
  `secondaries: NSD as the secondary of a real \`mfd serve --roles web,dns\` on ${testDialect === "postgres" ? "PostgreSQL" : "SQLite"}`,
  () => {
    const dataDir = newDataDir();
    const databaseName = `xfr_${randomLabel(6)}`;
    const admin = testDialect === "postgres" ? new pg.Client({ connectionString: TEST_DATABASE_URL }) : null;
    let databaseUrl = "";
    const domains = [`xfr-${randomLabel()}.org`, `xfr-${randomLabel()}.net`];
    const apis = new Map<string, DomainApi>();
    let mfd: MfdProcess;
    let nsd: Nsd;
    let udpPort = 0;
    let tcpPort = 0;

    beforeAll(async () => {
      if (admin) {
        await admin.connect();
        await admin.query(`create database ${databaseName}`);
        const url = new URL(TEST_DATABASE_URL);
        url.pathname = `/${databaseName}`;
        databaseUrl = url.toString();
      }
      const nsdPort = await freeDnsPort();
      mfd = await startMfd(
        dataDir,
        {
          MFD_SERVICE_DOMAIN: "xfr.example",
          // Transfers and acknowledged NOTIFYs are logged at info.
          MFD_LOG_LEVEL: "info",
          MFD_DNS_SECONDARIES: `127.0.0.1:${nsdPort}`,
          MFD_DNS_TSIG_KEY: `${KEY.name}:${KEY.secret.toString("base64")}`,
          ...(databaseUrl ? { MFD_DATABASE_URL: databaseUrl } : {}),
        },
        ["serve", "--roles", "web,dns"],
      );
      const ports = await waitFor("mfd's DNS server", () =>
        /mfd dns answering on \S+ UDP (\d+) TCP (\d+)/.exec(mfd.output()),
      );
      udpPort = Number(ports[1]);
      tcpPort = Number(ports[2]);
      expect(udpPort).toBe(tcpPort); // dig asks both over one port
      expect(mfd.output()).toContain(`transfers and NOTIFY to 127.0.0.1:${nsdPort} signed with ${KEY.name}`);
      // Each domain gets its zone with its first record, made through the API.
      for (const [i, domain] of domains.entries()) {
        const api = await ownerWithDomain(mfd, { url: databaseUrl, dataDir }, domain);
        apis.set(domain, api);
        for (const record of [
          { name: "www", type: "A", data: `192.0.2.${i + 1}` },
          { name: "www", type: "AAAA", data: `2001:db8::${i + 1}` },
          { name: "@", type: "TXT", data: '"hello from mfd"' },
          { name: "_sip._tcp", type: "SRV", data: "10 5 5060 sip.example.org." },
        ]) {
          const created = await api("POST", "/dns/records", record);
          expect(created.status, await created.clone().text()).toBe(201);
        }
        await waitFor(`mfd to serve ${domain}`, async () => (await soaSerial(udpPort, domain)) !== undefined);
      }
      nsd = await startNsd({
        port: nsdPort,
        primary: { host: "127.0.0.1", port: tcpPort },
        zones: domains,
        key: KEY,
      });
    });
    afterAll(async () => {
      await nsd?.stop();
      await mfd?.stop();
      if (admin) {
        await admin.query(`drop database if exists ${databaseName} with (force)`);
        await admin.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    });

    const nsdFollows = async (domain: string) => {
      const serial = await soaSerial(udpPort, domain);
      await waitFor(
        `NSD to hold ${domain} at serial ${serial}`,
        async () => (await soaSerial(nsd.port, domain)) === serial,
        WAIT_MS,
      ).catch((error) => {
        throw new Error(`${error.message}\n${nsd.log()}\n${mfd.output()}`);
      });
    };

    it("NSD transfers every zone, and after a change through the API and its NOTIFY answers every record as mfd does", async () => {
      for (const domain of domains) {
        await nsdFollows(domain);
        await compareEveryRecord(nsd.port, tcpPort, domain);
      }
      const [domain] = domains as [string];
      const api = apis.get(domain) as DomainApi;
      const before = (await soaSerial(udpPort, domain)) as number;
      const list = (await (await api("GET", "/dns/records")).json()) as Array<{
        id: string;
        name: string;
        type: string;
      }>;
      const www = list.find((r) => r.name === "www" && r.type === "A");
      expect(www).toBeDefined();
      const changed = await api("PATCH", `/dns/records/${www?.id}`, { data: "198.51.100.7" });
      expect(changed.status, await changed.clone().text()).toBe(200);
      const added = await api("POST", "/dns/records", { name: "new", type: "A", data: "198.51.100.8" });
      expect(added.status).toBe(201);
      await waitFor(
        "mfd to serve the change",
        async () => ((await soaSerial(udpPort, domain)) ?? 0) > before,
      );
      // NSD's SOA refresh is an hour away: only the NOTIFY brings the change this soon.
      await nsdFollows(domain);
      const spot = await answers(nsd.port, [`www.${domain} A`, `new.${domain} A`]);
      expect(spot.get(`www.${domain}. A`)).toEqual(["3600 198.51.100.7"]);
      expect(spot.get(`new.${domain}. A`)).toEqual(["3600 198.51.100.8"]);
      for (const each of domains) await compareEveryRecord(nsd.port, tcpPort, each);
      const logged = () =>
        mfd
          .output()
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      await waitFor(
        "the NOTIFY to be acknowledged",
        () => logged().some((e) => e.msg === "NOTIFY acknowledged" && e.zone === domain),
        WAIT_MS,
      );
      // NSD asked for the difference since its serial, signed, and got it rather than the whole zone.
      expect(logged()).toContainEqual(
        expect.objectContaining({
          msg: "zone transfer",
          zone: domain,
          type: "IXFR",
          from: before,
          incremental: true,
          signed: true,
        }),
      );
      expect(mfd.output()).not.toMatch(/NOTIFY failed|zone transfer refused/);
    });

    it("a disconnected domain's zone stops being served, is no longer transferred and not notified", async () => {
      const domain = domains[1] as string;
      const api = apis.get(domain) as DomainApi;
      const gone = await api("DELETE", "", { confirm: domain });
      expect(gone.status, await gone.clone().text()).toBe(204);
      await waitFor(
        "mfd to stop serving the zone",
        async () => (await soaSerial(udpPort, domain)) === undefined,
      );
      const refused = await run("dig", ["@127.0.0.1", "-p", String(udpPort), "+norec", domain, "SOA"]);
      expect(refused.stdout).toMatch(/status: REFUSED/);
      const transfer = await dig(tcpPort, ["+tcp", "-y", DIG_KEY, domain, "AXFR"]);
      expect(transfer).not.toMatch(/\sSOA\s/);
      // The other zone is still served and still transferred.
      await compareEveryRecord(nsd.port, tcpPort, domains[0] as string);
      expect(mfd.output()).not.toMatch(/NOTIFY failed/);
    });
  },
);
