/**
 * Issue 10 figure: records API writes per second, sequential (one request after another, as an
 * operator's script does), against a real `mfd serve` — the aim is ≥ 10× the ≈ 150/s measured for
 * PowerDNS's HTTP API. Every write is a whole change: record, serial, audit event (and NOTIFY on
 * PostgreSQL) in one transaction.
 *
 *   npx tsx bench/records-write.ts                                                     SQLite
 *   MFD_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/records-write.ts
 *
 * BENCH_SECONDS (default 10). BENCH_MFD_NODE_ARGS adds node options to the server (e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof"). Besides writes/s (which a busy machine lowers), the
 * server's CPU time per write (user + system, from /proc) is printed.
 */
import { readFileSync } from "node:fs";
import { AccountsService } from "../src/accounts/accounts.service.js";
import { SessionsService } from "../src/accounts/sessions.service.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { systemClock } from "../src/lib/clock.js";
import { Outbox } from "../src/notify/outbox.js";
import { benchDatabase, startMfd } from "./lib.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const NOW = Date.now();
const OWNER = { login: "zoneowner", password: "bench owner passphrase 2026" };
const DOMAIN = "records-bench.org";
const storage = await benchDatabase("records");
const env = { ...storage.env, MFD_SERVICE_DOMAIN: "mfd.bench" };

async function seed() {
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
  await database.db
    .insertInto("claims")
    .values({
      id: "claim-bench",
      publicId: "pbench",
      accountId: owner.accountId,
      domainName: DOMAIN,
      token: "t",
      status: "confirmed",
      createdAt: NOW,
      expiresAt: NOW,
      nextCheckAt: NOW,
    })
    .execute();
  await database.db
    .insertInto("domains")
    .values({
      id: "domain-bench",
      name: DOMAIN,
      ownerAccountId: owner.accountId,
      claimId: "claim-bench",
      confirmedAt: NOW,
      confirmedMethod: "txt",
      mxNextCheckAt: NOW + 86_400_000,
    })
    .execute();
  await database.destroy();
}

/** User + system CPU time of a process, ms (Linux /proc, 10 ms ticks). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

let mfd: Awaited<ReturnType<typeof startMfd>> | null = null;
try {
  await seed();
  mfd = await startMfd(18094, env, (process.env.BENCH_MFD_NODE_ARGS ?? "").split(" ").filter(Boolean));
  const signIn = await fetch(`${mfd.url}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(OWNER),
  });
  if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);
  const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const headers = { "content-type": "application/json", cookie, "x-csrf-token": csrfToken, origin: mfd.url };
  const latencies: number[] = [];
  const cpuBefore = cpuMs(mfd.pid);
  const until = performance.now() + SECONDS * 1000;
  for (let i = 0; performance.now() < until; i++) {
    const started = performance.now();
    const response = await fetch(`${mfd.url}/api/v1/domains/${DOMAIN}/dns/records`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: `host${i}`, type: "A", data: `198.51.100.${(i % 250) + 1}` }),
    });
    if (response.status !== 201) throw new Error(`write ${i}: ${response.status} ${await response.text()}`);
    latencies.push(performance.now() - started);
  }
  const cpuUsPerWrite = Math.round(((cpuMs(mfd.pid) - cpuBefore) * 1000) / latencies.length);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.floor(q * (latencies.length - 1))] as number) * 10) / 10;
  console.log(
    JSON.stringify({
      database: storage.dialect,
      writes: latencies.length,
      perSecond: Math.round(latencies.length / SECONDS),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      cpuUsPerWrite,
    }),
  );
} finally {
  await mfd?.stop();
  await storage.remove();
}
