/**
 * Moving a domain to another owner (issue 11): a domain with 10,000 and one with 100,000 mailboxes.
 *
 *   npx tsx bench/handover.ts                                   SQLite in a temporary data dir
 *   MFD_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/handover.ts
 *
 * The domains are seeded through the database (test/helpers/big-domain.ts). A real `mfd serve`
 * (web) serves an additional administrator's mailbox list reads — a deputy keeps the domain
 * through a move, so its reads are answered before, during and after — while this process moves
 * the domain back and forth through the hand-overs' public face (`moveDomain` in a transaction
 * that locks the domain row first, as a transfer or a restore does). Figures:
 *   - move: wall time of each move's transaction (begin → commit): the longest lock held;
 *   - reads: autocannon p99 of the list, in interleaved rounds without and with moves running;
 *     server CPU µs per request from /proc;
 *   - hold: one move transaction kept open HOLD_MS before it commits, reads issued meanwhile:
 *     if their longest latency is far below HOLD_MS, reads do not wait for a move.
 * BENCH_SECONDS (default 6) per read round.
 */
import { readdirSync, readFileSync } from "node:fs";
import { AccountsService } from "../src/accounts/accounts.service.js";
import { SessionsService } from "../src/accounts/sessions.service.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { inDomainTransaction } from "../src/db/transactions.js";
import { systemClock } from "../src/lib/clock.js";
import { createServices } from "../src/modules.js";
import { Outbox } from "../src/notify/outbox.js";
import { BIG_PASSWORD, seedBigDomain } from "../test/helpers/big-domain.js";
import { benchDatabase, cookiesOf, run, startMfd, summary } from "./lib.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const SIZES = (process.env.BENCH_SIZES ?? "10000,100000").split(",").map(Number);
const MOVES = Number(process.env.BENCH_MOVES ?? 30);
const HOLD_MS = 2000;
const PORT = 18190;
const READER = { login: "benchreader", password: BIG_PASSWORD };

const log = (message: string) => process.stderr.write(`${message}\n`);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2));
};

const storage = await benchDatabase("handover");
const env = {
  ...storage.env,
  MFD_SERVICE_DOMAIN: "mfd.bench",
  MFD_MAILBOX_LIMIT: String(Math.max(...SIZES) * 2),
};
const config = loadConfig({ ...process.env, ...env });
const database = openDatabase(config.databaseUrl);
await migrate(database);
const deps = { config, database, clock: systemClock, outbox: new Outbox() };
const services = createServices(deps);

// ---- seed ---------------------------------------------------------------------------------
const seedStart = now();
const reader = await new AccountsService(deps, new SessionsService(deps)).register(
  { actor: { kind: "visitor" }, ip: "127.0.0.1", userAgent: null, now: systemClock.now() },
  { ...READER, firstName: "Bench", lastName: "Reader" },
);
const domains: Array<{ size: number } & Awaited<ReturnType<typeof seedBigDomain>>> = [];
for (const size of SIZES) {
  const domain = await seedBigDomain(config, database, {
    mailboxes: size,
    name: `move-${size}.org`,
    logins: [`own${size}`, `tgt${size}`],
  });
  await database.db
    .insertInto("deputies")
    .values({
      domainId: domain.domainId,
      accountId: reader.accountId,
      dnsGranted: 0,
      createdAt: systemClock.now(),
    })
    .execute();
  domains.push({ size, ...domain });
}
log(`seeded ${SIZES.join(" + ")} mailboxes in ${Math.round(now() - seedStart)} ms`);

