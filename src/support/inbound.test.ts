import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import nodemailer from "nodemailer";
import { afterAll, describe, expect, it } from "vitest";
import { Client, createTestApp, messagesTo, registerAccount } from "../../test/helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../../test/helpers/domains.js";
import { supportAgent, ticketLinkIn } from "../../test/helpers/support.js";
import { startInboundServer, stripQuotedReply } from "./inbound.js";

const MAX_BYTES = 64 * 1024;
const SWAKS = "/usr/bin/swaks";
const t = await createTestApp({ MFD_SUPPORT_ADDRESS: "help@support.mfd.test" });
const server = await startInboundServer({
  support: t.modules.support,
  clock: t.clock,
  host: "127.0.0.1",
  port: 0,
  maxBytes: MAX_BYTES,
  serverName: "support.mfd.test",
  log: () => {},
});
afterAll(() => server.close());

const mailer = nodemailer.createTransport({
  host: "127.0.0.1",
  port: server.port,
  secure: false,
  ignoreTLS: true,
});

let seq = 0;
const nextIp = () => `10.62.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;

/** A visitor's ticket; its inbound address is the Reply-To of the e-mail the requester got. */
async function ticket(options: { category?: string; domain?: string; replyTo?: string } = {}) {
  const replyTo = options.replyTo ?? `requester${++seq}@example.net`;
  const client = new Client(t, nextIp());
  const filed = await client.post("/api/v1/support/tickets", {
    category: options.category ?? "other",
    domain: options.domain ?? uniqueDomain(),
    replyTo,
    message: "First message",
  });
  expect(filed.statusCode, filed.body).toBe(201);
  const [mail] = await messagesTo(t, replyTo);
  return { id: filed.json().id as string, address: mail?.replyTo as string, replyTo };
}

async function thread(ticketId: string) {
  return t.db
    .selectFrom("ticketMessages")
    .select(["body", "authorKind", "channel", "fromAddress", "envelopeFrom"])
    .where("ticketId", "=", ticketId)
    .orderBy("createdAt")
    .orderBy("id")
    .execute();
}

describe("stripQuotedReply", () => {
  it("keeps the new text and cuts the quote as mail programs write it", () => {
    expect(stripQuotedReply("Thanks!\n\nOn Tue, 1 Dec 2026 at 10:00, mfd <x@y> wrote:\n> old\n> text")).toBe(
      "Thanks!",
    );
    expect(stripQuotedReply("Yes.\r\n-----Original Message-----\r\nFrom: a\r\nold")).toBe("Yes.");
    expect(stripQuotedReply("Fine\n\n> quoted\n>\n> more\n")).toBe("Fine");
    expect(stripQuotedReply("Top\n> inline quote\nmy answer below it")).toBe(
      "Top\n> inline quote\nmy answer below it",
    );
    expect(stripQuotedReply("Hello\n-- \nAlice, ACME")).toBe("Hello");
    expect(stripQuotedReply("Ok\nOn Mon, 30 Nov 2026, Someone <a@b.c>\nwrote:\n> x")).toBe("Ok");
  });
});

describe("inbound mail", () => {
  it("threads a reply sent by a real SMTP client into its ticket, with its senders, as the requester", async () => {
    const { id, address, replyTo } = await ticket();
    expect(address).toMatch(/^help\+[0-9a-f]{32}\.[a-z2-7]{16}@support\.mfd\.test$/);
    const sent = await mailer.sendMail({
      from: replyTo,
      to: address,
      subject: "Re: your request",
      text: "Here is the detail you asked for.\n\nOn Tue, 1 Dec 2026, support wrote:\n> What is it?\n",
      messageId: "<reply-1@example.net>",
    });
    expect(sent.accepted).toEqual([address]);
    const messages = await thread(id);
    expect(messages.at(-1)).toEqual({
      body: "Here is the detail you asked for.",
      authorKind: "requester",
      channel: "email",
      fromAddress: replyTo,
      envelopeFrom: replyTo,
    });
    // The same message delivered again is added once.
    await mailer.sendMail({
      from: replyTo,
      to: address,
      subject: "Re",
      text: "again",
      messageId: "<reply-1@example.net>",
    });
    expect(await thread(id)).toHaveLength(messages.length);
    const events = await t.db
      .selectFrom("auditEvents")
      .select(["action", "actorType", "ticketId"])
      .where("ticketId", "=", id)
      .where("action", "=", "support.ticket.message")
      .execute();
    expect(events).toEqual([{ action: "support.ticket.message", actorType: "system", ticketId: id }]);
  });

  it("refuses with 550 any recipient that is not a ticket's own address, before the message is sent", async () => {
    const { id, address } = await ticket();
    const secretFlipped = address.replace(/\.([a-z2-7])/, (_all, c: string) => `.${c === "a" ? "b" : "a"}`);
    const otherTicket = address.replace(/\+[0-9a-f]/, (m) => (m.endsWith("0") ? "+1" : "+0"));
    for (const to of [
      secretFlipped,
      otherTicket,
      "help@support.mfd.test",
      address.replace("@support.mfd.test", "@elsewhere.test"),
      "postmaster@support.mfd.test",
    ]) {
      const attempt = mailer.sendMail({ from: "x@example.net", to, subject: "spam", text: "spam" });
      await expect(attempt, to).rejects.toMatchObject({ responseCode: 550 });
    }
    expect(await thread(id)).toHaveLength(1);
  });

  it("refuses a message larger than the limit (552) and adds nothing", async () => {
    const { id, address } = await ticket();
    const attempt = mailer.sendMail({
      from: "x@example.net",
      to: address,
      subject: "big",
      text: "x".repeat(MAX_BYTES + 1000),
    });
    await expect(attempt).rejects.toMatchObject({ responseCode: 552 });
    expect(await thread(id)).toHaveLength(1);
  });

  it("refuses mail to a closed ticket", async () => {
    const { id, address } = await ticket();
    await t.db.updateTable("tickets").set({ state: "closed" }).where("id", "=", id).execute();
    await expect(
      mailer.sendMail({ from: "x@example.net", to: address, subject: "late", text: "late" }),
    ).rejects.toMatchObject({ responseCode: 550 });
  });

  it("reopens a resolved ticket, and shows the agent whether a letter came from the domain's owner", async () => {
    const owner = await registerAccount(t, {}, nextIp());
    const { name } = await confirmedDomain(t, owner.accountId);
    const { id, address } = await ticket({ category: "transfer", domain: name });
    await t.db.updateTable("tickets").set({ state: "resolved" }).where("id", "=", id).execute();
    const ownerAddress = `${owner.login}@mfd.test`;
    await mailer.sendMail({ from: ownerAddress, to: address, subject: "Re", text: "It is me, the owner." });
    await mailer.sendMail({
      from: "stranger@example.net",
      to: address,
      subject: "Re",
      text: "It is me too.",
    });
    const agent = await supportAgent(t, nextIp());
    const view = (await agent.client.get(`/api/v1/support/queue/${id}`)).json();
    expect(view.state).toBe("open");
    expect(
      view.messages.map((m: { body: string; fromOwner: boolean | null }) => [m.body, m.fromOwner]),
    ).toEqual([
      ["First message", null],
      // The form's reply address is not the owner's: the desk answered at once.
      [expect.stringContaining("transferred only at the request of its current administrator"), null],
      ["It is me, the owner.", true],
      ["It is me too.", false],
    ]);
  });

  // swaks is a second, independent SMTP client where the machine has it (apt-get install swaks).
  it.skipIf(!existsSync(SWAKS))(
    "end to end: the agent replies, the requester answers the e-mail (swaks), and the agent reads it",
    async () => {
      const { id, replyTo } = await ticket();
      const agent = await supportAgent(t, nextIp());
      await agent.client.post(`/api/v1/support/queue/${id}/replies`, { body: "Which domain exactly?" });
      const [mail] = await messagesTo(t, replyTo);
      expect(mail?.body).toContain("Which domain exactly?");
      await promisify(execFile)(SWAKS, [
        "--server",
        `127.0.0.1:${server.port}`,
        "--from",
        replyTo,
        "--to",
        mail?.replyTo as string,
        "--header",
        "Subject: Re: your request",
        "--body",
        "example.org, thank you.\n\n> Which domain exactly?\n",
        "--silent",
        "2",
      ]);
      const view = (await agent.client.get(`/api/v1/support/queue/${id}`)).json();
      expect(view.messages.at(-1)).toMatchObject({
        author: "requester",
        channel: "email",
        body: "example.org, thank you.",
      });
      expect(view.state).toBe("open");
      // The requester's page shows it too.
      const { key } = await ticketLinkIn(t, replyTo);
      const browser = new Client(t, nextIp());
      const { accessKey } = (await browser.post(`/api/v1/support/tickets/${id}/access`, { key })).json();
      const page = (await browser.get(`/api/v1/support/tickets/${id}`, { "x-ticket-key": accessKey })).json();
      expect(page.messages.map((m: { body: string }) => m.body)).toEqual([
        "First message",
        "Which domain exactly?",
        "example.org, thank you.",
      ]);
    },
  );
});
