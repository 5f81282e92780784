/**
 * Issue 13: what an authenticated read costs in mfd against what its work needs. One run, on
 * SQLite and on PostgreSQL, three servers each in its own process — a bare Fastify hello-world,
 * the floor (bench/floor/: same authentication, same SQL, same JSON, nothing else) and
 * `node bin/mfd.js serve` — measured by autocannon with the same settings, in interleaved rounds:
 * requests per second, p99 latency and the server process's CPU time per request.
 *
 *   npx tsx bench/request-path.ts
 *
 * BENCH_SECONDS (default 10) per measurement, BENCH_ROUNDS (3), BENCH_CONNECTIONS (50),
 * BENCH_DATABASES ("sqlite,postgres"), MFD_BENCH_PG (postgres://postgres@127.0.0.1:5432/postgres:
 * a temporary database is created there and dropped afterwards).
 *
 * After the reads, sign-in and mailbox creation are measured against the raw argon2 hash rate
 * (BENCH_WRITES=0 leaves them out).
 *
 * While working on one lever: BENCH_ONLY (comma-separated words: a measurement runs when its
 * request or server contains one of them, e.g. "account" or "token,bare"); BENCH_PROFILE=<dir>
 * starts mfd with `--cpu-prof --cpu-prof-dir=<dir>` (the profile is written when mfd stops; open
 * it in Chrome's DevTools, or summarise it with `node bench/profile-summary.mjs <file>`);
 * BENCH_MFD_NODE_ARGS and BENCH_FLOOR_NODE_ARGS add node options to mfd and to the floor (e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/floor" profiles the floor for a comparison).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { hash } from "@node-rs/argon2";
import SQLite from "better-sqlite3";
import pg from "pg";
import { hashConcurrency } from "../src/config.js";
import { ARGON2_PARAMS } from "../src/credentials/passwords.js";
import { ensureBuilt, MFD_BIN } from "../test/helpers/cli.js";
import { type Result, randomClientIp, run, startBareFastify, stopChild, waitReady } from "./lib.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARM_UP_SECONDS = Math.max(1, Math.round(SECONDS / 5));
const DATABASES = (process.env.BENCH_DATABASES ?? "sqlite,postgres").split(",").map((d) => d.trim());
const ONLY = (process.env.BENCH_ONLY ?? "")
  .split(",")
  .map((w) => w.trim())
  .filter((w) => w !== "");
const PROFILE_DIR = process.env.BENCH_PROFILE;
/** BENCH_WRITES=0 leaves out sign-in and mailbox creation. */
const WRITES = process.env.BENCH_WRITES !== "0";
const PG_URL = process.env.MFD_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PORTS = { bare: 18201, floor: 18202, mfd: 18203, before: 18204 };
/**
 * BENCH_MFD_BEFORE: the `bin/mfd.js` of another build of mfd (an export of an earlier commit, built
 * with `npx tsc -p tsconfig.build.json`), run on the same database and measured beside this one in
 * the same rounds — a before/after under the same load.
 */
const BEFORE_BIN = process.env.BENCH_MFD_BEFORE;
const SERVICE_DOMAIN = "mfd.bench";
const DOMAIN = "request-path-bench.org";
const MAILBOXES = 200;
const OWNER = {
  login: "pathowner",
  password: "bench owner passphrase 2026",
  firstName: "Path",
  lastName: "Owner",
  securityQuestion: "first-pet",
  securityAnswer: "Rex the dog",
  // On the domain the account is about to manage: the profile's "unusable for restore" branch runs.
  recoveryEmail: `owner@${DOMAIN}`,
};
const FIRST = ["Anna", "Boris", "Clara", "Dmitry", "Elena", "Fedor", "Galina", "Igor", "Julia", "Lev"];
const LAST = [
  "Ivanov",
  "Petrov",
  "Sidorov",
  "Smirnov",
  "Popov",
  "Sokolov",
  "Volkov",
  "Lebedev",
  "Kozlov",
  "Orlov",
];

