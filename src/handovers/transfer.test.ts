import { describe, expect, it } from "vitest";
import { type Client, messagesTo } from "../../test/helpers/app.js";
import { testDialect } from "../../test/helpers/database.js";
import { handoverWorld } from "../../test/helpers/handovers.js";
import { holdTransaction } from "../../test/helpers/locks.js";
import { runJob } from "../jobs/worker.js";
import { DAY } from "../lib/clock.js";
import { JOBS } from "../modules.js";

/** Self-service transfers (docs/handovers.md, docs/SECURITY.md §36, §39–41). */
const w = await handoverWorld();
const { t } = w;

async function tokenOf(owner: { client: Client }, domains: string[] | "all") {
  const res = await owner.client.post("/api/v1/tokens", {
    name: "script",
    permissions: ["domains:read", "mailboxes:read"],
    domains,
    expiresInDays: 30,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { authorization: `Bearer ${res.json().token}` } as Record<string, string>;
}

describe("a self-service transfer", () => {
  it("moves the domain with its mailboxes and deputies; the old owner's session and tokens lose it at once", async () => {
    const alice = await w.account();
    const bob = await w.account();
    const dora = await w.account();
    const domain = await w.domainWithMailboxes(alice, 3);
    const added = await alice.client.post(`/api/v1/domains/${domain.name}/deputies`, { login: dora.login });
    expect(added.statusCode, added.body).toBe(201);
    const scoped = await tokenOf(alice, [domain.name]);
    const everywhere = await tokenOf(alice, "all");

    const started = await alice.client.post(`/api/v1/domains/${domain.name}/transfer`, { login: bob.login });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json().handover).toMatchObject({
      kind: "transfer",
      state: "offered",
      side: "from",
      toLogin: bob.login,
    });
    // Both are told: Alice of the change, Bob with the link.
    expect((await messagesTo(t, alice.email))[0]?.body).toContain(`transfer of ${domain.name}`);
    const { id, key } = await w.keyFrom(bob.email, "transfer/accept");
    expect(key.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits in base64url
    // Nothing moved yet.
    expect((await alice.client.get(`/api/v1/domains/${domain.name}`)).statusCode).toBe(200);

    t.clock.advance(60_000);
    const accepted = await bob.client.post(`/api/v1/transfers/${id}/accept`, { key });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ state: "done", side: "to", toLogin: null });

    // §39: Alice's session and both her tokens get "not found" at once.
    expect((await alice.client.get(`/api/v1/domains/${domain.name}`)).statusCode).toBe(404);
    expect((await alice.client.get(`/api/v1/domains/${domain.name}/mailboxes`)).statusCode).toBe(404);
    // The token limited to this domain alone is gone; the one for every domain no longer reaches it.
    expect((await alice.client.get(`/api/v1/domains/${domain.name}/mailboxes`, scoped)).statusCode).toBe(401);
    expect((await alice.client.get(`/api/v1/domains/${domain.name}/mailboxes`, everywhere)).statusCode).toBe(
      404,
    );
    expect((await alice.client.get("/api/v1/domains")).json().domains).toEqual([]);
    // Bob owns it with every mailbox; Dora is still a deputy.
    const view = await bob.client.get(`/api/v1/domains/${domain.name}`);
    expect(view.json()).toMatchObject({ role: "owner", status: "mx-activate" });
    const boxes = (await bob.client.get(`/api/v1/domains/${domain.name}/mailboxes`)).json();
    expect(boxes.mailboxes.map((m: { login: string }) => m.login).sort()).toEqual(["box0", "box1", "box2"]);
    expect((await dora.client.get(`/api/v1/domains/${domain.name}`)).json().role).toBe("deputy");
    // Both told of the outcome.
    expect((await messagesTo(t, alice.email))[0]?.body).toContain(`${domain.name} was transferred`);
    expect((await messagesTo(t, bob.email))[0]?.subject).toBe(`You now own ${domain.name}`);
    // The link was single-use.
    const again = await bob.client.post(`/api/v1/transfers/${id}/accept`, { key });
    expect(again.json().code).toBe("HANDOVER_LINK_INVALID");
    // The domain's activity shows Bob nothing from before the move; Alice's log keeps the move.
    const activity = (await bob.client.get(`/api/v1/domains/${domain.name}/activity`)).json();
    expect(activity.events.map((e: { action: string }) => e.action)).not.toContain("mailbox.create");
    const aliceLog = JSON.stringify((await alice.client.get("/api/v1/account/events")).json());
    expect(aliceLog).toContain("domain.move");
  });

  it("a deputy who receives the domain stops being a deputy of it", async () => {
    const alice = await w.account();
    const dora = await w.account();
    const domain = await w.domainWithMailboxes(alice, 0);
    await alice.client.post(`/api/v1/domains/${domain.name}/deputies`, { login: dora.login });
    await alice.client.post(`/api/v1/domains/${domain.name}/transfer`, { login: dora.login });
    const { id, key } = await w.keyFrom(dora.email, "transfer/accept");
    expect((await dora.client.post(`/api/v1/transfers/${id}/accept`, { key })).statusCode).toBe(200);
    expect((await dora.client.get(`/api/v1/domains/${domain.name}`)).json().role).toBe("owner");
    const rows = await t.db
      .selectFrom("deputies")
      .selectAll()
      .where("domainId", "=", domain.domainId)
      .execute();
    expect(rows).toEqual([]);
  });

  it("answers a start to an unknown login exactly as to a known one", async () => {
    const alice = await w.account();
    const bob = await w.account();
    const one = await w.domainWithMailboxes(alice, 0);
    const two = await w.domainWithMailboxes(alice, 0);
    const known = await alice.client.post(`/api/v1/domains/${one.name}/transfer`, { login: bob.login });
    const unknown = await alice.client.post(`/api/v1/domains/${two.name}/transfer`, {
      login: "nobody-here-42",
    });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    const shape = (body: { handover: Record<string, unknown>; message: string }) => ({
      ...body.handover,
      id: "",
      domain: "",
      toLogin: "",
      message: body.message.replace(/\S+@\S+/, "X").replace(/\S+\.org/, "D"),
    });
    expect(shape(unknown.json())).toEqual(shape(known.json()));
  });

  it("refuses the owner's own login, a token, a deputy and anyone else", async () => {
    const alice = await w.account();
    const dora = await w.account();
    const eve = await w.account();
    const domain = await w.domainWithMailboxes(alice, 0);
    await alice.client.post(`/api/v1/domains/${domain.name}/deputies`, { login: dora.login });
    const url = `/api/v1/domains/${domain.name}/transfer`;
    expect((await alice.client.post(url, { login: alice.login })).json().code).toBe("TRANSFER_TO_SELF");
    expect(
      (await alice.client.post(url, { login: eve.login }, await tokenOf(alice, "all"))).json().code,
    ).toBe("TOKEN_NOT_ALLOWED");
    expect((await dora.client.post(url, { login: eve.login })).json().code).toBe("FORBIDDEN");
    expect((await eve.client.post(url, { login: eve.login })).json().code).toBe("NOT_FOUND");
    expect((await alice.client.post(url, { login: eve.login, owner_id: eve.accountId })).statusCode).toBe(
      400,
    );
  });

  it("only the named login accepts, with the right secret, within 7 days", async () => {
    const alice = await w.account();
    const bob = await w.account();
    const eve = await w.account();
    const domain = await w.domainWithMailboxes(alice, 0);
    await alice.client.post(`/api/v1/domains/${domain.name}/transfer`, { login: bob.login });
    const { id, key } = await w.keyFrom(bob.email, "transfer/accept");
    expect((await eve.client.post(`/api/v1/transfers/${id}/accept`, { key })).json().code).toBe(
      "HANDOVER_LINK_INVALID",
    );
    expect((await eve.client.get(`/api/v1/transfers/${id}`)).statusCode).toBe(404);
    expect(
      (await bob.client.post(`/api/v1/transfers/${id}/accept`, { key: `${key.slice(0, -2)}xx` })).json().code,
    ).toBe("HANDOVER_LINK_INVALID");
    expect(await w.ownerOf(domain.domainId)).toBe(alice.accountId);
    // Bob sees the offer without learning more than the domain.
    const offers = (await bob.client.get("/api/v1/transfers")).json().handovers;
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ id, side: "to", toLogin: null });
    expect(JSON.stringify(offers)).not.toContain(alice.login);

    t.clock.advance(7 * DAY + 1);
    const late = await (await import("../../test/dns/fixtures.js")).signIn(t, bob);
    expect((await late.post(`/api/v1/transfers/${id}/accept`, { key })).json().code).toBe("HANDOVER_EXPIRED");
    expect(await runJob(t.deps, JOBS, "complete-handovers")).toBeGreaterThan(0);
    expect((await late.get(`/api/v1/transfers/${id}`)).json().state).toBe("expired");
    expect(await w.ownerOf(domain.domainId)).toBe(alice.accountId);
  });

  it("the owner may cancel until acceptance; both are told; the link is dead", async () => {
    const alice = await w.account();
    const bob = await w.account();
    const domain = await w.domainWithMailboxes(alice, 0);
    await alice.client.post(`/api/v1/domains/${domain.name}/transfer`, { login: bob.login });
    const { id, key } = await w.keyFrom(bob.email, "transfer/accept");
    expect((await bob.client.post(`/api/v1/transfers/${id}/cancel`)).json()).toMatchObject({
      state: "cancelled",
    });
    expect((await messagesTo(t, alice.email))[0]?.subject).toBe(
      `The transfer of ${domain.name} was cancelled`,
    );
    expect((await bob.client.post(`/api/v1/transfers/${id}/accept`, { key })).json().code).toBe(
      "HANDOVER_LINK_INVALID",
    );
    expect(await w.ownerOf(domain.domainId)).toBe(alice.accountId);
  });
});

