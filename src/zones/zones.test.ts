import { describe, expect, it } from "vitest";
import {
  checkNow,
  connectDomain,
  createDomainWorld,
  publishTxt,
  runDomainJob,
  uniqueDomain,
} from "../../test/dns/fixtures.js";
import { storedSerial } from "../../test/dns/zones.js";
import { type Client, registerAccount, SERVICE_DOMAIN } from "../../test/helpers/app.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import { operatorContext } from "../access/actor.js";
import { parseRdata } from "../dns/rdata.js";
import { isSealed, openSecret } from "../lib/secret-box.js";
import { loadAllZones, loadZone } from "./zone-data.js";

const { t, internet } = await createDomainWorld();
let ipCounter = 0;
const newAccount = () => registerAccount(t, {}, `198.51.100.${++ipCounter % 250}`);

interface RecordView {
  id: string;
  name: string;
  fqdn: string;
  type: string;
  ttl: number;
  data: string;
}
const records = async (client: Client, name: string): Promise<RecordView[]> => {
  const response = await client.get(`/api/v1/domains/${name}/dns/records`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
const add = (client: Client, domain: string, body: Record<string, unknown>) =>
  client.post(`/api/v1/domains/${domain}/dns/records`, body);
const serialOf = (domainId: string) => storedSerial(t.db, domainId);

describe("a confirmed domain's zone", () => {
  it("is made at confirmation with NS, MX, SPF, DMARC and a DKIM key, the private half sealed", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    publishTxt(internet, await connectDomain(client, name));
    expect((await checkNow(client, name)).statusCode).toBe(200);
    const list = await records(client, name);
    const brief = list.map((r) => `${r.name} ${r.type} ${r.type === "TXT" ? r.data.slice(0, 20) : r.data}`);
    expect(brief).toEqual(
      expect.arrayContaining([
        `@ NS ns1.${SERVICE_DOMAIN}.`,
        `@ NS ns2.${SERVICE_DOMAIN}.`,
        `@ MX 10 mx.${SERVICE_DOMAIN}.`,
        '@ TXT "v=spf1 mx -all"',
        '_dmarc TXT "v=DMARC1; p=none"',
      ]),
    );
    const domain = await t.db
      .selectFrom("domains")
      .select("id")
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    const key = await t.db
      .selectFrom("dkimKeys")
      .selectAll()
      .where("domainId", "=", domain.id)
      .executeTakeFirstOrThrow();
    expect(isSealed(key.privateKey)).toBe(true);
    expect(openSecret(t.config, key.privateKey)).toContain("BEGIN PRIVATE KEY");
    const dkim = list.find((r) => r.name === `${key.selector}._domainkey`) as RecordView;
    // Over 255 bytes: published as several strings that join to the key.
    const parsed = parseRdata("TXT", dkim.data, name);
    expect(parsed.ok && parsed.data.length).toBeGreaterThan(1);
    expect(parsed.ok && Buffer.concat(parsed.data).toString()).toBe(`v=DKIM1; k=rsa; p=${key.publicKey}`);
    const zone = await loadZone(t.db, t.config, domain.id);
    expect(zone?.records[0]).toMatchObject({ name, type: "SOA", data: { mname: `ns1.${SERVICE_DOMAIN}` } });
    expect(zone?.records).toHaveLength(list.length + 1);
  });

  it("is made as well when the background check confirms the domain", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    publishTxt(internet, await connectDomain(client, name));
    // The first background check of a claim is due a minute after connecting.
    t.clock.advance(2 * 60_000);
    await runDomainJob(t);
    const types = (await records(client, name)).map((r) => `${r.name} ${r.type}`);
    expect(types).toEqual(expect.arrayContaining(["@ NS", "@ MX", "@ TXT", "_dmarc TXT"]));
  });

  it("gets a new DKIM key from `mfd dkim rotate`, the old record kept and its key no longer active", async () => {
    const account = await newAccount();
    const { name, domainId } = await confirmedDomain(t, account.accountId);
    // The zone comes with the first change (a domain confirmed before zones existed).
    expect((await add(account.client, name, { name: "www", type: "A", data: "192.0.2.1" })).statusCode).toBe(
      201,
    );
    const before = await serialOf(domainId);
    t.clock.advance(1000);
    const ctx = operatorContext("mfd dkim rotate", t.clock.now());
    const first = await t.modules.zones.rotateDkim(ctx, name.toUpperCase());
    expect(first.retired).toHaveLength(1);
    const second = await t.modules.zones.rotateDkim(ctx, name);
    expect(second.selector).not.toBe(first.selector);
    expect(second.retired).toEqual([first.selector]);
    const keys = await t.db
      .selectFrom("dkimKeys")
      .select(["selector", "active"])
      .where("domainId", "=", domainId)
      .execute();
    expect(keys.filter((k) => k.active === 1).map((k) => k.selector)).toEqual([second.selector]);
    expect(keys).toHaveLength(3);
    const published = (await records(account.client, name)).filter((r) => r.name.endsWith("._domainkey"));
    expect(published).toHaveLength(3);
    expect(await serialOf(domainId)).toBeGreaterThan(before);
    await expect(t.modules.zones.rotateDkim(ctx, "nowhere.example.org")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("is not made for a claim that is not confirmed, and never loaded for serving", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    await connectDomain(client, name);
    expect((await client.get(`/api/v1/domains/${name}/dns/records`)).statusCode).toBe(404);
    const served = [...(await loadAllZones(t.db, t.config)).values()].map((z) => z.origin);
    expect(served).not.toContain(name);
  });

  it("goes with its records and keys when the domain is disconnected", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    publishTxt(internet, await connectDomain(client, name));
    await checkNow(client, name);
    const domain = await t.db
      .selectFrom("domains")
      .select("id")
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    expect((await client.delete(`/api/v1/domains/${name}`, { confirm: name })).statusCode).toBe(204);
    for (const table of ["zones", "dnsRecords", "dkimKeys"] as const) {
      const left = await t.db
        .selectFrom(table)
        .select("domainId")
        .where("domainId", "=", domain.id)
        .execute();
      expect(left, table).toEqual([]);
    }
  });
});

describe("records API", () => {
  it("adds, lists, changes and deletes records; each change moves the serial and is audited", async () => {
    const account = await newAccount();
    const { name, domainId } = await confirmedDomain(t, account.accountId);
    const created = await add(account.client, name, { name: "www", type: "A", data: "192.0.2.1" });
    expect(created.statusCode, created.body).toBe(201);
    const record = created.json() as RecordView;
    expect(record).toMatchObject({
      name: "www",
      fqdn: `www.${name}`,
      type: "A",
      ttl: 3600,
      data: "192.0.2.1",
    });
    const first = await serialOf(domainId);

    const mx = await add(account.client, name, { name: "@", type: "MX", ttl: 300, data: "20 mail" });
    expect(mx.json()).toMatchObject({ name: "@", fqdn: name, data: `20 mail.${name}.`, ttl: 300 });
    expect(await serialOf(domainId)).toBeGreaterThan(first);

    const changed = await account.client.patch(`/api/v1/domains/${name}/dns/records/${record.id}`, {
      name: "web",
      data: "192.0.2.2",
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ id: record.id, name: "web", data: "192.0.2.2" });
    const removed = await account.client.delete(`/api/v1/domains/${name}/dns/records/${record.id}`);
    expect(removed.statusCode).toBe(204);
    expect((await account.client.delete(`/api/v1/domains/${name}/dns/records/${record.id}`)).statusCode).toBe(
      404,
    );
    const listed = (await records(account.client, name)).map((r) => `${r.name} ${r.type}`);
    expect(listed).toContain("@ MX");
    expect(listed).not.toContain("web A");

    const actions = await t.db
      .selectFrom("auditEvents")
      .select(["action", "target"])
      .where("domainId", "=", domainId)
      .orderBy("id")
      .execute();
    expect(actions).toEqual([
      { action: "dns.record.create", target: "www A" },
      { action: "dns.record.create", target: "@ MX" },
      { action: "dns.record.update", target: "web A" },
      { action: "dns.record.delete", target: "web A" },
    ]);
    const activity = await account.client.get(`/api/v1/domains/${name}/activity`);
    expect(activity.statusCode, activity.body).toBe(200);
    expect(JSON.stringify(activity.json())).toContain("dns.record.update");
  });

  it("refuses with precise codes", async () => {
    const account = await newAccount();
    const { name } = await confirmedDomain(t, account.accountId);
    const refusal = async (body: Record<string, unknown>) => {
      const response = await add(account.client, name, body);
      return { status: response.statusCode, code: response.json().code, field: response.json().field };
    };
    expect(await refusal({ name: "@", type: "CNAME", data: "example.net." })).toMatchObject({
      status: 400,
      code: "CNAME_AT_APEX",
    });
    expect((await add(account.client, name, { name: "www", type: "A", data: "192.0.2.1" })).statusCode).toBe(
      201,
    );
    expect(await refusal({ name: "www", type: "A", data: "192.0.2.1" })).toMatchObject({
      status: 409,
      code: "DUPLICATE_RECORD",
    });
    expect(await refusal({ name: "www", type: "CNAME", data: "example.net." })).toMatchObject({
      status: 409,
      code: "CNAME_CONFLICT",
    });
    expect((await add(account.client, name, { name: "alias", type: "CNAME", data: "www" })).statusCode).toBe(
      201,
    );
    expect(await refusal({ name: "alias", type: "TXT", data: "hello" })).toMatchObject({
      code: "CNAME_CONFLICT",
    });
    expect(await refusal({ name: "x", type: "A", ttl: 59, data: "192.0.2.1" })).toMatchObject({
      code: "TTL_OUT_OF_RANGE",
      field: "ttl",
    });
    expect(await refusal({ name: "x", type: "A", ttl: 604_801, data: "192.0.2.1" })).toMatchObject({
      code: "TTL_OUT_OF_RANGE",
    });
    expect(await refusal({ name: "a".repeat(64), type: "A", data: "192.0.2.1" })).toMatchObject({
      code: "LABEL_TOO_LONG",
      field: "name",
    });
    expect(await refusal({ name: `${"a.".repeat(120)}b`, type: "A", data: "192.0.2.1" })).toMatchObject({
      code: "NAME_TOO_LONG",
    });
    expect(await refusal({ name: "x", type: "MX", data: "mail" })).toMatchObject({
      code: "INVALID_RECORD_DATA",
      field: "data",
    });
    const srv = await add(account.client, name, { name: "_sip._tcp", type: "SRV", data: "10 5 99999 sip" });
    expect(srv.json()).toMatchObject({ code: "INVALID_RECORD_DATA", field: "data", dataField: "port" });
    expect(await refusal({ name: "x", type: "CAA", data: '0 badtag "x"' })).toMatchObject({
      code: "INVALID_RECORD_DATA",
    });
    expect(await refusal({ name: "@", type: "SOA", data: "a b 1 2 3 4 5" })).toMatchObject({
      code: "RECORD_TYPE_NOT_ALLOWED",
    });
    expect(await refusal({ name: "@", type: "NS", data: "ns.example.net." })).toMatchObject({
      code: "RECORD_TYPE_NOT_ALLOWED",
    });
    expect(await refusal({ name: "www.example.net.", type: "A", data: "192.0.2.1" })).toMatchObject({
      code: "INVALID_RECORD_DATA",
      field: "name",
    });
    // A delegation below the domain is allowed; so is a long TXT, split into strings.
    expect(
      (await add(account.client, name, { name: "sub", type: "NS", data: "ns.example.net." })).statusCode,
    ).toBe(201);
    const long = await add(account.client, name, { name: "long", type: "TXT", data: "z".repeat(300) });
    expect(long.json().data).toBe(`"${"z".repeat(255)}" "${"z".repeat(45)}"`);
  });

  it("lets a deputy in only with DNS granted while delegated, and tokens by their permissions", async () => {
    const owner = await newAccount();
    const deputy = await newAccount();
    const { name, domainId } = await confirmedDomain(t, owner.accountId, uniqueDomain(), { delegated: true });
    await t.db
      .insertInto("deputies")
      .values({ domainId, accountId: deputy.accountId, dnsGranted: 0, createdAt: t.clock.now() })
      .execute();
    expect((await deputy.client.get(`/api/v1/domains/${name}/dns/records`)).statusCode).toBe(403);
    await t.db.updateTable("deputies").set({ dnsGranted: 1 }).where("domainId", "=", domainId).execute();
    expect((await add(deputy.client, name, { name: "d", type: "A", data: "192.0.2.9" })).statusCode).toBe(
      201,
    );
    await t.db.updateTable("domains").set({ delegated: 0 }).where("id", "=", domainId).execute();
    expect((await add(deputy.client, name, { name: "e", type: "A", data: "192.0.2.9" })).statusCode).toBe(
      403,
    );
    const stranger = await newAccount();
    expect((await stranger.client.get(`/api/v1/domains/${name}/dns/records`)).statusCode).toBe(404);
  });
});