const log = (message: string) => process.stderr.write(`${message}\n`);
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU time (user + system) the process has used so far, in µs, from /proc/<pid>/stat. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3,
  // utime 14 and stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/** Resident memory of a process, in MB, from /proc/<pid>/status. */
function rssMb(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

interface Server {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

function startProcess(
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
  path: string,
): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return waitReady(readyUrl, child, path).then(() => ({
    url: readyUrl,
    pid: child.pid as number,
    stop: () => stopChild(child),
  }));
}

// ---- the database mfd creates, and the rows the bench adds to it ---------------------------------

interface Storage {
  dialect: "sqlite" | "postgres";
  env: Record<string, string>;
  /** Runs one statement with `?` placeholders on a connection of the bench's own. */
  exec: (sql: string, params: unknown[]) => Promise<void>;
  close: () => Promise<void>;
  remove: () => Promise<void>;
}

async function createStorage(dialect: string): Promise<Storage> {
  const dataDir = mkdtempSync(join(tmpdir(), "mfd-bench-request-path-"));
  if (dialect === "sqlite") {
    let db: SQLite.Database | null = null;
    const open = () => {
      if (!db) {
        db = new SQLite(join(dataDir, "mfd.sqlite"), { fileMustExist: true });
        db.pragma("busy_timeout = 5000");
      }
      return db;
    };
    return {
      dialect: "sqlite",
      env: { MFD_DATA_DIR: dataDir, MFD_DATABASE_URL: "" },
      exec: async (sql, params) => {
        open()
          .prepare(sql)
          .run(...params);
      },
      close: async () => {
        (db as SQLite.Database | null)?.close();
        db = null;
      },
      remove: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  if (dialect !== "postgres") throw new Error(`BENCH_DATABASES: unknown database "${dialect}"`);
  const name = `mfd_bench_request_path_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  let connected = false;
  return {
    dialect: "postgres",
    env: { MFD_DATA_DIR: dataDir, MFD_DATABASE_URL: url.toString() },
    exec: async (sql, params) => {
      if (!connected) {
        await client.connect();
        connected = true;
      }
      let n = 0;
      await client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      );
    },
    close: async () => {
      if (connected) await client.end();
      connected = false;
    },
    remove: async () => {
      const cleanup = new pg.Client({ connectionString: PG_URL });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Credentials {
  cookie: string;
  csrfToken: string;
  bearer: string;
}

/**
 * The owner registers and creates a token through mfd's API; the confirmed domain and its
 * mailboxes (some with aliases) are written straight to the tables, as the verification engine
 * and a batch would leave them (test/helpers/domains.ts does the same for the domain).
 */
async function seed(mfd: string, storage: Storage): Promise<Credentials> {
  const registered = await fetch(`${mfd}/api/v1/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(OWNER),
  });
  if (registered.status !== 201)
    throw new Error(`registration: ${registered.status} ${await registered.text()}`);
  const { accountId, csrfToken } = (await registered.json()) as { accountId: string; csrfToken: string };
  const cookie = (registered.headers.getSetCookie().find((c) => c.startsWith("mfd_session=")) ?? "").split(
    ";",
  )[0] as string;

  const now = Date.now();
  const domainId = "bench-domain";
  await storage.exec(
    `INSERT INTO claims (id, public_id, account_id, domain_name, token, status, created_at, expires_at, next_check_at, last_check_at)
     VALUES (?, ?, ?, ?, ?, 'confirmed', ?, ?, ?, ?)`,
    [
      "bench-claim",
      "benchclaim",
      accountId,
      DOMAIN,
      "bench-claim-token",
      now,
      now + 7 * 86_400_000,
      now,
      now,
    ],
  );
  await storage.exec(
    `INSERT INTO domains (id, name, owner_account_id, claim_id, confirmed_at, confirmed_method, mx_next_check_at)
     VALUES (?, ?, ?, ?, ?, 'txt', ?)`,
    [domainId, DOMAIN, accountId, "bench-claim", now, now + 86_400_000],
  );
  for (let i = 0; i < MAILBOXES; i++) {
    const first = FIRST[i % FIRST.length] as string;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
    const login = `${first}.${last}${i}`.toLowerCase();
    const id = `bench-mailbox-${i}`;
    const at = now - (MAILBOXES - i) * 60_000;
    await storage.exec(
      `INSERT INTO mailboxes (id, domain_id, login, password_hash, first_name, last_name, enabled, quota_mb,
         created_at, updated_at, first_last_key, last_first_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        domainId,
        login,
        "{ARGON2ID}bench",
        first,
        last,
        i % 7 === 0 ? 0 : 1,
        i % 5 === 0 ? 2048 : 0,
        at,
        at + 1000,
        `${first} ${last}`.toLowerCase(),
        `${last} ${first}`.toLowerCase(),
      ],
    );
    // Every third mailbox has aliases, some two.
    for (let k = 0; k < (i % 3 === 0 ? 1 + (i % 2) : 0); k++)
      await storage.exec(
        "INSERT INTO mailbox_aliases (id, domain_id, mailbox_id, alias, created_at) VALUES (?, ?, ?, ?, ?)",
        [`${id}-alias-${k}`, domainId, id, `${k === 0 ? "team" : "info"}${i}`, at],
      );
  }
  await storage.close();

  const created = await fetch(`${mfd}/api/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
    body: JSON.stringify({
      name: "bench",
      permissions: ["mailboxes:read"],
      domains: [DOMAIN],
      expiresInDays: 30,
    }),
  });
  if (created.status !== 201) throw new Error(`token: ${created.status} ${await created.text()}`);
  const { token } = (await created.json()) as { token: string };
  // A browser sends back the console's session hint (mfd_signed_in) with the session, so mfd does
  // not set it again on every answer; the floor has no hint to send.
  return { cookie: `${cookie}; mfd_signed_in=1`, csrfToken, bearer: `Bearer ${token}` };
}

// ---- same answers ------------------------------------------------------------------------------

/** Headers that differ between two answers for reasons other than the server (time, framing). */
const PER_ANSWER = new Set(["date", "connection", "keep-alive", "transfer-encoding"]);

/** The headers mfd sends with an API answer that the floor should send too (security headers, cache). */
async function staticHeaders(mfd: string, credentials: Credentials): Promise<Record<string, string>> {
  const response = await fetch(`${mfd}/api/v1/account`, { headers: { cookie: credentials.cookie } });
  await response.arrayBuffer();
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers)
    if (!PER_ANSWER.has(name) && !["content-type", "content-length", "set-cookie"].includes(name))
      headers[name] = value;
  return headers;
}

