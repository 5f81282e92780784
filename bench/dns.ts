/**
 * Issue 10's DNS figures in one run, on one machine:
 *  1. queries per second and p99 of mfd's `dns` role and of Debian's NSD serving the same 10,000
 *     zones (NSD transfers them from mfd by AXFR), with Debian's dnsperf and one query file
 *     (80 % existing names, 15 % NXDOMAIN, 5 % outside every zone), rounds interleaved;
 *  2. time and memory (RSS) of `mfd serve --roles dns` loading the zones from the database at
 *     start, and the delay from a records API change to the answer on the DNS port — in the
 *     process that took the change (`--roles web,dns`) and in another process (`--roles dns`);
 *  3. records API writes per second, sequential POSTs with a session.
 * The load average is printed with every phase: the machine is shared.
 *
 *   npx tsx bench/dns.ts                                                           SQLite
 *   MFD_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/dns.ts     PostgreSQL
 *
 * BENCH_ZONES (10000), BENCH_WARM_UP_SECONDS (5, not counted), BENCH_ROUNDS (3 per server),
 * BENCH_SECONDS (10 per round), BENCH_PACED_QPS (10000: the rate p99 is compared at),
 * BENCH_CHANGES (30), BENCH_WRITE_SECONDS (10), BENCH_DNSPERF=0 skips NSD and dnsperf;
 * BENCH_MFD_NODE_ARGS adds node options to the mfd processes (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import dgram from "node:dgram";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as packet from "dns-packet";
import { AccountsService } from "../src/accounts/accounts.service.js";
import { SessionsService } from "../src/accounts/sessions.service.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { createSecondaries } from "../src/dns/secondaries.js";
import { type DnsServer, startDnsServer } from "../src/dns/server.js";
import { type Zone, ZoneSet } from "../src/dns/zone.js";
import { systemClock } from "../src/lib/clock.js";
import { Outbox } from "../src/notify/outbox.js";
import { loadAllZones } from "../src/zones/zone-data.js";
import { freeDnsPort, startNsd } from "../test/dns/nsd.js";
import { ensureBuilt, MFD_BIN } from "../test/helpers/cli.js";
import { benchDatabase, cookiesOf, seedHostedZones, stopChild, waitReady } from "./lib.js";

const ZONES = Number(process.env.BENCH_ZONES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 30);
const WRITE_SECONDS = Number(process.env.BENCH_WRITE_SECONDS ?? 10);
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 5);
const PACED_QPS = Number(process.env.BENCH_PACED_QPS ?? 10_000);
const WITH_DNSPERF = process.env.BENCH_DNSPERF !== "0";
const DNSPERF = "/usr/bin/dnsperf";
const WEB_PORT = 18095;
const NOW = Date.now();
const OWNER = { login: "zoneowner", password: "bench owner passphrase 2026" };

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
const say = (message: string) =>
  console.error(`[${new Date().toISOString().slice(11, 19)} load ${load()}] ${message}`);
const results: Record<string, unknown> = {};

// ---- the zones: the same rows for mfd (through its loader) and, by transfer, for NSD ----------

const origin = (i: number) => `zone${i}.org`;
const DKIM = `"v=DKIM1; k=rsa; p=${"A".repeat(250)}" "${"B".repeat(142)}"`;
/** 20 stored records (the loader adds the SOA): what a confirmed domain gets, plus some hosts. */
function recordsOf(apex: string): Array<[name: string, type: string, data: string]> {
  const rows: Array<[string, string, string]> = [
    [apex, "NS", "ns1.mfd.bench."],
    [apex, "NS", "ns2.mfd.bench."],
    [apex, "MX", "10 mx.mfd.bench."],
    [apex, "TXT", '"v=spf1 mx -all"'],
    [`_dmarc.${apex}`, "TXT", '"v=DMARC1; p=none"'],
    [`mfd202612._domainkey.${apex}`, "TXT", DKIM],
    [apex, "A", "192.0.2.1"],
    [apex, "AAAA", "2001:db8::1"],
    [`www.${apex}`, "CNAME", `${apex}.`],
  ];
  for (let i = 0; rows.length < 20; i++) rows.push([`host${i}.${apex}`, "A", `198.51.100.${i + 1}`]);
  return rows;
}

