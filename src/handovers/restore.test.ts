import { describe, expect, it } from "vitest";
import { signIn } from "../../test/dns/fixtures.js";
import { messagesTo } from "../../test/helpers/app.js";
import { handoverWorld } from "../../test/helpers/handovers.js";
import { runJob } from "../jobs/worker.js";
import { HOUR } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { JOBS } from "../modules.js";

/** Restore of domain access through the desk's public face (docs/handovers.md, docs/SECURITY.md §37). */
const w = await handoverWorld({ MFD_SUPPORT_TWO_PERSON: "1" });
const { t, internet } = w;
const handovers = t.modules.handovers;

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
};

const runDue = () => runJob(t.deps, JOBS, "complete-handovers");

async function restoreSetup() {
  const owner = await w.account();
  const requester = await w.account({ complete: true });
  const first = await w.agent();
  const second = await w.agent();
  const domain = await w.domainWithMailboxes(owner, 2);
  const ticketId = `ticket-${Math.random().toString(36).slice(2)}`;
  const ctx = () => w.agentCtx(first.accountId, ticketId);
  const restore = await handovers.startRestore(
    { ...ctx(), now: t.clock.now() },
    { domain: domain.name, requesterAccountId: requester.accountId, ticketId },
  );
  return { owner, requester, first, second, domain, ticketId, restore };
}

