import pg from "pg";
import { describe, expect, it } from "vitest";
import { storedSerial } from "../../test/dns/zones.js";
import { createTestApp, registerAccount } from "../../test/helpers/app.js";
import { TEST_DATABASE_URL, testDialect } from "../../test/helpers/database.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import { ZoneSet } from "../dns/zone.js";
import { runJob } from "../jobs/worker.js";
import { JOBS } from "../modules.js";
import { notified, ZoneSync } from "./dns.role.js";
import { loadZone, type ZoneChange } from "./zone-data.js";
import { parseZoneNotification, ZONE_CHANNEL } from "./zones.service.js";

const t = await createTestApp();

const addressesOf = (zones: ZoneSet, name: string) =>
  zones
    .find(name)
    ?.records.filter((r) => r.name === name && r.type === "A")
    .map((r) => r.data) ?? [];

/** `target` with some members replaced; the others still act on `target` itself (private fields). */
const forwarding = <T extends object>(target: T, overrides: Record<string, unknown>): T =>
  new Proxy(target, {
    get(object, key) {
      if (typeof key === "string" && key in overrides) return overrides[key];
      const value = Reflect.get(object, key);
      return typeof value === "function" ? value.bind(object) : value;
    },
  });

/**
 * A ZoneSync as the dns role makes it, on a database whose prepared reads each go through
 * `around` (which runs the read, and may do more before or after it); a logged failure fails.
 */
function watchedSync(around: (read: () => Promise<unknown>) => Promise<unknown>, zones = new ZoneSet()) {
  const executor = t.deps.database.db.getExecutor();
  const watched = forwarding(executor, {
    provideConnection: (consumer: Parameters<typeof executor.provideConnection>[0]) =>
      around(() => executor.provideConnection(consumer)),
  });
  const db = forwarding(t.deps.database.db, { getExecutor: () => watched });
  return new ZoneSync({ ...t.deps, database: { ...t.deps.database, db } }, zones, (message, error) => {
    throw new Error(`${message}: ${error}`);
  });
}

