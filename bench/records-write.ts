/**
 * Issue 10 figure: records API writes per second, sequential (one request after another, as an
 * operator's script does), against a real `mfd serve` — the aim is ≥ 10× the ≈ 150/s measured for
 * PowerDNS's HTTP API. Every write is a whole change: record, serial, audit event (and NOTIFY on
 * PostgreSQL) in one transaction.
 *
 *   npx tsx bench/records-write.ts                                                     SQLite
 *   MFD_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/records-write.ts
 *
 * BENCH_SECONDS (default 10) of measured writes, after BENCH_WARMUP_WRITES (default 100) writes
 * that are not counted (V8 compiling the path). BENCH_ROLES (default "web,dns", as a
 * single-process install runs: the dns role reloads the changed zone after each write, in the
 * same process) are the server's roles. BENCH_MFD_NODE_ARGS adds node options to the server
 * (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). Besides writes/s (which a busy machine lowers),
 * the server's CPU time per write (user + system, from /proc; `mainThreadUsPerWrite` is the
 * JavaScript thread's share, the rest GC, JIT and I/O threads) is printed, with the floor any
 * SQLite write stands on: a bare commit (BEGIN IMMEDIATE, one INSERT, COMMIT with WAL and
 * `synchronous = FULL`, as mfd opens its database) on the same disk, its wall and CPU time.
 * Then, as long again, sequential GETs of the account with the same session (`cpuUsPerRead`):
 * the request path every request takes, which a write pays too. Last, as long again, writes from
 * BENCH_WRITERS (default 16) clients at once (autocannon, each request a new record): what a
 * provider's automation sees when many scripts change records together (`concurrent`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { systemClock } from "../src/lib/clock.js";
import { Outbox } from "../src/notify/outbox.js";
import { benchDatabase, cookiesOf, run, seedZoneOwner, startMfd, ZONE_OWNER } from "./lib.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_WRITES = Number(process.env.BENCH_WARMUP_WRITES ?? 100);
const ROLES = process.env.BENCH_ROLES ?? "web,dns";
const WRITERS = Number(process.env.BENCH_WRITERS ?? 16);
const NOW = Date.now();
const DOMAIN = "records-bench.org";
const storage = await benchDatabase("records");
const env = { ...storage.env, MFD_SERVICE_DOMAIN: "mfd.bench", MFD_DNS_LISTEN: "127.0.0.1:18095" };

async function seed() {
  const config = loadConfig({ ...process.env, ...env });
  const database = openDatabase(config.databaseUrl);
  await migrate(database);
  const deps = { config, database, clock: systemClock, outbox: new Outbox() };
  await seedZoneOwner(deps, DOMAIN, NOW);
  await database.destroy();
}

/** User + system CPU time of a process or one of its threads, ms (Linux /proc, 10 ms ticks). */
function cpuMs(pid: number, thread = ""): number {
  const stat = readFileSync(`/proc/${pid}${thread}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** The process's CPU time and its main (JavaScript) thread's, ms; the threads that ended are counted in the process. */
const cpuOf = (pid: number) => ({ all: cpuMs(pid), main: cpuMs(pid, `/task/${pid}`) });

/**
 * What one commit costs on this disk with mfd's settings (src/db/database.ts: WAL, synchronous =
 * FULL), without mfd: the floor under every SQLite write, µs of wall and of CPU time.
 */
function bareCommit(): { wallUs: number; cpuUs: number } {
  const dir = mkdtempSync(join(tmpdir(), "mfd-bench-commit-"));
  const db = new SQLite(join(dir, "commit.db"));
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec("create table t (id integer primary key, at integer, body text)");
    const insert = db.prepare("insert into t (at, body) values (?, ?)");
    const commit = () => {
      db.exec("BEGIN IMMEDIATE");
      insert.run(Date.now(), "198.51.100.1 host A");
      db.exec("COMMIT");
    };
    for (let i = 0; i < 20; i++) commit();
    const count = 200;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < count; i++) commit();
    const wallUs = Math.round(((performance.now() - started) * 1000) / count);
    const used = process.cpuUsage(cpu);
    return { wallUs, cpuUs: Math.round((used.user + used.system) / count) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let mfd: Awaited<ReturnType<typeof startMfd>> | null = null;
try {
  await seed();
  mfd = await startMfd(18094, env, (process.env.BENCH_MFD_NODE_ARGS ?? "").split(" ").filter(Boolean), ROLES);
  const signIn = await fetch(`${mfd.url}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ZONE_OWNER),
  });
  if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);
  const cookie = cookiesOf(signIn);
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const headers = { "content-type": "application/json", cookie, "x-csrf-token": csrfToken, origin: mfd.url };
  const url = `${mfd.url}/api/v1/domains/${DOMAIN}/dns/records`;
  let written = 0;
  const write = async () => {
    const i = written++;
    const response = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: `host${i}`, type: "A", data: `198.51.100.${(i % 250) + 1}` }),
    });
    if (response.status !== 201) throw new Error(`write ${i}: ${response.status} ${await response.text()}`);
  };
  while (written < WARMUP_WRITES) await write();
  const latencies: number[] = [];
  const cpuBefore = cpuOf(mfd.pid);
  const until = performance.now() + SECONDS * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    await write();
    latencies.push(performance.now() - started);
  }
  const cpuAfter = cpuOf(mfd.pid);
  const perWrite = (ms: number) => Math.round((ms * 1000) / latencies.length);
  // The same requests' path without a write: GET /api/v1/account one after another, as long, with
  // the same session — what a write costs beyond any request is the difference.
  const account = `${mfd.url}/api/v1/account`;
  const read = async () => {
    const response = await fetch(account, { headers: { cookie } });
    if (response.status !== 200) throw new Error(`read: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  for (let i = 0; i < WARMUP_WRITES; i++) await read();
  let reads = 0;
  const readCpuBefore = cpuOf(mfd.pid);
  const readsUntil = performance.now() + SECONDS * 1000;
  while (performance.now() < readsUntil) {
    await read();
    reads++;
  }
  const readCpuAfter = cpuOf(mfd.pid);
  const perRead = (ms: number) => Math.round((ms * 1000) / reads);
  // Many writers at once: each request adds a record of its own name.
  let concurrentWritten = 0;
  const concurrentBody = () =>
    JSON.stringify({ name: `busy${concurrentWritten++}`, type: "A", data: "198.51.100.77" });
  const concurrentCpuBefore = cpuOf(mfd.pid);
  const concurrent = await run({
    url,
    connections: WRITERS,
    duration: SECONDS,
    requests: [
      { method: "POST", headers, setupRequest: (request) => ({ ...request, body: concurrentBody() }) },
    ],
  });
  const concurrentCpuAfter = cpuOf(mfd.pid);
  const concurrentWrites = concurrent["2xx"];
  if (concurrent.non2xx > 0 || concurrent.errors > 0)
    throw new Error(`concurrent writes: ${concurrent.non2xx} refused, ${concurrent.errors} errors`);
  const threads = readdirSync(`/proc/${mfd.pid}/task`).length;
  const commit = bareCommit();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.floor(q * (latencies.length - 1))] as number) * 10) / 10;
  console.log(
    JSON.stringify({
      database: storage.dialect,
      roles: ROLES,
      writes: latencies.length,
      recordsInZone: written,
      perSecond: Math.round(latencies.length / SECONDS),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      cpuUsPerWrite: perWrite(cpuAfter.all - cpuBefore.all),
      mainThreadUsPerWrite: perWrite(cpuAfter.main - cpuBefore.main),
      threads,
      readsPerSecond: Math.round(reads / SECONDS),
      cpuUsPerRead: perRead(readCpuAfter.all - readCpuBefore.all),
      mainThreadUsPerRead: perRead(readCpuAfter.main - readCpuBefore.main),
      concurrent: {
        writers: WRITERS,
        perSecond: Math.round(concurrentWrites / SECONDS),
        p50Ms: concurrent.latency.p50,
        p99Ms: concurrent.latency.p99,
        cpuUsPerWrite: Math.round(
          ((concurrentCpuAfter.all - concurrentCpuBefore.all) * 1000) / concurrentWrites,
        ),
      },
      bareCommitUs: commit.wallUs,
      bareCommitCpuUs: commit.cpuUs,
      loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
    }),
  );
} finally {
  await mfd?.stop();
  await storage.remove();
}
