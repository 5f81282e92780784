import { describe, expect, it } from "vitest";
import { createDomainWorld } from "../../test/dns/fixtures.js";
import { registerAccount } from "../../test/helpers/app.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import type { RequestContext } from "../access/actor.js";
import { MINUTE } from "../lib/clock.js";
import { DnsHealthService, healthSettings } from "./health.service.js";

/** The health service against the loopback internet: stored per domain, re-checked by the worker when due. */
const { t, internet } = await createDomainWorld();
const NS = ["ns1.mfd.test", "ns2.mfd.test"];
const KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAhealth";
const health = new DnsHealthService(t.deps, healthSettings(t.config, NS), async () => [
  { selector: "mfd1", publicKey: KEY },
]);
const as = (accountId: string): RequestContext => ({
  actor: { kind: "account", accountId, sessionId: "s", reauthAt: 0, isSupportAgent: false },
  ip: "192.0.2.1",
  userAgent: null,
  now: t.clock.now(),
});

/** A confirmed domain with a zone row (the health checks look at hosted zones only). */
const hostedDomain = async (accountId: string) => {
  const domain = await confirmedDomain(t, accountId);
  const now = t.clock.now();
  await t.db
    .insertInto("zones")
    .values({ domainId: domain.domainId, serial: 1, createdAt: now, updatedAt: now })
    .execute();
  return domain;
};

const publishHealthy = (domain: string) => {
  internet.delegate(domain, NS);
  internet.publish(domain, "MX", { preference: 10, exchange: "mx.mfd.test" });
  internet.publish(domain, "TXT", "v=spf1 mx -all");
  internet.publish(`mfd1._domainkey.${domain}`, "TXT", `v=DKIM1; k=rsa; p=${KEY}`);
  internet.publish(`_dmarc.${domain}`, "TXT", "v=DMARC1; p=none");
};

describe("DNS health service", () => {
  it("the worker checks each confirmed domain once, stores the result, and checks again when due", async () => {
    const owner = await registerAccount(t);
    const healthy = await hostedDomain(owner.accountId);
    const broken = await hostedDomain(owner.accountId);
    const zoneless = await confirmedDomain(t, owner.accountId);
    publishHealthy(healthy.name);
    expect(await health.read(as(owner.accountId), healthy.name)).toEqual({
      checkedAt: null,
      ok: false,
      checks: [],
    });

    // Other tests' domains share the database: run until nothing is due.
    while ((await health.runDue()) > 0);
    const good = await health.read(as(owner.accountId), healthy.name);
    expect(good.ok).toBe(true);
    expect(good.checkedAt).toBe(t.clock.now());
    expect(good.checks.map((c) => c.check)).toEqual(["delegation", "mx", "spf", "dkim", "dmarc"]);
    const bad = await health.read(as(owner.accountId), broken.name);
    expect(bad.ok).toBe(false);
    expect(bad.checks.find((c) => c.check === "mx")?.code).toBe("MX_MISSING");
    expect(await health.runDue()).toBe(0);
    expect((await health.read(as(owner.accountId), zoneless.name)).checkedAt).toBeNull();

    // A failing domain is looked at again after half an hour, a passing one much later.
    publishHealthy(broken.name);
    t.clock.advance(31 * MINUTE);
    while ((await health.runDue()) > 0);
    expect((await health.read(as(owner.accountId), broken.name)).ok).toBe(true);
    expect((await health.read(as(owner.accountId), healthy.name)).checkedAt).toBe(good.checkedAt);
  });

  it("checks at once on request, within a limit, and only for who may read the domain's DNS", async () => {
    const owner = await registerAccount(t);
    const stranger = await registerAccount(t);
    const domain = await hostedDomain(owner.accountId);
    publishHealthy(domain.name);
    const now = await health.checkNow(as(owner.accountId), domain.name);
    expect(now.ok).toBe(true);
    await expect(health.read(as(stranger.accountId), domain.name)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(health.checkNow(as(stranger.accountId), domain.name)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    for (let i = 1; i < 6; i++) await health.checkNow(as(owner.accountId), domain.name);
    await expect(health.checkNow(as(owner.accountId), domain.name)).rejects.toMatchObject({
      code: "RATE_LIMITED",
    });
  });

  it("answers over HTTP with the time of the check in UTC", async () => {
    const owner = await registerAccount(t);
    const domain = await hostedDomain(owner.accountId);
    publishHealthy(domain.name);
    const url = `/api/v1/domains/${domain.name}/dns/health`;
    expect((await owner.client.get(url)).json()).toEqual({ checkedAt: null, ok: false, checks: [] });
    const checked = await owner.client.post(url);
    expect(checked.statusCode, checked.body).toBe(200);
    // The app's own service knows the domain's real DKIM key (none here), so DKIM is the one failure.
    const body = checked.json();
    expect(body.checkedAt).toBe(new Date(t.clock.now()).toISOString());
    expect(body.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { code: string }) => c.code)).toEqual([
      "DKIM_MISSING",
    ]);
    expect((await owner.client.get(url)).json()).toEqual(body);
  });

  it("forgets a domain's result when the domain is disconnected", async () => {
    const owner = await registerAccount(t);
    const domain = await hostedDomain(owner.accountId);
    await health.checkNow(as(owner.accountId), domain.name);
    const rows = () =>
      t.db.selectFrom("dnsHealth").select("domainId").where("domainId", "=", domain.domainId).execute();
    expect(await rows()).toHaveLength(1);
    const gone = await owner.client.delete(`/api/v1/domains/${domain.name}`, { confirm: domain.name });
    expect(gone.statusCode, gone.body).toBe(204);
    expect(await rows()).toEqual([]);
  });
});