describe("racing hand-overs end with one outcome (docs/SECURITY.md §40)", () => {
  it("accept + cancel", async () => {
    for (let round = 0; round < 3; round++) {
      const alice = await w.account();
      const bob = await w.account();
      const domain = await w.domainWithMailboxes(alice, 0);
      await alice.client.post(`/api/v1/domains/${domain.name}/transfer`, { login: bob.login });
      const { id, key } = await w.keyFrom(bob.email, "transfer/accept");
      const [accept, cancel] = await Promise.all([
        bob.client.post(`/api/v1/transfers/${id}/accept`, { key }),
        alice.client.post(`/api/v1/transfers/${id}/cancel`),
      ]);
      const wins = [accept.statusCode, cancel.statusCode].filter((s) => s === 200);
      expect(wins, `${accept.body} ${cancel.body}`).toHaveLength(1);
      const state = (
        await t.db.selectFrom("handovers").select("state").where("id", "=", id).executeTakeFirstOrThrow()
      ).state;
      expect(await w.ownerOf(domain.domainId)).toBe(state === "done" ? bob.accountId : alice.accountId);
      expect(accept.statusCode === 200 ? "done" : "cancelled").toBe(state);
    }
  });

  it("transfer + transfer: two accepted offers give one owner", async () => {
    const alice = await w.account();
    const bob = await w.account();
    const carol = await w.account();
    const domain = await w.domainWithMailboxes(alice, 1);
    await alice.client.post(`/api/v1/domains/${domain.name}/transfer`, { login: bob.login });
    await alice.client.post(`/api/v1/domains/${domain.name}/transfer`, { login: carol.login });
    const toBob = await w.keyFrom(bob.email, "transfer/accept");
    const toCarol = await w.keyFrom(carol.email, "transfer/accept");
    const [b, c] = await Promise.all([
      bob.client.post(`/api/v1/transfers/${toBob.id}/accept`, { key: toBob.key }),
      carol.client.post(`/api/v1/transfers/${toCarol.id}/accept`, { key: toCarol.key }),
    ]);
    expect(
      [b.statusCode, c.statusCode].filter((s) => s === 200),
      `${b.body} ${c.body}`,
    ).toHaveLength(1);
    const owner = await w.ownerOf(domain.domainId);
    expect(owner).toBe(b.statusCode === 200 ? bob.accountId : carol.accountId);
    const loser = b.statusCode === 200 ? c : b;
    expect(["STATE_CHANGED", "HANDOVER_LINK_INVALID"]).toContain(loser.json().code);
    const mailboxes = await t.db
      .selectFrom("mailboxes")
      .select("login")
      .where("domainId", "=", domain.domainId)
      .execute();
    expect(mailboxes).toHaveLength(1);
  });

  it("transfer + disconnect: the domain is either moved or gone, never both", async () => {
    for (let round = 0; round < 3; round++) {
      const alice = await w.account();
      const bob = await w.account();
      const domain = await w.domainWithMailboxes(alice, 0);
      await alice.client.post(`/api/v1/domains/${domain.name}/transfer`, { login: bob.login });
      const { id, key } = await w.keyFrom(bob.email, "transfer/accept");
      const [accept, disconnect] = await Promise.all([
        bob.client.post(`/api/v1/transfers/${id}/accept`, { key }),
        alice.client.delete(`/api/v1/domains/${domain.name}`, { confirm: domain.name }),
      ]);
      const owner = await w.ownerOf(domain.domainId);
      if (accept.statusCode === 200) {
        expect(disconnect.statusCode, disconnect.body).toBe(404);
        expect(owner).toBe(bob.accountId);
      } else {
        expect(disconnect.statusCode, disconnect.body).toBe(204);
        expect(owner).toBeNull();
        expect(["STATE_CHANGED", "HANDOVER_LINK_INVALID"]).toContain(accept.json().code);
      }
    }
  });
});

