import type { BrowserContext } from "playwright-core";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/lib/random.js";
import { nameKeys } from "../../src/mailboxes/logins.js";
import type { TestApp } from "../helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../helpers/domains.js";
import { browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

const PASSWORD = "correct horse battery staple 42";
const MAILBOX_PASSWORD = "winter orchard lantern 58";
let counter = 0;
const uniqueLogin = (prefix: string) => `${prefix}${++counter}x${Date.now().toString(36)}`;
const pad = (n: number) => String(n).padStart(3, "0");

async function register(context: BrowserContext, login: string): Promise<string> {
  const response = await context.request.post("/api/v1/accounts", {
    data: { login, password: PASSWORD, firstName: "Olga", lastName: "Tester" },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { accountId: string }).accountId;
}

/**
 * Issue 12, item 7 in a browser: a domain with many mailboxes. The place in the list (page, page
 * size, search, order) is in the address, so reload and the back button keep it; several
 * mailboxes are blocked, unblocked and deleted at once; a CSV file is checked, then imported.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: mailboxes at scale", () => {
  const live = browserAndServer();

  /** An owner signed in with a confirmed domain holding `count` mailboxes user000, user001, … */
  async function ownerWithMailboxes(context: BrowserContext, count: number) {
    const accountId = await register(context, uniqueLogin("own"));
    const domain = uniqueDomain("scale");
    const { domainId } = await confirmedDomain(live.server as unknown as TestApp, accountId, domain);
    // Written straight to the table, as the service writes them: 60 argon2 hashes would only be slow.
    const now = Date.now();
    if (count > 0)
      await live.server.db
        .insertInto("mailboxes")
        .values(
          Array.from({ length: count }, (_, i) => ({
            id: newId(),
            domainId,
            login: `user${pad(i)}`,
            passwordHash: "{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
            firstName: i % 2 ? "Sam" : "Dana",
            lastName: "Tester",
            ...nameKeys(i % 2 ? "Sam" : "Dana", "Tester"),
            createdAt: now,
            updatedAt: now,
          })),
        )
        .execute();
    return { domain, domainId };
  }

  it("keeps the page, page size, search and order in the address: reload and back return to them", async () => {
    const session = await openPage(live.browser, live.server.url, "console-mailboxes/place");
    await session.walk(async () => {
      const { page, shot } = session;
      const { domain } = await ownerWithMailboxes(session.context, 60);
      const status = page.getByRole("navigation", { name: "Pages of mailboxes" });
      /** Waits until the list's first row is this mailbox. */
      const firstIs = (login: string) =>
        page.locator("tbody tr:first-child th[scope=row]", { hasText: `${login}@${domain}` }).waitFor();

      await page.goto(`/domains/${domain}/mailboxes`);
      await status.getByText("1–50 of 60").waitFor();
      await page.getByLabel("Per page").selectOption("25");
      await status.getByText("1–25 of 60").waitFor();
      expect(new URL(page.url()).searchParams.get("size")).toBe("25");

      // While the next page is on its way, the range still names the rows on screen (it named the
      // next page's over the last page's rows, and a test reading the first row at once flaked).
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let asked: () => void = () => {};
      const requested = new Promise<void>((resolve) => {
        asked = resolve;
      });
      await page.route(/\/api\/v1\/domains\/[^/]+\/mailboxes\?.*after=/, async (route) => {
        asked();
        await held;
        await route.continue();
      });
      await page.getByRole("button", { name: "Next page" }).click();
      await requested;
      await page.waitForURL(/page=2/);
      expect(await status.textContent()).toContain("1–25 of 60");
      await firstIs("user000");
      release();
      await status.getByText("26–50 of 60").waitFor();
      await firstIs("user025");
      await page.unrouteAll();
      await shot("second-page");

      // A reload stays on the second page, and "previous" still knows the way back.
      await page.reload();
      await status.getByText("26–50 of 60").waitFor();
      await firstIs("user025");
      await page.getByRole("button", { name: "Next page" }).click();
      await status.getByText("51–60 of 60").waitFor();
      await page.getByRole("button", { name: "Previous page" }).click();
      await status.getByText("26–50 of 60").waitFor();

      // The back button walks the pages visited.
      await page.goBack();
      await status.getByText("51–60 of 60").waitFor();
      await page.goBack();
      await status.getByText("26–50 of 60").waitFor();

      // The search replaces the place (a new first page) and is kept by a reload.
      await page.getByLabel("Search mailboxes").fill("user01");
      await page.getByText("10 mailboxes match").waitFor();
      expect(new URL(page.url()).searchParams.get("q")).toBe("user01");
      await page.reload();
      await page.getByText("10 mailboxes match").waitFor();
      expect(await page.getByLabel("Search mailboxes").inputValue()).toBe("user01");

      // Z to A, kept in the address.
      await page.getByLabel("Order").selectOption("-login");
      await page.waitForURL(/order=-login/);
      await firstIs("user019");
      await shot("searched-z-to-a");
      await page.reload();
      expect(await page.getByLabel("Order").inputValue()).toBe("-login");
      await firstIs("user019");
      await page.getByText("10 mailboxes match").waitFor();
    });
    expect(session.problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await session.context.close();
  });

  it("blocks, unblocks and deletes several chosen mailboxes at once, deleting after a confirmation", async () => {
    const session = await openPage(live.browser, live.server.url, "console-mailboxes/several");
    await session.walk(async () => {
      const { page, shot } = session;
      const { domain, domainId } = await ownerWithMailboxes(session.context, 5);
      await page.goto(`/domains/${domain}/mailboxes`);
      const row = (i: number) => page.getByRole("row", { name: new RegExp(`user${pad(i)}@`) });
      await row(0).waitFor();

      for (const i of [1, 2, 3])
        await page.getByRole("checkbox", { name: `Choose user${pad(i)}@${domain}` }).check();
      await page.getByText("3 mailboxes chosen").waitFor();
      await page
        .getByRole("region", { name: "Chosen mailboxes" })
        .getByRole("button", { name: "Block", exact: true })
        .click();
      await page.getByText("3 mailboxes are blocked").waitFor();
      for (const i of [1, 2, 3]) await row(i).getByText("Blocked", { exact: true }).waitFor();
      await row(0).getByText("Active", { exact: true }).waitFor();
      await shot("three-blocked");

      // The choice went with the page read again; choose all of the page, then unblock.
      await page.getByRole("checkbox", { name: "Choose every mailbox on this page" }).check();
      await page.getByText("5 mailboxes chosen").waitFor();
      await page
        .getByRole("region", { name: "Chosen mailboxes" })
        .getByRole("button", { name: "Unblock", exact: true })
        .click();
      await page.getByText("5 mailboxes are active").waitFor();
      for (const i of [1, 2, 3]) await row(i).getByText("Active", { exact: true }).waitFor();

      // Delete two, after confirming; Cancel first changes nothing.
      for (const i of [0, 4])
        await page.getByRole("checkbox", { name: `Choose user${pad(i)}@${domain}` }).check();
      await page.getByRole("button", { name: "Delete…" }).click();
      const dialog = page.getByRole("dialog", { name: "Delete 2 mailboxes?" });
      await dialog.getByText(`user004@${domain}`).waitFor();
      await shot("confirm-delete");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await page.getByRole("button", { name: "Delete…" }).click();
      await page
        .getByRole("dialog", { name: "Delete 2 mailboxes?" })
        .getByRole("button", { name: "Delete 2 mailboxes" })
        .click();
      await page.getByText("2 mailboxes were deleted.").waitFor();
      await page.getByText("3 mailboxes on the domain").waitFor();
      const left = await live.server.db
        .selectFrom("mailboxes")
        .select("login")
        .where("domainId", "=", domainId)
        .execute();
      expect(left.map((m) => m.login).sort()).toEqual(["user001", "user002", "user003"]);
    });
    expect(session.problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await session.context.close();
  });

  it("imports a CSV file: a preview with each row's problem, then the progress and a summary", async () => {
    const session = await openPage(live.browser, live.server.url, "console-mailboxes/import");
    await session.walk(async () => {
      const { page, shot } = session;
      const { domain, domainId } = await ownerWithMailboxes(session.context, 1);
      await page.goto(`/domains/${domain}/mailboxes`);
      await page.getByRole("button", { name: "Import from CSV…" }).click();
      const dialog = page.getByRole("dialog", { name: `Import mailboxes to ${domain}` });
      const csv = [
        "login,password,first_name,last_name",
        `anna,${MAILBOX_PASSWORD},Anna,Smith`,
        `user000,${MAILBOX_PASSWORD},,`,
        "bob,short,Bob,Short",
        `carl,${MAILBOX_PASSWORD},"Carl, Jr",King`,
      ].join("\n");
      await dialog.getByLabel("CSV file").setInputFiles({
        name: "people.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(csv),
      });
      await dialog.getByText("2 mailboxes will be created.").waitFor();
      await dialog.getByText("1 already exists and is left as it is.").waitFor();
      await dialog.getByText("1 row has a problem and will not be imported.").waitFor();
      const problem = dialog.getByRole("row", { name: /bob/ });
      await problem.getByText("4", { exact: true }).waitFor();
      await problem.getByText(/at least 10 characters/).waitFor();
      await shot("preview");
      // Nothing is created by looking.
      expect(
        (
          await live.server.db
            .selectFrom("mailboxes")
            .select("login")
            .where("domainId", "=", domainId)
            .execute()
        ).length,
      ).toBe(1);

      await dialog.getByRole("button", { name: "Import 2 mailboxes" }).click();
      await dialog.getByText("2 mailboxes were created.").waitFor();
      await dialog.getByText("1 row could not be imported.").waitFor();
      await dialog.getByRole("row", { name: /bob/ }).waitFor();
      await shot("summary");
      await dialog.getByRole("button", { name: "Done" }).click();
      await page.getByRole("rowheader", { name: `anna@${domain}` }).waitFor();
      await page.getByRole("row", { name: /carl@/ }).getByText("Carl, Jr King").waitFor();
      await page.getByText("3 mailboxes on the domain").waitFor();
    });
    expect(session.problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await session.context.close();
  });
});
