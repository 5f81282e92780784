import { describe, expect, it } from "vitest";
import { WAIT_MS } from "../helpers/patience.js";
import { axeViolations, browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

/**
 * Issue 12, item 9: the API documentation is one click from the console's footer, looks like mfd,
 * leads back, explains how to authenticate, and passes axe (also with an operation opened).
 */
describe.skipIf(skipWithoutChromium())("API documentation page in a browser", () => {
  const live = browserAndServer();

  it("is linked from the console and back, walks through authentication, and passes axe", async () => {
    const { page, walk, shot } = await openPage(live.browser, live.server.url, "api-docs");
    await walk(async () => {
      await page.goto("/sign-in");
      await page.getByRole("link", { name: "API documentation" }).click();
      await page.waitForURL("**/api/docs/**");
      await page.getByRole("heading", { name: "Authentication" }).waitFor();
      await page.getByText("X-CSRF-Token", { exact: false }).first().waitFor();
      await page.locator(".opblock").first().waitFor();
      expect(await page.title()).toBe("API documentation — mfd");
      await page.getByRole("main").waitFor();
      // The mfd mark in the header has loaded.
      await expect
        .poll(() => page.evaluate(`document.querySelector(".mfd-docs-brand img").naturalWidth`), {
          timeout: WAIT_MS,
        })
        .toBeGreaterThan(0);
      await shot("docs");
      expect(await axeViolations(page)).toEqual([]);

      // An operation opened: its parameters, each described.
      await page
        .locator(".opblock-summary", { hasText: "/api/v1/domains/{domain}/mailboxes" })
        .first()
        .click();
      await page.getByText("How many items one page holds").first().waitFor();
      await shot("operation");
      expect(await axeViolations(page)).toEqual([]);

      await page.getByRole("banner").getByRole("link", { name: "Back to the console" }).click();
      await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
    });
  });
});
