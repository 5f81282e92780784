import { describe, expect, it } from "vitest";
import { Client, createTestApp, lastCodeTo, messagesTo, registerAccount } from "../../test/helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../../test/helpers/domains.js";
import { supportAgent, ticketLinkIn } from "../../test/helpers/support.js";
import { totpAt } from "../credentials/totp.js";
import { HOUR } from "../lib/clock.js";
import { parseInboundAddress } from "./tickets.js";

const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.61.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;
const replyAddress = () => `requester${++seq}x${Math.floor(Math.random() * 1e6)}@example.net`;
const visitor = () => new Client(t, nextIp());

async function file(
  client: Client,
  body: Partial<{ category: string; domain: string; replyTo: string; message: string }> = {},
) {
  return client.post("/api/v1/support/tickets", {
    category: "other",
    domain: uniqueDomain(),
    replyTo: replyAddress(),
    message: "Hello, I need help with my domain.",
    ...body,
  });
}

/** A visitor's ticket and the key its mailed link was exchanged for. */
async function visitorTicket(body: Parameters<typeof file>[1] = {}) {
  const replyTo = body.replyTo ?? replyAddress();
  const client = visitor();
  const filed = await file(client, { ...body, replyTo });
  expect(filed.statusCode, filed.body).toBe(201);
  const { ticketId, key } = await ticketLinkIn(t, replyTo);
  const opened = await client.post(`/api/v1/support/tickets/${ticketId}/access`, { key });
  expect(opened.statusCode, opened.body).toBe(200);
  return { client, ticketId, replyTo, accessKey: opened.json().accessKey as string };
}

/** A fresh agent per test: tests move the clock past sessions' idle timeout. */
const freshAgent = () => supportAgent(t, nextIp());

async function auditOf(ticketId: string) {
  return t.db
    .selectFrom("auditEvents")
    .select(["action", "actorType", "actorId", "ticketId", "domain", "details"])
    .where("ticketId", "=", ticketId)
    .orderBy("id")
    .execute();
}

