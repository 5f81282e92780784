import { describe, expect, it } from "vitest";
import { totpAt } from "../../src/credentials/totp.js";
import { browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

/**
 * Two-factor recovery codes as a user meets them: turn two-factor on, see the codes once, save
 * them, sign out, sign in with one after "Lost your authenticator?", see one fewer left; then
 * restore access, where a recovery code stands in for the authenticator too.
 * Needs a built console (`npx vite build web`) and Debian's chromium.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: two-factor recovery codes", () => {
  const live = browserAndServer();

  it("signs in and restores access with recovery codes instead of the authenticator, and the count goes down", async () => {
    const { page, shot, walk } = await openPage(live.browser, live.server.url, "recovery-codes");
    const login = `rhea${Date.now().toString(36)}`;
    const password = "correct horse battery staple 42";
    const email = `${login}@example.org`;
    const newPassword = "a brand new passphrase for mfd 77";
    await walk(async () => {
      await page.goto("/register");
      await page.getByLabel("Login", { exact: true }).fill(login);
      await page.getByLabel("New password", { exact: true }).fill(password);
      await page.getByLabel("First name").fill("Rhea");
      await page.getByLabel("Last name").fill("Silvia");
      await page.getByLabel("Recovery e-mail").fill(email);
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL("**/account/confirm");
      await page.getByLabel("Code from the e-mail").fill(await live.server.lastCodeTo(email));
      await page.getByRole("button", { name: "Confirm", exact: true }).click();
      await page.getByText("Your recovery e-mail is confirmed.").waitFor();

      // Turn two-factor on: a link for phones beside the QR code, then the code from the app.
      await page.goto("/account/security");
      await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
      const openInApp = page.getByRole("link", { name: /Open the setup in your authenticator app/ });
      expect(await openInApp.getAttribute("href")).toMatch(/^otpauth:\/\/totp\//);
      const secret = ((await page.locator(".secret code").textContent()) ?? "").replaceAll(" ", "");
      await shot("two-factor-setup");
      await page.getByLabel("Authenticator code").fill(totpAt(secret, Date.now()));
      await page.getByRole("button", { name: "Turn on", exact: true }).click();

      // The codes, once.
      await page.getByRole("heading", { name: "Recovery codes" }).waitFor();
      const codes = await page.locator(".recovery-code-list code").allTextContents();
      expect(codes).toHaveLength(10);
      for (const code of codes) expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{2}$/);
      await shot("recovery-codes-shown");
      await page.getByRole("button", { name: "I have saved them" }).click();
      await page.getByText("10 recovery codes left.").waitFor();
      expect(await page.locator(".recovery-code-list").count()).toBe(0);

      // Sign out, then in with a recovery code.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL("**/sign-in");
      await page.getByLabel("Login", { exact: true }).fill(login);
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByLabel("Authenticator code").waitFor();
      await page.getByRole("button", { name: "Lost your authenticator? Use a recovery code" }).click();
      await page.getByLabel("Recovery code").fill(codes[0] as string);
      await shot("sign-in-with-recovery-code");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("button", { name: "Sign out" }).waitFor();

      await page.goto("/account/security");
      await page.getByText("9 recovery codes left.").waitFor();
      await shot("nine-left");

      // Restore access asks for the second factor after the new password: a recovery code again.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL("**/sign-in");
      await page.getByRole("link", { name: "Forgot your password?" }).click();
      await page.getByLabel("Login").fill(login);
      await page.getByRole("button", { name: "Continue" }).click();
      await page.getByRole("radio", { name: /A code to my recovery e-mail/ }).check();
      await page.getByLabel("Recovery e-mail on the account").fill(email);
      await page.getByRole("button", { name: "Send the code" }).click();
      await page.getByRole("heading", { name: "Enter the code", exact: true }).waitFor();
      await page.getByLabel("Code", { exact: true }).fill(await live.server.lastCodeTo(email));
      await page.getByRole("button", { name: "Check the code" }).click();
      await page.getByRole("heading", { name: "Choose a new password", exact: true }).waitFor();
      await page.getByLabel("New password", { exact: true }).fill(newPassword);
      await page.getByLabel("Repeat the new password").fill(newPassword);
      await page.getByRole("button", { name: "Set the new password" }).click();
      await page.getByLabel("Authenticator code").waitFor();
      await page.getByRole("button", { name: "Lost your authenticator? Use a recovery code" }).click();
      await page.getByLabel("Recovery code").fill(codes[1] as string);
      await shot("restore-with-recovery-code");
      await page.getByRole("button", { name: "Set the new password" }).click();
      await page.waitForURL("**/sign-in");
      await page.getByText("Your password was changed. Sign in with the new password.").waitFor();

      await page.getByLabel("Password", { exact: true }).fill(newPassword);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("button", { name: "Lost your authenticator? Use a recovery code" }).click();
      await page.getByLabel("Recovery code").fill(codes[2] as string);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("button", { name: "Sign out" }).waitFor();
      await page.goto("/account/security");
      await page.getByText("7 recovery codes left.").waitFor();
    });
  });
});
