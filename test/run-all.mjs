#!/usr/bin/env node
// The README's test command: builds the console (browser tests drive it), runs the whole suite on
// SQLite, then again on PostgreSQL, and ends with one line "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import pg from "pg";

const ci = Boolean(process.env.CI);
const extra = process.argv.slice(2);
const pgUrl = process.env.MFD_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/mfd_test";
mkdirSync("test-results", { recursive: true });

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return result.status ?? 1;
}

async function ensurePostgres() {
  const url = new URL(pgUrl);
  const database = url.pathname.slice(1);
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const exists = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (exists.rowCount === 0) await client.query(`create database "${database.replaceAll('"', "")}"`);
    return true;
  } catch (error) {
    console.error(`PostgreSQL at ${url.host} is not reachable: ${error.message}`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function counts(file) {
  if (!existsSync(file)) return { passed: 0, failed: 1, names: [`${file}: no report`] };
  const report = JSON.parse(readFileSync(file, "utf8"));
  // A file that failed to load counts as a failure even though none of its tests ran.
  const brokenFiles = (report.testResults ?? []).filter(
    (r) => r.status === "failed" && (r.assertionResults ?? []).length === 0,
  ).length;
  const names = (report.testResults ?? []).flatMap((r) => {
    const file = r.name.replace(`${process.cwd()}/`, "");
    const tests = (r.assertionResults ?? []).filter((a) => a.status === "failed");
    if (r.status === "failed" && tests.length === 0)
      return [`${file}: ${firstLine(r.message) || "did not load"}`];
    return tests.map((a) => `${file} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
  });
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles, names };
}

function firstLine(text) {
  return (text ?? "").split("\n")[0].slice(0, 300);
}

// Programs npm does not install. Without one, its tests are skipped with a warning here and fail
// on CI (see test/helpers/prerequisites.ts); said at the start and again above the totals.
// The README's table of prerequisites lists the same five (with PostgreSQL, checked below).
const missing = [
  { what: "browser tests", path: process.env.MFD_CHROMIUM ?? "/usr/bin/chromium", install: "chromium" },
  { what: "Dovecot tests", path: process.env.MFD_DOVEADM ?? "/usr/bin/doveadm", install: "dovecot-core" },
  { what: "dig tests", path: "/usr/bin/dig", install: "bind9-dnsutils" },
  { what: "NSD secondary tests", path: "/usr/sbin/nsd", install: "nsd" },
]
  .filter((tool) => !existsSync(tool.path))
  .map(
    (tool) =>
      `No ${tool.path}: the ${tool.what} ${ci ? "fail (CI needs it)" : "are skipped"}; apt-get install ${tool.install}.`,
  );
for (const warning of missing) console.warn(warning);

let status = 0;
if (!existsSync("web/dist/index.html") || process.env.MFD_TEST_BUILD !== "0") {
  status |= run("npx", ["vite", "build", "web", "--logLevel", "warn"]);
}

const runs = [{ name: "SQLite", env: { MFD_TEST_DATABASE_URL: "" } }];
if (await ensurePostgres()) runs.push({ name: "PostgreSQL", env: { MFD_TEST_DATABASE_URL: pgUrl } });
else if (ci) status = 1;
else {
  missing.push("Skipping the PostgreSQL run: start PostgreSQL or set MFD_TEST_DATABASE_URL.");
  console.warn(missing.at(-1));
}

let passed = 0;
let failed = 0;
// CI shows only the end of the output: the failures are named again just above the totals.
const failures = [];
for (const r of runs) {
  console.log(`\n=== tests on ${r.name} ===`);
  const out = `test-results/vitest-${r.name.toLowerCase()}.json`;
  status |= run(
    "npx",
    ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...extra],
    r.env,
  );
  const c = counts(out);
  console.log(`${r.name}: ${c.passed} passed, ${c.failed} failed`);
  passed += c.passed;
  failed += c.failed;
  failures.push(...c.names.map((name) => `FAILED on ${r.name}: ${name}`));
}
if (status !== 0 && failed === 0) failed = 1;
for (const warning of missing) console.warn(warning);
for (const failure of failures) console.log(failure);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || status !== 0 ? 1 : 0);