describe("the feedback form", () => {
  it("files a visitor's request, mails the reply address a single-use link and a Reply-To of the ticket", async () => {
    const replyTo = replyAddress();
    const domain = uniqueDomain();
    const filed = await file(visitor(), { domain, replyTo, message: "Please help." });
    expect(filed.statusCode, filed.body).toBe(201);
    const { id } = filed.json();
    const [mail] = await messagesTo(t, replyTo);
    expect(mail?.body).toContain(domain);
    expect(mail?.body).toContain("> Please help.");
    const inbound = parseInboundAddress(t.config, mail?.replyTo ?? "");
    expect(inbound?.ticketId).toBe(id);

    const { ticketId, key } = await ticketLinkIn(t, replyTo);
    expect(ticketId).toBe(id);
    const browser = visitor();
    const opened = await browser.post(`/api/v1/support/tickets/${id}/access`, { key });
    expect(opened.statusCode).toBe(200);
    const accessKey = opened.json().accessKey as string;
    // The link is single-use: the second try, from anyone, is refused.
    const again = await visitor().post(`/api/v1/support/tickets/${id}/access`, { key });
    expect(again.json().code).toBe("TICKET_LINK_INVALID");

    const page = await browser.get(`/api/v1/support/tickets/${id}`, { "x-ticket-key": accessKey });
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ id, domain, state: "new", category: "other", replyTo });
    expect(page.json().messages).toEqual([
      expect.objectContaining({ author: "requester", body: "Please help." }),
    ]);
    // Without the key, or with a wrong one, the ticket does not exist.
    expect((await visitor().get(`/api/v1/support/tickets/${id}`)).json().code).toBe("NOT_FOUND");
    expect(
      (await visitor().get(`/api/v1/support/tickets/${id}`, { "x-ticket-key": `${accessKey}x` })).json().code,
    ).toBe("NOT_FOUND");
  });

  it("answers and mails the same whether the domain is connected or not, never naming its owner", async () => {
    const owner = await registerAccount(t, {}, nextIp());
    const held = await confirmedDomain(t, owner.accountId);
    const free = uniqueDomain();
    const answers = [];
    const mails = [];
    for (const domain of [held.name, free]) {
      const replyTo = replyAddress();
      const res = await file(visitor(), { domain, replyTo, category: "transfer", message: "Move it." });
      expect(res.statusCode).toBe(201);
      const { id, ...rest } = res.json();
      answers.push(rest);
      const [mail] = await messagesTo(t, replyTo);
      mails.push(
        mail?.body
          .replaceAll(domain, "<domain>")
          .replaceAll(id, "<id>")
          .replace(/#key=\S+/, "#key=<key>")
          .replace(id.slice(-8), "<short>"),
      );
      expect(mail?.body).not.toContain(owner.login);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(mails[0]).toEqual(mails[1]);
  });

  it("answers a transfer asked from another address at once, the same whether the domain is connected or not", async () => {
    const owner = await registerAccount(t, {}, nextIp());
    const held = await confirmedDomain(t, owner.accountId);
    const threads = [];
    for (const domain of [held.name, uniqueDomain()]) {
      const { client, ticketId, replyTo, accessKey } = await visitorTicket({ category: "transfer", domain });
      const [mail] = await messagesTo(t, replyTo);
      expect(mail?.body).toContain("transferred only at the request of its current administrator");
      const page = (
        await client.get(`/api/v1/support/tickets/${ticketId}`, { "x-ticket-key": accessKey })
      ).json();
      expect(page.state).toBe("waiting-requester");
      threads.push(page.messages.map((m: { author: string; body: string }) => [m.author, m.body]));
    }
    expect(threads[0]).toEqual(threads[1]);

    // From the owner's own service address, the request waits for an agent.
    const fromOwner = await file(visitor(), {
      category: "transfer",
      domain: held.name,
      replyTo: `${owner.login}@mfd.test`,
    });
    const row = await t.db
      .selectFrom("tickets")
      .select("state")
      .where("id", "=", fromOwner.json().id)
      .executeTakeFirst();
    expect(row?.state).toBe("new");
  });

  it("asks for a signed-in account with a complete profile to restore access, saying what is missing", async () => {
    const asVisitor = await file(visitor(), { category: "restore-access" });
    expect(asVisitor.statusCode).toBe(409);
    expect(asVisitor.json()).toMatchObject({ code: "PROFILE_INCOMPLETE", missing: ["account"] });

    const requester = await registerAccount(t, { phone: "+79165550101" }, nextIp());
    const incomplete = await file(requester.client, { category: "restore-access" });
    expect(incomplete.json()).toMatchObject({
      code: "PROFILE_INCOMPLETE",
      missing: ["security-question", "confirmed-phone"],
    });
    expect(incomplete.json().detail).toContain("a confirmed phone number");

    await requester.client.post("/api/v1/account/phone/confirm", {
      code: await lastCodeTo(t, "+79165550101"),
    });
    const question = (await requester.client.get("/api/v1/security-questions")).json()[0].id;
    await requester.client.put("/api/v1/account/security-question", { question, answer: "a blue one" });
    const complete = await file(requester.client, { category: "restore-access" });
    expect(complete.statusCode, complete.body).toBe(201);
    expect(
      await t.db.selectFrom("tickets").select("id").where("category", "=", "restore-access").execute(),
    ).toHaveLength(1);
  });

  it("lists a signed-in requester's tickets and opens them without a key; to others they do not exist", async () => {
    const requester = await registerAccount(t, {}, nextIp());
    const filed = await file(requester.client, { message: "Signed in." });
    const { id } = filed.json();
    const mine = await requester.client.get("/api/v1/support/my-tickets");
    expect(mine.json().tickets).toEqual([expect.objectContaining({ id, state: "new" })]);
    expect((await requester.client.get(`/api/v1/support/tickets/${id}`)).statusCode).toBe(200);

    const other = await registerAccount(t, {}, nextIp());
    expect((await other.client.get(`/api/v1/support/tickets/${id}`)).json().code).toBe("NOT_FOUND");
    expect(
      (await other.client.post(`/api/v1/support/tickets/${id}/messages`, { body: "x" })).json().code,
    ).toBe("NOT_FOUND");
    expect((await other.client.get("/api/v1/support/my-tickets")).json().tickets).toEqual([]);
    expect((await visitor().get("/api/v1/support/my-tickets")).json().code).toBe("UNAUTHENTICATED");
  });

  it("refuses bad input with a stable code and files nothing", async () => {
    const before = await t.db.selectFrom("tickets").select("id").execute();
    const client = visitor();
    expect((await file(client, { replyTo: "not an address" })).json().code).toBe("EMAIL_INVALID");
    expect((await file(client, { domain: "two..dots.org" })).json().code).toBe("DOMAIN_INVALID");
    expect((await file(client, { category: "ownership" })).json().code).toBe("VALIDATION_FAILED");
    const extra = await client.post("/api/v1/support/tickets", {
      category: "other",
      domain: "example.org",
      replyTo: "a@example.net",
      message: "x",
      requesterAccountId: "someone",
    });
    expect(extra.json().code).toBe("UNKNOWN_FIELD");
    expect(await t.db.selectFrom("tickets").select("id").execute()).toEqual(before);
  });

  it("limits requests per client address and per reply address", async () => {
    const client = visitor();
    for (let i = 0; i < 10; i++) expect((await file(client)).statusCode).toBe(201);
    expect((await file(client)).json().code).toBe("RATE_LIMITED");

    const replyTo = replyAddress();
    for (let i = 0; i < 5; i++) expect((await file(visitor(), { replyTo })).statusCode).toBe(201);
    expect((await file(visitor(), { replyTo })).json().code).toBe("RATE_LIMITED");
    t.clock.advance(HOUR);
    expect((await file(visitor(), { replyTo })).statusCode).toBe(201);
  });
});