describe("the original path (delete mailboxes, disconnect, the other account connects and confirms)", () => {
  it("still works end to end, and the new owner starts with nothing of the old", async () => {
    const { connectDomain, checkNow, publishTxt, uniqueDomain } = await import("../../test/dns/fixtures.js");
    const alice = await w.account();
    const bob = await w.account();
    const name = uniqueDomain();
    publishTxt(w.internet, await connectDomain(alice.client, name));
    expect((await checkNow(alice.client, name)).json().status).toBe("mx-activate");
    const mailboxes = `/api/v1/domains/${name}/mailboxes`;
    for (const login of ["info", "sales"])
      expect(
        (await alice.client.post(mailboxes, { login, password: "winter orchard lantern 58" })).statusCode,
      ).toBe(201);

    expect((await alice.client.delete(`/api/v1/domains/${name}`, { confirm: name })).json().code).toBe(
      "MAILBOXES_REMAIN",
    );
    const deleted = await alice.client.post(`${mailboxes}/delete-all`, { confirm: name });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect((await alice.client.delete(`/api/v1/domains/${name}`, { confirm: name })).statusCode).toBe(204);

    w.internet.unpublish(`_mfd-challenge.${name}`);
    publishTxt(w.internet, await connectDomain(bob.client, name));
    expect((await checkNow(bob.client, name)).json()).toMatchObject({ role: "owner", status: "mx-activate" });
    expect((await bob.client.get(mailboxes)).json().mailboxes).toEqual([]);
    expect((await alice.client.get(`/api/v1/domains/${name}`)).statusCode).toBe(404);
  });
});

