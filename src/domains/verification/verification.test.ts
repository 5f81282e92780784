import { afterAll, describe, expect, it } from "vitest";
import { TestInternet } from "../../../test/dns/internet.js";
import { startDnsServer } from "../../../test/dns/server.js";
import { isPublicAddress } from "../../lib/public-addresses.js";
import { Verifier, type VerifierSettings } from "./verifier.js";

/**
 * The verification engine against real DNS packets and HTTP on loopback sockets: what counts as
 * proof, and that everything broken, slow or foreign counts as failure.
 */
const internet = await TestInternet.start();
afterAll(() => internet.close());

const SERVICE = "mfd.test";
const settings = (overrides: Partial<VerifierSettings> = {}): VerifierSettings => ({
  serviceDomain: SERVICE,
  mxHost: `mx.${SERVICE}`,
  resolvers: [`127.0.0.1:${internet.resolver.port}`],
  httpPort: internet.httpPort,
  parentPort: internet.parents[0]?.port as number,
  allowPrivate: true,
  // Loopback servers that answer do so at once on an idle machine, but a busy one can delay any
  // answer by seconds: waiting long only costs time where nothing ever answers.
  dnsTimeoutMs: 30_000,
  httpTimeoutMs: 30_000,
  maxFileBytes: 1024,
  ...overrides,
});
const verifier = new Verifier(settings());
/** For what never answers (a silent server, a site that never finishes): give up soon. */
const impatient = new Verifier(settings({ dnsTimeoutMs: 500, httpTimeoutMs: 1_000 }));

let n = 0;
const fresh = (suffix = "org") => `v${++n}x${Date.now().toString(36)}.${suffix}`;
const TOKEN = "abcdefghijklmnopqrstuvwxyz234567";
const OTHER_TOKEN = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
const claimOf = (domain: string, claimId = "aaaaabbbbb") => ({ domain, claimId, token: TOKEN });

describe("TXT", () => {
  it("confirms with this claim's token, and only with it", async () => {
    const domain = fresh();
    internet.publish(`_mfd-challenge.${domain}`, "TXT", `mfd-verification=${OTHER_TOKEN}`);
    const before = await verifier.verifyClaim(claimOf(domain));
    expect(before.method).toBeNull();
    expect(before.methods.txt.result).toBe("wrong");

    internet.publish(`_mfd-challenge.${domain}`, "TXT", `mfd-verification=${TOKEN}`);
    const after = await verifier.verifyClaim(claimOf(domain));
    expect(after.method).toBe("txt");
  });

  it("reads a large TXT set that only fits over TCP", async () => {
    const domain = fresh();
    for (let i = 0; i < 30; i++)
      internet.publish(`_mfd-challenge.${domain}`, "TXT", `mfd-verification=${String(i).padStart(32, "x")}`);
    internet.publish(`_mfd-challenge.${domain}`, "TXT", `mfd-verification=${TOKEN}`);
    const outcome = await verifier.verifyClaim(claimOf(domain));
    expect(outcome.method).toBe("txt");
    expect(
      internet.resolver.queries.some((q) => q.name === `_mfd-challenge.${domain}` && q.transport === "tcp"),
    ).toBe(true);
  });

  it("counts SERVFAIL and silence as failure, never as proof", async () => {
    const broken = fresh();
    internet.publish(`_mfd-challenge.${broken}`, "TXT", `mfd-verification=${TOKEN}`);
    internet.breakZone(broken, "servfail");
    const servfail = await verifier.verifyClaim(claimOf(broken));
    expect(servfail.method).toBeNull();
    expect(servfail.methods.txt).toMatchObject({ result: "failed" });
    expect(servfail.methods.txt.detail).toContain("SERVFAIL");

    const silent = fresh();
    internet.publish(`_mfd-challenge.${silent}`, "TXT", `mfd-verification=${TOKEN}`);
    internet.breakZone(silent, "silent");
    const timedOut = await impatient.verifyClaim(claimOf(silent));
    expect(timedOut.method).toBeNull();
    expect(timedOut.methods.txt).toMatchObject({ result: "failed" });
    expect(timedOut.methods.txt.detail).toContain("in time");
  });
});

describe("CNAME", () => {
  it("confirms with the claim's label pointing at verify.<service domain>", async () => {
    const domain = fresh();
    internet.publish(`mfd-aaaaabbbbb.${domain}`, "CNAME", `verify.${SERVICE}`);
    expect((await verifier.verifyClaim(claimOf(domain))).method).toBe("cname");
    // Another claim's label proves nothing for this one.
    expect((await verifier.verifyClaim(claimOf(domain, "cccccddddd"))).method).toBeNull();
  });

  it("refuses a wildcard CNAME to us, which would answer for every claim", async () => {
    const domain = fresh();
    internet.publish(`*.${domain}`, "CNAME", `verify.${SERVICE}`);
    const outcome = await verifier.verifyClaim(claimOf(domain));
    expect(outcome.method).toBeNull();
    expect(outcome.methods.cname.result).toBe("wrong");
    expect(outcome.methods.cname.detail).toContain("wildcard");
  });

  it("refuses a CNAME pointing elsewhere", async () => {
    const domain = fresh();
    internet.publish(`mfd-aaaaabbbbb.${domain}`, "CNAME", "verify.elsewhere.net");
    expect((await verifier.verifyClaim(claimOf(domain))).methods.cname.result).toBe("wrong");
  });
});

