import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestInternet } from "../dns/internet.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { launch, openPage, skipWithoutChromium } from "./browser.js";

const PASSWORD = "correct horse battery staple 42";
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}${++counter}x${Date.now().toString(36)}`;

interface Claim {
  methods: { txt: { name: string; value: string }; cname: { name: string; target: string } };
}

/** Registers through the API inside the browser context, so the page starts signed in. */
async function register(context: BrowserContext): Promise<string> {
  const login = uniqueName("dom");
  const response = await context.request.post("/api/v1/accounts", {
    data: { login, password: PASSWORD, firstName: "Dora", lastName: "Main" },
  });
  expect(response.status(), await response.text()).toBe(201);
  return login;
}

/** A state-changing API call as the signed-in browser (anti-CSRF token from the session). */
async function apiPost(context: BrowserContext, path: string, data: unknown = {}) {
  const session = await (await context.request.get("/api/v1/session")).json();
  return context.request.post(path, { data, headers: { "x-csrf-token": session.csrfToken } });
}

/**
 * Issue 3 in a browser: connect a domain, read what to publish, see it confirmed (after "check
 * now" and, on another domain, by the page's own polling), and disconnect with re-authentication.
 * The verifier looks at a loopback "internet" (test/dns) where the test plays the customer's DNS.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: domains", () => {
  let server: TestServer;
  let browser: Browser;
  let internet: TestInternet;

  beforeAll(async () => {
    browser = await launch();
    internet = await TestInternet.start();
    server = await startTestServer(internet.env());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await internet?.close();
  });

  it("connects a domain, shows what to publish, confirms it on 'check now', and disconnects after re-authentication", async () => {
    const session = await openPage(browser, server.url, "console-domains");
    const { page, shot, problems, context, walk } = session;
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const domain = `${uniqueName("shop")}.org`;

    await walk(async () => {
      await register(context);
      await page.goto("/domains");
      await page.getByRole("heading", { name: "No domains yet", exact: true }).waitFor();
      await shot("empty-state");

      // The connect form catches a pasted URL and offers the bare name.
      await page.getByRole("link", { name: "Connect your first domain" }).click();
      await page.getByRole("heading", { name: "Connect a domain", exact: true }).waitFor();
      await page.getByLabel("Domain name").fill(`https://www.${domain}/about`);
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await page.getByText("Type only the domain name, not a web address.").waitFor();
      await shot("connect-hint");
      await page.getByRole("button", { name: `Use ${domain}` }).click();
      expect(await page.getByLabel("Domain name").inputValue()).toBe(domain);
      // A public suffix is refused by the server, next to the field.
      await page.getByLabel("Domain name").fill("co.uk");
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await page
        .getByRole("alert")
        .getByText(/public suffix/)
        .waitFor();
      await shot("connect-server-error");
      await page.getByLabel("Domain name").fill(domain);
      await page.getByRole("button", { name: "Connect", exact: true }).click();

      // The domain page shows the claim's own values, the same the API gives.
      await page.waitForURL(`**/domains/${domain}`);
      await page.getByRole("heading", { name: domain, exact: true }).waitFor();
      await page.getByText("Ownership not confirmed").first().waitFor();
      const view = (await (await context.request.get(`/api/v1/domains/${domain}`)).json()) as {
        claim: Claim;
      };
      const { txt, cname } = view.claim.methods;
      expect(txt.name).toBe(`_mfd-challenge.${domain}`);
      await page.getByText(txt.name, { exact: true }).waitFor();
      await page.getByText(txt.value, { exact: true }).waitFor();
      await shot("instructions-txt");
      // "Copied" shows for 2.5 s: look for it from before the click, so a slow machine cannot miss it.
      const copied = page.getByRole("button", { name: "Copy Value" }).getByText("Copied").waitFor();
      await page.getByRole("button", { name: "Copy Value" }).click();
      await copied;
      expect(await page.evaluate("navigator.clipboard.readText()")).toBe(txt.value);
      // Tabs work from the keyboard: the CNAME method is one arrow key away.
      await page.getByRole("tab", { name: "TXT record" }).focus();
      await page.keyboard.press("ArrowRight");
      await page.getByRole("tab", { name: "CNAME record", selected: true }).waitFor();
      await page.getByText(cname.name, { exact: true }).waitFor();
      await page.getByText(cname.target, { exact: true }).waitFor();
      await shot("instructions-cname");

      // Nothing published yet: "check now" says so, the history records it.
      await page.getByRole("button", { name: "Check now" }).click();
      await page.getByText("We checked just now and do not see any of them yet.").waitFor();
      await page.getByRole("table").getByText("Not confirmed yet").waitFor();
      await shot("checked-not-yet");

      // The customer publishes the TXT record; the next check confirms the domain.
      internet.publish(txt.name, "TXT", txt.value);
      await page.getByRole("button", { name: "Check now" }).click();
      await page.getByText("Ownership confirmed! The domain is yours here.").waitFor();
      await page.getByText("Mail not routed yet").first().waitFor();
      await page.getByRole("heading", { name: "Mail routing", exact: true }).waitFor();
      await page.getByText(server.config.mxHost, { exact: true }).waitFor();
      await page.getByRole("table").getByText("by TXT record").waitFor();
      await shot("confirmed");

      // My domains lists it as owned, mail not routed yet.
      await page.getByRole("link", { name: "All domains" }).click();
      await page.getByRole("heading", { name: "My domains", exact: true }).waitFor();
      const row = page.getByRole("row", { name: new RegExp(domain.replaceAll(".", "\\.")) });
      await row.getByText("Owner", { exact: true }).waitFor();
      await row.getByText("Mail not routed yet").waitFor();
      await row.getByText("0 mailboxes").waitFor();
      await shot("my-domains");

      // Disconnect: type the name; the password is asked again because the sign-in is old.
      await row.getByRole("link").click();
      await page.getByRole("button", { name: "Disconnect…" }).click();
      const dialog = page.getByRole("dialog", { name: `Disconnect ${domain}?` });
      await dialog.getByLabel(`Type ${domain} to confirm`).fill(domain);
      await server.db
        .updateTable("sessions")
        .set({ reauthAt: Date.now() - 60 * 60_000 })
        .execute();
      await shot("disconnect-dialog");
      await dialog.getByRole("button", { name: "Disconnect", exact: true }).click();
      const reauth = page.getByRole("dialog", { name: "Confirm it is you" });
      await reauth.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await shot("reauthenticate");
      await reauth.getByRole("button", { name: "Confirm", exact: true }).click();
      await page.waitForURL("**/domains");
      await page.getByText(`${domain} was disconnected.`).waitFor();
      await page.getByRole("heading", { name: "No domains yet", exact: true }).waitFor();
      await shot("disconnected");
    });

    expect(problems.filter((p) => !/status of (401|400|403)/.test(p))).toEqual([]);
    await context.close();
  });

  it("notices the confirmation by itself while the page is open (live status)", async () => {
    const { page, shot, problems, context, walk } = await openPage(
      browser,
      server.url,
      "console-domains-live",
    );
    const domain = `${uniqueName("live")}.org`;

    await walk(async () => {
      await register(context);
      const connected = await apiPost(context, "/api/v1/domains", { name: domain });
      expect(connected.status(), await connected.text()).toBe(201);
      const { txt } = ((await connected.json()) as { claim: Claim }).claim.methods;

      await page.goto(`/domains/${domain}`);
      await page.getByText("Ownership not confirmed").first().waitFor();
      await shot("pending");

      // Elsewhere (the background worker, here the API) the check succeeds; the open page follows.
      internet.publish(txt.name, "TXT", txt.value);
      const checked = await apiPost(context, `/api/v1/domains/${domain}/check`);
      expect(checked.status(), await checked.text()).toBe(200);
      await page.getByText("Ownership confirmed! The domain is yours here.").waitFor();
      await page.getByRole("heading", { name: "Mail routing", exact: true }).waitFor();
      await shot("confirmed-by-polling");
    });

    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await context.close();
  });
});