describe("a disconnect waiting for a move", () => {
  it.skipIf(testDialect === "sqlite")(
    "finds the domain no longer the owner's and deletes nothing (PostgreSQL: the move holds the row)",
    async () => {
      // SQLite serialises writers; on PostgreSQL the move's transaction is held open, domain row
      // locked and owner changed, until the disconnect is seen waiting for it.
      const alice = await w.account();
      const bob = await w.account();
      const domain = await w.domainWithMailboxes(alice, 0);
      const move = await holdTransaction(t.deps.database, async (tx) => {
        await tx.selectFrom("domains").select("id").where("id", "=", domain.domainId).forUpdate().execute();
        await t.modules.handovers.moveDomain(
          tx,
          { actor: { kind: "system" }, ip: null, userAgent: null, now: t.clock.now() },
          {
            domainId: domain.domainId,
            fromAccountId: alice.accountId,
            toAccountId: bob.accountId,
            reason: "transfer",
          },
        );
      });
      const disconnect = alice.client.delete(`/api/v1/domains/${domain.name}`, { confirm: domain.name });
      await Promise.race([disconnect, move.waitedOn()]);
      await move.commit();
      expect((await disconnect).statusCode).toBe(404);
      expect(await w.ownerOf(domain.domainId)).toBe(bob.accountId);
    },
  );
});
