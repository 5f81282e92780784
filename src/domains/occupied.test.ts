import { describe, expect, it } from "vitest";
import {
  checkNow,
  connectDomain,
  createDomainWorld,
  publishTxt,
  uniqueDomain,
} from "../../test/dns/fixtures.js";
import { messagesTo, registerAccount, registerWithContacts } from "../../test/helpers/app.js";

/**
 * What the accounts that lose a domain see: a claim race's losers, names under another account's
 * domain, and how a pending claim is labelled.
 */
const { t, internet } = await createDomainWorld();

let ipCounter = 0;
const nextIp = () => `198.18.${Math.floor(++ipCounter / 250)}.${(ipCounter % 250) + 1}`;
const newAccount = () => registerAccount(t, {}, nextIp());

/** Connects and proves a domain with TXT; returns its name. */
async function ownDomain(client: Awaited<ReturnType<typeof newAccount>>["client"], name = uniqueDomain()) {
  publishTxt(internet, await connectDomain(client, name));
  const confirmed = await checkNow(client, name);
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  return name;
}

describe("losers of a claim race", () => {
  it("every loser gets DOMAIN_OCCUPIED on every later request and a notice; nothing names the owner", async () => {
    const name = uniqueDomain();
    const accounts = await Promise.all(Array.from({ length: 12 }, () => registerWithContacts(t, nextIp())));
    for (const account of accounts) publishTxt(internet, await connectDomain(account.client, name));

    // Two waves of concurrent checks: the first has one winner; the second comes after it committed.
    const first = await Promise.all(accounts.slice(0, 6).map((a) => checkNow(a.client, name)));
    const second = await Promise.all(accounts.slice(6).map((a) => checkNow(a.client, name)));
    const responses = [...first, ...second];
    const winnerIndex = responses.findIndex((r) => r.statusCode === 200);
    expect(winnerIndex).toBeGreaterThanOrEqual(0);
    const winner = accounts[winnerIndex] as (typeof accounts)[number];
    const losers = accounts.filter((a) => a !== winner);
    for (const [i, response] of responses.entries()) {
      if (i === winnerIndex) continue;
      expect(response.statusCode, response.body).toBe(409);
      expect(response.json().code).toBe("DOMAIN_OCCUPIED");
    }

    // Asking again, all at once, or opening the domain's page: the same answer, never 404.
    const again = await Promise.all(
      losers.flatMap((a) => [checkNow(a.client, name), a.client.get(`/api/v1/domains/${name}`)]),
    );
    for (const response of again) {
      expect(response.statusCode, response.body).toBe(409);
      expect(response.json().code).toBe("DOMAIN_OCCUPIED");
    }

    for (const loser of losers) {
      for (const contact of [loser.email, loser.phone]) {
        const notices = (await messagesTo(t, contact)).filter((m) => m.body.includes(name));
        expect(notices, contact).toHaveLength(1);
        const text = `${notices[0]?.subject} ${notices[0]?.body}`;
        expect(text).toContain("another account");
        expect(text).not.toContain(winner.login);
        expect(text).not.toContain(winner.email);
      }
    }
    for (const contact of [winner.email, winner.phone])
      expect((await messagesTo(t, contact)).filter((m) => m.body.includes("another account"))).toEqual([]);
  });

  it("a loser can dismiss the closed claim, after which the name is simply not theirs", async () => {
    const name = uniqueDomain();
    const owner = await newAccount();
    const loser = await newAccount();
    publishTxt(internet, await connectDomain(loser.client, name));
    await ownDomain(owner.client, name);

    expect((await loser.client.get(`/api/v1/domains/${name}`)).json().code).toBe("DOMAIN_OCCUPIED");
    const dismissed = await loser.client.delete(`/api/v1/domains/${name}`, { confirm: name });
    expect(dismissed.statusCode, dismissed.body).toBe(204);
    expect((await loser.client.get(`/api/v1/domains/${name}`)).statusCode).toBe(404);
    // The owner's domain is untouched.
    expect((await owner.client.get(`/api/v1/domains/${name}`)).json()).toMatchObject({ role: "owner" });
    const retry = await loser.client.post("/api/v1/domains", { name });
    expect(retry.json().code).toBe("DOMAIN_OCCUPIED");
  });

  it("once the owner disconnects, the loser may connect the name again", async () => {
    const name = uniqueDomain();
    const owner = await newAccount();
    const loser = await newAccount();
    publishTxt(internet, await connectDomain(loser.client, name));
    await ownDomain(owner.client, name);
    const gone = await owner.client.delete(`/api/v1/domains/${name}`, { confirm: name });
    expect(gone.statusCode, gone.body).toBe(204);

    const retry = await loser.client.post("/api/v1/domains", { name });
    expect(retry.statusCode, retry.body).toBe(201);
  });
});

describe("names under a domain connected by another account", () => {
  it("cannot be claimed (DOMAIN_OCCUPIED), at any depth", async () => {
    const owner = await newAccount();
    const other = await newAccount();
    const parent = await ownDomain(owner.client);
    for (const name of [`sub.${parent}`, `a.b.${parent}`, `MAIL.${parent.toUpperCase()}.`]) {
      const response = await other.client.post("/api/v1/domains", { name });
      expect(response.statusCode, `${name}: ${response.body}`).toBe(409);
      expect(response.json().code).toBe("DOMAIN_OCCUPIED");
    }
    expect((await other.client.get("/api/v1/domains")).json().domains).toEqual([]);
  });

  it("may be claimed by the parent's owner", async () => {
    const owner = await newAccount();
    const parent = await ownDomain(owner.client);
    const response = await owner.client.post("/api/v1/domains", { name: `sub.${parent}` });
    expect(response.statusCode, response.body).toBe(201);
  });

  it("a pending claim under a domain confirmed later by another account is closed as occupied", async () => {
    const owner = await newAccount();
    const other = await newAccount();
    const parent = uniqueDomain();
    const sub = `shop.${parent}`;
    publishTxt(internet, await connectDomain(other.client, sub));
    await ownDomain(owner.client, parent);

    const check = await checkNow(other.client, sub);
    expect(check.statusCode, check.body).toBe(409);
    expect(check.json().code).toBe("DOMAIN_OCCUPIED");
    expect(await t.db.selectFrom("domains").select("id").where("name", "=", sub).execute()).toEqual([]);
  });

  it("a confirmed subdomain of one account does not stop another from claiming the parent", async () => {
    const subOwner = await newAccount();
    const other = await newAccount();
    const parent = uniqueDomain();
    await ownDomain(subOwner.client, `shop.${parent}`);
    const response = await other.client.post("/api/v1/domains", { name: parent });
    expect(response.statusCode, response.body).toBe(201);
  });
});

describe("a pending claim", () => {
  it("shows its account as the claimant, not the owner, until it is confirmed", async () => {
    const { client } = await newAccount();
    const name = uniqueDomain();
    const view = await connectDomain(client, name);
    expect(view.role).toBe("claimant");
    expect((await client.get(`/api/v1/domains/${name}`)).json().role).toBe("claimant");
    expect((await client.get("/api/v1/domains")).json().domains).toEqual([
      expect.objectContaining({ name, role: "claimant" }),
    ]);

    publishTxt(internet, view);
    expect((await checkNow(client, name)).json().role).toBe("owner");
    expect((await client.get("/api/v1/domains")).json().domains).toEqual([
      expect.objectContaining({ name, role: "owner" }),
    ]);
  });
});
