/**
 * Issue 13, the measure that load does not move: machine instructions per request, counted by
 * valgrind's callgrind in the server process (every thread: JavaScript, GC, compiler, libuv) over
 * BENCH_REQUESTS requests after BENCH_WARM of warm-up. On this 2-core VM the CPU time per request
 * moves by ±20 % from round to round with the neighbours' load, and sampling profilers see mostly
 * the points where a process enters the kernel; an instruction count is the same whatever else the
 * machine does, so a change of a few percent shows in one run.
 *
 *   npx tsx bench/instructions.ts                    mfd and the floor, `GET /api/v1/account`
 *   BENCH_PATH=records npx tsx bench/instructions.ts  mfd, record writes (issue 10)
 *
 * BENCH_PATH=records counts `POST /api/v1/domains/{d}/dns/records` instead — each request a new
 * A record, from 16 connections at once, on `serve --roles web,dns` as records-write.ts runs it
 * (the dns role applying each change in the same process); BENCH_WARM defaults to 3000 and
 * BENCH_REQUESTS to 2000 there, and the zone grows from 3,000 to 5,000 records while counted.
 *
 * BENCH_TARGETS ("mfd,floor"; "before" too with BENCH_MFD_BEFORE, the `bin/mfd.js` of another
 * build, as in request-path.ts), BENCH_WARM (10000), BENCH_REQUESTS (5000). SQLite only; the
 * servers run as request-path.ts runs them (the floor with mfd's V8 setting). Needs `valgrind`
 * (Debian package). Under valgrind a request takes some 50 times as long; a run of both takes
 * about three minutes.
 *
 * Printed per server: thousands of instructions per request in all, and without V8's optimising
 * compiler (which after this warm-up still compiles now and then in the counted window) and its
 * garbage collector (whose major collections fall in the window or not) — the second is the one
 * that repeats from run to run. Instructions are not time (cache
 * misses, the kernel's share of a request are not in them), but on this path the ratio of the two
 * has followed the ratio of CPU time per request (bench/README.md, "Fourth pass").
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { systemClock } from "../src/lib/clock.js";
import { Outbox } from "../src/notify/outbox.js";
import { ensureBuilt, MFD_BIN } from "../test/helpers/cli.js";
import { cookiesOf, run, seedZoneOwner, stopChild, waitReady, ZONE_OWNER } from "./lib.js";

/** Under valgrind a server takes tens of seconds to start: up to five minutes. */
async function waitReadySlowly(child: ChildProcess, path: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${URL_BASE}${path}`)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the server under valgrind did not become ready");
}

const RECORDS = process.env.BENCH_PATH === "records";
const WARM = Number(process.env.BENCH_WARM ?? (RECORDS ? 3000 : 10_000));
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? (RECORDS ? 2000 : 5000));
const BEFORE_BIN = process.env.BENCH_MFD_BEFORE;
const TARGETS = (
  process.env.BENCH_TARGETS ??
  [RECORDS ? "mfd" : "mfd,floor", BEFORE_BIN ? "before" : ""].filter(Boolean).join(",")
).split(",");
const PORT = 18321;
const URL_BASE = `http://127.0.0.1:${PORT}`;
const RECORDS_DOMAIN = "instructions-bench.org";
const PATH = RECORDS ? `/api/v1/domains/${RECORDS_DOMAIN}/dns/records` : "/api/v1/account";
const dataDir = mkdtempSync(join(tmpdir(), "mfd-bench-instructions-"));
const outDir = mkdtempSync(join(tmpdir(), "mfd-bench-callgrind-"));
const env = {
  ...process.env,
  MFD_DATA_DIR: dataDir,
  MFD_SERVICE_DOMAIN: "mfd.bench",
  MFD_LISTEN: `127.0.0.1:${PORT}`,
  MFD_PUBLIC_URL: URL_BASE,
  MFD_LOG_LEVEL: "warn",
  FLOOR_LISTEN: `127.0.0.1:${PORT}`,
  MFD_DNS_LISTEN: `127.0.0.1:${PORT + 1}`,
};

function start(args: string[], callgrindOut: string | null): ChildProcess {
  const [command, full] = callgrindOut
    ? [
        "valgrind",
        [
          "--tool=callgrind",
          "--instr-atstart=no",
          `--callgrind-out-file=${callgrindOut}`,
          process.execPath,
          ...args,
        ],
      ]
    : [process.execPath, args];
  return spawn(command as string, full as string[], { env, stdio: ["ignore", "ignore", "inherit"] });
}

const serverArgs = (target: string): [string[], string] =>
  target === "floor"
    ? [["--no-allocation-site-pretenuring", "--import", "tsx", "bench/floor/server.ts"], "/healthz"]
    : [
        [
          target === "before" ? (BEFORE_BIN as string) : MFD_BIN,
          "serve",
          "--roles",
          RECORDS ? "web,dns" : "web",
        ],
        "/readyz",
      ];

/** What each counted request sends: its headers, and for a write a body of its own. */
interface Load {
  headers: Record<string, string>;
  body?: () => string;
}

/** Runs `work` against a plain (not counted) mfd, stopped afterwards. */
async function withPlainMfd<T>(work: () => Promise<T>): Promise<T> {
  const mfd = start(serverArgs("mfd")[0], null);
  try {
    await waitReady(URL_BASE, mfd);
    return await work();
  } finally {
    await stopChild(mfd);
  }
}

/** Registers the account the requests read, on a plain mfd; its session cookie. */
const seedAccount = (): Promise<Load> =>
  withPlainMfd(async () => {
    const registered = await fetch(`${URL_BASE}/api/v1/accounts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        login: "countedowner",
        password: "bench owner passphrase 2026",
        firstName: "Counted",
        lastName: "Owner",
        securityQuestion: "first-pet",
        securityAnswer: "Rex the dog",
        recoveryEmail: "owner@instructions-bench.org",
      }),
    });
    if (registered.status !== 201) throw new Error(`registration: ${registered.status}`);
    return { headers: { cookie: cookiesOf(registered) } };
  });

/**
 * The zone owner of records-write.ts with its confirmed domain, seeded through the database; the
 * signed-in session's cookies and CSRF token, and a new record per request. The session is made on
 * a plain mfd (sign-in hashes a password: not what is counted).
 */
async function seedRecords(): Promise<Load> {
  const config = loadConfig({ ...process.env, ...env });
  const database = openDatabase(config.databaseUrl);
  await migrate(database);
  await seedZoneOwner(
    { config, database, clock: systemClock, outbox: new Outbox() },
    RECORDS_DOMAIN,
    Date.now(),
  );
  await database.destroy();
  return withPlainMfd(async () => {
    const signIn = await fetch(`${URL_BASE}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ZONE_OWNER),
    });
    if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status}`);
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    let written = 0;
    return {
      headers: {
        "content-type": "application/json",
        cookie: cookiesOf(signIn),
        "x-csrf-token": csrfToken,
        origin: URL_BASE,
      },
      body: () => JSON.stringify({ name: `counted${written++}`, type: "A", data: "198.51.100.77" }),
    };
  });
}

/** V8's optimising compiler, and its garbage collector (also on helper threads). */
const COMPILER = /v8::internal::(compiler|maglev|turboshaft)::/;
const COLLECTOR =
  /v8::internal::(\S+::)?(Heap|Scavenge|MarkCompact|Marking|Sweep|Evacuat|Concurrent|Minor|Young|Gc|GC)/;

/** Instructions of the dumps callgrind wrote for `prefix`: in all, in the compiler and in the collector. */
function countsOf(prefix: string): { all: number; compiler: number; collector: number } {
  const counts = { all: 0, compiler: 0, collector: 0 };
  for (const file of readdirSync(outDir).filter((f) => f.startsWith(prefix))) {
    const path = join(outDir, file);
    counts.all += Number(/^totals:\s+(\d+)/m.exec(readFileSync(path, "utf8"))?.[1] ?? 0);
    const annotated = execFileSync("callgrind_annotate", ["--inclusive=no", "--threshold=100", path], {
      maxBuffer: 256 * 1024 * 1024,
    }).toString();
    for (const line of annotated.split("\n")) {
      const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
      if (!match) continue;
      const count = Number((match[1] as string).replaceAll(",", ""));
      if (COMPILER.test(match[2] as string)) counts.compiler += count;
      else if (COLLECTOR.test(match[2] as string)) counts.collector += count;
    }
  }
  return counts;
}

interface Counted {
  all: number;
  /** What the requests' own code ran: neither the compiler nor the collector. */
  own: number;
}

async function measure(target: string, request: Load): Promise<Counted> {
  const [args, readyPath] = serverArgs(target);
  const server = start(args, join(outDir, `${target}.out`));
  try {
    await waitReadySlowly(server, readyPath);
    const load = async (amount: number) => {
      const { headers, body } = request;
      const result = await run({
        url: URL_BASE + PATH,
        amount,
        // Under valgrind on a busy machine an answer may take many seconds (autocannon's default: 10).
        timeout: 120,
        ...(body
          ? {
              connections: 16,
              requests: [{ method: "POST", headers, setupRequest: (sent) => ({ ...sent, body: body() }) }],
            }
          : { connections: 10, headers }),
      });
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`${target}: ${result.non2xx} refused, ${result.errors} errors`);
    };
    await load(WARM);
    const pid = String(server.pid);
    execFileSync("callgrind_control", ["--instr=on", pid], { stdio: "ignore" });
    await load(REQUESTS);
    execFileSync("callgrind_control", ["--instr=off", pid], { stdio: "ignore" });
    execFileSync("callgrind_control", ["--dump", pid], { stdio: "ignore" });
  } finally {
    await stopChild(server);
  }
  const { all, compiler, collector } = countsOf(`${target}.out`);
  return { all: all / REQUESTS, own: (all - compiler - collector) / REQUESTS };
}

try {
  await ensureBuilt();
  const request = RECORDS ? await seedRecords() : await seedAccount();
  const results = new Map<string, Counted>();
  for (const target of TARGETS) {
    const counted = await measure(target, request);
    results.set(target, counted);
    console.error(`${target}: ${Math.round(counted.all / 1000)}k instructions per request`);
  }
  const floor = results.get("floor");
  console.log(`\n| server | k instructions / request | without V8's compiler and GC | ÷ floor (without) |`);
  console.log("|---|---|---|---|");
  for (const [target, counted] of results)
    console.log(
      `| ${target} | ${Math.round(counted.all / 1000)} | ${Math.round(counted.own / 1000)} | ${
        floor ? (counted.own / floor.own).toFixed(2) : ""
      } |`,
    );
  console.log(
    `\n\`${RECORDS ? "POST" : "GET"} ${PATH}\`, session; ${WARM} requests of warm-up, ${REQUESTS} counted, ${
      RECORDS ? 16 : 10
    } connections.`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
}
