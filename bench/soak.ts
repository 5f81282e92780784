/**
 * Issue 8 soak: a real `mfd serve` under mixed load while its database is interrupted once a
 * minute; does it keep serving, fail only during the interruptions, keep its memory flat and lose
 * nothing it acknowledged?
 *
 *   npx tsx bench/soak.ts                                                          SQLite
 *   MFD_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/soak.ts  PostgreSQL
 *
 * SOAK_SECONDS (default 600), SOAK_INTERRUPT_EVERY (seconds, default 60), SOAK_INTERRUPT_FOR
 * (seconds, default 7), SOAK_READERS (concurrent read loops, default 6).
 * Interruption: PostgreSQL — the bench database stops accepting connections and every mfd session
 * on it is terminated (pg_terminate_backend, filtered by the bench's own database); SQLite —
 * another connection holds the write lock (BEGIN IMMEDIATE), longer than mfd's lock wait.
 * Load, all to 127.0.0.1: signed-in reads (`GET /api/v1/account`), `/healthz`, `/readyz`, and a
 * registration every 250 ms (writes: account, session, audit event, rate-limit rows).
 */
import { join } from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { benchDatabase, randomClientIp, startMfd } from "./lib.js";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const EVERY = Number(process.env.SOAK_INTERRUPT_EVERY ?? 60) * 1000;
const FOR = Number(process.env.SOAK_INTERRUPT_FOR ?? 7) * 1000;
const READERS = Number(process.env.SOAK_READERS ?? 6);
const PORT = 18_400 + Math.floor(Math.random() * 500);
const PASSWORD = "soak bench passphrase 2026";
/** A request that started before an interruption ended and up to this long after still counts as during it. */
const GRACE_MS = 3000;

const storage = await benchDatabase("soak");
const mfd = await startMfd(PORT, { ...storage.env, MFD_SERVICE_DOMAIN: "mfd.bench", MFD_LOG_LEVEL: "fatal" });
const base = mfd.url;
const t0 = Date.now();

// --- interruptions -----------------------------------------------------------------------------
const windows: Array<{ from: number; to: number }> = [];
const pgUrl = storage.dialect === "postgres" ? new URL(storage.env.MFD_DATABASE_URL as string) : null;
const benchDbName = pgUrl?.pathname.slice(1) ?? "";
const adminUrl = pgUrl ? new URL(process.env.MFD_BENCH_PG as string) : null;

async function interrupt(): Promise<void> {
  const from = Date.now();
  if (adminUrl) {
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`alter database ${benchDbName} allow_connections false`);
    // Only the bench database's sessions: never another client of a shared server.
    await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [benchDbName],
    );
    await new Promise((resolve) => setTimeout(resolve, FOR));
    await admin.query(`alter database ${benchDbName} allow_connections true`);
    await admin.end();
  } else {
    const holder = new SQLite(join(storage.env.MFD_DATA_DIR as string, "mfd.sqlite"));
    holder.exec("begin immediate");
    await new Promise((resolve) => setTimeout(resolve, FOR));
    holder.exec("rollback");
    holder.close();
  }
  windows.push({ from, to: Date.now() });
}

let interrupting: number | null = null;
const inWindow = (start: number, end: number) =>
  windows.some((w) => start <= w.to + GRACE_MS && end >= w.from) ||
  (interrupting !== null && end >= interrupting);

// --- load --------------------------------------------------------------------------------------
interface Tally {
  ok: number;
  duringInterruption: Record<string, number>;
  outside: Record<string, number>;
}
const tally: Record<string, Tally> = {};
const count = (kind: string, start: number, outcome: string) => {
  const t = tally[kind] ?? { ok: 0, duringInterruption: {}, outside: {} };
  tally[kind] = t;
  if (outcome === "ok") {
    t.ok++;
    return;
  }
  const bucket = inWindow(start, Date.now()) ? t.duringInterruption : t.outside;
  bucket[outcome] = (bucket[outcome] ?? 0) + 1;
};

async function request(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: string; cookie: string | null }> {
  const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(60_000) });
  const body = await response.text();
  const cookie = /mfd_session=([^;]*)/.exec(response.headers.get("set-cookie") ?? "")?.[1] ?? null;
  return { status: response.status, body, cookie };
}

let registrations = 0;
const acknowledged: string[] = [];
async function register(): Promise<{ status: number; cookie: string | null; login: string; body: string }> {
  const login = `soak${++registrations}x${process.pid}`;
  const answer = await request("/api/v1/accounts", {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": randomClientIp() },
    body: JSON.stringify({ login, password: PASSWORD, firstName: "Soak", lastName: "Bench" }),
  });
  if (answer.status === 201) acknowledged.push(login);
  return { ...answer, login };
}

