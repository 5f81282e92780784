/**
 * 10,000 pending claims checked by the background job against the loopback test internet.
 *
 *   npx tsx bench/verify-claims.ts            (BENCH_CLAIMS, BENCH_CONCURRENCY, BENCH_BATCH to vary)
 *
 * The "internet" (resolver, parent-zone servers, web server) runs in a child process, so the
 * event-loop delay measured here is the worker's own. Claims are written straight to a fresh
 * SQLite file (or BENCH_DATABASE_URL); a quarter of them have proof published (TXT, CNAME, file,
 * delegation), the rest have nothing, like most pending claims. Prints wall time, throughput,
 * concurrency and the event-loop delay while the checks ran.
 */
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import type { Deps } from "../src/deps.js";
import { DEFAULT_BATCH, runDomainChecks } from "../src/domains/domains.jobs.js";
import { systemClock } from "../src/lib/clock.js";
import { createServices } from "../src/modules.js";
import { Outbox } from "../src/notify/outbox.js";

const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? DEFAULT_BATCH.concurrency);
const BATCH = Number(process.env.BENCH_BATCH ?? DEFAULT_BATCH.batchSize);
const SERVICE = "mfd.bench";
const RESOLUTION_MS = 1;

const domainOf = (i: number) => `bench-${i}.org`;
const publicIdOf = (i: number) => `b${String(i).padStart(9, "0")}`;
const tokenOf = (i: number) => createHash("sha256").update(`token-${i}`).digest("hex").slice(0, 32);
/** Which proof claim i has published: a quarter of them, one method each. */
const proofOf = (i: number): "txt" | "cname" | "file" | "delegation" | null =>
  (["txt", "cname", "file", "delegation"] as const)[i % 16] ?? null;

if (process.argv[2] === "--internet") {
  // The child: the loopback internet with every claim's records.
  const { TestInternet } = await import("../test/dns/internet.js");
  const internet = await TestInternet.start(["org"]);
  for (let i = 0; i < CLAIMS; i++) {
    const domain = domainOf(i);
    const proof = proofOf(i);
    if (proof === "txt")
      internet.publish(`_mfd-challenge.${domain}`, "TXT", `mfd-verification=${tokenOf(i)}`);
    if (proof === "cname") internet.publish(`mfd-${publicIdOf(i)}.${domain}`, "CNAME", `verify.${SERVICE}`);
    if (proof === "file") {
      internet.publish(domain, "A", "127.0.0.1");
      internet.serveFile(domain, `/.well-known/mfd-verification/${publicIdOf(i)}`, tokenOf(i));
    }
    if (proof === "delegation") internet.delegate(domain, [`${publicIdOf(i)}.ns1.${SERVICE}`]);
  }
  process.send?.({ env: internet.env() });
  process.on("message", async (message) => {
    if (message === "stats") {
      const queries =
        internet.resolver.queries.length + internet.parents.reduce((n, p) => n + p.queries.length, 0);
      process.send?.({ queries });
    }
    if (message === "stop") {
      await internet.close();
      process.exit(0);
    }
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ["--internet"], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, BENCH_CLAIMS: String(CLAIMS) },
  });
  const ask = <T>(message?: string) =>
    new Promise<T>((resolve) => {
      child.once("message", (answer) => resolve(answer as T));
      if (message) child.send(message);
    });
  const { env } = await ask<{ env: Record<string, string> }>();

  const dataDir = mkdtempSync(join(tmpdir(), "mfd-bench-verify-"));
  const config = loadConfig({
    MFD_SERVICE_DOMAIN: SERVICE,
    MFD_DATA_DIR: dataDir,
    MFD_DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "",
    ...env,
  });
  const database = openDatabase(config.databaseUrl);
  await migrate(database);
  const deps: Deps = { config, database, clock: systemClock, outbox: new Outbox() };
  // The lifecycle hooks a confirmation runs (the zone of src/zones/) come with the services.
  createServices(deps);

  const now = Date.now();
  const accounts = Array.from({ length: 100 }, (_, i) => `bench-account-${i}`);
  await database.db
    .insertInto("accounts")
    .values(
      accounts.map((id) => ({
        id,
        login: id,
        passwordHash: "-",
        firstName: "Bench",
        lastName: "Mark",
        createdAt: now,
        passwordChangedAt: now,
      })),
    )
    .execute();
  for (let start = 0; start < CLAIMS; start += 500) {
    const rows = [];
    for (let i = start; i < Math.min(CLAIMS, start + 500); i++) {
      rows.push({
        id: `claim-${i}`,
        publicId: publicIdOf(i),
        accountId: accounts[i % accounts.length] as string,
        domainName: domainOf(i),
        token: tokenOf(i),
        status: "pending" as const,
        createdAt: now,
        expiresAt: now + 7 * 86_400_000,
        nextCheckAt: now - 1,
      });
    }
    await database.db.insertInto("claims").values(rows).execute();
  }

  // The histogram's samples include the sampling interval itself: it is subtracted when printed.
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  const started = performance.now();
  let checked = 0;
  let runs = 0;
  for (;;) {
    const done = await runDomainChecks(deps, { batchSize: BATCH, concurrency: CONCURRENCY });
    if (done === 0) break;
    checked += done;
    runs++;
  }
  const seconds = (performance.now() - started) / 1000;
  delay.disable();

  const confirmed = await database.db
    .selectFrom("domains")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const { queries } = await ask<{ queries: number }>("stats");
  const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS).toFixed(1);
  console.log(`database          ${database.dialect}`);
  console.log(`claims checked    ${checked} in ${runs} job runs of up to ${BATCH}`);
  console.log(`confirmed         ${Number(confirmed.n)} (expected ${Math.ceil(CLAIMS / 4)})`);
  console.log(`concurrency       ${CONCURRENCY} checks in flight`);
  console.log(`wall time         ${seconds.toFixed(1)} s  (${Math.round(checked / seconds)} checks/s)`);
  console.log(
    `DNS queries       ${queries} answered by the test internet (${Math.round(queries / seconds)}/s)`,
  );
  console.log(
    `event-loop delay  p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms`,
  );

  child.send("stop");
  await database.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}
