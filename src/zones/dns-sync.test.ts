import { describe, expect, it } from "vitest";
import { createTestApp, registerAccount } from "../../test/helpers/app.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import { ZoneSet } from "../dns/zone.js";
import { runJob } from "../jobs/worker.js";
import { JOBS } from "../modules.js";
import { ZoneSync } from "./dns.role.js";

const t = await createTestApp();

const addressesOf = (zones: ZoneSet, name: string) =>
  zones
    .find(name)
    ?.records.filter((r) => r.name === name && r.type === "A")
    .map((r) => r.data) ?? [];

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