/** The floor must answer as mfd does: same status, same body byte for byte, same headers. */
async function checkSameAnswers(floor: string, mfd: string, credentials: Credentials): Promise<number> {
  const list = `/api/v1/domains/${DOMAIN}/mailboxes`;
  const first = (await (
    await fetch(`${mfd}${list}`, { headers: { cookie: credentials.cookie } })
  ).json()) as {
    next: string | null;
  };
  if (!first.next) throw new Error("the mailbox list has no second page");
  const cases: Array<[string, Record<string, string>]> = [
    ["/api/v1/account", { cookie: credentials.cookie }],
    [list, { cookie: credentials.cookie }],
    [list, { authorization: credentials.bearer }],
    [`${list}?after=${first.next}`, { cookie: credentials.cookie }],
    [`${list}?limit=7&after=${first.next}`, { authorization: credentials.bearer }],
    [`/api/v1/domains/${DOMAIN.toUpperCase()}/mailboxes?limit=100`, { cookie: credentials.cookie }],
    // Refusals: only the status is compared (the floor leaves out titles).
    ["/api/v1/account", {}],
    ["/api/v1/account", { authorization: credentials.bearer }],
    ["/api/v1/account", { cookie: "mfd_session=not-a-session" }],
    [list, {}],
    [list, { authorization: "Bearer mfd_unknown" }],
    ["/api/v1/domains/unknown-bench.org/mailboxes", { cookie: credentials.cookie }],
    ["/api/v1/domains/unknown-bench.org/mailboxes", { authorization: credentials.bearer }],
  ];
  for (const [path, headers] of cases) {
    const [a, b] = await Promise.all([
      fetch(`${mfd}${path}`, { headers }),
      fetch(`${floor}${path}`, { headers }),
    ]);
    const [textA, textB] = await Promise.all([a.text(), b.text()]);
    const where = `GET ${path} with ${Object.keys(headers).join(", ") || "no credentials"}`;
    if (a.status !== b.status)
      throw new Error(`${where}: mfd ${a.status}, floor ${b.status}\n${textA}\n${textB}`);
    if (a.status !== 200) continue;
    if (textA !== textB) throw new Error(`${where}: the bodies differ\nmfd:   ${textA}\nfloor: ${textB}`);
    const names = new Set([...a.headers.keys(), ...b.headers.keys()]);
    for (const name of names)
      if (!PER_ANSWER.has(name) && a.headers.get(name) !== b.headers.get(name))
        throw new Error(`${where}: header ${name}: mfd ${a.headers.get(name)}, floor ${b.headers.get(name)}`);
  }
  return cases.length;
}

