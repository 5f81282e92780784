import type { BrowserContext } from "playwright-core";
import { describe, expect, it } from "vitest";
import { systemContext } from "../../src/access/actor.js";
import { recordEvent } from "../../src/audit/index.js";
import type { TestApp } from "../helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../helpers/domains.js";
import { browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

const PASSWORD = "correct horse battery staple 42";
const SAFARI =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
let counter = 0;
const uniqueLogin = (prefix: string) => `${prefix}${++counter}x${Date.now().toString(36)}`;

async function csrf(context: BrowserContext): Promise<Record<string, string>> {
  const session = await (await context.request.get("/api/v1/session")).json();
  return { "x-csrf-token": session.csrfToken };
}

/**
 * Issue 12, item 6: the account's activity reads as a security log. A wrong current password while
 * signed in is not a "failed sign-in"; each row names the device and address, never a session id;
 * a change says what changed; the domain checks of the worker are on a tab of their own.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: the account's activity", () => {
  const live = browserAndServer();

  it("shows sign-ins and changes with device, address and detail, and the checks apart", async () => {
    const session = await openPage(live.browser, live.server.url, "console-activity/log");
    const phone = await live.browser.newContext({ baseURL: live.server.url, userAgent: SAFARI });
    await session.walk(async () => {
      const { page, context, shot } = session;
      const login = uniqueLogin("act");
      const registered = await context.request.post("/api/v1/accounts", {
        data: { login, password: PASSWORD, firstName: "Ada", lastName: "Tester" },
      });
      expect(registered.status()).toBe(201);
      const { accountId } = await registered.json();

      // A wrong current password while signed in, then a token.
      const wrong = await context.request.put("/api/v1/account/password", {
        headers: await csrf(context),
        data: { currentPassword: "not my password at all", newPassword: "another long passphrase 9" },
      });
      expect(wrong.status()).toBe(403);
      const token = await context.request.post("/api/v1/tokens", {
        headers: await csrf(context),
        data: { name: "deploy", permissions: ["domains:read"], domains: "all", expiresInDays: 30 },
      });
      expect(token.status(), await token.text()).toBe(201);

      // A sign-in on a phone, which the account then signs out from its sessions.
      expect(
        (await phone.request.post("/api/v1/session", { data: { login, password: PASSWORD } })).status(),
      ).toBe(200);
      const sessions = (await (await context.request.get("/api/v1/account/sessions")).json()) as Array<{
        id: string;
        current: boolean;
      }>;
      const other = sessions.find((s) => !s.current);
      expect(
        (
          await context.request.delete(`/api/v1/account/sessions/${other?.id}`, {
            headers: await csrf(context),
          })
        ).status(),
      ).toBe(204);

      // The worker checked a domain of the account.
      await recordEvent(live.server.db, systemContext(Date.now()), {
        action: "domain.check",
        accountId,
        domain: "example.org",
        details: { trigger: "worker", result: "not-confirmed" },
      });

      await page.goto("/account/activity");
      const changes = page.getByRole("tabpanel");
      await changes.getByText("Wrong password or code while signed in").waitFor();
      await changes.getByText("Wrong password", { exact: true }).waitFor();
      expect(await changes.getByText("Failed sign-in").count()).toBe(0);
      await changes.getByText("“deploy”: See domains — All my domains").waitFor();
      // The phone's sign-in with its device, and its end saying which device it was.
      await changes.getByRole("row", { name: /Signed in.*Safari on iOS/ }).waitFor();
      await changes.getByText(/Signed out: Safari on iOS, /).waitFor();
      // The console's own rows carry this browser; no session id anywhere.
      await changes.getByText("Chrome on Linux").first().waitFor();
      expect(await changes.getByText(/[0-9a-f]{8}…/).count()).toBe(0);
      expect(await changes.getByText("Domain ownership checked").count()).toBe(0);
      await shot("changes");

      await page.getByRole("tab", { name: "Domain checks" }).click();
      const checks = page.getByRole("tabpanel");
      await checks.getByText("Domain ownership checked").waitFor();
      await checks
        .getByRole("row", { name: /example\.org/ })
        .getByText("by mfd")
        .waitFor();
      expect(await checks.getByText("Signed in").count()).toBe(0);
      await shot("checks");
    });
    await phone.close();
    expect(session.problems.filter((p) => !/status of (401|403)/.test(p))).toEqual([]);
    await session.context.close();
  });

  it("shows an administrator the domain's mailbox changes by 'You' and 'The owner', never the owner's login", async () => {
    const owner = await openPage(live.browser, live.server.url, "console-activity/domain-owner");
    const deputy = await openPage(live.browser, live.server.url, "console-activity/domain-deputy");
    const domain = uniqueDomain("act");
    const register = async (context: BrowserContext, login: string) => {
      const response = await context.request.post("/api/v1/accounts", {
        data: { login, password: PASSWORD, firstName: "Ada", lastName: "Tester" },
      });
      expect(response.status()).toBe(201);
      return ((await response.json()) as { accountId: string }).accountId;
    };
    const ownerLogin = uniqueLogin("own");
    const deputyLogin = uniqueLogin("dep");
    const ownerId = await register(owner.context, ownerLogin);
    const deputyId = await register(deputy.context, deputyLogin);
    const { domainId } = await confirmedDomain(live.server as unknown as TestApp, ownerId, domain);
    await live.server.db
      .insertInto("deputies")
      .values({ domainId, accountId: deputyId, createdAt: Date.now() })
      .execute();
    const create = async (context: BrowserContext, login: string) => {
      const response = await context.request.post(`/api/v1/domains/${domain}/mailboxes`, {
        headers: await csrf(context),
        data: { login, password: "winter orchard lantern 58" },
      });
      expect(response.status(), await response.text()).toBe(201);
    };
    await create(owner.context, "olga");
    await create(deputy.context, "dana");

    await deputy.walk(async () => {
      const { page, shot } = deputy;
      await page.goto(`/domains/${domain}`);
      await page.getByRole("navigation", { name: "Domain" }).getByRole("link", { name: "Activity" }).click();
      await page
        .getByRole("row", { name: new RegExp(`dana@${domain.replaceAll(".", "\\.")}`) })
        .getByText("You")
        .waitFor();
      await page
        .getByRole("row", { name: new RegExp(`olga@${domain.replaceAll(".", "\\.")}`) })
        .getByText("The owner")
        .waitFor();
      expect(await page.getByText(ownerLogin).count()).toBe(0);
      await shot("as-administrator");
    });
    await owner.walk(async () => {
      const { page, shot } = owner;
      await page.goto(`/domains/${domain}/activity`);
      const row = page.getByRole("row", { name: new RegExp(`dana@${domain.replaceAll(".", "\\.")}`) });
      await row.getByText("An administrator").waitFor();
      await row.getByText(deputyLogin).waitFor();
      await page
        .getByRole("row", { name: new RegExp(`olga@${domain.replaceAll(".", "\\.")}`) })
        .getByText("You")
        .waitFor();
      await shot("as-owner");
    });
    for (const s of [owner, deputy]) {
      expect(s.problems.filter((p) => !/status of (401|403)/.test(p))).toEqual([]);
      await s.context.close();
    }
  });
});
