import { describe, expect, it } from "vitest";
import { checkNow, createDomainWorld } from "../../test/dns/fixtures.js";
import { registerAccount } from "../../test/helpers/app.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import { MINUTE } from "../lib/clock.js";

/**
 * Issue 12: a domain's check history says who ran each manual check as its viewer may know it —
 * "you" for their own, "the owner" (never named) to an administrator, "an administrator" to the
 * owner — where it used to say "by you" to everyone.
 */
const { t } = await createDomainWorld();

let seq = 0;
const account = () => registerAccount(t, {}, `10.74.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`);

describe("a domain's check history", () => {
  it("says who ran each manual check, as the viewer may know it", async () => {
    const owner = await account();
    const deputy = await account();
    const { name } = await confirmedDomain(t, owner.accountId);
    expect(
      (await owner.client.post(`/api/v1/domains/${name}/deputies`, { login: deputy.login })).statusCode,
    ).toBe(201);

    expect((await checkNow(owner.client, name)).statusCode).toBe(200);
    t.clock.advance(MINUTE);
    expect((await checkNow(deputy.client, name)).statusCode).toBe(200);

    const history = async (who: typeof owner) => {
      const res = await who.client.get(`/api/v1/domains/${name}/checks`);
      expect(res.statusCode, res.body).toBe(200);
      const checks = res.json().checks as Array<{ trigger: string; by: string | null }>;
      return checks.filter((c) => c.trigger === "manual").map((c) => c.by);
    };
    // Newest first: the deputy's check, then the owner's.
    expect(await history(owner)).toEqual(["administrator", "you"]);
    expect(await history(deputy)).toEqual(["you", "owner"]);
    const body = (await deputy.client.get(`/api/v1/domains/${name}/checks`)).body;
    expect(body).not.toContain(owner.login);
    expect(body).not.toContain(owner.accountId);
  });
});
