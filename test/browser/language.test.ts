import type { BrowserContext } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../helpers/domains.js";
import { WAIT_MS } from "../helpers/patience.js";
import { browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

const PASSWORD = "correct horse battery staple 42";
let counter = 0;
const uniqueLogin = (prefix: string) => `${prefix}${++counter}x${Date.now().toString(36)}`;

async function register(context: BrowserContext): Promise<string> {
  const response = await context.request.post("/api/v1/accounts", {
    data: { login: uniqueLogin("lang"), password: PASSWORD, firstName: "Lev", lastName: "Tolstoy" },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { accountId: string }).accountId;
}

async function apiPost(context: BrowserContext, path: string, data: unknown) {
  const session = await (await context.request.get("/api/v1/session")).json();
  const response = await context.request.post(path, { data, headers: { "x-csrf-token": session.csrfToken } });
  expect(response.status(), await response.text()).toBeLessThan(300);
}

/**
 * Issue 12, item 5: the console speaks Russian to a Russian browser or after the switcher (and
 * remembers it), with Russian plural forms; dates follow the browser's full locale tag, so a
 * British browser reads "1 Dec 2026" and an American one "Dec 1, 2026".
 */
describe.skipIf(skipWithoutChromium())("console in a browser: languages", () => {
  const live = browserAndServer();

  it("answers a Russian browser in Russian", async () => {
    const context = await live.browser.newContext({ baseURL: live.server.url, locale: "ru-RU" });
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    await page.goto("/sign-in");
    await page.getByRole("heading", { name: "Вход", exact: true }).waitFor();
    await page.getByRole("button", { name: "Войти" }).waitFor();
    expect(await page.evaluate("document.documentElement.lang")).toBe("ru");
    await context.close();
  });

  it("writes dates the way the browser's own locale does", async () => {
    const dates: Record<string, RegExp> = {
      "en-GB": /^\d{1,2} [A-Z][a-z]{2} \d{4}/,
      "en-US": /^[A-Z][a-z]{2} \d{1,2}, \d{4}/,
    };
    for (const [locale, pattern] of Object.entries(dates)) {
      const context = await live.browser.newContext({ baseURL: live.server.url, locale });
      context.setDefaultTimeout(WAIT_MS);
      const page = await context.newPage();
      await register(context);
      await page.goto("/account");
      const created = page.locator("dt", { hasText: "Created" }).locator("+ dd");
      await created.waitFor();
      expect(await created.textContent(), locale).toMatch(pattern);
      await context.close();
    }
  });

  it("switches to Russian from the footer, keeps it after a reload, and counts in Russian", async () => {
    const { page, context, walk, shot } = await openPage(live.browser, live.server.url, "console-language");
    await walk(async () => {
      const accountId = await register(context);
      const domain = uniqueDomain("yazyk");
      await confirmedDomain(live.server as unknown as TestApp, accountId, domain);
      for (const login of ["anna", "boris", "vera", "gleb", "dina"]) {
        await apiPost(context, `/api/v1/domains/${domain}/mailboxes`, {
          login,
          password: "winter orchard lantern 58",
        });
      }
      await page.goto(`/domains/${domain}/mailboxes`);
      await page.getByText("5 mailboxes on the domain").waitFor();
      await page.getByLabel("Language").selectOption("ru");
      await page.getByText("5 почтовых ящиков на домене").waitFor();
      await page.getByRole("link", { name: "Мои домены" }).waitFor();
      await shot("switched-to-russian");

      await page.reload();
      await page.getByText("5 почтовых ящиков на домене").waitFor();
      expect(await page.evaluate("document.documentElement.lang")).toBe("ru");

      // Two of them: the "few" form.
      for (const login of ["vera", "gleb", "dina"]) {
        const session = await (await context.request.get("/api/v1/session")).json();
        await context.request.delete(`/api/v1/domains/${domain}/mailboxes/${login}`, {
          headers: { "x-csrf-token": session.csrfToken },
        });
      }
      await page.reload();
      await page.getByText("2 почтовых ящика на домене").waitFor();

      // And back.
      await page.getByLabel("Язык").selectOption("en");
      await page.getByText("2 mailboxes on the domain").waitFor();
    });
  });
});
