import { expect, it } from "vitest";
import {
  checkNow,
  connectDomain,
  createDomainWorld,
  publishTxt,
  uniqueDomain,
} from "../../test/dns/fixtures.js";
import { registerAccount } from "../../test/helpers/app.js";
import { holdTransaction } from "../../test/helpers/locks.js";
import { newId } from "../lib/random.js";

/** docs/SECURITY.md §32: one owner per domain by constraint, whatever the timing. */
const { t, internet } = await createDomainWorld();

it("50 accounts confirming one domain at the same moment end with one owner and 49 clean DOMAIN_OCCUPIED", async () => {
  const name = uniqueDomain();
  const accounts = await Promise.all(
    Array.from({ length: 50 }, (_, i) => registerAccount(t, {}, `198.51.100.${i + 1}`)),
  );
  // Every account proves ownership with its own token (the TXT set only fits over TCP).
  for (const account of accounts) publishTxt(internet, await connectDomain(account.client, name));

  const responses = await Promise.all(accounts.map((account) => checkNow(account.client, name)));

  const winners = responses.filter((r) => r.statusCode === 200);
  const losers = responses.filter((r) => r.statusCode !== 200);
  expect(winners).toHaveLength(1);
  expect(winners[0]?.json().status).toBe("mx-activate");
  expect(losers).toHaveLength(49);
  for (const loser of losers) {
    expect(loser.statusCode, loser.body).toBe(409);
    expect(loser.json().code).toBe("DOMAIN_OCCUPIED");
  }
  const owners = await t.db.selectFrom("domains").select("ownerAccountId").where("name", "=", name).execute();
  expect(owners).toHaveLength(1);
  // The losers' claims are closed: their lists are empty, and the winner's shows the domain.
  const lists = await Promise.all(
    accounts.map(async (a) => (await a.client.get("/api/v1/domains")).json().domains),
  );
  expect(lists.filter((domains) => domains.length === 1)).toHaveLength(1);
  expect(lists.filter((domains) => domains.length === 0)).toHaveLength(49);
});

it("the owner's two checks of one claim at once both answer confirmed, never DOMAIN_OCCUPIED", async () => {
  const account = await registerAccount(t, {}, "203.0.113.7");
  const name = uniqueDomain();
  publishTxt(internet, await connectDomain(account.client, name));

  const responses = await Promise.all([checkNow(account.client, name), checkNow(account.client, name)]);

  for (const response of responses) {
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ name, status: "mx-activate" });
  }
  const events = (await account.client.get("/api/v1/account/events")).json().events;
  expect(JSON.stringify(events)).not.toContain("occupied");
});

it("cancelling a claim while its confirmation commits never leaves a domain without its claim", async () => {
  const account = await registerAccount(t, {}, "203.0.113.8");
  const name = uniqueDomain();
  await connectDomain(account.client, name);
  const claim = await t.db
    .selectFrom("claims")
    .selectAll()
    .where("domainName", "=", name)
    .executeTakeFirstOrThrow();

  // A confirmation (what DomainChecker writes) held open until the cancel has been sent.
  const confirming = await holdTransaction(t.deps.database, async (tx) => {
    await tx
      .insertInto("domains")
      .values({
        id: newId(),
        name,
        ownerAccountId: claim.accountId,
        claimId: claim.id,
        confirmedAt: t.clock.now(),
        confirmedMethod: "txt",
        mxNextCheckAt: t.clock.now(),
      })
      .execute();
    await tx.updateTable("claims").set({ status: "confirmed" }).where("id", "=", claim.id).execute();
  });
  const cancel = account.client.delete(`/api/v1/domains/${name}`, { confirm: name });
  if (t.deps.database.dialect === "postgres") {
    // Wait until the cancel has read the pending claim and waits for the confirmation's row lock.
    await confirming.waitedOn();
  }
  await confirming.commit();
  const response = await cancel;

  const domain = await t.db
    .selectFrom("domains")
    .select("claimId")
    .where("name", "=", name)
    .executeTakeFirst();
  const claims = await t.db.selectFrom("claims").select("id").where("domainName", "=", name).execute();
  if (domain) {
    // The confirmation won: the domain stands whole with its claim, and its checks work.
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json().code).toBe("DOMAIN_ALREADY_CONFIRMED");
    expect(claims.map((c) => c.id)).toEqual([domain.claimId]);
    const check = await checkNow(account.client, name);
    expect(check.statusCode, check.body).toBe(200);
  } else {
    // The cancel saw the confirmed domain and disconnected it: nothing is left.
    expect(response.statusCode, response.body).toBe(204);
    expect(claims).toEqual([]);
  }
});