/** The distinct questions with an answer in one zone (name, type). */
function questionsOf(apex: string): Array<[string, string]> {
  const seen = new Map<string, [string, string]>();
  for (const [name, type] of recordsOf(apex)) seen.set(`${name} ${type}`, [name, type]);
  seen.set(`${apex} SOA`, [apex, "SOA"]);
  return [...seen.values()];
}

async function seed(env: Record<string, string>): Promise<void> {
  const config = loadConfig({ ...process.env, ...env });
  const database = openDatabase(config.databaseUrl);
  await migrate(database);
  const deps = { config, database, clock: systemClock, outbox: new Outbox() };
  const ctx = { actor: { kind: "visitor" as const }, ip: "127.0.0.1", userAgent: null, now: NOW };
  const owner = await new AccountsService(deps, new SessionsService(deps)).register(ctx, {
    ...OWNER,
    firstName: "Zone",
    lastName: "Owner",
  });
  const origins = Array.from({ length: ZONES }, (_, i) => origin(i));
  await seedHostedZones(database.db, owner.accountId, origins, recordsOf, NOW);
  await database.destroy();
}

// ---- a small DNS client (dns-packet over UDP and TCP) ---------------------------------------

class DnsClient {
  private readonly socket = dgram.createSocket("udp4");
  private readonly pending = new Map<number, (answer: packet.DecodedPacket) => void>();
  private nextId = 0;

  constructor() {
    this.socket.on("error", () => {}); // a port not listening yet: the question times out
    this.socket.on("message", (message) => {
      let answer: packet.DecodedPacket;
      try {
        answer = packet.decode(message);
      } catch {
        return;
      }
      const resolve = this.pending.get(answer.id ?? -1);
      this.pending.delete(answer.id ?? -1);
      resolve?.(answer);
    });
  }

  ask(
    port: number,
    name: string,
    type: packet.RecordType,
    timeoutMs = 500,
  ): Promise<packet.DecodedPacket | null> {
    this.nextId = (this.nextId + 1) & 0xffff;
    const id = this.nextId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(null);
      }, timeoutMs);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.socket.send(packet.encode({ id, type: "query", questions: [{ name, type }] }), port, "127.0.0.1");
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** dns-packet decodes the rcode, but its types leave it out. */
const rcodeOf = (answer: packet.DecodedPacket): string => (answer as { rcode?: string }).rcode ?? "?";
const hasAnswer = (answer: packet.DecodedPacket | null): boolean =>
  answer !== null && rcodeOf(answer) === "NOERROR" && (answer.answers ?? []).length > 0;

/** The rcode of the first message a server sends back to an AXFR over TCP. */
function axfrRcode(port: number, zone: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let received = Buffer.alloc(0);
    const done = (rcode: string) => {
      socket.destroy();
      resolve(rcode);
    };
    socket.setTimeout(3000, () => done("timeout"));
    socket.on("error", () => done("error"));
    socket.on("close", () => done("closed"));
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0))
        done(rcodeOf(packet.decode(received.subarray(2, 2 + received.readUInt16BE(0)))));
    });
    socket.write(packet.streamEncode({ id: 7, type: "query", questions: [{ name: zone, type: "AXFR" }] }));
  });
}

// ---- processes ---------------------------------------------------------------------------------

interface Mfd {
  child: ChildProcess;
  dnsPort: number;
  output: () => string;
  stop: () => Promise<void>;
}

/** `mfd serve --roles <roles>` on the bench database, its stdout kept (the dns role logs its load). */
function startMfd(roles: string, webPort: number, dnsPort: number, env: Record<string, string>): Mfd {
  let output = "";
  const nodeArgs = (process.env.BENCH_MFD_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, MFD_BIN, "serve", "--roles", roles], {
    env: {
      ...process.env,
      ...env,
      MFD_LISTEN: `127.0.0.1:${webPort}`,
      MFD_PUBLIC_URL: `http://127.0.0.1:${webPort}`,
      MFD_DNS_LISTEN: `127.0.0.1:${dnsPort}`,
      MFD_DEV: "1",
      MFD_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  return { child, dnsPort, output: () => output, stop: () => stopChild(child) };
}

/** CPU time (user + system, ms) of a process and its descendants, from /proc (10 ms ticks). */
function cpuMsOf(pid: number): number {
  let ms = 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    for (const task of readdirSync(`/proc/${pid}/task`))
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8")
        .split(" ")
        .filter(Boolean))
        ms += cpuMsOf(Number(child));
  } catch {}
  return ms;
}

