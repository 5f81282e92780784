import type { BrowserContext } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../helpers/domains.js";
import { axeViolations, browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

const PASSWORD = "correct horse battery staple 42";
const MAILBOX_PASSWORD = "winter orchard lantern 58";
let counter = 0;
const uniqueLogin = (prefix: string) => `${prefix}${++counter}x${Date.now().toString(36)}`;

/** A state-changing API call as the signed-in browser (anti-CSRF token from the session). */
async function apiPost(context: BrowserContext, path: string, data: unknown = {}) {
  const session = await (await context.request.get("/api/v1/session")).json();
  return context.request.post(path, { data, headers: { "x-csrf-token": session.csrfToken } });
}

/**
 * Issue 11 in a browser: a self-service transfer. The owner offers a confirmed domain with its
 * mailboxes to another login from the domain's page (re-authenticating), sees the open offer; the
 * target, in another live.browser, opens the link from the notice (the development outbox), accepts,
 * and finds the domain with its mailboxes; the owner no longer has it. Every page passes axe.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: transferring a domain", () => {
  const live = browserAndServer();

  it("the owner offers a domain, the target accepts from the link and gets it with its mailboxes", async () => {
    const owner = await openPage(live.browser, live.server.url, "console-transfer/owner");
    const target = await openPage(live.browser, live.server.url, "console-transfer/target");
    const ownerLogin = uniqueLogin("own");
    const targetLogin = uniqueLogin("tgt");
    const targetEmail = `${targetLogin}@example.net`;
    const domain = uniqueDomain("moving");

    // The target registers with a recovery e-mail and confirms it: the link goes to confirmed contacts.
    const registered = await target.context.request.post("/api/v1/accounts", {
      data: {
        login: targetLogin,
        password: PASSWORD,
        firstName: "Tara",
        lastName: "Tester",
        recoveryEmail: targetEmail,
      },
    });
    expect(registered.status(), await registered.text()).toBe(201);
    const confirmed = await apiPost(target.context, "/api/v1/account/recovery-email/confirm", {
      code: await live.server.lastCodeTo(targetEmail),
    });
    expect(confirmed.status(), await confirmed.text()).toBe(200);

    await owner.walk(async () => {
      const { page, shot, context } = owner;
      const created = await context.request.post("/api/v1/accounts", {
        data: { login: ownerLogin, password: PASSWORD, firstName: "Olga", lastName: "Tester" },
      });
      expect(created.status(), await created.text()).toBe(201);
      const { accountId } = (await created.json()) as { accountId: string };
      await confirmedDomain(live.server as unknown as TestApp, accountId, domain);
      for (const login of ["anna", "boris"]) {
        const res = await apiPost(context, `/api/v1/domains/${domain}/mailboxes`, {
          login,
          password: MAILBOX_PASSWORD,
        });
        expect(res.status(), await res.text()).toBe(201);
      }

      await page.goto(`/domains/${domain}`);
      await page.getByRole("heading", { name: domain, exact: true }).waitFor();
      const card = page.getByRole("region", { name: "Transfer to another account" });
      await card.getByLabel("Their login").fill(targetLogin);
      expect(await axeViolations(page)).toEqual([]);
      await shot("transfer-form");
      // The sign-in is old: the password is asked again before the offer goes out.
      await live.server.db
        .updateTable("sessions")
        .set({ reauthAt: Date.now() - 60 * 60_000 })
        .execute();
      await card.getByRole("button", { name: "Offer the domain" }).click();
      const reauth = page.getByRole("dialog", { name: "Confirm it is you" });
      await reauth.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await reauth.getByRole("button", { name: "Confirm", exact: true }).click();
      await card.getByText(`If ${targetLogin} is a service account with a confirmed contact`).waitFor();
      await card.getByText(`This domain is offered to ${targetLogin} until`).waitFor();
      await card.getByRole("button", { name: "Cancel the transfer" }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await shot("transfer-offered");

      // The account's transfers list shows the outgoing offer.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Transfers" }).click();
      await page.getByRole("heading", { name: "Transfers", exact: true }).waitFor();
      const row = page.getByRole("row", { name: new RegExp(domain.replace(/\./g, "\\.")) });
      await row.getByText(`Offered by you to ${targetLogin}`).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await shot("transfers-outgoing");
    });

    // The link from the notice to the target's confirmed e-mail.
    const notices = await live.server.db
      .selectFrom("outbox")
      .select("body")
      .where("recipient", "=", targetEmail)
      .orderBy("createdAt", "desc")
      .execute();
    const link = notices
      .map((n) => /\/transfer\/accept\/[0-9a-f-]+#[A-Za-z0-9_-]+/.exec(n.body)?.[0])
      .find(Boolean);
    expect(link, "the target was sent a link").toBeTruthy();

    await target.walk(async () => {
      const { page, shot, context } = target;
      // The target follows the e-mail's link signed out: signing in leads back to it, key and all.
      const session = await (await context.request.get("/api/v1/session")).json();
      await context.request.delete("/api/v1/session", { headers: { "x-csrf-token": session.csrfToken } });
      await page.goto(link as string);
      await page.waitForURL("**/sign-in");
      await page.getByLabel("Login").fill(targetLogin);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL("**/transfer/accept/**");
      await page.getByRole("heading", { name: "Accept a domain", exact: true }).waitFor();
      await page.getByText(`${domain} is offered to your account ${targetLogin}@`).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await shot("accept");
      await page.getByRole("button", { name: "Accept the domain" }).click();
      await page.getByText(`${domain} is yours now.`).waitFor();
      await shot("accepted");
      await page.getByRole("link", { name: `Open ${domain}` }).click();
      await page.getByRole("heading", { name: domain, exact: true }).waitFor();
      await page.getByRole("navigation", { name: "Domain" }).getByRole("link", { name: "Mailboxes" }).click();
      await page.getByText(`anna@${domain}`).waitFor();
      await page.getByText(`boris@${domain}`).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await shot("mailboxes-of-new-owner");
    });

    await owner.walk(async () => {
      const { page, shot } = owner;
      await page.goto(`/domains/${domain}`);
      await page.getByRole("heading", { name: "Domain not found", exact: true }).waitFor();
      await page.goto("/domains");
      await page.getByRole("heading", { name: "No domains yet", exact: true }).waitFor();
      await shot("owner-without-the-domain");
    });

    const expected = (p: string) => /status of (401|400|403|404)/.test(p);
    expect(owner.problems.filter((p) => !expected(p))).toEqual([]);
    expect(target.problems.filter((p) => !expected(p))).toEqual([]);
    await owner.context.close();
    await target.context.close();
  });

  it("the one-click cancel page changes nothing until its button is pressed", async () => {
    const visitor = await openPage(live.browser, live.server.url, "console-transfer/cancel-link");
    await visitor.walk(async () => {
      const { page, shot } = visitor;
      await page.goto("/handover/cancel/00000000-0000-0000-0000-000000000000#not-a-real-secret-0123456789");
      await page.getByRole("heading", { name: "Cancel a hand-over", exact: true }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await shot("cancel-page");
      await page.getByRole("button", { name: "Cancel the hand-over" }).click();
      await page.getByText("This link is not valid or was already used.").waitFor();
    });
    await visitor.context.close();
  });
});
