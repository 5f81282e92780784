import type { BrowserContext } from "playwright-core";
import { describe, expect, it } from "vitest";
import { browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

const PASSWORD = "correct horse battery staple 42";
let counter = 0;
const uniqueLogin = (prefix: string) => `${prefix}${++counter}x${Date.now().toString(36)}`;

async function register(context: BrowserContext, login: string): Promise<void> {
  const response = await context.request.post("/api/v1/accounts", {
    data: { login, password: PASSWORD, firstName: "Tia", lastName: "Tester" },
  });
  expect(response.status(), await response.text()).toBe(201);
}

/**
 * Issue 12, item 8: an account without a confirmed domain opens the token form. The form says
 * why it can only be for all domains and only see the domain list, and it can be submitted as
 * shown (before, it offered "Only these domains" with nothing to choose and refused itself).
 */
describe.skipIf(skipWithoutChromium())("console in a browser: the token form", () => {
  const live = browserAndServer();

  it("without a confirmed domain, explains it and creates a token as the form stands", async () => {
    const session = await openPage(live.browser, live.server.url, "console-tokens/no-domain");
    await session.walk(async () => {
      const { page, shot } = session;
      await register(session.context, uniqueLogin("tok"));
      await page.goto("/account/tokens");
      await page.getByRole("button", { name: "Create a token" }).click();
      await page.getByText("You have no confirmed domain yet").waitFor();
      await page.getByRole("link", { name: "Go to My domains" }).waitFor();

      // "Only these domains" has nothing to offer: it cannot be chosen, "All my domains" is.
      expect(await page.getByRole("radio", { name: /Only these domains/ }).isDisabled()).toBe(true);
      expect(await page.getByRole("radio", { name: /All my domains/ }).isChecked()).toBe(true);
      // Only what the server accepts without a domain is offered, and it is ticked.
      expect(await page.getByRole("checkbox", { name: "See domains" }).isChecked()).toBe(true);
      for (const name of ["See mailboxes", "Manage mailboxes", "See DNS records", "Edit DNS records"])
        expect(await page.getByRole("checkbox", { name }).isDisabled()).toBe(true);
      await shot("form-without-domain");

      await page.getByLabel("Name", { exact: true }).fill("deploy");
      await page.getByRole("button", { name: "Create the token" }).click();
      await page.getByRole("heading", { name: "Your new token “deploy”" }).waitFor();
      await shot("created");
      await page.getByRole("button", { name: "I have stored it" }).click();
      const row = page.getByRole("row", { name: /deploy/ });
      await row.getByText("All my domains").waitFor();
      await row.getByText("See domains").waitFor();
    });
    expect(session.problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await session.context.close();
  });
});