/** Resident and peak resident memory of a process, in MB (Linux /proc). */
function memoryOf(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb("VmRSS") / 1024), peakRssMb: Math.round(kb("VmHWM") / 1024) };
}

/** Waits until `port` answers the last zone's SOA; the time since `since`. */
async function untilAnswering(client: DnsClient, mfd: Mfd, since: number): Promise<number> {
  for (;;) {
    if (mfd.child.exitCode !== null) throw new Error(`mfd exited with ${mfd.child.exitCode}`);
    const answer = await client.ask(mfd.dnsPort, origin(ZONES - 1), "SOA", 200);
    if (hasAnswer(answer)) return performance.now() - since;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** How many zones `port` answers the SOA of, asked with at most 200 questions in flight. */
async function zonesServed(client: DnsClient, port: number, origins: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (let i = 0; i < origins.length; i += 200)
    await Promise.all(
      origins.slice(i, i + 200).map(async (apex) => {
        const answer = await client.ask(port, apex, "SOA", 1000);
        if (!hasAnswer(answer)) missing.push(apex);
      }),
    );
  return missing;
}

// ---- dnsperf -----------------------------------------------------------------------------------

/** A deterministic shuffle's randomness (the query file is the same from run to run). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function writeQueryFile(path: string, lines: number): void {
  const random = seeded(10);
  const pick = (n: number) => Math.floor(random() * n);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const roll = random();
    const apex = origin(pick(ZONES));
    if (roll < 0.8) {
      const questions = questionsOf(apex);
      const [name, type] = questions[pick(questions.length)] as [string, string];
      out.push(`${name} ${type}`);
    } else if (roll < 0.95) out.push(`nx${pick(1_000_000)}.${apex} A`);
    else out.push(`www.outside${pick(ZONES)}.example A`);
  }
  writeFileSync(path, `${out.join("\n")}\n`);
}

interface PerfRound {
  server: string;
  qps: number;
  /** The server's CPU time (user + system, all its processes) per answered query: less sensitive to the machine's other load than qps. */
  cpuUsPerQuery: number;
  sent: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
  rcodes: Record<string, number>;
  load: string;
}

async function dnsperf(
  server: string,
  port: number,
  pid: number,
  queryFile: string,
  pace: { seconds: number; qps?: number },
): Promise<PerfRound> {
  const load1 = load();
  const cpuBefore = cpuMsOf(pid);
  // -v reports every answer's rcode and latency: p99 comes from there (dnsperf prints only the mean).
  const { stdout } = await promisify(execFile)(
    DNSPERF,
    [
      "-s",
      "127.0.0.1",
      "-p",
      String(port),
      "-d",
      queryFile,
      "-l",
      String(pace.seconds),
      ...(pace.qps ? ["-Q", String(pace.qps)] : []),
      "-c",
      "4",
      "-q",
      "100",
      "-e",
      "-v",
    ],
    { maxBuffer: 1024 * 1024 * 1024 },
  );
  const cpuMs = cpuMsOf(pid) - cpuBefore;
  const latencies: number[] = [];
  const rcodes: Record<string, number> = {};
  for (const line of stdout.split("\n")) {
    const match = /^> (\S+) .* ([\d.]+)$/.exec(line);
    if (!match) continue;
    const rcode = match[1] as string;
    rcodes[rcode] = (rcodes[rcode] ?? 0) + 1;
    latencies.push(Number(match[2]) * 1000);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.floor(q * (latencies.length - 1))] ?? Number.NaN) * 100) / 100;
  const field = (name: string) => Number(new RegExp(`${name}:\\s+([\\d.]+)`).exec(stdout)?.[1] ?? Number.NaN);
  return {
    server,
    qps: Math.round(field("Queries per second")),
    cpuUsPerQuery: Math.round((cpuMs * 1000) / Math.max(1, field("Queries completed"))),
    sent: field("Queries sent"),
    lost: field("Queries lost"),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    rcodes,
    load: `${load1} → ${load()}`,
  };
}

// ---- the records API ---------------------------------------------------------------------------

