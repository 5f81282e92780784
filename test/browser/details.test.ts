import type { BrowserContext } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../helpers/domains.js";
import { browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

const PASSWORD = "correct horse battery staple 42";
let counter = 0;
const uniqueLogin = (prefix: string) => `${prefix}${++counter}x${Date.now().toString(36)}`;

async function register(context: BrowserContext, extra: Record<string, string> = {}): Promise<string> {
  const response = await context.request.post("/api/v1/accounts", {
    data: { login: uniqueLogin("det"), password: PASSWORD, firstName: "Dee", lastName: "Tail", ...extra },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { accountId: string }).accountId;
}

async function apiPost(context: BrowserContext, path: string, data: unknown) {
  const session = await (await context.request.get("/api/v1/session")).json();
  const response = await context.request.post(path, { data, headers: { "x-csrf-token": session.csrfToken } });
  expect(response.status(), await response.text()).toBeLessThan(300);
}

/** Issue 12, item 12: the smaller things a user notices, one test each. */
describe.skipIf(skipWithoutChromium())("console in a browser: details", () => {
  const live = browserAndServer();

  it("asks a visitor nothing that answers 401, and still finds a session after signing in", async () => {
    const { page, context, problems, walk } = await openPage(
      live.browser,
      live.server.url,
      "details/visitor",
    );
    const asked: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/v1/session") || request.url().includes("/api/v1/account"))
        asked.push(request.url());
    });
    await walk(async () => {
      for (const path of ["/", "/sign-in", "/register", "/restore", "/domains"]) {
        await page.goto(path);
        await page.locator("h1").first().waitFor();
      }
      expect(asked).toEqual([]);
      expect(problems.filter((line) => line.includes("401"))).toEqual([]);
      // Signed in (the cookies of the API's answer), the console finds the session at once.
      await register(context);
      await page.goto("/domains");
      await page.getByRole("heading", { name: "My domains", exact: true }).waitFor();
    });
  });

  it("explains that a bare ending is not a domain", async () => {
    const { page, context, walk } = await openPage(live.browser, live.server.url, "details/suffix");
    await walk(async () => {
      await register(context);
      await page.goto("/domains/new");
      for (const [typed, ending] of [
        ["org", "org"],
        [".co.uk", "co.uk"],
      ]) {
        await page.getByLabel("Domain name").fill(typed as string);
        await page.getByRole("button", { name: "Connect", exact: true }).click();
        await page
          .getByText(
            `“${ending}” is only the ending. Type your whole domain name, such as example.${ending}.`,
          )
          .waitFor();
      }
    });
  });

  it("writes phone numbers as people do, and puts the code's button beside its field", async () => {
    const { page, context, walk, shot } = await openPage(live.browser, live.server.url, "details/phone");
    await walk(async () => {
      await register(context, { phone: "+447946095800" });
      await page.goto("/account/contacts");
      await page.getByText("We sent a code to +44 7946 095800.").waitFor();
      await shot("pending-phone");
      // The code field's button sits right beside it, not across an empty row.
      const field = await page.getByLabel("Code from the SMS").boundingBox();
      const confirm = await page.getByRole("button", { name: "Confirm", exact: true }).boundingBox();
      expect(field && confirm && confirm.x - (field.x + field.width)).toBeLessThan(32);
    });
  });

  it("shows a mailbox's default quota as the default, not 0, and keeps it so", async () => {
    const { page, context, walk, shot } = await openPage(live.browser, live.server.url, "details/quota");
    await walk(async () => {
      const accountId = await register(context);
      const domain = uniqueDomain("quota");
      await confirmedDomain(live.server as unknown as TestApp, accountId, domain);
      await apiPost(context, `/api/v1/domains/${domain}/mailboxes`, {
        login: "anna",
        password: "winter orchard lantern 58",
      });
      await page.goto(`/domains/${domain}/mailboxes`);
      await page.getByRole("button", { name: `Edit anna@${domain}` }).click();
      const quota = page.getByRole("dialog").getByLabel(/^Quota/);
      expect(await quota.inputValue()).toBe("");
      expect(await quota.getAttribute("placeholder")).toBe("Default");
      await shot("quota");
    });
  });

  it("offers to try again when a page could not be read", async () => {
    const { page, context, walk } = await openPage(live.browser, live.server.url, "details/retry");
    await walk(async () => {
      await register(context);
      let failures = 1;
      await page.route("**/api/v1/account/sessions", (route) => {
        if (failures-- > 0)
          return route.fulfill({
            status: 503,
            contentType: "application/problem+json",
            body: JSON.stringify({ code: "DATABASE_UNAVAILABLE", title: "Unavailable", status: 503 }),
          });
        return route.fallback();
      });
      await page.goto("/account/sessions");
      await page.getByRole("button", { name: "Try again" }).click();
      await page.getByRole("cell", { name: /This device/ }).waitFor();
      expect(await page.getByRole("button", { name: "Try again" }).count()).toBe(0);
    });
  });

  it("gives the development outbox its landmarks", async () => {
    const { page, walk } = await openPage(live.browser, live.server.url, "details/outbox");
    await walk(async () => {
      await page.goto("/dev/outbox");
      await page.getByRole("main").getByRole("heading", { name: "Outbox (development mode)" }).waitFor();
      await page.getByRole("banner").getByRole("link", { name: "mfd console" }).waitFor();
    });
  });

  it("says first that the mailboxes must go before a domain can be disconnected", async () => {
    const { page, context, walk, shot } = await openPage(live.browser, live.server.url, "details/disconnect");
    await walk(async () => {
      const accountId = await register(context);
      const domain = uniqueDomain("leaving");
      await confirmedDomain(live.server as unknown as TestApp, accountId, domain);
      await apiPost(context, `/api/v1/domains/${domain}/mailboxes`, {
        login: "anna",
        password: "winter orchard lantern 58",
      });
      await page.goto(`/domains/${domain}`);
      await page.getByRole("button", { name: "Disconnect…" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByText("The domain still has 1 mailbox. Delete it first.").waitFor();
      expect(await dialog.getByLabel(/Type .* to confirm/).count()).toBe(0);
      await shot("mailboxes-first");
      await dialog.getByRole("link", { name: "Go to the mailboxes" }).click();
      await page.waitForURL(`**/domains/${domain}/mailboxes`);
    });
  });

  it("checks only once on a double click of Check now", async () => {
    const { page, context, walk } = await openPage(live.browser, live.server.url, "details/check-now");
    await walk(async () => {
      await register(context);
      const domain = uniqueDomain("twice");
      await apiPost(context, "/api/v1/domains", { name: domain });
      let checks = 0;
      page.on("request", (request) => {
        if (request.method() === "POST" && request.url().endsWith("/check")) checks += 1;
      });
      await page.goto(`/domains/${domain}`);
      // A double click whose second click comes after the first check has answered: Playwright's
      // clickCount 2 is a click (detail 1) and a click with detail 2; the first starts the check.
      const button = page.getByRole("button", { name: "Check now" });
      await button.scrollIntoViewIfNeeded();
      const box = await button.boundingBox();
      if (!box) throw new Error("no Check now button");
      const answered = page.waitForResponse((response) => response.url().endsWith("/check"));
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { clickCount: 1 });
      await answered;
      await page.getByText("We checked just now and do not see any of them yet.").waitFor();
      expect(checks).toBe(1);
      // The button may have moved under the note; the second click lands on it again.
      await button.scrollIntoViewIfNeeded();
      const again = await button.boundingBox();
      if (!again) throw new Error("no Check now button");
      await page.mouse.move(again.x + again.width / 2, again.y + again.height / 2);
      await page.mouse.down({ clickCount: 2 });
      await page.mouse.up({ clickCount: 2 });
      // The second click acted or not by the time the page answers a fresh click.
      await page.getByRole("heading", { level: 1 }).click();
      expect(checks).toBe(1);
      expect(await page.getByText(/You checked very recently/).count()).toBe(0);
    });
  });
});
