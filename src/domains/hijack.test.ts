import { describe, expect, it } from "vitest";
import {
  checkNow,
  connectDomain,
  createDomainWorld,
  publishTxt,
  runDomainJob,
  signIn,
  uniqueDomain,
} from "../../test/dns/fixtures.js";
import { registerAccount, SERVICE_DOMAIN } from "../../test/helpers/app.js";
import { DAY, HOUR } from "../lib/clock.js";

/**
 * The hijack of the original system: a domain whose previous owner left it delegated to the
 * provider's name servers could be confirmed by whoever connected it next. Here the parent zone
 * still delegates the domain to mfd's generic name servers after the owner disconnected, and our
 * name servers answer nothing for a domain that is not confirmed (the resolver sees SERVFAIL).
 */
const { t, internet } = await createDomainWorld();

describe("a domain left delegated to mfd's name servers", () => {
  it("cannot be confirmed by another account by any method, in the foreground or the background", async () => {
    const alice = await registerAccount(t, {}, "198.51.100.1");
    const mallory = await registerAccount(t, {}, "198.51.100.2");
    const victim = uniqueDomain();
    const generic = [`ns1.${SERVICE_DOMAIN}`, `ns2.${SERVICE_DOMAIN}`];

    // Alice hosted the domain with us and confirmed it while our servers served her zone.
    internet.delegate(victim, generic);
    publishTxt(internet, await connectDomain(alice.client, victim));
    expect((await checkNow(alice.client, victim)).json().status).toBe("mx-activate");
    expect((await alice.client.delete(`/api/v1/domains/${victim}`, { confirm: victim })).statusCode).toBe(
      204,
    );
    // Disconnected: our name servers stop answering for it; the registrar still points at them.
    internet.unpublish(`_mfd-challenge.${victim}`);
    internet.breakZone(victim, "servfail");

    await connectDomain(mallory.client, victim);
    const attempt = await checkNow(mallory.client, victim);
    expect(attempt.statusCode).toBe(200);
    const view = attempt.json();
    expect(view.status).toBe("domain-activate");
    expect(view.delegated).toBe(true);
    expect(view.lastCheck.results).toMatchObject({
      txt: { result: "failed" },
      cname: { result: "failed" },
      file: { result: "failed" },
      delegation: { result: "wrong" },
    });
    expect(view.lastCheck.results.delegation.detail).toContain("does not prove ownership");

    // A week of background re-checks changes nothing, and then the claim expires.
    for (let elapsed = 0; elapsed < 7 * DAY; elapsed += 6 * HOUR) {
      t.clock.advance(6 * HOUR);
      await runDomainJob(t);
    }
    const client = await signIn(t, mallory);
    const after = (await client.get(`/api/v1/domains/${victim}`)).json();
    expect(after.status).toBe("domain-activate");
    expect(after.claim.expired).toBe(true);
    const history = (await client.get(`/api/v1/domains/${victim}/checks?limit=100`)).json().checks;
    expect(history.length).toBeGreaterThan(10);
    expect(history.every((c: { result: string }) => c.result === "not-confirmed")).toBe(true);
    expect((await checkNow(client, victim)).json().code).toBe("CLAIM_EXPIRED");
    const owners = await t.db.selectFrom("domains").select("id").where("name", "=", victim).execute();
    expect(owners).toEqual([]);
  });

  it("a previous claim's own name servers prove nothing for a new claim", async () => {
    const alice = await registerAccount(t, {}, "198.51.100.3");
    const mallory = await registerAccount(t, {}, "198.51.100.4");
    const victim = uniqueDomain();
    const aliceView = await connectDomain(alice.client, victim);
    const aliceServers = aliceView.claim?.methods.delegation.nameServers as string[];
    internet.delegate(victim, aliceServers);
    expect((await checkNow(alice.client, victim)).json().status).toBe("mx-activate");
    expect((await alice.client.delete(`/api/v1/domains/${victim}`, { confirm: victim })).statusCode).toBe(
      204,
    );
    internet.breakZone(victim, "servfail");

    await connectDomain(mallory.client, victim);
    const view = (await checkNow(mallory.client, victim)).json();
    expect(view.status).toBe("domain-activate");
    expect(view.lastCheck.results.delegation.result).toBe("wrong");
  });

  it("the rightful owner, who controls the registrar, gets it back by delegating to the new claim's servers", async () => {
    const alice = await registerAccount(t, {}, "198.51.100.5");
    const mallory = await registerAccount(t, {}, "198.51.100.6");
    const domain = uniqueDomain();
    internet.delegate(domain, [`ns1.${SERVICE_DOMAIN}`, `ns2.${SERVICE_DOMAIN}`]);
    internet.breakZone(domain, "servfail");
    await connectDomain(mallory.client, domain);
    const aliceView = await connectDomain(alice.client, domain);
    internet.delegate(domain, aliceView.claim?.methods.delegation.nameServers as string[]);
    expect((await checkNow(alice.client, domain)).json()).toMatchObject({
      status: "mx-activate",
      delegated: true,
    });
    expect((await checkNow(mallory.client, domain)).json().code).toBe("DOMAIN_OCCUPIED");
  });
});
