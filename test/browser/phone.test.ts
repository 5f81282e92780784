import { copyFileSync, mkdirSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../helpers/domains.js";
import { WAIT_MS } from "../helpers/patience.js";
import { browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

const PASSWORD = "correct horse battery staple 42";
const PHONE = { width: 390, height: 844 };
let counter = 0;
const uniqueLogin = (prefix: string) => `${prefix}${++counter}x${Date.now().toString(36)}`;

/** A state-changing API call as the signed-in browser (anti-CSRF token from the session). */
async function apiPost(context: BrowserContext, path: string, data: unknown = {}) {
  const session = await (await context.request.get("/api/v1/session")).json();
  const response = await context.request.post(path, {
    data,
    headers: { "x-csrf-token": session.csrfToken },
  });
  expect(response.status(), `${path}: ${await response.text()}`).toBeLessThan(300);
  return response.json();
}

// Plain JavaScript run in the page (the tests' TypeScript has no DOM types).
const OVERFLOW = String.raw`(() => {
  const width = window.innerWidth;
  const found = [];
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) found.push("the page is " + (scrollWidth - width) + " px wider than the screen");
  for (const element of Array.from(document.body.querySelectorAll("*"))) {
    if (element.closest(".visually-hidden, .skip-link, dialog:not([open]), [hidden]")) continue;
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (getComputedStyle(element).visibility === "hidden") continue;
    // Clipped away for the eye but kept for screen readers (a card table's column headers).
    let clipped = false;
    for (let up = element; up && !clipped; up = up.parentElement) {
      clipped = getComputedStyle(up).clip.startsWith("rect");
    }
    if (clipped) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      const label = (element.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
      const classes = typeof element.className === "string" && element.className ? "." + element.className.split(" ").join(".") : "";
      found.push(element.tagName.toLowerCase() + classes + ' "' + label + '" spans ' + Math.round(box.left) + "…" + Math.round(box.right) + " px");
    }
  }
  return found.slice(0, 12);
})()`;

/**
 * What sticks out of a phone's screen: the document wider than the viewport, and every visible
 * element whose box goes past its left or right edge (a button in a table that scrolls sideways
 * counts: the user does not see it).
 */
async function overflow(page: Page): Promise<string[]> {
  return (await page.evaluate(OVERFLOW)) as string[];
}

/**
 * Issue 12, item 3: every page of the console fits a 390 px phone, for visitors and for a signed-in
 * owner with data (domains, mailboxes, sessions, tokens, administrators). Tables become cards;
 * nothing, actions included, lies beyond the screen's edge.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: a 390 px phone", () => {
  const live = browserAndServer();

  it("fits every page into the screen, with every action within reach", async () => {
    const session = await openPage(live.browser, live.server.url, "console-phone");
    const { page, context, walk } = session;
    await page.setViewportSize(PHONE);
    const problems: string[] = [];
    // MFD_SHOTS_DIR=… also copies the named pictures there (the before/after pictures).
    const shots = process.env.MFD_SHOTS_DIR;
    if (shots) mkdirSync(shots, { recursive: true });

    const visit = async (path: string, shot?: string) => {
      await page.goto(path);
      await page.locator("h1").first().waitFor();
      // Polled through the devtools protocol: waitForFunction would eval in the page, which its CSP refuses.
      await expect
        .poll(() => page.evaluate(`document.querySelector(".loading") === null`), { timeout: WAIT_MS })
        .toBe(true);
      if (shot) {
        await page.evaluate("window.scrollTo(0, 0)");
        const file = `test-results/console-phone/${shot}.png`;
        await page.screenshot({ path: file, fullPage: true });
        if (shots) copyFileSync(file, `${shots}/${shot}.png`);
      }
      for (const line of await overflow(page)) problems.push(`${path}: ${line}`);
    };

    await walk(async () => {
      // Visitors.
      await visit("/sign-in");
      await visit("/register");
      await visit("/restore");
      await visit("/support/new");

      // A signed-in owner with something on every page.
      const login = uniqueLogin("phone");
      const registered = await context.request.post("/api/v1/accounts", {
        data: { login, password: PASSWORD, firstName: "Fiona", lastName: "Phone" },
      });
      expect(registered.status(), await registered.text()).toBe(201);
      const { accountId } = (await registered.json()) as { accountId: string };
      const domain = uniqueDomain("phone-with-a-rather-long-name");
      await confirmedDomain(live.server as unknown as TestApp, accountId, domain);
      const pending = uniqueDomain("pending");
      await apiPost(context, "/api/v1/domains", { name: pending });
      for (const name of ["anna.karenina", "boris", "catherine.the.great.empress"]) {
        await apiPost(context, `/api/v1/domains/${domain}/mailboxes`, {
          login: name,
          password: "winter orchard lantern 58",
          firstName: "Someone",
          lastName: "With A Long Surname",
        });
      }
      await apiPost(context, "/api/v1/tokens", {
        name: "Nightly backup of every mailbox list",
        permissions: ["mailboxes:read", "domains:read"],
        domains: [domain],
        expiresInDays: 90,
      });
      await apiPost(context, "/api/v1/tokens", {
        name: "DNS",
        permissions: ["dns:write"],
        domains: "all",
        expiresInDays: 30,
      });
      const deputyLogin = uniqueLogin("deputy");
      const other = await live.browser.newContext({ baseURL: live.server.url });
      const deputyRegistered = await other.request.post("/api/v1/accounts", {
        data: { login: deputyLogin, password: PASSWORD, firstName: "Dana", lastName: "Deputy" },
      });
      expect(deputyRegistered.status()).toBe(201);
      await other.close();
      await apiPost(context, `/api/v1/domains/${domain}/deputies`, { login: deputyLogin });
      // A second session of the same account (another live.browser).
      const elsewhere = await live.browser.newContext({
        baseURL: live.server.url,
        userAgent: "Mozilla/5.0 (iPhone)",
      });
      await elsewhere.request.post("/api/v1/session", { data: { login, password: PASSWORD } });

      await visit("/domains");
      await visit("/domains/new");
      await visit(`/domains/${pending}`);
      await visit(`/domains/${domain}`);
      await visit(`/domains/${domain}/mailboxes`, "mailboxes");
      await visit(`/domains/${domain}/administrators`);
      await visit(`/domains/${domain}/activity`);
      await visit(`/domains/${domain}/dns`);
      await visit("/account", "account-menu");
      await visit("/account/contacts");
      await visit("/account/security");
      await visit("/account/sessions", "sessions");
      await visit("/account/activity");
      await visit("/account/tokens", "tokens");
      await visit("/account/confirm");
      await visit("/transfers");
      await visit("/support");
      await visit("/support/new");
      await elsewhere.close();
    });
    expect(problems).toEqual([]);
  });
});