// ---- measuring ---------------------------------------------------------------------------------

interface Target {
  request: string;
  server: "bare" | "floor" | "mfd" | "before";
  path: string;
  headers: Record<string, string>;
}

interface Sample {
  requestsPerSecond: number;
  p99: number;
  cpuPerRequest: number;
  failed: number;
  /** What the failures were. */
  why: string;
  load: number;
}

async function measure(target: Target, server: Server, seconds: number): Promise<Sample> {
  const load = loadavg()[0] as number;
  const before = cpuMicros(server.pid);
  const result: Result = await run({
    url: `${server.url}${target.path}`,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: seconds,
    headers: target.headers,
  });
  const cpu = cpuMicros(server.pid) - before;
  return {
    requestsPerSecond: result.requests.average,
    p99: result.latency.p99,
    cpuPerRequest: result.requests.total > 0 ? cpu / result.requests.total : Number.NaN,
    // autocannon counts a timeout among the errors too.
    failed: result.non2xx + result.errors,
    why: `${result.non2xx} not 2xx, ${result.timeouts} timed out, ${result.errors - result.timeouts} other errors`,
    load,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const whole = (n: number) => Math.round(n).toLocaleString("en-US");

function table(dialect: string, targets: Target[], samples: Map<Target, Sample[]>): string {
  const rows = [
    `#### ${dialect === "sqlite" ? "SQLite" : "PostgreSQL"}`,
    "",
    "| request | server | req/s | p99 ms | CPU µs/req (min–max) | mfd ÷ floor req/s | mfd ÷ floor CPU |",
    "|---|---|---|---|---|---|---|",
  ];
  const stats = (target: Target) => {
    const list = samples.get(target) ?? [];
    const cpu = list.map((s) => s.cpuPerRequest);
    return {
      rps: median(list.map((s) => s.requestsPerSecond)),
      p99: median(list.map((s) => s.p99)),
      cpu: median(cpu),
      cpuRange: `${whole(Math.min(...cpu))}–${whole(Math.max(...cpu))}`,
      failed: list.reduce((sum, s) => sum + s.failed, 0),
    };
  };
  for (const target of targets) {
    const own = stats(target);
    const floor = targets.find((t) => t.server === "floor" && t.request === target.request);
    const ratios =
      (target.server === "mfd" || target.server === "before") && floor
        ? [(own.rps / stats(floor).rps).toFixed(2), (own.cpu / stats(floor).cpu).toFixed(2)]
        : ["", ""];
    const failed = own.failed > 0 ? ` (${own.failed} failed)` : "";
    rows.push(
      `| ${target.request} | ${target.server === "before" ? "mfd before" : target.server} | ${whole(own.rps)}${failed} | ${own.p99} | ${whole(own.cpu)} (${own.cpuRange}) | ${ratios.join(" | ")} |`,
    );
  }
  const loads = [...samples.values()].flat().map((s) => s.load);
  rows.push(
    "",
    `Load average (1 min) at the start of each measurement: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}.`,
  );
  return rows.join("\n");
}

// ---- writes and sign-in: bound by argon2 on purpose ---------------------------------------------

/** Raw @node-rs/argon2 hashes per second with mfd's parameters, `parallel` at a time, in this process. */
async function rawHashRate(parallel: number, seconds: number): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (Date.now() < end) {
      await hash(`bench password ${done}`, ARGON2_PARAMS);
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: parallel }, worker));
  return done / ((Date.now() - started) / 1000);
}