describe("ZoneSync", () => {
  it("follows changes made elsewhere through the catch-up alone, and drops a zone that is gone", async () => {
    const owner = await registerAccount(t);
    const { name, domainId } = await confirmedDomain(t, owner.accountId);
    const zones = new ZoneSet();
    // No in-process event reaches this one: as another process on the same database.
    const changes: string[] = [];
    const sync = new ZoneSync(
      t.deps,
      zones,
      () => {},
      (previous, next) => changes.push(`${previous?.serial ?? "-"} → ${next?.serial ?? "-"}`),
    );
    await sync.loadAll();
    expect(zones.find(name)).toBeUndefined();
    expect(changes).toEqual([]);

    const created = await owner.client.post(`/api/v1/domains/${name}/dns/records`, {
      name: "www",
      type: "A",
      data: "192.0.2.1",
    });
    expect(created.statusCode).toBe(201);
    await sync.catchUp();
    expect(addressesOf(zones, `www.${name}`)).toEqual(["192.0.2.1"]);
    const serial = zones.find(name)?.serial as number;

    t.clock.advance(1000);
    const { id } = created.json();
    await owner.client.patch(`/api/v1/domains/${name}/dns/records/${id}`, { data: "192.0.2.2" });
    await sync.catchUp();
    expect(addressesOf(zones, `www.${name}`)).toEqual(["192.0.2.2"]);
    expect(zones.find(name)?.serial).toBeGreaterThan(serial);

    await t.db.transaction().execute((tx) => t.modules.zones.deleteZone(tx, domainId));
    await sync.catchUp();
    expect(zones.find(name)).toBeUndefined();
    // Told of each version in turn, for IXFR differences and NOTIFY.
    expect(changes).toHaveLength(3);
    expect(changes[0]).toMatch(/^- → \d+$/);
    expect(changes[2]).toMatch(/^\d+ → -$/);
  });

  it("applies a change made in this process to the zone it serves, as a re-read would have it, and re-reads a zone changed elsewhere meanwhile", async () => {
    const owner = await registerAccount(t);
    const { name, domainId } = await confirmedDomain(t, owner.accountId);
    const zones = new ZoneSet();
    const sync = new ZoneSync(t.deps, zones, () => {});
    await sync.loadAll();
    // Wired as the dns role wires it, each change awaited before looking.
    const pending: Promise<void>[] = [];
    const onChange = (id: string, change?: ZoneChange) =>
      pending.push(change ? sync.apply(change) : sync.refresh(id));
    t.modules.zones.changes.on("changed", onChange);
    const settled = async () => {
      await Promise.all(pending.splice(0));
    };
    const spelled = (records: ReadonlyArray<{ name: string; type: string; ttl: number; data: unknown }>) =>
      records.map((r) => `${r.name} ${r.type} ${r.ttl} ${JSON.stringify(r.data)}`).sort();
    const asStored = async () => spelled((await loadZone(t.db, t.config, domainId))?.records ?? []);
    const records = `/api/v1/domains/${name}/dns/records`;
    try {
      // The first change makes the zone: read whole.
      await owner.client.post(records, { name: "www", type: "A", data: "192.0.2.1" });
      await settled();
      expect(addressesOf(zones, `www.${name}`)).toEqual(["192.0.2.1"]);
      const untouched = zones.find(name)?.records.find((r) => r.type === "MX");

      t.clock.advance(1000);
      const mail = await owner.client.post(records, { name: "mail", type: "A", data: "192.0.2.5", ttl: 600 });
      const txt = await owner.client.post(records, { name: "@", type: "TXT", data: '"a b" "c"' });
      await owner.client.patch(`${records}/${mail.json().id}`, { data: "192.0.2.6", ttl: 900 });
      await owner.client.delete(`${records}/${txt.json().id}`);
      await settled();
      const served = zones.find(name);
      expect(addressesOf(zones, `mail.${name}`)).toEqual(["192.0.2.6"]);
      expect(spelled(served?.records ?? [])).toEqual(await asStored());
      // Applied, not read again: the records it did not touch are the ones served before.
      expect(served?.records).toContain(untouched);

      // Another process adds a record and moves the serial; this one's catch-up has not run yet.
      await t.db.transaction().execute(async (tx) => {
        await tx
          .insertInto("dnsRecords")
          .values({
            id: "elsewhere",
            domainId,
            name: `other.${name}`,
            type: "A",
            ttl: 3600,
            data: "192.0.2.9",
            createdAt: 0,
            updatedAt: 0,
          })
          .execute();
        await tx
          .updateTable("zones")
          .set((eb) => ({ serial: eb("serial", "+", 1) }))
          .where("domainId", "=", domainId)
          .execute();
      });
      await owner.client.post(records, { name: "late", type: "A", data: "192.0.2.10" });
      await settled();
      expect(addressesOf(zones, `other.${name}`)).toEqual(["192.0.2.9"]);
      expect(addressesOf(zones, `late.${name}`)).toEqual(["192.0.2.10"]);
      expect(spelled(zones.find(name)?.records ?? [])).toEqual(await asStored());

      // A notification naming the serial served (the writer's own, on PostgreSQL) reads nothing.
      const before = zones.find(name);
      await sync.refresh(domainId, before?.serial ?? 0);
      expect(zones.find(name)).toBe(before);
      await sync.refresh(domainId, null);
      expect(zones.find(name)).not.toBe(before);
    } finally {
      t.modules.zones.changes.off("changed", onChange);
    }
  });

  it("re-reads a zone as of one moment, so a change committed during the read is applied once", async () => {
    const owner = await registerAccount(t);
    const { name, domainId } = await confirmedDomain(t, owner.accountId);
    const records = `/api/v1/domains/${name}/dns/records`;
    await owner.client.post(records, { name: "www", type: "A", data: "192.0.2.1" });
    // The dns role's database, through which a change commits as soon as the re-read's first
    // statement has answered (a notification's re-read meeting the next request's commit).
    let duringRead: (() => Promise<void>) | null = null;
    const zones = new ZoneSet();
    const sync = watchedSync(async (read) => {
      const result = await read();
      const change = duringRead;
      duringRead = null;
      await change?.();
      return result;
    }, zones);
    await sync.loadAll();
    const pending: Promise<void>[] = [];
    const onChange = (id: string, change?: ZoneChange) =>
      pending.push(change ? sync.apply(change) : sync.refresh(id));
    t.modules.zones.changes.on("changed", onChange);
    try {
      t.clock.advance(1000);
      duringRead = async () => {
        const added = await owner.client.post(records, { name: "new", type: "A", data: "192.0.2.8" });
        expect(added.statusCode).toBe(201);
      };
      await sync.refresh(domainId);
      expect(duringRead).toBeNull();
      await Promise.all(pending.splice(0));
      const spelled = (list: ReadonlyArray<{ name: string; type: string; data: unknown }> = []) =>
        list.map((r) => `${r.name} ${r.type} ${JSON.stringify(r.data)}`).sort();
      expect(addressesOf(zones, `new.${name}`)).toEqual(["192.0.2.8"]);
      expect(spelled(zones.find(name)?.records)).toEqual(
        spelled((await loadZone(t.db, t.config, domainId))?.records),
      );
    } finally {
      t.modules.zones.changes.off("changed", onChange);
    }
  });

  it("once closed, finishes the re-read under way and starts no other, so the database can close after it", async () => {
    const owner = await registerAccount(t);
    const { name, domainId } = await confirmedDomain(t, owner.accountId);
    const records = `/api/v1/domains/${name}/dns/records`;
    await owner.client.post(records, { name: "www", type: "A", data: "192.0.2.1" });
    // The sync closes while its first re-read is at the database (a process stopping).
    let reads = 0;
    let closing: Promise<void> | null = null;
    const sync = watchedSync((read) => {
      reads += 1;
      if (reads === 1) closing = sync.close();
      return read();
    });
    t.clock.advance(1000);
    await owner.client.post(records, { name: "late", type: "A", data: "192.0.2.2" });
    const first = sync.refresh(domainId);
    const second = sync.refresh(domainId);
    await Promise.all([first, second]);
    expect(closing).not.toBeNull();
    await closing;
    // The first read finished and is served; the second never went to the database.
    expect(addressesOf(sync.zones, `late.${name}`)).toEqual(["192.0.2.2"]);
    expect(reads).toBe(1);
    await sync.refresh(domainId);
    expect(reads).toBe(1);
  });

  it("leaves a record change of its own process to the in-process event, and re-reads for any other notification", () => {
    const asked: string[] = [];
    const sync = {
      refresh: async (domainId: string, serial: number | null = null) => {
        asked.push(`${domainId} ${serial}`);
      },
    };
    const onNotification = notified(sync, t.modules.zones);
    onNotification(parseZoneNotification(`d1 1796180000 ${t.modules.zones.notifier}`));
    expect(asked).toEqual([]);
    onNotification(parseZoneNotification("d1 1796180001 another-process"));
    onNotification(parseZoneNotification("d1 1796180002")); // a new zone, a DKIM rotation
    onNotification(parseZoneNotification("d1")); // a zone deleted
    expect(asked).toEqual(["d1 1796180001", "d1 1796180002", "d1 null"]);
    // A process without the zones service (no in-process events) re-reads its own too.
    notified(sync, undefined)(parseZoneNotification(`d2 7 ${t.modules.zones.notifier}`));
    expect(asked.at(-1)).toBe("d2 7");
  });

  it.skipIf(testDialect !== "postgres")(
    "notifies a record change at commit with the zone's new serial (PostgreSQL)",
    async () => {
      const owner = await registerAccount(t);
      const { name, domainId } = await confirmedDomain(t, owner.accountId);
      await owner.client.post(`/api/v1/domains/${name}/dns/records`, {
        name: "a",
        type: "A",
        data: "192.0.2.1",
      });
      const listener = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await listener.connect();
      try {
        // The channel is the database's: other test files' changes pass by too.
        const heard = new Promise<string>((resolve) =>
          listener.on("notification", (message) => {
            if (message.channel === ZONE_CHANNEL && message.payload?.startsWith(domainId))
              resolve(message.payload);
          }),
        );
        await listener.query(`LISTEN ${ZONE_CHANNEL}`);
        t.clock.advance(1000);
        const added = await owner.client.post(`/api/v1/domains/${name}/dns/records`, {
          name: "b",
          type: "A",
          data: "192.0.2.2",
        });
        expect(added.statusCode).toBe(201);
        const serial = await storedSerial(t.db, domainId);
        expect(parseZoneNotification(await heard)).toEqual({
          domainId,
          serial,
          notifier: t.modules.zones.notifier,
        });
      } finally {
        await listener.end();
      }
    },
  );

  it("loads only confirmed domains' zones, each with its SOA", async () => {
    const owner = await registerAccount(t);
    const { name } = await confirmedDomain(t, owner.accountId);
    await owner.client.post(`/api/v1/domains/${name}/dns/records`, {
      name: "@",
      type: "A",
      data: "192.0.2.3",
    });
    const pending = await owner.client.post("/api/v1/domains", { name: `pending-${name}` });
    expect(pending.statusCode).toBe(201);
    const zones = new ZoneSet();
    await new ZoneSync(t.deps, zones, () => {}).loadAll();
    expect(zones.find(name)?.records.map((r) => r.type)).toEqual(expect.arrayContaining(["SOA", "NS", "A"]));
    expect(zones.find(`pending-${name}`)?.origin).not.toBe(`pending-${name}`);
  });

  it("gives a zone to a domain confirmed before DNS hosting existed (the create-missing-zones job)", async () => {
    const owner = await registerAccount(t);
    const { name } = await confirmedDomain(t, owner.accountId);
    const zones = new ZoneSet();
    const sync = new ZoneSync(t.deps, zones, () => {});
    await sync.loadAll();
    expect(zones.find(name)).toBeUndefined();
    expect(await runJob(t.deps, JOBS, "create-missing-zones")).toBeGreaterThanOrEqual(1);
    expect(await runJob(t.deps, JOBS, "create-missing-zones")).toBe(0);
    await sync.catchUp();
    expect(zones.find(name)?.records.map((r) => r.type)).toEqual(expect.arrayContaining(["SOA", "NS", "MX"]));
  });
});
