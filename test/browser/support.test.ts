import { describe, expect, it } from "vitest";
import { newId } from "../../src/lib/random.js";
import type { TestApp } from "../helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../helpers/domains.js";
import { signInAgent } from "./agents.js";
import { browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

const PASSWORD = "correct horse battery staple 42";
let counter = 0;
const uniqueLogin = (prefix: string) => `${prefix}${++counter}x${Date.now().toString(36)}`;

/**
 * Issue 11 in a browser: a visitor writes to support from the sign-in page, opens the request from
 * the mailed link, an agent (two-factor session) finds it on the desk, adds an internal note and
 * replies; the requester sees the reply and never the note, and answers on the page.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: the support desk", () => {
  const live = browserAndServer();

  it("a visitor files a request, the agent replies, the requester sees the reply", async () => {
    const visitor = await openPage(live.browser, live.server.url, "console-support/visitor");
    const agent = await openPage(live.browser, live.server.url, "console-support/agent");
    const replyTo = `visitor${Date.now().toString(36)}@example.net`;
    let ticketPath = "";

    await visitor.walk(async () => {
      const { page, shot } = visitor;
      await page.goto("/sign-in");
      await page.getByRole("link", { name: "Write to support" }).click();
      await page.getByRole("heading", { name: "Write to support" }).waitFor();
      await page.getByLabel("What do you need?").selectOption("transfer");
      await page.getByText("Write from the current administrator's address").waitFor();
      await page.getByLabel("What do you need?").selectOption("other");
      await page.getByLabel("Domain", { exact: true }).fill("example.org");
      await page.getByLabel("Reply address").fill(replyTo);
      await page.getByLabel("Message").fill("My mailboxes stopped receiving mail.");
      await shot("form");
      await page.getByRole("button", { name: "Send" }).click();
      await page.getByRole("heading", { name: "Your request is registered" }).waitFor();
      await page.getByText(`We have sent a link to your request's page to ${replyTo}.`).waitFor();
      await shot("sent");

      const mail = await live.server.db
        .selectFrom("outbox")
        .select("body")
        .where("recipient", "=", replyTo)
        .executeTakeFirstOrThrow();
      const link = /https?:\/\/[^/\s]+(\/support\/tickets\/\S+)/.exec(mail.body)?.[1];
      expect(link, mail.body).toBeTruthy();
      await page.goto(link as string);
      await page.getByText("My mailboxes stopped receiving mail.").waitFor();
      ticketPath = new URL(page.url()).pathname;
      // The link's secret is gone from the address bar: it works once.
      expect(page.url()).not.toContain("#key=");
      await shot("request-page");
    });

    const ticketId = ticketPath.split("/").at(-1) as string;
    await agent.walk(async () => {
      const { page, shot } = agent;
      await signInAgent(live.server, agent.context);
      await page.goto("/support/desk");
      await page.getByRole("heading", { name: "Support desk" }).waitFor();
      await page.getByRole("link", { name: ticketId.slice(-8) }).click();
      await page.getByRole("heading", { name: `Request ${ticketId.slice(-8)}` }).waitFor();
      await page.getByText("A visitor (not signed in)").waitFor();
      await page.getByText("Nobody holds this domain here.").waitFor();
      await page.getByText("My mailboxes stopped receiving mail.").waitFor();
      await page.getByLabel("Text").fill("Checked: the MX record points elsewhere.");
      await page.getByRole("button", { name: "Add an internal note" }).click();
      await page.getByText("The note was added.").waitFor();
      await page.getByLabel("Text").fill("Your MX record points elsewhere; set it to our live.server.");
      await page.getByRole("button", { name: "Reply to the requester" }).click();
      await page.getByText("Your reply was sent.").waitFor();
      await page.getByText("Waiting for the requester").first().waitFor();
      await shot("agent-ticket");
    });

    await visitor.walk(async () => {
      const { page, shot } = visitor;
      // The same tab keeps the key the link was spent for.
      await page.reload();
      await page.getByText("Your MX record points elsewhere; set it to our live.server.").waitFor();
      expect(await page.getByText("Checked: the MX record points elsewhere.").count()).toBe(0);
      await page.getByLabel("Your message").fill("Done, thank you!");
      await page.getByRole("button", { name: "Send" }).click();
      await page.getByText("Done, thank you!").waitFor();
      await shot("requester-answered");
    });

    await agent.walk(async () => {
      const { page } = agent;
      await page.reload();
      await page.getByText("Done, thank you!").waitFor();
      await page.getByLabel("New state").selectOption("resolved");
      await page.getByRole("button", { name: "Move", exact: true }).click();
      await page.getByText("The request is now: Resolved.").waitFor();
    });
    // A visitor's console asks for its session (401: none) on every page load; nothing else went wrong.
    expect(visitor.problems.filter((problem) => !problem.includes("status of 401"))).toEqual([]);
    expect(agent.problems).toEqual([]);
  });

  it("on a transfer request the agent asks for the owner's confirmation, and a letter from elsewhere is answered why", async () => {
    const agent = await openPage(live.browser, live.server.url, "console-support/transfer");
    const replyTo = `someone${Date.now().toString(36)}@example.net`;
    const filed = await agent.context.request.post("/api/v1/support/tickets", {
      data: {
        category: "transfer",
        domain: "example.com",
        replyTo,
        message: "Please give it to my colleague.",
      },
    });
    expect(filed.status(), await filed.text()).toBe(201);
    const ticketId = ((await filed.json()) as { id: string }).id;
    await agent.walk(async () => {
      const { page, shot } = agent;
      await signInAgent(live.server, agent.context);
      await page.goto(`/support/desk/${ticketId}`);
      await page.getByRole("heading", { name: "Hand-over" }).waitFor();
      await page.getByLabel("The letter").selectOption({ label: `The form's reply address (${replyTo})` });
      await page.getByRole("button", { name: "Send the owner a confirmation link" }).click();
      await page
        .getByText("The letter did not come from the owner's address: the requester was answered why.")
        .waitFor();
      await page.getByText("transferred only at the request of its current administrator").first().waitFor();
      await shot("transfer-answered");
    });
    expect(agent.problems).toEqual([]);
  });

  it("names a hand-over's kind and state in the reader's language, never as the server's raw words", async () => {
    const agent = await openPage(live.browser, live.server.url, "console-support/handover-labels");
    const filed = await agent.context.request.post("/api/v1/support/tickets", {
      data: {
        category: "transfer",
        domain: "example.com",
        replyTo: `labels${Date.now().toString(36)}@example.net`,
        message: "Please give it to my colleague.",
      },
    });
    expect(filed.status(), await filed.text()).toBe(201);
    const ticketId = ((await filed.json()) as { id: string }).id;
    // The domain's owner and the hand-over the desk started for this request, as the service leaves them.
    const ownerContext = await live.browser.newContext({ baseURL: live.server.url });
    const registered = await ownerContext.request.post("/api/v1/accounts", {
      data: { login: uniqueLogin("owner"), password: PASSWORD, firstName: "Olga", lastName: "Owner" },
    });
    expect(registered.status(), await registered.text()).toBe(201);
    const ownerId = ((await registered.json()) as { accountId: string }).accountId;
    await ownerContext.close();
    // confirmedDomain writes only through `db` and `clock`, which the browser server shares.
    const domain = await confirmedDomain(
      live.server as unknown as TestApp,
      ownerId,
      uniqueDomain("peredacha"),
    );
    const now = live.server.clock.now();
    await live.server.db
      .insertInto("handovers")
      .values({
        id: newId(),
        kind: "transfer",
        state: "awaiting-owner",
        domainId: domain.domainId,
        domainName: domain.name,
        fromAccountId: ownerId,
        ticketId,
        expiresAt: now + 86_400_000,
        createdAt: now,
        updatedAt: now,
      })
      .execute();
    await agent.walk(async () => {
      const { page, shot } = agent;
      await signInAgent(live.server, agent.context);
      await page.goto(`/support/desk/${ticketId}`);
      await page.getByText("Transfer: waiting for the owner's confirmation").waitFor();
      await page.getByLabel("Language").selectOption("ru");
      await page.getByText("Передача управления: ждёт подтверждения владельца").waitFor();
      await shot("handover-in-russian");
      expect(await page.getByText("awaiting-owner").count()).toBe(0);
    });
    expect(agent.problems).toEqual([]);
  });
});
