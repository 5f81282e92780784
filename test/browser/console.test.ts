import { describe, expect, it } from "vitest";
import { browserAndServer, openPage, skipWithoutChromium } from "./browser.js";

/**
 * The console as a user meets it: register with a recovery e-mail, confirm it with the code,
 * sign out, restore access by an e-mail code, and sign in with the new password.
 * Needs a built console (`npx vite build web`) and Debian's chromium.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: account and restore access", () => {
  const live = browserAndServer();

  it("registers, confirms the e-mail, restores access by code and signs in with the new password", async () => {
    const { page, shot, problems, context, walk } = await openPage(
      live.browser,
      live.server.url,
      "console-account",
    );
    const login = `alice${Date.now().toString(36)}`;
    const email = `${login}@example.org`;
    const firstPassword = "correct horse battery staple 42";
    const newPassword = "a brand new passphrase for mfd 77";

    await walk(async () => {
      // Register.
      await page.goto("/register");
      await page.getByRole("heading", { name: "Create an account", exact: true }).waitFor();
      await page.getByLabel("Login", { exact: true }).fill(login);
      await page.getByLabel("New password", { exact: true }).fill(firstPassword);
      await page.getByLabel("First name").fill("Alice");
      await page.getByLabel("Last name").fill("Liddell");
      await page.getByLabel("Recovery e-mail").fill(email);
      await shot("register-filled");
      await page.getByRole("button", { name: "Create account" }).click();

      // Confirm the recovery e-mail with the code from the outbox.
      await page.waitForURL("**/account/confirm");
      await page.getByRole("heading", { name: "Confirm your contacts", exact: true }).waitFor();
      await page.getByText(`We sent a code to ${email}.`).waitFor();
      await shot("confirm-contacts");
      const confirmCode = await live.server.lastCodeTo(email);
      await page.getByLabel("Code from the e-mail").fill(confirmCode);
      await page.getByRole("button", { name: "Confirm", exact: true }).click();
      await page.getByText("Your recovery e-mail is confirmed.").waitFor();
      await shot("e-mail-confirmed");

      // The profile shows the account and what it still lacks.
      await page.getByRole("link", { name: "Go to your profile" }).click();
      await page.getByRole("heading", { name: "Profile", exact: true }).waitFor();
      await page.getByText(`${login}@mfd.test`).first().waitFor();
      await page.getByText("A confirmed mobile phone").waitFor();
      await shot("profile");

      // Sign out.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL("**/sign-in");
      await page.getByText("You have signed out.").waitFor();
      await shot("signed-out");

      // Restore access with a code to the recovery e-mail.
      await page.getByRole("link", { name: "Forgot your password?" }).click();
      await page.getByRole("heading", { name: "Restore access", exact: true }).waitFor();
      await page.getByLabel("Login").fill(login);
      await page.getByRole("button", { name: "Continue" }).click();
      await page
        .getByRole("heading", { name: "How do you want to prove it is yours?", exact: true })
        .waitFor();
      await page.getByRole("radio", { name: /A code to my recovery e-mail/ }).check();
      await page.getByLabel("Recovery e-mail on the account").fill(email);
      await shot("restore-method");
      await page.getByRole("button", { name: "Send the code" }).click();
      await page.getByRole("heading", { name: "Enter the code", exact: true }).waitFor();
      await page.getByText(`If the details match an account, we sent a code to ${email}.`).waitFor();
      await shot("restore-code");
      const restoreCode = await live.server.lastCodeTo(email);
      expect(restoreCode).not.toBe(confirmCode);
      await page.getByLabel("Code", { exact: true }).fill(restoreCode);
      await page.getByRole("button", { name: "Check the code" }).click();
      await page.getByRole("heading", { name: "Choose a new password", exact: true }).waitFor();
      await page.getByLabel("New password", { exact: true }).fill(newPassword);
      await page.getByLabel("Repeat the new password").fill(newPassword);
      await shot("restore-new-password");
      await page.getByRole("button", { name: "Set the new password" }).click();

      // Back at sign-in with a success note; the old password no longer works, the new one does.
      await page.waitForURL("**/sign-in");
      await page.getByText("Your password was changed. Sign in with the new password.").waitFor();
      expect(await page.getByLabel("Login").inputValue()).toBe(login);
      await shot("restored");
      await page.getByLabel("Password", { exact: true }).fill(firstPassword);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").getByText("The login or password is wrong.").waitFor();
      await shot("old-password-refused");
      await page.getByLabel("Password", { exact: true }).fill(newPassword);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
      await page.getByRole("button", { name: "Sign out" }).waitFor();
      await page.getByText(`${login}@mfd.test`).first().waitFor();
      // The refused old password is told once, after signing in.
      await page
        .getByText("1 sign-in to your account failed or was refused since you last signed in.")
        .waitFor();
      await shot("signed-in-with-new-password");

      // The account's own activity tells the story, newest first.
      await page.getByRole("link", { name: "Account", exact: true }).click();
      await page.getByRole("link", { name: "Activity", exact: true }).click();
      await page.getByRole("heading", { name: "Activity", exact: true }).waitFor();
      const rows = page.getByRole("table").getByRole("row");
      // The header row, then the newest event: this sign-in; the restore and the refused password before it.
      // (Each action with what it concerns under it: "Wrong password" under the failure.)
      await rows.nth(1).getByText("Signed in", { exact: true }).waitFor();
      await rows.nth(2).getByText("Failed sign-in", { exact: true }).waitFor();
      await rows.nth(2).getByText("Wrong password", { exact: true }).waitFor();
      await rows.nth(3).getByText("Password reset by restoring access", { exact: true }).waitFor();
      await page.getByText("Signed out", { exact: true }).waitFor();
      await shot("activity");
    });

    // The console kept to its CSP (no inline scripts) and threw nothing. The refused sign-in above
    // is an expected 401 that the browser logs as a failed resource load.
    const unexpected = problems.filter((p) => !/status of 401/.test(p));
    expect(unexpected).toEqual([]);
    await context.close();
  });
});