describe("file", () => {
  const path = "/.well-known/mfd-verification/aaaaabbbbb";
  const site = (domain: string) => internet.publish(domain, "A", "127.0.0.1");

  it("confirms with the token served at the claim's path", async () => {
    const domain = fresh();
    site(domain);
    internet.serveFile(domain, path, `${TOKEN}\n`);
    expect((await verifier.verifyClaim(claimOf(domain))).method).toBe("file");
  });

  it("refuses loopback and private addresses unless the operator allows them", async () => {
    const domain = fresh();
    site(domain);
    internet.serveFile(domain, path, TOKEN);
    const strict = new Verifier(settings({ allowPrivate: false }));
    const outcome = await strict.verifyClaim(claimOf(domain));
    expect(outcome.method).toBeNull();
    expect(outcome.methods.file.result).toBe("failed");
    expect(outcome.methods.file.detail).toContain("private");
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "192.168.1.1",
      "172.20.0.1",
      "169.254.169.254",
      "::1",
      "fd00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "100.64.0.1",
      "0.0.0.0",
      // Other IPv6 forms of internal IPv4 hosts: spelled out, hex, translated, compatible, tunnelled.
      "0:0:0:0:0:ffff:7f00:1",
      "::FFFF:A9FE:A9FE",
      "::ffff:0:127.0.0.1",
      "::127.0.0.1",
      "::7f00:1",
      "64:ff9b::10.0.0.1",
      "2002:7f00:1::1",
      "2001:0:7f00:1::1",
    ])
      expect(isPublicAddress(address), address).toBe(false);
    for (const address of ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:93.184.215.14"])
      expect(isPublicAddress(address), address).toBe(true);
  });

  it("follows a redirect on the same host, never one off the domain or to https", async () => {
    const sameHost = fresh();
    site(sameHost);
    internet.serveFile(sameHost, path, { status: 301, headers: { location: `${path}/` } });
    internet.serveFile(sameHost, `${path}/`, TOKEN);
    expect((await verifier.verifyClaim(claimOf(sameHost))).method).toBe("file");

    const offDomain = fresh();
    const elsewhere = fresh();
    site(offDomain);
    site(elsewhere);
    internet.serveFile(offDomain, path, {
      status: 302,
      headers: { location: `http://${elsewhere}:${internet.httpPort}${path}` },
    });
    internet.serveFile(elsewhere, path, TOKEN);
    const off = await verifier.verifyClaim(claimOf(offDomain));
    expect(off.method).toBeNull();
    expect(off.methods.file.detail).toContain("not followed");

    const https = fresh();
    site(https);
    internet.serveFile(https, path, { status: 301, headers: { location: `https://${https}${path}` } });
    expect((await verifier.verifyClaim(claimOf(https))).method).toBeNull();
  });

  it("refuses a file over the size limit and a site too slow to answer", async () => {
    const big = fresh();
    site(big);
    internet.serveFile(big, path, `${TOKEN}${" ".repeat(2000)}`);
    const tooBig = await verifier.verifyClaim(claimOf(big));
    expect(tooBig.method).toBeNull();
    expect(tooBig.methods.file.detail).toContain("larger than 1024 bytes");

    const slow = fresh();
    site(slow);
    internet.serveFile(slow, path, (_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.write(TOKEN.slice(0, 4)); // and never finishes
    });
    const timedOut = await new Verifier(settings({ httpTimeoutMs: 1_000 })).verifyClaim(claimOf(slow));
    expect(timedOut.method).toBeNull();
    expect(timedOut.methods.file).toMatchObject({
      result: "failed",
      detail: expect.stringContaining("in time"),
    });
  });

  it("refuses a file with another token", async () => {
    const domain = fresh();
    site(domain);
    internet.serveFile(domain, path, OTHER_TOKEN);
    expect((await verifier.verifyClaim(claimOf(domain))).methods.file.result).toBe("wrong");
  });
});

