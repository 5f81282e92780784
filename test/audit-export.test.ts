import { rmSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordEvent } from "../src/audit/index.js";
import { loadConfig } from "../src/config.js";
import { type Database, openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { TEST_DATABASE_URL, testDialect } from "./helpers/database.js";
import { mfdEnv, newDataDir, runMfd } from "./helpers/mfd-process.js";

/**
 * `mfd audit export --since … [--domain …]` through the real command line (issue 11): JSON lines
 * on stdout, oldest first, filtered by time and domain name, complete across its internal pages;
 * an unreadable --since is refused with a message and nothing on stdout.
 */
const dataDir = newDataDir();
const dbName = `mfd_audit_export_${process.pid}`;
let env: Record<string, string> = {};
let database: Database;

const at = (iso: string) => Date.parse(iso);
const system = (now: number) => ({ actor: { kind: "system" as const }, ip: null, userAgent: null, now });
const exportLines = async (...args: string[]) => {
  const result = await runMfd(dataDir, ["audit", "export", ...args], env);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

beforeAll(async () => {
  if (testDialect === "postgres") {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${dbName}`;
    env = { MFD_DATABASE_URL: url.toString() };
  }
  database = openDatabase(loadConfig(mfdEnv(dataDir, env)).databaseUrl);
  await migrate(database);
  const { db } = database;
  await recordEvent(db, system(at("2026-10-01T00:00:00Z")), {
    action: "domain.connect",
    domain: "a-export.org",
    accountId: "acc-old",
  });
  await recordEvent(db, system(at("2026-11-01T10:00:00Z")), {
    action: "domain.move",
    domain: "a-export.org",
    accountId: "acc-new",
    details: { reason: "transfer", tokens: 2 },
  });
  await recordEvent(db, system(at("2026-11-01T10:00:00Z")), {
    action: "domain.connect",
    domain: "b-export.org",
    accountId: "acc-b",
  });
  await recordEvent(db, system(at("2026-11-02T00:00:00Z")), {
    action: "session.sign-out",
    accountId: "acc-new",
  });
  // Many events at the same instant: the export pages by (at, id) and must neither skip nor repeat.
  for (let i = 0; i < 2500; i += 500)
    await db
      .insertInto("auditEvents")
      .values(
        Array.from({ length: 500 }, (_, k) => ({
          id: `bulk-${String(i + k).padStart(5, "0")}`,
          at: at("2026-11-03T00:00:00Z"),
          actorType: "system" as const,
          actorId: null,
          accountId: null,
          action: "mailbox.create",
          domain: "c-export.org",
          domainId: null,
          target: `box${i + k}`,
          ip: null,
          details: null,
        })),
      )
      .execute();
}, 120_000);

afterAll(async () => {
  await database?.destroy();
  if (testDialect === "postgres") {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe("mfd audit export", () => {
  it("writes the events since a date as JSON lines, oldest first, with their details", async () => {
    const lines = await exportLines("--since", "2026-11-01");
    const head = lines.filter((l) => l.domain !== "c-export.org");
    expect(head.map((l) => [l.at, l.action, l.domain])).toEqual([
      ["2026-11-01T10:00:00.000Z", "domain.move", "a-export.org"],
      ["2026-11-01T10:00:00.000Z", "domain.connect", "b-export.org"],
      ["2026-11-02T00:00:00.000Z", "session.sign-out", null],
    ]);
    expect(head[0]).toMatchObject({ accountId: "acc-new", details: { reason: "transfer", tokens: 2 } });
    // The same-instant events come whole, each once, after the earlier ones.
    const bulk = lines.slice(3);
    expect(bulk).toHaveLength(2500);
    expect(new Set(bulk.map((l) => l.id)).size).toBe(2500);
    expect(bulk.every((l) => l.domain === "c-export.org")).toBe(true);
  }, 120_000);

  it("keeps one domain's events (any spelling of its name) from a date-time on", async () => {
    const lines = await exportLines("--since", "2026-09-30T12:00:00Z", "--domain", "A-Export.ORG.");
    expect(lines.map((l) => [l.action, l.accountId])).toEqual([
      ["domain.connect", "acc-old"],
      ["domain.move", "acc-new"],
    ]);
    expect(await exportLines("--since", "2026-11-01T10:00:00.001Z", "--domain", "a-export.org")).toEqual([]);
  }, 120_000);

  it("refuses a --since it cannot read, saying why, with nothing on stdout", async () => {
    const result = await runMfd(dataDir, ["audit", "export", "--since", "yesterday"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--since yesterday is not an ISO 8601 date");
    expect(result.stdout).toBe("");
    const missing = await runMfd(dataDir, ["audit", "export"], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("--since");
  }, 120_000);
});
