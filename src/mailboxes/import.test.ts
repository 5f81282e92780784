import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { createTestApp, PUBLIC_URL, SERVICE_DOMAIN, type TestApp } from "../../test/helpers/app.js";
import { ensureBuilt, mfd } from "../../test/helpers/cli.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import {
  createMailbox,
  domainEvents,
  loginsIn,
  MAILBOX_PASSWORD,
  mailboxWorld,
} from "../../test/helpers/mailboxes.js";
import { AccountsService } from "../accounts/accounts.service.js";
import { SessionsService } from "../accounts/sessions.service.js";
import { loadConfig } from "../config.js";
import { openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { systemClock } from "../lib/clock.js";
import { Outbox } from "../notify/outbox.js";
import { importMailboxes, runImportCommand } from "./import.js";

// The last test runs the compiled command line; compiling happens here, outside any time limit.
await ensureBuilt();
const t = await createTestApp();
const { account, ownerWithDomain, addDeputy } = mailboxWorld(t);

const dir = mkdtempSync(join(tmpdir(), "mfd-import-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const csvFile = (content: string | Buffer) => {
  const path = join(dir, `mailboxes-${++files}.csv`);
  writeFileSync(path, content);
  return path;
};

/** A writable that keeps what is written; `isTTY` false like a pipe or a log file. */
const sink = () => {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
};

async function runCommand(options: { domain: string; as: string; file: string }) {
  const out = sink();
  const err = sink();
  const code = await runImportCommand(t.deps, options, { out: out.stream, err: err.stream });
  return { code, out: out.text(), err: err.text() };
}

describe("mfd mailboxes import", () => {
  it("creates the file's mailboxes as the owner, skips existing ones and explains each failure", async () => {
    const owner = await ownerWithDomain();
    await createMailbox(owner.client, owner.url, { login: "existing", firstName: "Keep" });
    const file = csvFile(
      "\uFEFFlogin,password,first_name,last_name\r\n" +
        `anna,${MAILBOX_PASSWORD},Anna,"Smith, Jr."\r\n` +
        `"boris","${MAILBOX_PASSWORD}","Boris ""Bo""",Bee\r\n` +
        `existing,${MAILBOX_PASSWORD},Over,Written\r\n` +
        "\r\n" +
        `1bad,${MAILBOX_PASSWORD},,\r\n` +
        "weak,short,,\r\n" +
        `toofew,${MAILBOX_PASSWORD}\r\n` +
        `"nina",${MAILBOX_PASSWORD},Nina,"Two\r\nLines"\r\n` +
        `clara@${owner.name},${MAILBOX_PASSWORD},,\r\n`,
    );
    const first = await runCommand({ domain: owner.name, as: owner.login, file });
    expect(first.code).toBe(1);
    expect(first.out).toContain("created 3, skipped 1 (already exist), failed 4");
    expect(first.out).toContain(`line 4\texisting\tskipped\texisting@${owner.name} already exists.`);
    expect(first.out).toMatch(/line 6\t1bad\tfailed\tLOGIN_INVALID: /);
    expect(first.out).toContain("line 7\tweak\tfailed\tPASSWORD_TOO_SHORT: Use at least 10 characters.");
    expect(first.out).toContain(
      "line 8\ttoofew\tfailed\tVALIDATION_FAILED: line 8: 2 fields where the header has 4",
    );
    // A quoted line break is read as part of the field (and a name may not have one); lines count on.
    expect(first.out).toContain(
      "line 9\tnina\tfailed\tVALIDATION_FAILED: lastName cannot contain control characters.",
    );
    expect(first.out).not.toContain("clara");
    expect(first.err).toContain("100%");

    expect(await loginsIn(t, owner.domainId)).toEqual(["anna", "boris", "clara", "existing"]);
    const anna = (await owner.client.get(`${owner.url}/anna`)).json();
    expect(anna).toMatchObject({ firstName: "Anna", lastName: "Smith, Jr." });
    const boris = (await owner.client.get(`${owner.url}/boris`)).json();
    expect(boris).toMatchObject({ firstName: 'Boris "Bo"', lastName: "Bee" });
    expect((await owner.client.get(`${owner.url}/existing`)).json().firstName).toBe("Keep");

    const events = (await domainEvents(t, owner.name)).filter((e) => e.details?.via === "import");
    expect(events.map((e) => e.target)).toEqual([
      `anna@${owner.name}`,
      `boris@${owner.name}`,
      `clara@${owner.name}`,
    ]);
    expect(events.every((e) => e.actorType === "account" && e.actorId === owner.accountId)).toBe(true);

    // Safe to run again: what was created is skipped, never overwritten.
    const again = await runCommand({ domain: owner.name, as: `${owner.login}@${SERVICE_DOMAIN}`, file });
    expect(again.out).toContain("created 0, skipped 4 (already exist), failed 4");
    expect(await loginsIn(t, owner.domainId)).toEqual(["anna", "boris", "clara", "existing"]);
  });

  it("accepts the columns in any order and without the name columns", async () => {
    const owner = await ownerWithDomain();
    const summary = await importMailboxes(t.deps, {
      domain: owner.name,
      as: owner.login,
      file: csvFile(`PASSWORD,Login\n${MAILBOX_PASSWORD},dora\n`),
    });
    expect(summary).toEqual({ created: 1, skipped: 0, failed: 0, notCreated: [] });
    expect(await loginsIn(t, owner.domainId)).toEqual(["dora"]);
  });

  it("lets a deputy import, without the reserved names", async () => {
    const owner = await ownerWithDomain();
    const deputy = await addDeputy(owner.domainId);
    const summary = await importMailboxes(t.deps, {
      domain: owner.name,
      as: deputy.login,
      file: csvFile(`login,password\nemil,${MAILBOX_PASSWORD}\nabuse,${MAILBOX_PASSWORD}\n`),
    });
    expect(summary).toMatchObject({
      created: 1,
      failed: 1,
      notCreated: [{ line: 3, login: "abuse", code: "LOGIN_RESERVED" }],
    });
  });

  it("refuses an account that does not manage the domain, and unknown accounts, before reading the file", async () => {
    const owner = await ownerWithDomain();
    const stranger = await account();
    const file = csvFile(`login,password\nfelix,${MAILBOX_PASSWORD}\n`);
    const refused = await runCommand({ domain: owner.name, as: stranger.login, file });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`${stranger.login} does not manage a confirmed domain ${owner.name}`);
    const unknown = await runCommand({ domain: owner.name, as: "nobody-at-all", file });
    expect(unknown.err).toContain("ACCOUNT_NOT_FOUND");
    const nowhere = await runCommand({ domain: "not-connected.org", as: owner.login, file });
    expect(nowhere.err).toContain("NOT_FOUND");
    expect(await loginsIn(t, owner.domainId)).toEqual([]);
  });

  it.each([
    ["", "empty"],
    ["login,first_name\nx,y\n", 'no "password" column'],
    ["login,password,email\n", 'Unknown column "email"'],
    ["login,password,login\n", "appears twice"],
  ])("refuses a file %j whose header is wrong (%s)", async (content, message) => {
    const owner = await ownerWithDomain();
    const result = await runCommand({ domain: owner.name, as: owner.login, file: csvFile(content) });
    expect(result.code).toBe(1);
    expect(result.err).toContain(message);
  });

  it("refuses a file that is not UTF-8 rather than store passwords nobody can type", async () => {
    const owner = await ownerWithDomain();
    const latin1 = Buffer.concat([
      Buffer.from("login,password\ngustav,pass"),
      Buffer.from([0xe4]),
      Buffer.from("ssword-12345\n"),
    ]);
    const result = await runCommand({ domain: owner.name, as: owner.login, file: csvFile(latin1) });
    expect(result.err).toContain("not UTF-8");
    expect(await loginsIn(t, owner.domainId)).toEqual([]);
  });
});

describe("the real command line", () => {
  /** A data directory with a migrated SQLite database, an owner "cliowner" and a confirmed domain. */
  async function cliWorld() {
    const dataDir = mkdtempSync(join(tmpdir(), "mfd-import-cli-"));
    const env = {
      MFD_DATA_DIR: dataDir,
      MFD_SERVICE_DOMAIN: SERVICE_DOMAIN,
      MFD_PUBLIC_URL: PUBLIC_URL,
      MFD_DEV: "1",
    };
    const config = loadConfig(env);
    const database = openDatabase(config.databaseUrl);
    await migrate(database);
    const deps = { config, database, clock: systemClock, outbox: new Outbox() };
    const ctx = { actor: { kind: "visitor" as const }, ip: "127.0.0.1", userAgent: null, now: Date.now() };
    const { accountId } = await new AccountsService(deps, new SessionsService(deps)).register(ctx, {
      login: "cliowner",
      password: "owner passphrase of 2026",
      firstName: "Cli",
      lastName: "Owner",
    });
    // confirmedDomain needs only a database and a clock.
    const domain = await confirmedDomain(
      { db: database.db, clock: systemClock } as unknown as TestApp,
      accountId,
    );
    await database.destroy();
    const importFile = (name: string, content: string) => {
      const file = join(dataDir, name);
      writeFileSync(file, content);
      return mfd(["mailboxes", "import", "--domain", domain.name, "--as", "cliowner", file], {
        ...process.env,
        ...env,
        MFD_DATABASE_URL: "",
      });
    };
    const logins = async () => {
      const check = openDatabase(config.databaseUrl);
      try {
        const rows = await check.db.selectFrom("mailboxes").select("login").orderBy("login").execute();
        return rows.map((r) => r.login);
      } finally {
        await check.destroy();
      }
    };
    return { dataDir, config, domain, importFile, logins };
  }

  it("imports into the configured database and reports on stdout", async () => {
    const { dataDir, config, importFile } = await cliWorld();
    try {
      const run = () =>
        importFile(
          "people.csv",
          `login,password,first_name,last_name\nhanna,${MAILBOX_PASSWORD},Hanna,Arendt\n`,
        );
      const first = await run();
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain("created 1, skipped 0 (already exist), failed 0");
      expect(first.stderr).toContain("100%");
      const second = await run();
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain("created 0, skipped 1 (already exist), failed 0");

      const check = openDatabase(config.databaseUrl);
      const rows = await check.db
        .selectFrom("mailboxes")
        .select(["login", "firstName", "passwordHash"])
        .execute();
      await check.destroy();
      expect(rows).toEqual([
        {
          login: "hanna",
          firstName: "Hanna",
          passwordHash: expect.stringMatching(/^\{ARGON2ID\}\$argon2id\$/),
        },
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("reads semicolon and tab files, says 'empty' for an empty password and names duplicates in the file", async () => {
    const { dataDir, domain, importFile, logins } = await cliWorld();
    try {
      // A spreadsheet saved in a locale with a decimal comma separates with semicolons.
      const semicolons = await importFile(
        "semicolons.csv",
        "login;password;first_name;last_name\n" +
          `ida;${MAILBOX_PASSWORD};Ida;"Pfeiffer; Jr."\n` +
          "jan;;Jan;Empty\n" +
          `Ida@${domain.name};${MAILBOX_PASSWORD};Ida;Again\n`,
      );
      expect(semicolons.code).toBe(1);
      expect(semicolons.stdout).toContain("created 1, skipped 0 (already exist), failed 2");
      expect(semicolons.stdout).toContain("line 3\tjan\tfailed\tPASSWORD_TOO_SHORT: The password is empty");
      expect(semicolons.stdout).toContain(
        `line 4\tIda@${domain.name}\tfailed\tVALIDATION_FAILED: The login "Ida@${domain.name}" appears twice in the file: first on line 2.`,
      );
      expect(semicolons.stdout).not.toContain("already exists");

      const tabs = await importFile("tabs.tsv", `login\tpassword\nkurt\t${MAILBOX_PASSWORD}\n`);
      expect(tabs.code, tabs.stderr).toBe(0);
      expect(tabs.stdout).toContain("created 1, skipped 0 (already exist), failed 0");

      // A column the file does not have: the message says which separator the header was read with.
      const unknown = await importFile(
        "unknown.csv",
        `login;password;email\nlea;${MAILBOX_PASSWORD};x@y.z\n`,
      );
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain(
        'Unknown column "email" in the header, read with the separator semicolon ";"',
      );
      expect(await logins()).toEqual(["ida", "kurt"]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