interface WriteFigures {
  rows: string[];
}

/**
 * Sign-in and mailbox creation against what argon2 allows on this machine: the raw hash rate at
 * mfd's hashing concurrency (MFD_HASH_CONCURRENCY, by default one per core less one) is their
 * ceiling. And what a sign-in flood does to other requests: `GET /api/v1/account` p99 at 4
 * connections alone and during the flood. mfd runs again for this with MFD_TRUSTED_PROXY (sign-ins
 * from many client addresses through X-Forwarded-For, so per-address limits do not shape the
 * figures), which the read measurements above do without.
 */
async function benchWrites(
  mfdUrl: string,
  pid: number,
  credentials: Credentials,
  seconds: number,
): Promise<WriteFigures> {
  const concurrency = hashConcurrency();
  log(`writes: raw argon2 at ${concurrency} at a time (mfd's hashing concurrency)…`);
  const ceiling = await rawHashRate(concurrency, seconds);
  const json = { "content-type": "application/json" };
  const signInLoad = () =>
    run({
      url: `${mfdUrl}/api/v1/session`,
      connections: 16,
      duration: seconds,
      requests: [
        {
          method: "POST",
          setupRequest: (req) => ({
            ...req,
            headers: { ...json, "x-forwarded-for": randomClientIp() },
            body: JSON.stringify({ login: OWNER.login, password: OWNER.password }),
          }),
        },
      ],
    });
  const accountReads = () =>
    run({
      url: `${mfdUrl}/api/v1/account`,
      connections: 4,
      duration: seconds,
      headers: { cookie: credentials.cookie },
    });
  log("writes: GET /api/v1/account alone, 4 connections…");
  const readsAlone = await accountReads();
  log("writes: sign-in flood with GET /api/v1/account beside it…");
  const before = cpuMicros(pid);
  const [readsDuring, signIns] = await Promise.all([accountReads(), signInLoad()]);
  const signInCpu = cpuMicros(pid) - before;
  log("writes: mailbox creation…");
  let created = 0;
  const mailboxes = await run({
    url: `${mfdUrl}/api/v1/domains/${DOMAIN}/mailboxes`,
    connections: 16,
    duration: seconds,
    requests: [
      {
        method: "POST",
        setupRequest: (req) => ({
          ...req,
          headers: { ...json, cookie: credentials.cookie, "x-csrf-token": credentials.csrfToken },
          body: JSON.stringify({
            login: `created${process.pid}x${++created}`,
            password: "bench mailbox passphrase 2026",
          }),
        }),
      },
    ],
  });
  const rate = (r: Result) => r.requests.average;
  const failed = (r: Result) => r.non2xx + r.errors;
  const note = (r: Result) => (failed(r) > 0 ? ` (${failed(r)} failed)` : "");
  return {
    rows: [
      `| raw @node-rs/argon2 hash, ${concurrency} at a time (the ceiling) | ${whole(ceiling)}/s | | |`,
      `| sign-in, 16 connections (one argon2 verification each) | ${whole(rate(signIns))}/s${note(signIns)} | ${signIns.latency.p99} | ${(rate(signIns) / ceiling).toFixed(2)} |`,
      `| mailbox creation, 16 connections (one argon2 hash each) | ${whole(rate(mailboxes))}/s${note(mailboxes)} | ${mailboxes.latency.p99} | ${(rate(mailboxes) / ceiling).toFixed(2)} |`,
      `| \`GET /api/v1/account\`, 4 connections, alone | ${whole(rate(readsAlone))}/s${note(readsAlone)} | ${readsAlone.latency.p99} | |`,
      `| \`GET /api/v1/account\`, 4 connections, during the sign-in flood | ${whole(rate(readsDuring))}/s${note(readsDuring)} | ${readsDuring.latency.p99} | |`,
      "",
      `mfd's CPU during the flood: ${whole(signInCpu / Math.max(1, signIns.requests.total + readsDuring.requests.total))} µs per request (sign-ins and reads together).`,
    ],
  };
}

