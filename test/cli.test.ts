import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { describe, expect, it, onTestFinished } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { ensureBuilt, mfd as run, spawnMfd } from "./helpers/cli.js";

// The compiled command line, as installed; compiling happens here, outside any test's time limit.
await ensureBuilt();
const dataDir = mkdtempSync(join(tmpdir(), "mfd-cli-"));
const env = {
  ...process.env,
  MFD_DATA_DIR: dataDir,
  MFD_DATABASE_URL: "",
  MFD_SERVICE_DOMAIN: "cli.example",
  MFD_DEV: "1",
};

/** Runs the real `mfd` command line as an operator would. */
const mfd = (...args: string[]) => run(args, env);

describe("mfd command line", () => {
  it("explains itself with --help, also for subcommands", async () => {
    const top = await mfd("--help");
    for (const command of ["serve", "migrate", "config", "support-agent", "outbox"])
      expect(top.stdout).toContain(command);
    expect((await mfd("support-agent", "--help")).stdout).toContain("add");
  });

  it("prints its version, marks required options in --help, and refuses a bad number or a missing option with exit code 2", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    for (const flag of ["--version", "-V"]) {
      const printed = await mfd(flag);
      expect(printed.code).toBe(0);
      expect(printed.stdout.trim()).toBe(version);
    }
    const help = await mfd("mailboxes", "import", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--domain <domain>\s+the confirmed domain to create them on \(required\)/);
    expect(help.stdout).toMatch(/--as <login>[^\n]*\n?[^\n]*\(required\)/);

    for (const bad of ["abc", "0", "1.5", "-3", "100000"]) {
      const refused = await mfd("outbox", "list", "-n", bad);
      expect(refused.code, `-n ${bad}`).toBe(2);
      expect(refused.stderr).toContain(`option '-n, --limit <n>' argument '${bad}' is invalid`);
      expect(refused.stderr).toContain("expected a whole number from 1 to 1000");
    }
    expect((await mfd("outbox", "list", "-n", "3")).code).toBe(0);

    const missing = await mfd("mailboxes", "import", "people.csv", "--as", "someone");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--domain <domain>' not specified");
    const unknown = await mfd("outbox", "list", "--frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
  });

  it("migrates, prints the configuration without secrets, and lists every variable", async () => {
    expect((await mfd("migrate")).stdout).toMatch(/applied: 001_accounts|up to date/);
    const printed = await run(["config", "print"], {
      ...env,
      MFD_SMTP_URL: "smtp://mailer:hunter2@relay:587",
    });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain('"serviceDomain": "cli.example"');
    expect(printed.stdout).not.toContain("hunter2");
    expect((await mfd("config", "variables")).stdout).toContain("MFD_DATABASE_URL");
  });

  it("refuses a bad configuration listing every problem, with exit code 2", async () => {
    const result = await run(["config", "print"], { ...env, MFD_LISTEN: "nowhere", MFD_DEV: "perhaps" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("MFD_LISTEN");
    expect(result.stderr).toContain("MFD_DEV");
  });

  it("grants and removes the support role, and says when the login does not exist", async () => {
    await mfd("migrate");
    const database = openDatabase(`sqlite:${join(dataDir, "mfd.sqlite")}`);
    await database.db
      .insertInto("accounts")
      .values({
        id: "agent-1",
        login: "agent",
        passwordHash: "x",
        firstName: "A",
        lastName: "Gent",
        createdAt: 0,
        passwordChangedAt: 0,
      })
      .execute();
    const refused = await mfd("support-agent", "add", "agent");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("two-factor authentication off");
    await database.db
      .updateTable("accounts")
      .set({ totpSecret: "JBSWY3DPEHPK3PXP", totpEnabledAt: 1 })
      .where("login", "=", "agent")
      .execute();
    const added = await mfd("support-agent", "add", "agent");
    expect(added.stdout).toContain("support role granted");
    const row = await database.db
      .selectFrom("accounts")
      .select("isSupportAgent")
      .where("login", "=", "agent")
      .executeTakeFirstOrThrow();
    expect(row.isSupportAgent).toBe(1);
    const events = await database.db
      .selectFrom("auditEvents")
      .select(["action", "actorType"])
      .where("accountId", "=", "agent-1")
      .execute();
    expect(events).toContainEqual({ action: "support-agent.add", actorType: "operator" });
    expect((await mfd("support-agent", "remove", "agent")).stdout).toContain("removed");
    const missing = await mfd("support-agent", "add", "nobody");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nobody");
    await database.destroy();
  });

  it("lists the outbox: bodies (codes) in development mode only", async () => {
    await mfd("migrate");
    const database = openDatabase(`sqlite:${join(dataDir, "mfd.sqlite")}`);
    await database.db
      .insertInto("outbox")
      .values({
        id: "m1",
        channel: "email",
        recipient: "ann@example.net",
        subject: "Your code",
        body: "123456 is your code",
        createdAt: 0,
        nextAttemptAt: 0,
      })
      .execute();
    await database.destroy();
    const dev = await mfd("outbox", "list");
    expect(dev.stdout).toContain("to ann@example.net  pending");
    expect(dev.stdout).toContain("123456 is your code");
    const production = await run(["outbox", "list"], { ...env, MFD_DEV: "0" });
    expect(production.code, production.stderr).toBe(0);
    expect(production.stdout).toContain("to ann@example.net  pending");
    expect(production.stdout).not.toContain("123456");
  });

  it("rotates a domain's DKIM key: a new selector published beside the old one, which stops signing", async () => {
    await mfd("migrate");
    const database = openDatabase(`sqlite:${join(dataDir, "mfd.sqlite")}`);
    await database.db
      .insertInto("accounts")
      .values({
        id: "owner-1",
        login: "dkimowner",
        passwordHash: "x",
        firstName: "D",
        lastName: "Kim",
        createdAt: 0,
        passwordChangedAt: 0,
      })
      .execute();
    await database.db
      .insertInto("claims")
      .values({
        id: "claim-1",
        publicId: "pdkim",
        accountId: "owner-1",
        domainName: "dkim.example",
        token: "t",
        status: "confirmed",
        createdAt: 0,
        expiresAt: 0,
        nextCheckAt: 0,
      })
      .execute();
    // Confirmed before DNS hosting existed: the first rotation gives it its zone and first key too.
    await database.db
      .insertInto("domains")
      .values({
        id: "domain-1",
        name: "dkim.example",
        ownerAccountId: "owner-1",
        claimId: "claim-1",
        confirmedAt: 0,
        confirmedMethod: "txt",
        mxNextCheckAt: 0,
      })
      .execute();
    const keys = () =>
      database.db
        .selectFrom("dkimKeys")
        .select(["selector", "active"])
        .where("domainId", "=", "domain-1")
        .orderBy("createdAt")
        .orderBy("selector")
        .execute();
    const published = async () =>
      (
        await database.db
          .selectFrom("dnsRecords")
          .select("name")
          .where("domainId", "=", "domain-1")
          .where("type", "=", "TXT")
          .where("name", "like", "%._domainkey.dkim.example")
          .execute()
      )
        .map((r) => r.name)
        .sort();

    const first = await mfd("dkim", "rotate", "dkim.example");
    expect(first.code, first.stderr).toBe(0);
    const [original, rotated] = await keys();
    expect(original?.active).toBe(0);
    expect(rotated?.active).toBe(1);
    expect(first.stdout).toContain(
      `dkim.example: new DKIM selector ${rotated?.selector}; no longer signing with ${original?.selector}`,
    );
    expect(await published()).toEqual(
      [original, rotated].map((k) => `${k?.selector}._domainkey.dkim.example`).sort(),
    );

    const second = await mfd("dkim", "rotate", "DKIM.example");
    expect(second.code, second.stderr).toBe(0);
    const after = await keys();
    expect(after).toHaveLength(3);
    expect(after.filter((k) => k.active === 1)).toHaveLength(1);
    expect(await published()).toHaveLength(3);
    const events = await database.db
      .selectFrom("auditEvents")
      .select(["action", "actorType"])
      .where("action", "=", "dns.dkim.rotate")
      .execute();
    expect(events).toEqual([
      { action: "dns.dkim.rotate", actorType: "operator" },
      { action: "dns.dkim.rotate", actorType: "operator" },
    ]);

    // The zone the rotation made is listed for the secondaries' sync (docs/dns.md).
    expect((await mfd("zones", "list")).stdout.split("\n")).toContain("dkim.example");

    const unknown = await mfd("dkim", "rotate", "nowhere.example");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("nowhere.example is not a confirmed domain here");
    expect(await keys()).toHaveLength(3);
    await database.destroy();
  });

  it("serve starts the console and worker and says where, then stops cleanly on SIGTERM", async () => {
    const child = spawnMfd(["serve", "--dev"], {
      ...env,
      MFD_LISTEN: "127.0.0.1:0",
      MFD_PUBLIC_URL: "http://localhost:18099",
      // Ports of its own: the defaults (DNS 10053) may be taken by another test or another mfd.
      MFD_DNS_LISTEN: "127.0.0.1:0",
      MFD_INBOUND_SMTP_LISTEN: "127.0.0.1:0",
    });
    // Whatever happens to the test (a failure, its time limit), no server stays behind.
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    let output = "";
    let errors = "";
    child.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const exited = new Promise<string>((resolve) =>
      child.once("exit", (code, signal) => resolve(`${code} ${signal}`)),
    );
    // Waits for the banner however long a busy machine takes to get there.
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("/dev/outbox") && output.includes("mfd inbound SMTP on")) resolve();
      });
      void exited.then((how) => reject(new Error(`serve exited (${how}): ${output}${errors}`)));
    });
    expect(output).toContain("mfd is running: console at http://localhost:18099");
    // Which address to open, and that the other loopback spellings work in development mode.
    expect(output).toContain("open the address above (MFD_PUBLIC_URL)");
    expect(output).toContain("any loopback address (localhost, 127.0.0.1, [::1]) works in development mode");
    // The all-in-one serve runs the inbound role too: it greets, and refuses what is no ticket's address.
    const port = Number(/mfd inbound SMTP on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    const mailer = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
    await expect(
      mailer.sendMail({ from: "a@example.net", to: "support@cli.example", subject: "x", text: "x" }),
    ).rejects.toMatchObject({ responseCode: 550 });
    child.kill("SIGTERM");
    expect(await exited, errors).toBe("0 null");
  });
});
