import { expect, it } from "vitest";
import {
  checkNow,
  connectDomain,
  createDomainWorld,
  publishTxt,
  uniqueDomain,
} from "../../test/dns/fixtures.js";
import { registerAccount } from "../../test/helpers/app.js";

/** security.md 32: one owner per domain by constraint, whatever the timing. */
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
