import type { BrowserContext, Page } from "playwright-core";
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
    data: { login: uniqueLogin("form"), password: PASSWORD, firstName: "Fay", lastName: "Form" },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { accountId: string }).accountId;
}

/** The error shown under the field labelled `label` (its aria-describedby error paragraph). */
async function errorUnder(page: Page, label: string): Promise<string> {
  // An optional field's label ends in "(optional)".
  const input = page.getByLabel(new RegExp(`^${label}( \\(optional\\))?$`));
  await expect.poll(() => input.getAttribute("aria-invalid"), { timeout: WAIT_MS }).toBe("true");
  const id = await input.getAttribute("id");
  return (await page.locator(`[id="${id}-error"]`).textContent()) ?? "";
}

/** A problem document with every invalid field, as the server answers since issue 12. */
const manyFields = (errors: Array<{ field: string; code: string; message: string }>) => ({
  status: 400,
  contentType: "application/problem+json",
  body: JSON.stringify({
    type: "urn:mfd:error:VALIDATION_FAILED",
    title: "Some fields are not valid.",
    status: 400,
    code: "VALIDATION_FAILED",
    detail: `${errors.length} fields are not valid.`,
    errors,
  }),
});

/**
 * Issue 12, item 4 (the console's half): every invalid field is marked at once beside it, in the
 * console's words (never the browser's bubbles); an error of the whole form takes the focus.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: form errors", () => {
  const live = browserAndServer();

  it("marks every empty or malformed field of the registration at once, in its own words", async () => {
    const { page, walk, shot } = await openPage(live.browser, live.server.url, "console-forms/register");
    await walk(async () => {
      await page.goto("/register");
      await page.getByRole("heading", { name: "Create an account", exact: true }).waitFor();
      expect(await page.locator("form").getAttribute("novalidate")).not.toBe(null);
      await page.getByLabel("Recovery e-mail").fill("not-an-address");
      await page.getByRole("button", { name: "Create account" }).click();
      expect(await errorUnder(page, "Login")).toBe("Fill this in.");
      expect(await errorUnder(page, "New password")).toBe("Fill this in.");
      expect(await errorUnder(page, "First name")).toBe("Fill this in.");
      expect(await errorUnder(page, "Last name")).toBe("Fill this in.");
      expect(await errorUnder(page, "Recovery e-mail")).toMatch(/^Enter an e-mail address/);
      // The first of them takes the focus.
      expect(await page.evaluate("document.activeElement.getAttribute('name')")).toBe("login");
      await shot("empty-form");
      // Typing into a field takes its message away.
      await page.getByLabel("Login", { exact: true }).fill("anna");
      await expect
        .poll(() => page.getByLabel("Login", { exact: true }).getAttribute("aria-invalid"), {
          timeout: WAIT_MS,
        })
        .toBe(null);
    });
  });

  it("marks the support form's empty fields in its own words, as every other form does", async () => {
    const { page, walk } = await openPage(live.browser, live.server.url, "console-forms/support");
    await walk(async () => {
      await page.goto("/support/new");
      await page.getByRole("heading", { name: "Write to support", exact: true }).waitFor();
      expect(await page.locator("form").getAttribute("novalidate")).not.toBe(null);
      await page.getByRole("button", { name: "Send", exact: true }).click();
      expect(await errorUnder(page, "Domain")).toBe("Fill this in.");
    });
  });

  it("shows every field the server refuses beside it at once, and the rest above the form", async () => {
    const { page, walk, shot } = await openPage(live.browser, live.server.url, "console-forms/server");
    await walk(async () => {
      await page.route("**/api/v1/accounts", (route) =>
        route.fulfill(
          manyFields([
            { field: "login", code: "LOGIN_TAKEN", message: "This login is taken." },
            { field: "phone", code: "PHONE_INVALID", message: "Not a phone number." },
            { field: "nickname", code: "UNKNOWN_FIELD", message: "nickname is not a field of this form." },
          ]),
        ),
      );
      await page.goto("/register");
      await page.getByLabel("Login", { exact: true }).fill("taken");
      await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("First name").fill("Anna");
      await page.getByLabel("Last name").fill("Berg");
      await page.getByLabel("Mobile phone").fill("+1 555");
      await page.getByRole("button", { name: "Create account" }).click();
      expect(await errorUnder(page, "Login")).toBe("This login is already taken. Choose another.");
      expect(await errorUnder(page, "Mobile phone")).toMatch(/^This is not a valid phone number/);
      await page.getByRole("alert").getByText("nickname is not a field of this form.").waitFor();
      await shot("server-errors");
    });
  });

  it("brings an error of the whole form into view with the focus on it", async () => {
    const { page, walk } = await openPage(live.browser, live.server.url, "console-forms/form-level");
    await walk(async () => {
      await page.route("**/api/v1/accounts", (route) =>
        route.fulfill({
          status: 429,
          contentType: "application/problem+json",
          body: JSON.stringify({ code: "RATE_LIMITED", title: "Too many", status: 429, retryAfter: 30 }),
        }),
      );
      await page.setViewportSize({ width: 390, height: 500 });
      await page.goto("/register");
      await page.getByLabel("Login", { exact: true }).fill("someone");
      await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("First name").fill("Anna");
      await page.getByLabel("Last name").fill("Berg");
      await page.getByRole("button", { name: "Create account" }).click();
      const alert = page.getByRole("alert").filter({ hasText: "Too many attempts. Try again in 30 s." });
      await alert.waitFor();
      // The focused element is the alert itself.
      await expect
        .poll(
          () =>
            page.evaluate(
              `document.activeElement.getAttribute("role") + ": " + document.activeElement.textContent`,
            ),
          { timeout: WAIT_MS },
        )
        .toBe("alert: Too many attempts. Try again in 30 s.");
      const box = await alert.boundingBox();
      expect(box && box.y >= 0 && box.y < 500).toBe(true);
    });
  });

  it("marks every missing choice of the token form at once", async () => {
    const { page, context, walk, shot } = await openPage(
      live.browser,
      live.server.url,
      "console-forms/token",
    );
    await walk(async () => {
      const accountId = await register(context);
      await confirmedDomain(live.server as unknown as TestApp, accountId, uniqueDomain("forms"));
      await page.goto("/account/tokens");
      await page.getByRole("button", { name: "Create a token" }).click();
      await page.getByLabel("Expires after (days)").fill("0");
      await page.getByRole("button", { name: "Create the token" }).click();
      await page.getByText("Give the token a name.").waitFor();
      await page.getByText("Choose at least one permission.").waitFor();
      await page.getByText("Choose at least one domain, or all your domains.").waitFor();
      await page.getByText("Choose a whole number of days from 1 to 365.").waitFor();
      await shot("token-errors");
    });
  });

  it("shows both refused fields of a new mailbox at once", async () => {
    const { page, context, walk } = await openPage(live.browser, live.server.url, "console-forms/mailbox");
    await walk(async () => {
      const accountId = await register(context);
      const domain = uniqueDomain("forms");
      await confirmedDomain(live.server as unknown as TestApp, accountId, domain);
      await page.route("**/api/v1/domains/*/mailboxes", (route) =>
        route.request().method() === "POST"
          ? route.fulfill(
              manyFields([
                { field: "login", code: "LOGIN_INVALID", message: "A login starts with a letter." },
                { field: "password", code: "PASSWORD_TOO_COMMON", message: "Too common." },
              ]),
            )
          : route.fallback(),
      );
      await page.goto(`/domains/${domain}/mailboxes`);
      await page.getByRole("button", { name: "Create a mailbox" }).first().click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Login", { exact: true }).fill("1abc");
      await dialog.getByLabel("Password", { exact: true }).fill("password123");
      await dialog.getByRole("button", { name: "Create the mailbox" }).click();
      expect(await errorUnder(page, "Login")).toBe("A login starts with a letter.");
      expect(await errorUnder(page, "Password")).toMatch(/^This password is one of the most common ones/);
    });
  });
});