describe("the agent desk", () => {
  it("is not there for accounts without the support role, and needs a session that passed two-factor", async () => {
    const agent = await freshAgent();
    const someone = await registerAccount(t, {}, nextIp());
    for (const client of [someone.client]) {
      expect((await client.get("/api/v1/support/queue")).json().code).toBe("NOT_FOUND");
    }
    const refused = await agent.firstSession.get("/api/v1/support/queue");
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("TWO_FACTOR_SESSION_REQUIRED");
    // Confirming the password with the code marks the session.
    t.clock.advance(30_000);
    const reauth = await agent.firstSession.post("/api/v1/session/reauthenticate", {
      password: agent.password,
      totpCode: totpAt(agent.totpSecret, t.clock.now()),
    });
    expect(reauth.statusCode, reauth.body).toBe(200);
    expect((await agent.firstSession.get("/api/v1/support/queue")).statusCode).toBe(200);
    // A re-authentication without a code (an account without two-factor) marks nothing.
    const plain = await registerAccount(t, {}, nextIp());
    await t.db.updateTable("accounts").set({ isSupportAgent: 1 }).where("id", "=", plain.accountId).execute();
    await plain.client.post("/api/v1/session/reauthenticate", { password: plain.password });
    expect((await plain.client.get("/api/v1/support/queue")).json().code).toBe("TWO_FACTOR_SESSION_REQUIRED");
  });

  it("filters the queue by category, state and age", async () => {
    const old = await visitorTicket({ category: "transfer" });
    t.clock.advance(5 * HOUR);
    const fresh = await visitorTicket({ category: "other" });
    const agent = await freshAgent();
    const ids = async (query: string) =>
      ((await agent.client.get(`/api/v1/support/queue${query}`)).json().tickets as { id: string }[]).map(
        (row) => row.id,
      );
    const all = await ids("?limit=100");
    expect(all).toEqual(expect.arrayContaining([old.ticketId, fresh.ticketId]));
    expect(all.indexOf(old.ticketId)).toBeLessThan(all.indexOf(fresh.ticketId));
    const transfers = await ids("?category=transfer&limit=100");
    expect(transfers).toContain(old.ticketId);
    expect(transfers).not.toContain(fresh.ticketId);
    const aged = await ids("?olderThanHours=4&limit=100");
    expect(aged).toContain(old.ticketId);
    expect(aged).not.toContain(fresh.ticketId);
    await agent.client.post(`/api/v1/support/queue/${fresh.ticketId}/state`, { state: "waiting-owner" });
    expect(await ids("?state=waiting-owner&limit=100")).toEqual([fresh.ticketId]);
    expect(await ids("?state=new&limit=100")).not.toContain(fresh.ticketId);
    // Paging: one at a time walks the same list.
    let next: string | null = null;
    const walked: string[] = [];
    do {
      const page: { tickets: { id: string }[]; next: string | null } = (
        await agent.client.get(`/api/v1/support/queue?limit=1${next ? `&after=${next}` : ""}`)
      ).json();
      walked.push(...page.tickets.map((row: { id: string }) => row.id));
      next = page.next;
    } while (next);
    expect(walked).toEqual(await ids("?limit=100"));
  });

  it("shows the domain's owner inside a ticket about it (never a secret), and audits that as the agent in the ticket", async () => {
    const agent = await freshAgent();
    const owner = await registerAccount(t, {}, nextIp());
    const { name } = await confirmedDomain(t, owner.accountId);
    const { ticketId } = await visitorTicket({ category: "transfer", domain: name });
    const view = await agent.client.get(`/api/v1/support/queue/${ticketId}`);
    expect(view.statusCode, view.body).toBe(200);
    expect(view.json().owner).toMatchObject({
      login: `${owner.login}@mfd.test`,
      firstName: "Alice",
      lastName: "Liddell",
      profileComplete: false,
      twoFactor: false,
    });
    const text = view.body.toLowerCase();
    for (const secret of ["hash", "password", "totp", "secret", "token", "code"])
      expect(text).not.toContain(secret);
    const events = await auditOf(ticketId);
    expect(events.at(-1)).toMatchObject({
      action: "support.ticket.view",
      actorType: "agent",
      actorId: agent.accountId,
      ticketId,
      domain: name,
    });

    // A ticket about a domain nobody holds shows no owner.
    const other = await visitorTicket();
    expect((await agent.client.get(`/api/v1/support/queue/${other.ticketId}`)).json().owner).toBeNull();
  });

  it("replies by e-mail and in the thread; internal notes stay with the agents; every action is the agent's in the ticket", async () => {
    const agent = await freshAgent();
    const { client, ticketId, replyTo, accessKey } = await visitorTicket({ message: "Where is my mail?" });
    const reply = await agent.client.post(`/api/v1/support/queue/${ticketId}/replies`, {
      body: "It is safe.",
    });
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json().state).toBe("waiting-requester");
    const note = await agent.client.post(`/api/v1/support/queue/${ticketId}/notes`, {
      body: "Checked the logs.",
    });
    expect(note.json().messages.at(-1)).toMatchObject({ internal: true, body: "Checked the logs." });

    const [mail] = await messagesTo(t, replyTo);
    expect(mail?.subject).toContain("Re: your request");
    expect(mail?.body).toContain("It is safe.");
    expect(parseInboundAddress(t.config, mail?.replyTo ?? "")?.ticketId).toBe(ticketId);
    // Each reply mails a fresh single-use link.
    const { key } = await ticketLinkIn(t, replyTo);
    expect((await visitor().post(`/api/v1/support/tickets/${ticketId}/access`, { key })).statusCode).toBe(
      200,
    );

    // The link spent above gave a new key; this browser's older one no longer opens the page.
    const page = await client.get(`/api/v1/support/tickets/${ticketId}`, { "x-ticket-key": accessKey });
    expect(page.json().code).toBe("NOT_FOUND");

    // The desk shows the ticket's own log, each agent action with its agent.
    const activity = (await agent.client.get(`/api/v1/support/queue/${ticketId}`)).json().activity;
    expect(activity).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "support.ticket.open", actorType: "visitor", agentLogin: null }),
        expect.objectContaining({
          action: "support.ticket.reply",
          actorType: "agent",
          agentLogin: agent.login,
        }),
        expect.objectContaining({
          action: "support.ticket.note",
          actorType: "agent",
          agentLogin: agent.login,
        }),
      ]),
    );

    const events = await auditOf(ticketId);
    const byAgent = events.filter((e) => e.actorType === "agent" && e.action !== "support.ticket.view");
    expect(byAgent.map((e) => e.action)).toEqual(["support.ticket.reply", "support.ticket.note"]);
    expect(byAgent.every((e) => e.actorId === agent.accountId && e.ticketId === ticketId)).toBe(true);
  });

  it("never shows internal notes to the requester, who can answer on the page and reopen the ticket", async () => {
    const agent = await freshAgent();
    const { client, ticketId, accessKey } = await visitorTicket({ message: "Help" });
    await agent.client.post(`/api/v1/support/queue/${ticketId}/notes`, { body: "INTERNAL ONLY" });
    await agent.client.post(`/api/v1/support/queue/${ticketId}/replies`, { body: "Answer for you" });
    await agent.client.post(`/api/v1/support/queue/${ticketId}/state`, { state: "resolved" });
    const page = await client.get(`/api/v1/support/tickets/${ticketId}`, { "x-ticket-key": accessKey });
    expect(page.json().messages.map((m: { body: string }) => m.body)).toEqual(["Help", "Answer for you"]);
    expect(page.body).not.toContain("INTERNAL ONLY");

    const answered = await client.post(
      `/api/v1/support/tickets/${ticketId}/messages`,
      { body: "Thanks, one more thing" },
      { "x-ticket-key": accessKey },
    );
    expect(answered.json().state).toBe("open");

    await agent.client.post(`/api/v1/support/queue/${ticketId}/state`, { state: "closed" });
    const late = await client.post(
      `/api/v1/support/tickets/${ticketId}/messages`,
      { body: "Hello?" },
      { "x-ticket-key": accessKey },
    );
    expect(late.json().code).toBe("TICKET_CLOSED");
    expect(
      (await agent.client.post(`/api/v1/support/queue/${ticketId}/state`, { state: "open" })).json().code,
    ).toBe("TICKET_CLOSED");
    expect(
      (await agent.client.post(`/api/v1/support/queue/${ticketId}/replies`, { body: "x" })).json().code,
    ).toBe("TICKET_CLOSED");
  });

  it("answers NOT_FOUND for a ticket that does not exist", async () => {
    const agent = await freshAgent();
    expect((await agent.client.get("/api/v1/support/queue/no-such-ticket")).json().code).toBe("NOT_FOUND");
    expect(
      (await agent.client.post("/api/v1/support/queue/no-such-ticket/replies", { body: "x" })).json().code,
    ).toBe("NOT_FOUND");
  });
});