describe("delegation", () => {
  it("confirms when the parent zone refers the domain to the claim's own name servers", async () => {
    const domain = fresh();
    internet.delegate(domain, [`aaaaabbbbb.ns1.${SERVICE}`, `aaaaabbbbb.ns2.${SERVICE}`]);
    const outcome = await verifier.verifyClaim(claimOf(domain));
    expect(outcome.method).toBe("delegation");
    expect(outcome.delegated).toBe(true);
    // Asked of the parent zone's servers, without recursion.
    const asked = internet.parents
      .flatMap((p) => p.queries)
      .filter((q) => q.name === domain && q.type === "NS");
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((q) => !q.recursionDesired)).toBe(true);
  });

  it("never counts the generic name servers, though the domain is delegated to us", async () => {
    const domain = fresh();
    internet.delegate(domain, [`ns1.${SERVICE}`, `ns2.${SERVICE}`]);
    const outcome = await verifier.verifyClaim(claimOf(domain));
    expect(outcome.method).toBeNull();
    expect(outcome.delegated).toBe(true);
    expect(outcome.methods.delegation.result).toBe("wrong");
    expect(outcome.methods.delegation.detail).toContain("does not prove ownership");
  });

  it("ignores what the child zone (or a resolver's cache) says about its own name servers", async () => {
    const domain = fresh();
    internet.delegate(domain, ["ns1.registrar-dns.net", "ns2.registrar-dns.net"]);
    internet.publish(domain, "NS", `aaaaabbbbb.ns1.${SERVICE}`);
    const outcome = await verifier.verifyClaim(claimOf(domain));
    expect(outcome.method).toBeNull();
    expect(outcome.delegated).toBe(false);
  });

  it("reads a referral too large for UDP over TCP, and works under a two-label suffix", async () => {
    const domain = fresh("co.uk");
    const many = Array.from(
      { length: 24 },
      (_, i) => `ns${i}.some-long-dns-provider-name.example-hosting.net`,
    );
    internet.delegate(domain, [...many, `aaaaabbbbb.ns2.${SERVICE}`]);
    expect((await verifier.verifyClaim(claimOf(domain))).method).toBe("delegation");
    expect(
      internet.parents.flatMap((p) => p.queries).some((q) => q.name === domain && q.transport === "tcp"),
    ).toBe(true);
  });

  it("fails (not confirms) when the parent zone's servers are broken or silent", async () => {
    const domain = fresh();
    internet.delegate(domain, [`aaaaabbbbb.ns1.${SERVICE}`]);
    try {
      for (const how of ["servfail", "silent"] as const) {
        internet.breakParents(how);
        const outcome = await (how === "silent" ? impatient : verifier).verifyClaim(claimOf(domain));
        expect(outcome.method, how).toBeNull();
        expect(outcome.methods.delegation.result, how).toBe("failed");
      }
    } finally {
      internet.breakParents(null);
    }
  });

  it("refuses to query parent servers on private addresses unless allowed", async () => {
    const domain = fresh();
    internet.delegate(domain, [`aaaaabbbbb.ns1.${SERVICE}`]);
    const strict = new Verifier(settings({ allowPrivate: false }));
    const outcome = await strict.verifyClaim(claimOf(domain));
    expect(outcome.method).toBeNull();
    expect(outcome.methods.delegation.result).toBe("failed");
  });

  it("says when the parent zone does not know the domain", async () => {
    const outcome = await verifier.verifyClaim(claimOf(fresh()));
    expect(outcome.methods.delegation).toMatchObject({ result: "absent" });
    expect(outcome.methods.delegation.detail).toContain("does not exist");
  });
});

describe("a resolver that misbehaves", () => {
  it("counts an answer from a silent resolver as failure for every method", async () => {
    const silent = await startDnsServer({ host: "127.0.0.1", handler: () => null });
    try {
      const blind = new Verifier(
        settings({ resolvers: [`127.0.0.1:${silent.port}`], dnsTimeoutMs: 500, httpTimeoutMs: 1_000 }),
      );
      const domain = fresh();
      internet.publish(`_mfd-challenge.${domain}`, "TXT", `mfd-verification=${TOKEN}`);
      const outcome = await blind.verifyClaim(claimOf(domain));
      expect(outcome.method).toBeNull();
      for (const method of ["txt", "cname", "file", "delegation"] as const)
        expect(outcome.methods[method].result, method).toBe("failed");
    } finally {
      await silent.close();
    }
  });
});

describe("MX", () => {
  it("is ok only when the most preferred MX hosts are ours", async () => {
    const domain = fresh();
    expect((await verifier.checkMx(domain)).result).toBe("absent");
    internet.publish(domain, "MX", { preference: 10, exchange: "mx.elsewhere.net" });
    internet.publish(domain, "MX", { preference: 20, exchange: `mx.${SERVICE}` });
    expect((await verifier.checkMx(domain)).result).toBe("wrong");
    internet.unpublish(domain, "MX");
    internet.publish(domain, "MX", { preference: 5, exchange: `mx.${SERVICE}` });
    internet.publish(domain, "MX", { preference: 20, exchange: "backup.elsewhere.net" });
    expect((await verifier.checkMx(domain)).result).toBe("ok");
  });
});
