import { describe, expect, it } from "vitest";
import { createDomainWorld } from "../../test/dns/fixtures.js";
import { storedSerial } from "../../test/dns/zones.js";
import { type Client, registerAccount, SERVICE_DOMAIN } from "../../test/helpers/app.js";
import { confirmedDomain } from "../../test/helpers/domains.js";

/** Zone-file import (dry run and real) and export through the API, on a real database. */
const { t } = await createDomainWorld();
let ip = 0;
const newOwner = async () => {
  const owner = await registerAccount(t, {}, `203.0.113.${++ip % 250}`);
  const domain = await confirmedDomain(t, owner.accountId);
  // The first change makes the zone with its starting records (NS, MX, SPF, DMARC, DKIM).
  const first = await owner.client.post(`/api/v1/domains/${domain.name}/dns/records`, {
    name: "www",
    type: "A",
    data: "192.0.2.1",
  });
  expect(first.statusCode, first.body).toBe(201);
  return { ...owner, ...domain };
};
const list = async (client: Client, name: string) =>
  (await client.get(`/api/v1/domains/${name}/dns/records`)).json() as Array<{
    name: string;
    type: string;
    ttl: number;
    data: string;
  }>;
const serialOf = (domainId: string) => storedSerial(t.db, domainId);
const importZone = (client: Client, name: string, zone: string, dryRun: boolean) =>
  client.post(`/api/v1/domains/${name}/dns/import`, { zone, dryRun });

const FILE = [
  "$TTL 1h",
  "@ IN SOA ns1.old-host.net. admin.old-host.net. ( 2024010101 7200 3600 1209600 300 )",
  "@ IN NS ns1.old-host.net.",
  "www IN A 192.0.2.1 ; already there",
  "www IN AAAA 2001:db8::1",
  "mail 300 IN A 192.0.2.25",
  "blog IN CNAME www",
  "blog IN A 192.0.2.9",
  "short 10 IN A 192.0.2.10",
  "_sip._tcp IN SRV 10 60 5060 sip.old-host.net.",
  'txt IN TXT "one string" "two strings"',
  "broken IN MX mail",
].join("\n");

describe("zone-file import", () => {
  it("reports in a dry run exactly what the import then does, and changes nothing before", async () => {
    const { client, name, domainId } = await newOwner();
    const before = await list(client, name);
    const serial = await serialOf(domainId);

    const dry = await importZone(client, name, FILE, true);
    expect(dry.statusCode, dry.body).toBe(200);
    const report = dry.json();
    expect(report.added).toBe(5); // AAAA, mail A, blog CNAME, SRV, TXT
    expect(report.unchanged).toBe(1);
    expect(report.skipped.map((s: { line: number; code: string }) => [s.line, s.code])).toEqual([
      [2, "RECORD_TYPE_NOT_ALLOWED"], // SOA: mfd's
      [3, "RECORD_TYPE_NOT_ALLOWED"], // the apex NS: mfd's name servers
      [8, "CNAME_CONFLICT"], // blog has the CNAME of line 7
      [9, "TTL_OUT_OF_RANGE"],
      [12, "INVALID_RECORD_DATA"],
    ]);
    expect(await list(client, name)).toEqual(before);
    expect(await serialOf(domainId)).toBe(serial);

    t.clock.advance(2000);
    const real = await importZone(client, name, FILE, false);
    expect(real.json()).toEqual(report);
    const after = await list(client, name);
    expect(after).toHaveLength(before.length + 5);
    expect(after.map((r) => `${r.name} ${r.type} ${r.ttl} ${r.data}`)).toEqual(
      expect.arrayContaining([
        "www AAAA 3600 2001:db8::1",
        "mail A 300 192.0.2.25",
        `blog CNAME 3600 www.${name}.`,
        "_sip._tcp SRV 3600 10 60 5060 sip.old-host.net.",
        'txt TXT 3600 "one string" "two strings"',
      ]),
    );
    expect(await serialOf(domainId)).toBeGreaterThan(serial);

    // The same file again adds nothing and leaves the serial alone.
    const serialAfter = await serialOf(domainId);
    const again = (await importZone(client, name, FILE, false)).json();
    expect(again.added).toBe(0);
    expect(again.unchanged).toBe(6);
    expect(await serialOf(domainId)).toBe(serialAfter);
  });

  it("audits each imported record as a record created", async () => {
    const { client, name, domainId } = await newOwner();
    await importZone(client, name, "a1 A 192.0.2.1\na2 A 192.0.2.2\n", false);
    // Record changes are the domain's events (its activity page), like mailbox changes.
    const events = await t.db
      .selectFrom("auditEvents")
      .select(["action", "target"])
      .where("domainId", "=", domainId)
      .where("action", "=", "dns.record.create")
      .execute();
    expect(events.map((e) => e.target)).toEqual(expect.arrayContaining(["a1 A", "a2 A"]));
  });

  it("refuses a body over the limit and a field it does not know", async () => {
    const { client, name } = await newOwner();
    expect((await client.post(`/api/v1/domains/${name}/dns/import`, { zone: "", extra: 1 })).statusCode).toBe(
      400,
    );
    const huge = "x A 192.0.2.1\n".repeat(200_000);
    expect((await importZone(client, name, huge, true)).statusCode).toBe(413);
  });
});

describe("zone-file export", () => {
  it("is the zone as served, SOA first, and imports back to nothing new", async () => {
    const { client, name } = await newOwner();
    await importZone(client, name, FILE, false);
    const response = await client.get(`/api/v1/domains/${name}/dns/export`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(response.headers["content-disposition"]).toBe(`attachment; filename="${name}.zone"`);
    const lines = response.body.split("\n");
    expect(lines.slice(0, 2)).toEqual([`$ORIGIN ${name}.`, "$TTL 3600"]);
    expect(lines[2]).toMatch(
      new RegExp(`^@ +3600 IN SOA +ns1\\.${SERVICE_DOMAIN}\\. hostmaster\\.${SERVICE_DOMAIN}\\. \\d+ `),
    );
    expect(lines.some((line) => new RegExp(`^@ +3600 IN NS +ns1\\.${SERVICE_DOMAIN}\\.$`).test(line))).toBe(
      true,
    );

    const back = (await importZone(client, name, response.body, true)).json();
    const records = await list(client, name);
    expect(back.added).toBe(0);
    // Everything but the SOA and the apex NS (skipped as mfd's) is already there.
    expect(back.unchanged).toBe(records.filter((r) => !(r.type === "NS" && r.name === "@")).length);
  });
});
