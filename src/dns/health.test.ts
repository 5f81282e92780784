import { afterAll, describe, expect, it } from "vitest";
import { TestInternet } from "../../test/dns/internet.js";
import { checkDomainHealth, type HealthExpectations } from "./health.js";
import { DnsLookup } from "./lookup.js";

/** Health checks against real packets: a loopback resolver and parent-zone servers. */
const internet = await TestInternet.start();
afterAll(() => internet.close());

const lookup = new DnsLookup([`127.0.0.1:${internet.resolver.port}`], 30_000);
const parent = (publicSuffix = "org") => ({
  port: internet.parents[0]?.port as number,
  timeoutMs: 30_000,
  allowPrivate: true,
  publicSuffix,
});
const NS = ["ns1.mfd.test", "ns2.mfd.test"];
const KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest";
let n = 0;
const expectations = (): HealthExpectations => ({
  domain: `h${++n}x${Date.now().toString(36)}.org`,
  nameServers: NS,
  mxHost: "mx.mfd.test",
  dkim: [{ selector: "mfd1", publicKey: `-----BEGIN PUBLIC KEY-----\n${KEY}\n-----END PUBLIC KEY-----\n` }],
});

/** Publishes everything a healthy hosted domain has. */
const healthy = (domain: string) => {
  internet.delegate(domain, NS);
  internet.publish(domain, "MX", { preference: 10, exchange: "mx.mfd.test" });
  internet.publish(domain, "TXT", "v=spf1 mx -all");
  internet.publish(`mfd1._domainkey.${domain}`, "TXT", `v=DKIM1; k=rsa; p=${KEY}`);
  internet.publish(`_dmarc.${domain}`, "TXT", "v=DMARC1; p=none");
};

const codes = (result: Awaited<ReturnType<typeof checkDomainHealth>>) =>
  Object.fromEntries(result.checks.map((check) => [check.check, check.code]));

describe("domain health", () => {
  it("passes every check when the parent delegates to us and the mail records are published", async () => {
    const wanted = expectations();
    healthy(wanted.domain);
    const result = await checkDomainHealth(lookup, wanted, parent());
    expect(codes(result)).toEqual({ delegation: "OK", mx: "OK", spf: "OK", dkim: "OK", dmarc: "OK" });
    expect(result.ok).toBe(true);
  });

  it("fails every check of a domain that publishes nothing, each with what it wanted", async () => {
    const wanted = expectations();
    const result = await checkDomainHealth(lookup, wanted, parent());
    expect(codes(result)).toEqual({
      delegation: "NOT_REGISTERED", // the test parent zone knows nothing of it
      mx: "MX_MISSING",
      spf: "SPF_MISSING",
      dkim: "DKIM_MISSING",
      dmarc: "DMARC_MISSING",
    });
    expect(result.ok).toBe(false);
    const byCheck = Object.fromEntries(result.checks.map((check) => [check.check, check.expected]));
    expect(byCheck.delegation).toBe("ns1.mfd.test ns2.mfd.test");
    expect(byCheck.mx).toBe("mx.mfd.test");
    expect(byCheck.dkim).toBe(`v=DKIM1; k=rsa; p=${KEY}`);
  });

  it("tells a foreign or mixed delegation from ours", async () => {
    const elsewhere = expectations();
    internet.delegate(elsewhere.domain, ["ns1.other.net", "ns2.other.net"]);
    const mixed = expectations();
    internet.delegate(mixed.domain, ["ns1.mfd.test", "ns1.other.net"]);
    const partial = expectations();
    internet.delegate(partial.domain, ["ns1.mfd.test"]);
    expect(codes(await checkDomainHealth(lookup, elsewhere, parent())).delegation).toBe(
      "DELEGATED_ELSEWHERE",
    );
    expect(codes(await checkDomainHealth(lookup, mixed, parent())).delegation).toBe("DELEGATION_INCOMPLETE");
    expect(codes(await checkDomainHealth(lookup, partial, parent())).delegation).toBe(
      "DELEGATION_INCOMPLETE",
    );
  });

  it("finds mail records that are there but wrong", async () => {
    const wanted = expectations();
    const { domain } = wanted;
    internet.delegate(domain, NS);
    internet.publish(domain, "MX", { preference: 10, exchange: "mail.example.net" });
    internet.publish(domain, "MX", { preference: 20, exchange: "mx.mfd.test" });
    internet.publish(domain, "TXT", "v=spf1 include:_spf.example.net -all");
    internet.publish(`mfd1._domainkey.${domain}`, "TXT", "v=DKIM1; k=rsa; p=OTHERKEY");
    internet.publish(`_dmarc.${domain}`, "TXT", "v=DMARC1; rua=mailto:a@example.net");
    expect(codes(await checkDomainHealth(lookup, wanted, parent()))).toEqual({
      delegation: "OK",
      mx: "MX_ELSEWHERE",
      spf: "SPF_WITHOUT_US",
      dkim: "DKIM_WRONG_KEY",
      dmarc: "DMARC_NO_POLICY",
    });
  });

  it("refuses two SPF or two DMARC records and an SPF that lets everyone send", async () => {
    const twice = expectations();
    healthy(twice.domain);
    internet.publish(twice.domain, "TXT", "v=spf1 a:mx.mfd.test -all");
    internet.publish(`_dmarc.${twice.domain}`, "TXT", "v=DMARC1; p=reject");
    const open = expectations();
    healthy(open.domain);
    internet.unpublish(open.domain, "TXT");
    internet.publish(open.domain, "TXT", "v=spf1 mx +all");
    expect(codes(await checkDomainHealth(lookup, twice, parent()))).toMatchObject({
      spf: "SPF_MULTIPLE",
      dmarc: "DMARC_MULTIPLE",
    });
    expect(codes(await checkDomainHealth(lookup, open, parent())).spf).toBe("SPF_TOO_OPEN");
  });

  it("counts a broken resolver as a failed lookup, never as a pass or an absence", async () => {
    const wanted = expectations();
    healthy(wanted.domain);
    internet.breakZone(wanted.domain, "servfail");
    const result = await checkDomainHealth(lookup, wanted, parent());
    expect(codes(result)).toEqual({
      delegation: "OK", // asked of the parent's servers, not of the broken resolver
      mx: "LOOKUP_FAILED",
      spf: "LOOKUP_FAILED",
      dkim: "LOOKUP_FAILED",
      dmarc: "LOOKUP_FAILED",
    });
    internet.healZone(wanted.domain);
  });
});
