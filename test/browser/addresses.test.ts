import { describe, expect, it } from "vitest";
import { browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

/**
 * MFD_PUBLIC_URL says localhost, the browser opens 127.0.0.1 (what `npm start` users type just as
 * often): in development mode that is the same address, so signing up works and the session
 * cookie set at 127.0.0.1 carries the signed-in console on.
 * Needs a built console (`npx vite build web`) and Debian's chromium.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: opened at another loopback address", () => {
  const live = browserAndServer((port) => ({ MFD_PUBLIC_URL: `http://localhost:${port}` }));

  it("signs up at 127.0.0.1 while the public URL says localhost, and stays signed in", async () => {
    expect(live.server.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(live.server.config.publicUrl).toMatch(/^http:\/\/localhost:/);
    const { page, shot, walk } = await openPage(live.browser, live.server.url, "addresses");
    const login = `lorna${Date.now().toString(36)}`;
    await walk(async () => {
      await page.goto("/register");
      await page.getByRole("heading", { name: "Create an account", exact: true }).waitFor();
      expect(new URL(page.url()).hostname).toBe("127.0.0.1");
      await page.getByLabel("Login", { exact: true }).fill(login);
      await page.getByLabel("New password", { exact: true }).fill("correct horse battery staple 42");
      await page.getByLabel("First name").fill("Lorna");
      await page.getByLabel("Last name").fill("Doone");
      await page.getByRole("button", { name: "Create account" }).click();
      // Signed in: the console goes on to the next step instead of "The page is out of date".
      await page.getByRole("button", { name: "Sign out" }).waitFor();
      await shot("signed-up-at-127.0.0.1");
      // The cookie works for a page loaded afresh at the same address.
      await page.goto("/account");
      await page.getByRole("button", { name: "Sign out" }).waitFor();
      expect(new URL(page.url()).hostname).toBe("127.0.0.1");
    });
  });
});
