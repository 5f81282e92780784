/**
 * The other side of issue 10's records figure: PowerDNS Authoritative's HTTP API (Debian's
 * pdns-server with pdns-backend-sqlite3, its defaults) adding records the way
 * `bench/records-write.ts` adds them to mfd — one new A record per request, sequential and then
 * from BENCH_WRITERS (default 16) clients at once — on the same machine, so the ratio of the two
 * is measured here rather than taken from elsewhere.
 *
 *   apt-get install pdns-server pdns-backend-sqlite3
 *   npx tsx bench/powerdns-write.ts
 *
 * BENCH_SECONDS (default 10) of measured writes after BENCH_WARMUP_WRITES (default 100).
 * PowerDNS's gsqlite3 backend runs SQLite in WAL mode with its default `synchronous` (FULL): a
 * change is on disk when the API answers, as in mfd.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { run } from "./lib.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_WRITES = Number(process.env.BENCH_WARMUP_WRITES ?? 100);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 16);
const PDNS = "/usr/sbin/pdns_server";
const SCHEMA = "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql";
const API_PORT = 18096;
const DNS_PORT = 18097;
const API_KEY = "bench";
const ZONE = "records-bench.org.";

if (!existsSync(PDNS) || !existsSync(SCHEMA)) {
  console.error("PowerDNS is not installed: apt-get install pdns-server pdns-backend-sqlite3");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "pdns-bench-"));
const database = join(dir, "pdns.sqlite3");
const schema = new SQLite(database);
schema.exec(readFileSync(SCHEMA, "utf8"));
schema.close();
writeFileSync(
  join(dir, "pdns.conf"),
  [
    "launch=gsqlite3",
    `gsqlite3-database=${database}`,
    "local-address=127.0.0.1",
    `local-port=${DNS_PORT}`,
    "api=yes",
    `api-key=${API_KEY}`,
    "webserver=yes",
    "webserver-address=127.0.0.1",
    `webserver-port=${API_PORT}`,
    "webserver-allow-from=127.0.0.1",
    "guardian=no",
    "daemon=no",
    `socket-dir=${dir}`,
    "loglevel=3",
  ].join("\n"),
);

const api = `http://127.0.0.1:${API_PORT}/api/v1/servers/localhost`;
const headers = { "x-api-key": API_KEY, "content-type": "application/json" };

/** /proc CPU time of the process, ms (user + system, 10 ms ticks). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function waitReady(child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`pdns_server exited with ${child.exitCode}`);
    try {
      if ((await fetch(api, { headers })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("pdns_server did not answer within 30 s");
}

const rrset = (name: string, ip: string) =>
  JSON.stringify({
    rrsets: [
      {
        name: `${name}.${ZONE}`,
        type: "A",
        ttl: 3600,
        changetype: "REPLACE",
        records: [{ content: ip, disabled: false }],
      },
    ],
  });

const pdns = spawn(PDNS, [`--config-dir=${dir}`], { stdio: "ignore" });
try {
  await waitReady(pdns);
  const created = await fetch(`${api}/zones`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: ZONE, kind: "Native", nameservers: [`ns1.${ZONE}`] }),
  });
  if (created.status !== 201) throw new Error(`zone: ${created.status} ${await created.text()}`);
  const url = `${api}/zones/${ZONE}`;
  let written = 0;
  const write = async () => {
    const i = written++;
    const response = await fetch(url, {
      method: "PATCH",
      headers,
      body: rrset(`host${i}`, `198.51.100.${(i % 250) + 1}`),
    });
    if (response.status !== 204) throw new Error(`write ${i}: ${response.status} ${await response.text()}`);
  };
  while (written < WARMUP_WRITES) await write();
  const latencies: number[] = [];
  const cpuBefore = cpuMs(pdns.pid as number);
  const until = performance.now() + SECONDS * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    await write();
    latencies.push(performance.now() - started);
  }
  const cpuAfter = cpuMs(pdns.pid as number);
  let concurrentWritten = 0;
  const concurrentCpuBefore = cpuMs(pdns.pid as number);
  const concurrent = await run({
    url,
    connections: WRITERS,
    duration: SECONDS,
    requests: [
      {
        method: "PATCH",
        headers,
        setupRequest: (request) => ({
          ...request,
          body: rrset(`busy${concurrentWritten++}`, "198.51.100.77"),
        }),
      },
    ],
  });
  const concurrentCpuAfter = cpuMs(pdns.pid as number);
  const concurrentWrites = concurrent["2xx"];
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.floor(q * (latencies.length - 1))] as number) * 10) / 10;
  console.log(
    JSON.stringify({
      server: "PowerDNS",
      writes: latencies.length,
      perSecond: Math.round(latencies.length / SECONDS),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      cpuUsPerWrite: Math.round(((cpuAfter - cpuBefore) * 1000) / latencies.length),
      concurrent: {
        writers: WRITERS,
        perSecond: Math.round(concurrentWrites / SECONDS),
        refused: concurrent.non2xx + concurrent.errors,
        p50Ms: concurrent.latency.p50,
        p99Ms: concurrent.latency.p99,
        cpuUsPerWrite: Math.round(
          ((concurrentCpuAfter - concurrentCpuBefore) * 1000) / Math.max(1, concurrentWrites),
        ),
      },
      loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
    }),
  );
} finally {
  pdns.kill("SIGTERM");
  await new Promise((resolve) => pdns.once("exit", resolve));
  rmSync(dir, { recursive: true, force: true });
}