async function benchDatabase(dialect: string): Promise<string> {
  const storage = await createStorage(dialect);
  const servers: Server[] = [];
  try {
    const env = {
      ...storage.env,
      MFD_SERVICE_DOMAIN: SERVICE_DOMAIN,
      MFD_LISTEN: `127.0.0.1:${PORTS.mfd}`,
      MFD_PUBLIC_URL: `http://127.0.0.1:${PORTS.mfd}`,
      // Request logs off, as in the other benches: the floor writes none either.
      MFD_LOG_LEVEL: "warn",
    };
    log(`${dialect}: starting mfd`);
    const mfd = await startProcess(
      [
        ...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : []),
        ...(process.env.BENCH_MFD_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
        MFD_BIN,
        "serve",
        "--services",
        "web",
      ],
      env,
      `http://127.0.0.1:${PORTS.mfd}`,
      "/readyz",
    );
    servers.push(mfd);
    const credentials = await seed(mfd.url, storage);
    log(
      `${dialect}: seeded 1 account, 1 domain, ${MAILBOXES} mailboxes, a session and a token; starting the floor`,
    );
    const floor = await startProcess(
      [
        // The V8 setting bin/mfd.js makes for mfd (docs/operations.md): both run on the same one.
        "--no-allocation-site-pretenuring",
        ...(process.env.BENCH_FLOOR_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
        "--import",
        "tsx",
        "bench/floor/server.ts",
      ],
      {
        ...env,
        FLOOR_LISTEN: `127.0.0.1:${PORTS.floor}`,
        FLOOR_HEADERS: JSON.stringify(await staticHeaders(mfd.url, credentials)),
      },
      `http://127.0.0.1:${PORTS.floor}`,
      "/healthz",
    );
    servers.push(floor);
    const bare = await startBareFastify(PORTS.bare);
    servers.push(bare);
    const before = BEFORE_BIN
      ? await startProcess(
          [BEFORE_BIN, "serve", "--services", "web"],
          {
            ...env,
            MFD_LISTEN: `127.0.0.1:${PORTS.before}`,
            MFD_PUBLIC_URL: `http://127.0.0.1:${PORTS.before}`,
          },
          `http://127.0.0.1:${PORTS.before}`,
          "/readyz",
        )
      : null;
    if (before) servers.push(before);
    const checked = await checkSameAnswers(floor.url, mfd.url, credentials);
    log(`${dialect}: floor and mfd gave the same answers to ${checked} requests`);

    const list = `/api/v1/domains/${DOMAIN}/mailboxes`;
    const session = { cookie: credentials.cookie };
    const bearer = { authorization: credentials.bearer };
    const allTargets: Target[] = [
      { request: "hello-world `/`", server: "bare", path: "/", headers: {} },
      { request: "`/healthz`", server: "mfd", path: "/healthz", headers: {} },
      { request: "`/api/v1/account`, session", server: "floor", path: "/api/v1/account", headers: session },
      { request: "`/api/v1/account`, session", server: "mfd", path: "/api/v1/account", headers: session },
      { request: "mailbox list (50), session", server: "floor", path: list, headers: session },
      { request: "mailbox list (50), session", server: "mfd", path: list, headers: session },
      { request: "mailbox list (50), token", server: "floor", path: list, headers: bearer },
      { request: "mailbox list (50), token", server: "mfd", path: list, headers: bearer },
    ];
    // The earlier build beside each of mfd's measurements.
    const withBefore = before
      ? allTargets.flatMap((t) => (t.server === "mfd" ? [{ ...t, server: "before" as const }, t] : [t]))
      : allTargets;
    const targets = withBefore.filter(
      (t) => ONLY.length === 0 || ONLY.some((w) => t.request.includes(w) || t.server === w),
    );
    const serverOf = { bare, floor, mfd, before: before ?? mfd };
    const memory = [`idle after start and seeding ${rssMb(mfd.pid).toFixed(0)}`];
    log(`${dialect}: warming up (${WARM_UP_SECONDS} s each)`);
    for (const target of targets) await measure(target, serverOf[target.server], WARM_UP_SECONDS);
    const samples = new Map<Target, Sample[]>(targets.map((t) => [t, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      // Every other round backwards, so no server always runs right after the same other one.
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) {
        const sample = await measure(target, serverOf[target.server], SECONDS);
        samples.get(target)?.push(sample);
        log(
          `${dialect} round ${round}: ${target.server} ${target.request}: ${whole(sample.requestsPerSecond)} req/s, p99 ${sample.p99} ms, ${whole(sample.cpuPerRequest)} µs CPU/req${sample.failed ? `, ${sample.failed} failed (${sample.why})` : ""}`,
        );
      }
      memory.push(`after round ${round} ${rssMb(mfd.pid).toFixed(0)}`);
    }
    const reads = [
      table(dialect, targets, samples),
      "",
      `mfd's resident memory (MB): ${memory.join(", ")}.`,
    ].join("\n");
    if (!WRITES) return reads;

    // Writes: mfd again, now believing X-Forwarded-For from the bench.
    await mfd.stop();
    servers.splice(servers.indexOf(mfd), 1);
    const writer = await startProcess(
      [MFD_BIN, "serve", "--services", "web"],
      { ...env, MFD_TRUSTED_PROXY: "127.0.0.1", MFD_MAILBOX_LIMIT: "1000000" },
      `http://127.0.0.1:${PORTS.mfd}`,
      "/readyz",
    );
    servers.push(writer);
    const writes = await benchWrites(writer.url, writer.pid, credentials, SECONDS);
    return [
      reads,
      "",
      `Writes and sign-in (${SECONDS} s each; p99 in ms; ratio to the raw hash rate):`,
      "",
      "| measure | rate | p99 ms | ÷ ceiling |",
      "|---|---|---|---|",
      ...writes.rows,
    ].join("\n");
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await storage.close();
    await storage.remove();
  }
}

await ensureBuilt();
const started = new Date().toISOString();
const sections: string[] = [];
for (const dialect of DATABASES) sections.push(await benchDatabase(dialect));
console.log(
  [
    `### Request path — ${started}`,
    "",
    `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}; autocannon in the bench process, ${CONNECTIONS} connections, no pipelining, ${SECONDS} s per measurement, ${ROUNDS} interleaved rounds; medians of the rounds. CPU is the server process's user + system time over the measurement ÷ requests answered.`,
    "",
    sections.join("\n\n"),
  ].join("\n"),
);
