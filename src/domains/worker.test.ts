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
import { DAY, HOUR, MINUTE } from "../lib/clock.js";
import { CHECK_HISTORY_LIMIT } from "./checking.js";
import { runDomainChecks } from "./domains.jobs.js";

/** The background checks, driven by moving the manual clock and running the job by hand. */
const { t, internet } = await createDomainWorld();

let ip = 0;
const newAccount = () => registerAccount(t, {}, `198.51.100.${++ip}`);

type Account = Awaited<ReturnType<typeof newAccount>>;
async function history(account: Account, name: string) {
  // The clock moves by hours here: sign in again as the user would.
  const client = await signIn(t, account);
  return (await client.get(`/api/v1/domains/${name}/checks?limit=100`)).json().checks as Array<{
    trigger: string;
    kind: string;
    result: string;
    method: string | null;
  }>;
}

describe("pending claims", () => {
  it("are re-checked with back-off (1 min, 5 min, 15 min, 1 h, then every 6 h) and confirmed when proof appears", async () => {
    const account = await newAccount();
    const name = uniqueDomain();
    const view = await connectDomain(account.client, name);

    const schedule = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, 6 * HOUR];
    for (const [i, delay] of schedule.entries()) {
      t.clock.advance(delay - 1000);
      await runDomainJob(t);
      expect((await history(account, name)).length, `not due a second early (attempt ${i + 1})`).toBe(i);
      t.clock.advance(1000);
      await runDomainJob(t);
      const checks = await history(account, name);
      expect(checks.length, `checked when due (attempt ${i + 1})`).toBe(i + 1);
      expect(checks[0]).toMatchObject({ trigger: "worker", result: "not-confirmed" });
    }

    publishTxt(internet, view);
    t.clock.advance(6 * HOUR);
    await runDomainJob(t);
    const client = await signIn(t, account);
    const confirmed = (await client.get(`/api/v1/domains/${name}`)).json();
    expect(confirmed.status).toBe("mx-activate");
    const checks = await history(account, name);
    expect(checks.find((c) => c.kind === "ownership")).toMatchObject({
      trigger: "worker",
      result: "confirmed",
      method: "txt",
    });
    // The system's doing, in the account's log.
    const events = (await client.get("/api/v1/account/events?limit=100")).json().events;
    expect(events.find((e: { action: string }) => e.action === "domain.confirm")).toMatchObject({
      actorType: "system",
      domain: name,
    });
  });

  it("expire after 7 days: no more background checks, CLAIM_EXPIRED on check, renew issues a new id and token", async () => {
    const account = await newAccount();
    const name = uniqueDomain();
    const first = await connectDomain(account.client, name);
    publishTxt(internet, first); // published too late: the claim expires first

    t.clock.advance(7 * DAY);
    await runDomainJob(t);
    expect(await history(account, name)).toEqual([]);
    const client = account.client;
    const expired = (await client.get(`/api/v1/domains/${name}`)).json();
    expect(expired.claim.expired).toBe(true);
    expect(expired.nextCheck).toBeNull();
    const refused = await checkNow(client, name);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe("CLAIM_EXPIRED");
    expect((await client.get("/api/v1/domains")).json().domains[0]).toMatchObject({
      name,
      status: "domain-activate",
      claimExpiresAt: first.claim?.expiresAt,
    });

    const renewed = await client.post(`/api/v1/domains/${name}/renew`);
    expect(renewed.statusCode).toBe(200);
    const claim = renewed.json().claim;
    expect(claim.id).not.toBe(first.claim?.id);
    expect(claim.methods.file.content).not.toBe(first.claim?.methods.file.content);
    expect(claim.expired).toBe(false);
    expect(new Date(claim.expiresAt).getTime()).toBe(t.clock.now() + 7 * DAY);

    // The old token is still published and proves nothing now; the new one does.
    const stale = (await checkNow(client, name)).json();
    expect(stale.status).toBe("domain-activate");
    expect(stale.lastCheck.results.txt.result).toBe("wrong");
    publishTxt(internet, renewed.json());
    expect((await checkNow(client, name)).json().status).toBe("mx-activate");
    const again = await client.post(`/api/v1/domains/${name}/renew`);
    expect(again.json().code).toBe("DOMAIN_ALREADY_CONFIRMED");
  });

  it("are checked once even when several workers run at the same time", async () => {
    const account = await newAccount();
    const names = Array.from({ length: 6 }, () => uniqueDomain());
    for (const name of names) await connectDomain(account.client, name);
    t.clock.advance(MINUTE);
    await Promise.all([
      runDomainChecks(t.deps, { batchSize: 50, concurrency: 2 }),
      runDomainChecks(t.deps, { batchSize: 50, concurrency: 2 }),
      runDomainChecks(t.deps, { batchSize: 50, concurrency: 2 }),
    ]);
    for (const name of names) expect(await history(account, name)).toHaveLength(1);
  });
});

describe("confirmed domains", () => {
  it("have their mail routing re-checked: mx-activate → added when the MX arrives, back when it leaves", async () => {
    const account = await newAccount();
    const name = uniqueDomain();
    publishTxt(internet, await connectDomain(account.client, name));
    expect((await checkNow(account.client, name)).json().status).toBe("mx-activate");

    internet.publish(name, "MX", { preference: 10, exchange: `mx.${SERVICE_DOMAIN}` });
    t.clock.advance(MINUTE);
    await runDomainJob(t);
    let client = await signIn(t, account);
    expect((await client.get(`/api/v1/domains/${name}`)).json()).toMatchObject({
      status: "added",
      mx: { ok: true },
    });

    internet.unpublish(name, "MX");
    internet.publish(name, "MX", { preference: 10, exchange: "mx.elsewhere.net" });
    t.clock.advance(6 * HOUR - 1000);
    await runDomainJob(t);
    client = await signIn(t, account);
    expect((await client.get(`/api/v1/domains/${name}`)).json().status, "not due yet").toBe("added");
    t.clock.advance(1000);
    await runDomainJob(t);
    client = await signIn(t, account);
    expect((await client.get(`/api/v1/domains/${name}`)).json().status).toBe("mx-activate");
    const events = (await client.get("/api/v1/account/events?limit=100")).json().events;
    expect(
      events.filter(
        (e: { action: string; domain: string }) => e.action === "domain.mx-check" && e.domain === name,
      ),
    ).toHaveLength(2);
  });

  it("keep a bounded history: a domain re-checked for years holds only the newest checks", async () => {
    const account = await newAccount();
    const name = uniqueDomain();
    publishTxt(internet, await connectDomain(account.client, name));
    expect((await checkNow(account.client, name)).json().status).toBe("mx-activate");
    const claim = await t.db
      .selectFrom("domains")
      .select("claimId")
      .where("name", "=", name)
      .executeTakeFirstOrThrow();
    const rows = async () =>
      Number(
        (
          await t.db
            .selectFrom("domainChecks")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("claimId", "=", claim.claimId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    // The MX never arrives: re-checked every 6 hours (after the back-off) for as long as it is connected.
    for (let run = 0; run < CHECK_HISTORY_LIMIT + 10; run++) {
      t.clock.advance(6 * HOUR);
      await runDomainJob(t);
    }
    expect(await rows()).toBe(CHECK_HISTORY_LIMIT);
    const newest = await history(account, name);
    expect(newest[0]).toMatchObject({ trigger: "worker", kind: "mx", result: "mx-not-found" });
  });
});