async function signIn(url: string): Promise<Record<string, string>> {
  const response = await fetch(`${url}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(OWNER),
  });
  if (response.status !== 200) throw new Error(`sign-in: ${response.status} ${await response.text()}`);
  const cookie = cookiesOf(response);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { "content-type": "application/json", cookie, "x-csrf-token": csrfToken, origin: url };
}

async function addRecord(
  url: string,
  headers: Record<string, string>,
  zone: string,
  name: string,
  data: string,
) {
  const response = await fetch(`${url}/api/v1/domains/${zone}/dns/records`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name, type: "A", data }),
  });
  if (response.status !== 201) throw new Error(`POST ${name}: ${response.status} ${await response.text()}`);
}

/** Asks `port` for `name` A every 2 ms until it has an answer; when, in ms since `since`. */
async function untilAnswered(client: DnsClient, port: number, name: string, since: number): Promise<number> {
  for (;;) {
    const answer = await client.ask(port, name, "A", 200);
    if (hasAnswer(answer)) return performance.now() - since;
    if (performance.now() - since > 30_000) throw new Error(`${name} not answered on ${port} after 30 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN) * 10) / 10;
};

/** The figures the issue aims at, one per line, before the JSON with everything. */
function summaryOf(r: Record<string, unknown>): string {
  // biome-ignore lint/suspicious/noExplicitAny: the results object is assembled above, printed here.
  const x = r as any;
  const lines = [`## mfd DNS figures (${x.dialect}, ${ZONES} zones)`];
  const perf = x.dnsperf;
  if (perf)
    lines.push(
      `mfd ÷ NSD, queries/s:          ${perf.ratio}  (aim ≥ 0.5; mfd ${perf.mfd.qps} q/s, NSD ${perf.nsd.qps} q/s, mean of ${ROUNDS} rounds)`,
      `CPU per query, mfd / NSD:     ${perf.mfd.cpuUsPerQuery} / ${perf.nsd.cpuUsPerQuery} µs  (NSD ÷ mfd ${perf.cpuRatio})`,
      `p99 at ${perf.pacedQps} q/s, mfd / NSD:  ${perf.mfd.p99MsAtPacedRate} / ${perf.nsd.p99MsAtPacedRate} ms`,
    );
  lines.push(
    `load of the zones at start:   ${x.start.loaderMs} ms  (aim ≤ 2000 ms)`,
    `RSS with the zones loaded:    ${x.start.rssMb} MB  (aim ≤ 300 MB; peak ${x.start.peakRssMb} MB)`,
  );
  if (x.afterQueries)
    lines.push(
      `RSS after the query rounds:   ${x.afterQueries.rssMb} MB  (answers cached; peak ${x.afterQueries.peakRssMb} MB)`,
    );
  lines.push(
    `change → answer, same process p50 / max:  ${x.changeToAnswer.sameProcessMs.p50} / ${x.changeToAnswer.sameProcessMs.max} ms`,
    `change → answer, other process p50 / max: ${x.changeToAnswer.otherProcessMs.p50} / ${x.changeToAnswer.otherProcessMs.max} ms`,
    `records API, sequential writes: ${x.writes.perSecond}/s  (aim ≥ 1500/s; p50 ${x.writes.p50Ms} ms)`,
    `load average (1, 5, 15 min) at the end: ${load()}`,
  );
  return lines.join("\n");
}

// ---- the run -----------------------------------------------------------------------------------