const outcomeOf = (status: number, body: string) => {
  if (status >= 200 && status < 300) return "ok";
  const code = /"code":"([A-Z_]+)"/.exec(body)?.[1];
  return `${status}${code ? ` ${code}` : ""}`;
};

async function timed(kind: string, run: () => Promise<{ status: number; body: string }>) {
  const start = Date.now();
  try {
    const { status, body } = await run();
    count(kind, start, outcomeOf(status, body));
  } catch (error) {
    count(kind, start, `network: ${(error as Error).cause ?? (error as Error).message}`);
  }
}

/** On any failure of the bench itself: stop the server and drop the data, then say why. */
async function abandon(error: unknown): Promise<never> {
  await mfd.stop().catch(() => {});
  await storage.remove().catch(() => {});
  console.error(error);
  process.exit(1);
}

const cookies: string[] = [];
for (let i = 0; i < 8; i++) {
  const { cookie, status, body } = await register().catch(abandon);
  if (status !== 201 || !cookie) await abandon(new Error(`seeding failed: ${status} ${body}`));
  cookies.push(cookie as string);
}

const deadline = t0 + SECONDS * 1000;
const running = () => Date.now() < deadline;

async function reader(n: number) {
  let i = 0;
  while (running()) {
    i++;
    if (i % 10 === 0) await timed("healthz", () => request("/healthz"));
    else if (i % 10 === 5) await timed("readyz", () => request("/readyz"));
    else {
      const cookie = cookies[(n + i) % cookies.length] as string;
      await timed("read account", () =>
        request("/api/v1/account", { headers: { cookie: `mfd_session=${cookie}` } }),
      );
    }
  }
}

async function writer() {
  while (running()) {
    const started = Date.now();
    await timed("register", register);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 400 - (Date.now() - started))));
  }
}

async function interrupter() {
  let next = t0 + EVERY / 2;
  while (next + FOR < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    interrupting = Date.now();
    await interrupt();
    interrupting = null;
    next += EVERY;
  }
}

const rss: Array<{ atSecond: number; mb: number }> = [];
async function memory() {
  while (running()) {
    try {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const bytes = Number(/^mfd_process_resident_memory_bytes (\S+)$/m.exec(metrics)?.[1]);
      if (bytes) rss.push({ atSecond: Math.round((Date.now() - t0) / 1000), mb: Math.round(bytes / 1e6) });
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
}

await Promise.all([
  ...Array.from({ length: READERS }, (_, n) => reader(n)),
  writer(),
  interrupter(),
  memory(),
]).catch(abandon);

// --- after: is everything acknowledged there? ---------------------------------------------------
const alive = (await request("/healthz").catch(() => ({ status: 0 }))).status === 200;
let found = 0;
if (pgUrl) {
  const client = new pg.Client({ connectionString: pgUrl.toString() });
  await client.connect();
  const { rows } = await client.query<{ n: number }>(
    "select count(*)::int as n from accounts where login = any($1)",
    [acknowledged],
  );
  found = rows[0]?.n ?? 0;
  await client.end();
}
await mfd.stop().catch(() => {});
if (!pgUrl) {
  // mfd.stop() removed only a data dir it made itself; this one belongs to benchDatabase.
  const check = new SQLite(join(storage.env.MFD_DATA_DIR as string, "mfd.sqlite"), { readonly: true });
  const statement = check.prepare("select 1 from accounts where login = ?");
  for (const login of acknowledged) if (statement.get(login)) found++;
  check.close();
}
await storage.remove();

const totals = Object.values(tally).reduce(
  (sum, t) => ({
    ok: sum.ok + t.ok,
    during: sum.during + Object.values(t.duringInterruption).reduce((a, b) => a + b, 0),
    outside: sum.outside + Object.values(t.outside).reduce((a, b) => a + b, 0),
  }),
  { ok: 0, during: 0, outside: 0 },
);
console.log(
  JSON.stringify(
    {
      database: storage.dialect,
      seconds: SECONDS,
      interruptions: windows.map((w) => ({
        atSecond: Math.round((w.from - t0) / 1000),
        forMs: w.to - w.from,
      })),
      requests: totals,
      byKind: tally,
      rssMb: rss,
      acknowledgedRegistrations: acknowledged.length,
      foundAfterwards: found,
      processAliveAtEnd: alive,
    },
    null,
    2,
  ),
);
process.exit(totals.outside === 0 && found === acknowledged.length && alive ? 0 : 1);
