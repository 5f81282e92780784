import { describe, expect, it } from "vitest";
import { Client, messagesTo } from "../../test/helpers/app.js";
import { handoverWorld } from "../../test/helpers/handovers.js";
import { supportAgent } from "../../test/helpers/support.js";
import { runJob } from "../jobs/worker.js";
import { HOUR } from "../lib/clock.js";
import { JOBS } from "../modules.js";

/**
 * The ticket's hand-over actions (issue 11): restore access from a ticket (challenge, live check,
 * approval, the owner's waiting period, the move) and a transfer through support (the letter from
 * the owner's address, else an automatic answer), as the agent desk calls the hand-overs capability.
 */
const w = await handoverWorld();
const { t, internet } = w;

let seq = 0;
const nextIp = () => `10.63.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;
const agentNow = () => supportAgent(t, nextIp());

async function ownerOf(domainName: string) {
  const row = await t.db
    .selectFrom("domains")
    .select("ownerAccountId")
    .where("name", "=", domainName)
    .executeTakeFirst();
  return row?.ownerAccountId;
}

describe("restore access from a ticket", () => {
  it("challenge, live check, approval, the owner's waiting period, then the domain moves with its mailboxes", async () => {
    const owner = await w.account();
    const requester = await w.account({ complete: true });
    const domain = await w.domainWithMailboxes(owner, 2);
    const filed = await requester.client.post("/api/v1/support/tickets", {
      category: "restore-access",
      domain: domain.name,
      replyTo: requester.email,
      message: "I lost the old admin account.",
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const ticketId = filed.json().id as string;
    const agent = await agentNow();

    const started = await agent.client.post(`/api/v1/support/queue/${ticketId}/restore`, {});
    expect(started.statusCode, started.body).toBe(200);
    const [restore] = started.json().handovers;
    expect(restore).toMatchObject({ kind: "restore", state: "proving", ticketId });
    const challenge = restore.challenge as { name: string; value: string };
    expect(challenge.name).toBe(`_mfd-challenge.${domain.name}`);
    // The requester is told what to publish, never who owns the domain.
    const [told] = await messagesTo(t, requester.email);
    expect(told?.body).toContain(challenge.value);
    expect(told?.body).not.toContain(owner.login);
    const page = (await requester.client.get(`/api/v1/support/tickets/${ticketId}`)).json();
    expect(page.state).toBe("waiting-requester");
    expect(JSON.stringify(page)).not.toContain(owner.login);

    const check = () =>
      agent.client.post(`/api/v1/support/queue/${ticketId}/handovers/${restore.id}/check`, {});
    expect((await check()).json().result).toBe("absent");
    const early = await agent.client.post(
      `/api/v1/support/queue/${ticketId}/handovers/${restore.id}/approve`,
      {},
    );
    expect(early.json().code).toBe("HANDOVER_PROOF_MISSING");
    internet.publish(challenge.name, "TXT", challenge.value);
    expect((await check()).json().result).toBe("ok");

    const approved = await agent.client.post(
      `/api/v1/support/queue/${ticketId}/handovers/${restore.id}/approve`,
      {},
    );
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().handovers[0].state).toBe("waiting");
    expect(approved.json().state).toBe("waiting-owner");
    // Every contact of the current owner is told, with the one-click cancel.
    expect((await messagesTo(t, owner.email))[0]?.body).toContain("cancel");
    // The agent's view of the ticket shows each step once, though it is logged for every account it concerns.
    const view = (await agent.client.get(`/api/v1/support/queue/${ticketId}`)).json();
    const shown = (view.activity as Array<{ action: string }>).map((e) => e.action);
    expect(shown.filter((a) => a === "handover.approve")).toHaveLength(1);
    expect(shown.filter((a) => a === "handover.proof-check")).toHaveLength(2);

    t.clock.advance(72 * HOUR + 1);
    await runJob(t.deps, JOBS, "complete-handovers");
    expect(await ownerOf(domain.name)).toBe(requester.accountId);
    expect(
      await t.db.selectFrom("mailboxes").select("id").where("domainId", "=", domain.domainId).execute(),
    ).toHaveLength(2);

    // Every step is in the ticket's log, the agent's as agent.
    const log = await t.db
      .selectFrom("auditEvents")
      .select(["action", "actorType"])
      .where("ticketId", "=", ticketId)
      .orderBy("id")
      .execute();
    expect(log.filter((e) => e.actorType === "agent").map((e) => e.action)).toEqual(
      expect.arrayContaining(["handover.start", "handover.approve", "support.ticket.reply"]),
    );
  });

  it("fits only a restore request from a signed-in requester, and reaches no other ticket's hand-over", async () => {
    const owner = await w.account();
    const requester = await w.account({ complete: true });
    const domain = await w.domainWithMailboxes(owner, 0);
    const agent = await agentNow();
    const other = await new Client(t, nextIp()).post("/api/v1/support/tickets", {
      category: "other",
      domain: domain.name,
      replyTo: "someone@example.net",
      message: "Hi",
    });
    const wrong = await agent.client.post(`/api/v1/support/queue/${other.json().id}/restore`, {});
    expect(wrong.json().code).toBe("TICKET_CATEGORY_MISMATCH");

    const filed = await requester.client.post("/api/v1/support/tickets", {
      category: "restore-access",
      domain: domain.name,
      replyTo: requester.email,
      message: "Mine",
    });
    const started = (await agent.client.post(`/api/v1/support/queue/${filed.json().id}/restore`, {})).json();
    const handoverId = started.handovers[0].id as string;
    // Through another ticket (even one about the same domain), the hand-over does not exist.
    const second = await requester.client.post("/api/v1/support/tickets", {
      category: "restore-access",
      domain: domain.name,
      replyTo: requester.email,
      message: "Again",
    });
    for (const action of ["approve", "check"]) {
      const through = await agent.client.post(
        `/api/v1/support/queue/${second.json().id}/handovers/${handoverId}/${action}`,
        {},
      );
      expect(through.json().code, action).toBe("NOT_FOUND");
    }
    // Nobody but an agent reaches the action.
    expect(
      (await requester.client.post(`/api/v1/support/queue/${filed.json().id}/restore`, {})).json().code,
    ).toBe("NOT_FOUND");
  });
});

describe("transfer through support", () => {
  it("sends the confirmation link to the owner's address when the letter came from it", async () => {
    const owner = await w.account();
    const domain = await w.domainWithMailboxes(owner, 1);
    const filed = await new Client(t, nextIp()).post("/api/v1/support/tickets", {
      category: "transfer",
      domain: domain.name,
      replyTo: owner.email,
      message: "Please transfer it to my colleague.",
    });
    const ticketId = filed.json().id as string;
    const agent = await agentNow();
    const started = await agent.client.post(`/api/v1/support/queue/${ticketId}/transfer`, {});
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({ outcome: "link-sent", ticket: { state: "waiting-owner" } });
    expect(started.json().ticket.handovers[0]).toMatchObject({ kind: "transfer", state: "awaiting-owner" });
    const mails = await messagesTo(t, owner.email);
    expect(mails.some((m) => m.subject.includes(`Confirm the transfer of ${domain.name}`))).toBe(true);
  });

  it("answers the requester automatically when the letter came from elsewhere, the same for any domain", async () => {
    const owner = await w.account();
    const domain = await w.domainWithMailboxes(owner, 0);
    const agent = await agentNow();
    const bodies = [];
    for (const name of [domain.name, `free-${Date.now()}.org`]) {
      const replyTo = `stranger${++seq}@example.net`;
      const filed = await new Client(t, nextIp()).post("/api/v1/support/tickets", {
        category: "transfer",
        domain: name,
        replyTo,
        message: "Give it to me.",
      });
      const answered = await agent.client.post(`/api/v1/support/queue/${filed.json().id}/transfer`, {});
      expect(answered.json().outcome).toBe("answered");
      expect(answered.json().ticket.handovers).toEqual([]);
      bodies.push(
        (await messagesTo(t, replyTo))[0]?.body.replace(/#key=\S+/, "").replace(/[0-9a-f-]{36}/g, ""),
      );
    }
    expect(bodies[0]).toContain("transferred only at the request of its current administrator");
    expect(bodies[0]).toEqual(bodies[1]?.replace(/free-\d+\.org/, domain.name));
    expect(await ownerOf(domain.name)).toBe(owner.accountId);
  });
});