const storage = await benchDatabase("dns");
const env = {
  ...storage.env,
  MFD_SERVICE_DOMAIN: "mfd.bench",
  MFD_NAME_SERVERS: "ns1.mfd.bench,ns2.mfd.bench",
};
await ensureBuilt();
const client = new DnsClient();
const stops: Array<() => Promise<void>> = [];
try {
  say(`seeding ${ZONES} zones × 20 records (${storage.dialect})`);
  const seedStart = performance.now();
  await seed(env);
  results.seedMs = Math.round(performance.now() - seedStart);

  // 2a. Start of a dns-only process: the one dnsperf measures and the "other process" of the delays.
  const nsdPort = await freeDnsPort();
  const dnsPort = await freeDnsPort();
  const started = performance.now();
  const dnsOnly = startMfd("dns", WEB_PORT + 1, dnsPort, {
    ...env,
    MFD_DNS_SECONDARIES: `127.0.0.1:${nsdPort}`,
  });
  stops.push(dnsOnly.stop);
  const answeringMs = await untilAnswering(client, dnsOnly, started);
  const logged = /zones loaded in (\d+) ms \(heap \+?(-?\d+) MB\)/.exec(dnsOnly.output());
  results.start = {
    zones: ZONES,
    loaderMs: Number(logged?.[1]),
    heapMb: Number(logged?.[2]),
    spawnToFirstAnswerMs: Math.round(answeringMs),
    ...memoryOf(dnsOnly.child.pid as number),
    load: load(),
  };
  say(`dns role started: ${JSON.stringify(results.start)}`);

  if (WITH_DNSPERF) {
    // 1. NSD transfers every zone from mfd. The role answers AXFR when it wires the secondaries;
    // otherwise an mfd server in this process (same loader, same ZoneSet, src/dns/secondaries.ts)
    // is the primary NSD transfers from.
    let primaryPort = dnsPort;
    let transferServer: DnsServer | null = null;
    const probe = await axfrRcode(dnsPort, origin(0));
    if (probe === "NOERROR") results.transferFrom = "the measured `mfd serve --roles dns` process";
    else {
      const config = loadConfig({ ...process.env, ...env });
      const database = openDatabase(config.databaseUrl);
      const zones = new ZoneSet();
      const secondaries = createSecondaries({
        zones,
        secondaries: [{ host: "127.0.0.1", port: nsdPort }],
        key: null,
      });
      for (const zone of (await loadAllZones(database.db, config)).values())
        secondaries.setZone(zone as Zone);
      await database.destroy();
      transferServer = await startDnsServer({
        zones,
        host: "127.0.0.1",
        port: 0,
        log: () => {},
        onTransfer: secondaries.onTransfer,
      });
      primaryPort = transferServer.udpPort;
      results.transferFrom = `an mfd server in the bench process (the role answered AXFR with ${probe})`;
    }
    say(`NSD transfers ${ZONES} zones from ${results.transferFrom}`);
    // In memory, one serving process like mfd's one, response rate limiting off as mfd has none.
    const nsd = await startNsd({
      port: nsdPort,
      primary: { host: "127.0.0.1", port: primaryPort },
      zones: Array.from({ length: ZONES }, (_, i) => origin(i)),
      key: null,
      verbosity: 0,
    });
    stops.push(nsd.stop);
    const transferStart = performance.now();
    let missing = Array.from({ length: ZONES }, (_, i) => origin(i));
    while (missing.length > 0) {
      if (!nsd.running()) throw new Error(`nsd exited: ${nsd.log()}`);
      if (performance.now() - transferStart > 600_000)
        throw new Error(`NSD lacks ${missing.length} zones after 10 min`);
      await new Promise((r) => setTimeout(r, 1000));
      missing = await zonesServed(client, nsdPort, missing);
    }
    results.transferMs = Math.round(performance.now() - transferStart);
    await transferServer?.close();
    say(`NSD serves all ${ZONES} zones after ${results.transferMs} ms`);

    const queryFile = join(tmpdir(), `mfd-bench-dns-queries-${process.pid}.txt`);
    writeQueryFile(queryFile, 200_000);
    // A first round right after start runs mfd's code before V8 has optimised it (and NSD before
    // its caches are warm): reported, not averaged.
    const mfdPid = dnsOnly.child.pid as number;
    const warmUp = [
      await dnsperf("mfd", dnsPort, mfdPid, queryFile, { seconds: WARM_UP_SECONDS }),
      await dnsperf("nsd", nsdPort, nsd.pid, queryFile, { seconds: WARM_UP_SECONDS }),
    ];
    say(`warm-up ${JSON.stringify(warmUp)}`);
    const rounds: PerfRound[] = [];
    const paced: PerfRound[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved, and who goes first alternates, so a change in the machine's load hits both.
      const order: Array<[string, number, number]> = [
        ["mfd", dnsPort, mfdPid],
        ["nsd", nsdPort, nsd.pid],
      ];
      if (round % 2 === 1) order.reverse();
      for (const [server, port, pid] of order) {
        const result = await dnsperf(server, port, pid, queryFile, { seconds: SECONDS });
        rounds.push(result);
        say(`dnsperf ${JSON.stringify(result)}`);
      }
    }
    // Latency at the same offered load for both: at saturation it is mostly queueing (100 queries
    // outstanding ÷ qps), so p99 is compared at a rate both sustain.
    for (const [server, port, pid] of [
      ["mfd", dnsPort, mfdPid],
      ["nsd", nsdPort, nsd.pid],
    ] as const) {
      const result = await dnsperf(server, port, pid, queryFile, { seconds: SECONDS, qps: PACED_QPS });
      paced.push(result);
      say(`dnsperf at ${PACED_QPS}/s ${JSON.stringify(result)}`);
    }
    rmSync(queryFile, { force: true });
    const of = (server: string) => rounds.filter((r) => r.server === server);
    const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);
    const summary = (server: string) => ({
      qps: mean(of(server).map((r) => r.qps)),
      cpuUsPerQuery: mean(of(server).map((r) => r.cpuUsPerQuery)),
      p99MsSaturated: Math.max(...of(server).map((r) => r.p99Ms)),
      p99MsAtPacedRate: paced.find((r) => r.server === server)?.p99Ms,
    });
    const mfdFigures = summary("mfd");
    const nsdFigures = summary("nsd");
    results.dnsperf = {
      warmUp,
      rounds,
      paced,
      pacedQps: PACED_QPS,
      mfd: mfdFigures,
      nsd: nsdFigures,
      ratio: Math.round((mfdFigures.qps / nsdFigures.qps) * 100) / 100,
      cpuRatio: Math.round((nsdFigures.cpuUsPerQuery / mfdFigures.cpuUsPerQuery) * 100) / 100,
    };
    // With every answer the queries asked cached: the memory of a server that has been answering.
    results.afterQueries = { ...memoryOf(mfdPid), load: load() };
    await nsd.stop();
    stops.splice(stops.indexOf(nsd.stop), 1);
  }

  // 2b. API change → answer, in the process that took the change and in the dns-only one.
  const webDnsPort = await freeDnsPort();
  const webStarted = performance.now();
  const web = startMfd("web,dns", WEB_PORT, webDnsPort, env);
  stops.push(web.stop);
  await waitReady(`http://127.0.0.1:${WEB_PORT}`, web.child);
  await untilAnswering(client, web, webStarted);
  results.webDnsStart = {
    spawnToAnswerMs: Math.round(performance.now() - webStarted),
    ...memoryOf(web.child.pid as number),
  };
  const url = `http://127.0.0.1:${WEB_PORT}`;
  const headers = await signIn(url);
  const same: number[] = [];
  const other: number[] = [];
  const response: number[] = [];
  say(`${CHANGES} changes through the API, each polled on both DNS ports`);
  for (let i = 0; i < CHANGES; i++) {
    // A random pause, so changes fall anywhere in the dns-only process's catch-up period.
    await new Promise((r) => setTimeout(r, Math.random() * 1000));
    const name = `delay${i}`;
    const fqdn = `${name}.${origin(0)}`;
    const sent = performance.now();
    const written = addRecord(url, headers, origin(0), name, "192.0.2.7").then(
      () => performance.now() - sent,
    );
    const [inProcess, elsewhere, answered] = await Promise.all([
      untilAnswered(client, webDnsPort, fqdn, sent),
      untilAnswered(client, dnsPort, fqdn, sent),
      written,
    ]);
    same.push(inProcess);
    other.push(elsewhere);
    response.push(answered);
  }
  results.changeToAnswer = {
    changes: CHANGES,
    apiResponseMs: { p50: percentile(response, 0.5), max: percentile(response, 1) },
    sameProcessMs: { p50: percentile(same, 0.5), p99: percentile(same, 0.99), max: percentile(same, 1) },
    otherProcessMs: { p50: percentile(other, 0.5), p99: percentile(other, 0.99), max: percentile(other, 1) },
    load: load(),
  };
  say(`change → answer ${JSON.stringify(results.changeToAnswer)}`);

  // 3. Sequential writes, one after another, for WRITE_SECONDS.
  const latencies: number[] = [];
  const until = performance.now() + WRITE_SECONDS * 1000;
  for (let i = 0; performance.now() < until; i++) {
    const sent = performance.now();
    await addRecord(url, headers, origin(1), `w${i}`, `198.51.100.${(i % 250) + 1}`);
    latencies.push(performance.now() - sent);
  }
  results.writes = {
    perSecond: Math.round(latencies.length / WRITE_SECONDS),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    load: load(),
  };
  say(`writes ${JSON.stringify(results.writes)}`);
  results.dialect = storage.dialect;
  console.log(summaryOf(results));
  console.log(JSON.stringify(results, null, 2));
} finally {
  client.close();
  for (const stop of stops.reverse()) await stop();
  await storage.remove();
}