describe("restore domain access through the desk", () => {
  it("refuses an incomplete profile, saying what is missing", async () => {
    const owner = await w.account();
    const requester = await w.account({ contacts: false });
    const agent = await w.agent();
    const domain = await w.domainWithMailboxes(owner, 0);
    try {
      await handovers.startRestore(w.agentCtx(agent.accountId, "t-1"), {
        domain: domain.name,
        requesterAccountId: requester.accountId,
        ticketId: "t-1",
      });
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).code).toBe("PROFILE_INCOMPLETE");
      expect((error as AppError).extra.missing).toEqual(["security-question", "confirmed-phone"]);
    }
  });

  it("proof, two different agents, the waiting period, then the move with every mailbox", async () => {
    const { owner, requester, first, second, domain, ticketId, restore } = await restoreSetup();
    expect(restore).toMatchObject({ kind: "restore", state: "proving", side: "agent", approvalsNeeded: 2 });
    expect(restore.challenge?.name).toBe(`_mfd-challenge.${domain.name}`);
    expect(JSON.stringify(restore)).not.toContain(owner.login);
    // The listing for the desk's ticket view.
    expect((await handovers.listForTicket(ticketId)).map((h) => h.id)).toEqual([restore.id]);
    // The owner sees nothing of a restore still being proven.
    expect((await owner.client.get("/api/v1/transfers")).json().handovers).toEqual([]);

    const agent1 = () => ({ ...w.agentCtx(first.accountId, ticketId), now: t.clock.now() });
    const agent2 = () => ({ ...w.agentCtx(second.accountId, ticketId), now: t.clock.now() });
    // Without the record: no approval.
    expect(await codeOf(handovers.approveRestore(agent1(), restore.id))).toBe("HANDOVER_PROOF_MISSING");
    expect((await handovers.checkRestoreProof(agent1(), restore.id)).result).toBe("absent");
    // Another restore's token at the name proves nothing.
    internet.publish(`_mfd-challenge.${domain.name}`, "TXT", "mfd-restore=somebodyelsestoken");
    expect((await handovers.checkRestoreProof(agent1(), restore.id)).result).toBe("wrong");
    internet.unpublish(`_mfd-challenge.${domain.name}`);
    const challenge = restore.challenge as { name: string; value: string };
    internet.publish(challenge.name, "TXT", challenge.value);
    // The requester sees the live check too.
    const checked = await requester.client.post(`/api/v1/transfers/${restore.id}/check`);
    expect(checked.statusCode, checked.body).toBe(200);
    expect(checked.json()).toMatchObject({ result: "ok", handover: { state: "proving", side: "to" } });

    // An agent of another ticket reaches nothing.
    expect(await codeOf(handovers.approveRestore(w.agentCtx(second.accountId, "other"), restore.id))).toBe(
      "NOT_FOUND",
    );
    const once = await handovers.approveRestore(agent1(), restore.id);
    expect(once).toMatchObject({ state: "proving", approvals: 1 });
    expect(await codeOf(handovers.approveRestore(agent1(), restore.id))).toBe("SECOND_AGENT_REQUIRED");
    const twice = await handovers.approveRestore(agent2(), restore.id);
    expect(twice.state).toBe("waiting");
    expect(Date.parse(twice.waitUntil as string) - t.clock.now()).toBe(72 * HOUR);

    // Every confirmed contact of the owner is told, each with the cancel link; nothing names the requester.
    for (const contact of [owner.email, owner.phone]) {
      const [notice] = await messagesTo(t, contact);
      expect(notice?.subject).toBe(`Someone is restoring access to ${domain.name}`);
      expect(notice?.body).toContain("/handover/cancel/");
      expect(notice?.body).not.toContain(requester.login);
    }
    // Not yet due.
    t.clock.advance(71 * HOUR);
    await runDue();
    expect(await w.ownerOf(domain.domainId)).toBe(owner.accountId);
    t.clock.advance(HOUR);
    expect(await runDue()).toBeGreaterThan(0);
    expect(await w.ownerOf(domain.domainId)).toBe(requester.accountId);

    const newOwner = await signIn(t, requester);
    const boxes = (await newOwner.get(`/api/v1/domains/${domain.name}/mailboxes`)).json().mailboxes;
    expect(boxes).toHaveLength(2);
    const oldOwner = await signIn(t, owner);
    expect((await oldOwner.get(`/api/v1/domains/${domain.name}`)).statusCode).toBe(404);
    // The new owner learns nothing of the old one from the domain's activity.
    expect(
      JSON.stringify((await newOwner.get(`/api/v1/domains/${domain.name}/activity`)).json()),
    ).not.toContain(owner.login);
  });

  it("the owner's one-click cancel stops it, once", async () => {
    const { owner, first, second, domain, ticketId, restore } = await restoreSetup();
    const challenge = restore.challenge as { name: string; value: string };
    internet.publish(challenge.name, "TXT", challenge.value);
    await handovers.approveRestore(
      { ...w.agentCtx(first.accountId, ticketId), now: t.clock.now() },
      restore.id,
    );
    await handovers.approveRestore(
      { ...w.agentCtx(second.accountId, ticketId), now: t.clock.now() },
      restore.id,
    );
    const { key } = await w.keyFrom(owner.email, "handover/cancel");
    const anyone = new (await import("../../test/helpers/app.js")).Client(t, "198.51.100.77");
    const cancelled = await anyone.post("/api/v1/transfers/cancel", { key });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toEqual({ domain: domain.name, state: "cancelled" });
    expect((await anyone.post("/api/v1/transfers/cancel", { key })).json().code).toBe(
      "HANDOVER_LINK_INVALID",
    );
    t.clock.advance(73 * HOUR);
    await runDue();
    expect(await w.ownerOf(domain.domainId)).toBe(owner.accountId);
    internet.unpublish(challenge.name);
  });

  it("approve + cancel at once: one outcome", async () => {
    for (let round = 0; round < 3; round++) {
      const { owner, requester, first, second, domain, ticketId, restore } = await restoreSetup();
      const challenge = restore.challenge as { name: string; value: string };
      internet.publish(challenge.name, "TXT", challenge.value);
      await handovers.approveRestore(
        { ...w.agentCtx(first.accountId, ticketId), now: t.clock.now() },
        restore.id,
      );
      // The requester withdraws while the second agent approves.
      const withdraw = handovers.cancel(
        {
          actor: {
            kind: "account",
            accountId: requester.accountId,
            sessionId: "s",
            reauthAt: 0,
            isSupportAgent: false,
          },
          ip: null,
          userAgent: null,
          now: t.clock.now(),
        },
        restore.id,
      );
      const approve = handovers.approveRestore(
        { ...w.agentCtx(second.accountId, ticketId), now: t.clock.now() },
        restore.id,
      );
      const outcomes = await Promise.allSettled([approve, withdraw]);
      // A cancel may also come after the approval (a waiting restore can be withdrawn); what each
      // caller was told must be what happened: a withdrawal that succeeded leaves it cancelled, one
      // that lost the race (STATE_CHANGED) leaves it approved.
      const [approved, withdrawn] = outcomes.map((o) => o.status === "fulfilled");
      expect(approved || withdrawn).toBe(true);
      const state = (
        await t.db
          .selectFrom("handovers")
          .select("state")
          .where("id", "=", restore.id)
          .executeTakeFirstOrThrow()
      ).state;
      expect(state).toBe(withdrawn ? "cancelled" : "waiting");
      if (!withdrawn) expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain("changed");
      expect(await w.ownerOf(domain.domainId)).toBe(owner.accountId);
      internet.unpublish(challenge.name);
    }
  });

  it("a domain disconnected during the waiting period ends the restore with it", async () => {
    const { owner, first, second, domain, ticketId, restore } = await restoreSetup();
    const challenge = restore.challenge as { name: string; value: string };
    internet.publish(challenge.name, "TXT", challenge.value);
    await handovers.approveRestore(
      { ...w.agentCtx(first.accountId, ticketId), now: t.clock.now() },
      restore.id,
    );
    await handovers.approveRestore(
      { ...w.agentCtx(second.accountId, ticketId), now: t.clock.now() },
      restore.id,
    );
    internet.unpublish(challenge.name);
    // The owner deletes the mailboxes and disconnects meanwhile: the restore ends with the domain.
    const client = owner.client;
    await client.post(`/api/v1/domains/${domain.name}/mailboxes/delete-all`, { confirm: domain.name });
    expect((await client.delete(`/api/v1/domains/${domain.name}`, { confirm: domain.name })).statusCode).toBe(
      204,
    );
    const row = await t.db
      .selectFrom("handovers")
      .selectAll()
      .where("id", "=", restore.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: "cancelled", endReason: "released" });
  });
});