// ---- the server and its CPU ---------------------------------------------------------------
function serverPid(): number | null {
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, "utf8").trim();
    for (const pid of children.split(/\s+/).filter(Boolean)) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmdline.includes("src/main.ts") && cmdline.includes("serve")) return Number(pid);
    }
  }
  return null;
}
/** User + system CPU of a process in µs (clock ticks of 10 ms). */
const cpuMicros = (pid: number | null) => {
  if (pid === null) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

const mfd = await startMfd(PORT, env);
const pid = serverPid();
try {
  const signIn = await fetch(`${mfd.url}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(READER),
  });
  if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);
  const headers = { cookie: cookiesOf(signIn) };

  /** One move of the domain to whoever does not own it now; its transaction's wall time in ms. */
  const moveOnce = async (d: (typeof domains)[number], holdMs = 0) => {
    const current = await database.db
      .selectFrom("domains")
      .select("ownerAccountId")
      .where("id", "=", d.domainId)
      .executeTakeFirstOrThrow();
    const from = current.ownerAccountId as string;
    const to = from === d.ownerId ? d.targetId : d.ownerId;
    const ctx = { actor: { kind: "system" as const }, ip: null, userAgent: null, now: systemClock.now() };
    const started = now();
    await inDomainTransaction(
      database,
      async (tx) => {
        await services.handovers.moveDomain(tx, ctx, {
          domainId: d.domainId,
          fromAccountId: from,
          toAccountId: to,
          reason: "transfer",
        });
        if (holdMs) await sleep(holdMs);
      },
      { lock: { table: "domains", id: d.domainId } },
    );
    return now() - started;
  };

  const results = [];
  for (const d of domains) {
    const list = `${mfd.url}/api/v1/domains/${d.name}/mailboxes`;
    const check = await fetch(list, { headers });
    if (check.status !== 200) throw new Error(`list: ${check.status} ${await check.text()}`);
    const total = ((await check.json()) as { total: number }).total;

    log(`${d.name}: ${MOVES} moves on an idle server…`);
    const idleMoves: number[] = [];
    for (let i = 0; i < MOVES; i++) idleMoves.push(await moveOnce(d));

    const round = async (withMoves: boolean) => {
      const cpuBefore = cpuMicros(pid);
      const during: number[] = [];
      let running = true;
      const mover = (async () => {
        while (withMoves && running) {
          during.push(await moveOnce(d));
          await sleep(20);
        }
      })();
      const result = await run({ url: list, connections: 8, duration: SECONDS, headers });
      running = false;
      await mover;
      const requests = result.requests.total;
      return {
        withMoves,
        load: loadAverage(),
        ...summary(result),
        serverCpuMicrosPerRequest: requests ? Math.round((cpuMicros(pid) - cpuBefore) / requests) : null,
        moves: during.length,
        moveMsP50: during.length ? quantile(during, 0.5) : null,
        moveMsMax: during.length ? quantile(during, 1) : null,
      };
    };
    log(`${d.name}: interleaved read rounds, without and with moves…`);
    const rounds = [];
    for (let i = 0; i < 2; i++) rounds.push(await round(false), await round(true));

    log(`${d.name}: reads while one move holds its transaction ${HOLD_MS} ms…`);
    const latencies: number[] = [];
    let holding = true;
    const held = moveOnce(d, HOLD_MS).finally(() => {
      holding = false;
    });
    await sleep(50);
    let answeredWithOldOwnerVisible = 0;
    while (holding) {
      const started = now();
      const response = await fetch(list, { headers });
      await response.arrayBuffer();
      if (response.status === 200) answeredWithOldOwnerVisible++;
      latencies.push(now() - started);
    }
    const heldMs = await held;

    results.push({
      domain: d.name,
      mailboxes: total,
      idleMoveMs: {
        p50: quantile(idleMoves, 0.5),
        p99: quantile(idleMoves, 0.99),
        max: quantile(idleMoves, 1),
      },
      rounds,
      hold: {
        transactionMs: Math.round(heldMs),
        readsDuringHold: latencies.length,
        readsAnswered200: answeredWithOldOwnerVisible,
        readMsP50: quantile(latencies, 0.5),
        readMsMax: quantile(latencies, 1),
        readsWaited: quantile(latencies, 1) > HOLD_MS / 2,
      },
    });
  }

  const mailboxTotal = await database.db
    .selectFrom("mailboxes")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        database: storage.dialect,
        cpus: (await import("node:os")).cpus().length,
        loadAtEnd: loadAverage(),
        mailboxesInDatabase: Number(mailboxTotal.n),
        results,
      },
      null,
      2,
    ),
  );
} finally {
  await mfd.stop();
  await database.destroy();
  await storage.remove();
}
