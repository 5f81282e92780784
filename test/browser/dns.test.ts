import dgram from "node:dgram";
import * as packet from "dns-packet";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoleHandle } from "../../src/module.js";
import { zonesModule } from "../../src/zones/index.js";
import { TestInternet } from "../dns/internet.js";
import type { TestApp } from "../helpers/app.js";
import { confirmedDomain, uniqueDomain } from "../helpers/domains.js";
import { WAIT_MS } from "../helpers/patience.js";
import { freePort, startTestServer, type TestServer } from "../helpers/server.js";
import { axeViolations, launch, openPage, skipWithoutChromium } from "./browser.js";

const PASSWORD = "correct horse battery staple 42";

async function register(context: BrowserContext, login: string): Promise<string> {
  const response = await context.request.post("/api/v1/accounts", {
    data: { login, password: PASSWORD, firstName: "Dora", lastName: "Tester" },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { accountId: string }).accountId;
}

/** One UDP query to the mfd DNS server; the answer, or null when none came within a second. */
function ask(port: number, name: string, type: packet.RecordType): Promise<packet.DecodedPacket | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, 1000);
    socket.on("message", (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(packet.decode(message));
    });
    socket.send(packet.encode({ type: "query", id: 7, questions: [{ type, name }] }), port, "127.0.0.1");
  });
}

/** Asks until the server answers `expected` (the zone follows the change within a second) or WAIT_MS passes. */
async function answeredBy(
  port: number,
  name: string,
  type: packet.RecordType,
  expected: string,
): Promise<packet.DecodedPacket> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const response = await ask(port, name, type);
    if (response?.answers?.some((answer) => (answer as { data?: unknown }).data === expected))
      return response;
    if (Date.now() > deadline)
      throw new Error(`${name} ${type} never answered ${expected}: ${JSON.stringify(response)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Issue 10 in a browser: the owner opens the DNS tab of a confirmed domain, is told what is wrong
 * with a value beside its field, adds an A record, and the mfd DNS server (the dns role, on a
 * loopback port) answers it with a real packet. The import dialog reports a dry run before it
 * imports; the page passes axe, and turns into cards on a narrow screen.
 */
describe.skipIf(skipWithoutChromium())("console in a browser: DNS", () => {
  let server: TestServer;
  let browser: Browser;
  let dns: RoleHandle | undefined;
  let dnsPort: number;
  let internet: TestInternet;

  beforeAll(async () => {
    browser = await launch();
    dnsPort = await freePort();
    // The health checks ask a loopback "internet" (resolver and parent zones) the test publishes in.
    internet = await TestInternet.start();
    server = await startTestServer({ ...internet.env(), MFD_DNS_LISTEN: `127.0.0.1:${dnsPort}` });
    const role = zonesModule.roles?.find((r) => r.name === "dns");
    dns = await role?.start({ deps: server.deps, app: server.app, worker: undefined as never });
  });

  afterAll(async () => {
    await dns?.stop(5000);
    await browser?.close();
    await server?.close();
    await internet?.close();
  });

  it("adds a record in the console and the DNS server answers it", async () => {
    const owner = await openPage(browser, server.url, "console-dns");
    const domain = uniqueDomain("zone");
    await owner.walk(async () => {
      const { page, shot } = owner;
      const ownerId = await register(owner.context, `dns${Date.now().toString(36)}`);
      await confirmedDomain(server as unknown as TestApp, ownerId, domain, { delegated: true });

      await page.goto(`/domains/${domain}`);
      await page.getByRole("navigation", { name: "Domain" }).getByRole("link", { name: "DNS" }).click();
      await page.waitForURL(`**/domains/${domain}/dns`);
      await page.getByRole("heading", { name: "Records" }).waitFor();
      await page.getByText("Not checked yet").waitFor();

      // A wrong value is refused beside the value field, and the dialog stays open.
      await page.getByRole("button", { name: "Add a record" }).click();
      const dialog = page.getByRole("dialog", { name: "Add a record" });
      await dialog.getByLabel("Name").fill("www");
      await dialog.getByLabel("Type").selectOption("A");
      await dialog.getByLabel("Value").fill("999.1.1.1");
      await dialog.getByRole("button", { name: "Add", exact: true }).click();
      const valueError = dialog.locator(".field-error");
      await valueError.waitFor();
      expect(await dialog.getByLabel("Value").getAttribute("aria-invalid")).toBe("true");
      await shot("value-refused");

      await dialog.getByLabel("Value").fill("192.0.2.44");
      await dialog.getByRole("button", { name: "Add", exact: true }).click();
      await page.getByText(`The A record of www.${domain} was saved.`).waitFor();
      const row = page.getByRole("row", { name: /www A 3600 192\.0\.2\.44/ });
      await row.waitFor();
      // The zone was made with its first change: its mail records are listed too.
      await page.getByRole("row", { name: /@ MX 3600 10 mx\./ }).waitFor();
      await shot("record-added");

      const answer = await answeredBy(dnsPort, `www.${domain}`, "A", "192.0.2.44");
      expect(answer.flag_aa).toBe(true);

      // Health: the parent delegates to us and MX points at us, but no SPF is published yet.
      internet.delegate(domain, [`ns1.${server.config.serviceDomain}`, `ns2.${server.config.serviceDomain}`]);
      internet.publish(domain, "MX", { preference: 10, exchange: `mx.${server.config.serviceDomain}` });
      const healthPanel = page.getByRole("region", { name: "Delegation and mail health" });
      await healthPanel.getByRole("button", { name: "Check now" }).click();
      await healthPanel.getByText("Checked", { exact: false }).first().waitFor();
      const item = (check: string) => healthPanel.locator(".health-item", { hasText: check });
      await item("Delegation").getByText("OK", { exact: true }).waitFor();
      await item("MX").getByText("OK", { exact: true }).waitFor();
      await item("SPF").getByText("Needs attention").waitFor();
      await item("SPF").getByText("Add a TXT record at @: v=spf1 mx -all").waitFor();
      await shot("health");

      expect(await axeViolations(page)).toEqual([]);

      // Import: the dry run's report first, then the import itself.
      await page.getByRole("button", { name: "Import a zone file" }).click();
      const importDialog = page.getByRole("dialog", { name: "Import a zone file" });
      await importDialog
        .getByLabel("Zone file")
        .fill(
          ["$TTL 600", "www IN A 192.0.2.44", "ftp IN A 192.0.2.45", "@ IN SOA a. b. 1 2 3 4 5"].join("\n"),
        );
      await importDialog.getByRole("button", { name: "Check" }).click();
      const report = importDialog.getByRole("region", { name: "What the import does" });
      await report.getByText("1 record to add").waitFor();
      await report.getByText("1 record already there").waitFor();
      await report.getByText("Line 4").waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await shot("import-report");
      await importDialog.getByRole("button", { name: "Import", exact: true }).click();
      await page.getByText("1 record imported.").waitFor();
      await page.getByRole("row", { name: /ftp A 600 192\.0\.2\.45/ }).waitFor();
      await answeredBy(dnsPort, `ftp.${domain}`, "A", "192.0.2.45");

      // Under 600 px the table's header row is hidden and each record reads as a card.
      await page.setViewportSize({ width: 420, height: 900 });
      await expect
        .poll(() =>
          page.evaluate(`document.querySelector(".dns-records thead").getBoundingClientRect().height`),
        )
        .toBeLessThanOrEqual(1);
      expect(
        await page.evaluate(`getComputedStyle(document.querySelector(".dns-records tbody tr")).display`),
      ).toBe("block");
      await shot("narrow-cards");
    });
  });
});