describe("transfer through support", () => {
  it("refuses a letter not from the owner's address; from it, the owner confirms and the target accepts", async () => {
    const owner = await w.account();
    const target = await w.account();
    const agent = await w.agent();
    const domain = await w.domainWithMailboxes(owner, 1);
    const ctx = () => ({ ...w.agentCtx(agent.accountId, "ticket-st"), now: t.clock.now() });
    expect(
      await codeOf(
        handovers.startSupportTransfer(ctx(), {
          ticketId: "ticket-st",
          domain: domain.name,
          letterFrom: "someone@example.com",
        }),
      ),
    ).toBe("LETTER_NOT_FROM_OWNER");
    // The agent of another ticket reaches nothing.
    expect(
      await codeOf(
        handovers.startSupportTransfer(ctx(), {
          ticketId: "ticket-other",
          domain: domain.name,
          letterFrom: owner.email,
        }),
      ),
    ).toBe("NOT_FOUND");
    const started = await handovers.startSupportTransfer(ctx(), {
      ticketId: "ticket-st",
      domain: domain.name,
      letterFrom: owner.email.toUpperCase(),
    });
    expect(started).toMatchObject({ state: "awaiting-owner", side: "agent", ticketId: "ticket-st" });
    const { id, key } = await w.keyFrom(owner.email, "transfer/confirm");
    const confirmed = await owner.client.post(`/api/v1/transfers/${id}/confirm`, {
      key,
      login: target.login,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ state: "offered", toLogin: target.login });
    expect(
      (await owner.client.post(`/api/v1/transfers/${id}/confirm`, { key, login: target.login })).json().code,
    ).toBe("HANDOVER_LINK_INVALID");
    const offer = await w.keyFrom(target.email, "transfer/accept");
    expect(offer.id).toBe(id);
    const accepted = await target.client.post(`/api/v1/transfers/${id}/accept`, { key: offer.key });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(await w.ownerOf(domain.domainId)).toBe(target.accountId);
    expect((await handovers.listForTicket("ticket-st"))[0]?.state).toBe("done");
  });
});

describe("self-service restore", () => {
  it("is refused unless the operator allows it", async () => {
    const owner = await w.account();
    const requester = await w.account({ complete: true });
    const domain = await w.domainWithMailboxes(owner, 0);
    const res = await requester.client.post("/api/v1/restores", { domain: domain.name });
    expect(res.json().code).toBe("SELF_SERVICE_RECOVERY_OFF");
  });
});
