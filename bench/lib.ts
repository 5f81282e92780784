import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import type { Kysely } from "kysely";
import pg from "pg";
import type { RequestContext } from "../src/access/actor.js";
import { AccountsService } from "../src/accounts/accounts.service.js";
import { SessionsService } from "../src/accounts/sessions.service.js";
import type { DB } from "../src/db/schema.js";
import type { Deps } from "../src/deps.js";
import { newId } from "../src/lib/random.js";
import { insertConfirmedDomain } from "../test/helpers/domains.js";

export type Result = autocannon.Result;

/** Starts `mfd serve` in its own process (as an operator would) and waits until /readyz answers. */
export async function startMfd(
  port: number,
  env: Record<string, string> = {},
  /** Options for node itself, before the script (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs: string[] = [],
  /** `--roles` of `mfd serve`. */
  roles = "web",
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const ownDir = env.MFD_DATA_DIR === undefined;
  const dataDir = env.MFD_DATA_DIR ?? mkdtempSync(join(tmpdir(), "mfd-bench-"));
  const child = spawn(
    process.execPath,
    [...nodeArgs, "--import", "tsx", "src/main.ts", "serve", "--roles", roles],
    {
      env: {
        ...process.env,
        MFD_LISTEN: `127.0.0.1:${port}`,
        MFD_PUBLIC_URL: `http://127.0.0.1:${port}`,
        MFD_DATA_DIR: dataDir,
        MFD_DEV: "1",
        MFD_LOG_LEVEL: "warn",
        MFD_TRUSTED_PROXY: "127.0.0.1",
        ...env,
      },
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child);
  } catch (error) {
    // Never leave a server behind when the bench gives up on it.
    await stopChild(child);
    throw error;
  }
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      await stopChild(child);
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A bare Fastify hello-world in its own process: the yardstick for the ratio figures. */
export async function startBareFastify(
  port: number,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const code = `import Fastify from "fastify"; const app = Fastify(); app.get("/", async () => ({ hello: "world" })); await app.listen({ port: ${port}, host: "127.0.0.1" }); console.log("ready");`;
  // Its stdout is not the bench's: a bench prints its results there.
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/`, child, "");
  return { url, pid: child.pid as number, stop: () => stopChild(child) };
}

export async function waitReady(url: string, child: ChildProcess, path = "/readyz"): Promise<void> {
  // Up to a minute: on a machine busy with other work, starting through tsx alone can take 20 s.
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}${path}`);
      if (response.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGTERM"); // not left behind holding the port
  throw new Error(`server at ${url} did not become ready`);
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export function run(options: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

export const summary = (r: Result) => ({
  requestsPerSecond: Math.round(r.requests.average),
  p50ms: r.latency.p50,
  p99ms: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors,
  total: r.requests.total,
});

/**
 * The `Cookie` header a browser sends back after `response`: every cookie it set — the session
 * and the console's hint, which the server otherwise sets again on each answer.
 */
export const cookiesOf = (response: Response): string =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");

/** Distinct client addresses (through the trusted proxy header) so per-IP limits do not shape the figures. */
export const randomClientIp = () =>
  `198.18.${Math.floor(Math.random() * 255)}.${1 + Math.floor(Math.random() * 254)}`;

/**
 * Where a bench keeps its data: SQLite in a temporary data dir, or, when MFD_BENCH_PG names a
 * PostgreSQL server, a temporary database on it. `env` is what `startMfd` and `loadConfig` take;
 * `remove` drops it all.
 */
export async function benchDatabase(
  label: string,
): Promise<{ env: Record<string, string>; dialect: "sqlite" | "postgres"; remove: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), `mfd-bench-${label}-`));
  const pgUrl = process.env.MFD_BENCH_PG ?? "";
  if (!pgUrl) {
    return {
      env: { MFD_DATA_DIR: dataDir, MFD_DATABASE_URL: "" },
      dialect: "sqlite",
      remove: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `mfd_bench_${label.replace(/\W/g, "_")}_${process.pid}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    env: { MFD_DATA_DIR: dataDir, MFD_DATABASE_URL: url.toString() },
    dialect: "postgres",
    remove: async () => {
      const cleanup = new pg.Client({ connectionString: pgUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes confirmed domains with their zones and records straight to the database, 200 domains a
 * transaction: the benches of DNS hosting load thousands, far faster than through the API.
 */
export async function seedHostedZones(
  db: Kysely<DB>,
  ownerAccountId: string,
  origins: readonly string[],
  recordsOf: (origin: string) => Array<[name: string, type: string, data: string]>,
  now: number,
): Promise<void> {
  for (let first = 0; first < origins.length; first += 200) {
    await db.transaction().execute(async (tx) => {
      const domains = origins.slice(first, first + 200).map((origin) => ({ id: newId(), origin }));
      const records = domains.flatMap(({ id, origin }) =>
        recordsOf(origin).map(([name, type, data]) => ({
          id: newId(),
          domainId: id,
          name,
          type,
          ttl: 3600,
          data,
          createdAt: now,
          updatedAt: now,
        })),
      );
      await tx
        .insertInto("claims")
        .values(
          domains.map(({ id, origin }) => ({
            id: `c${id}`,
            publicId: `p${id.slice(-12)}`,
            accountId: ownerAccountId,
            domainName: origin,
            token: "t",
            status: "confirmed" as const,
            createdAt: now,
            expiresAt: now,
            nextCheckAt: now,
          })),
        )
        .execute();
      await tx
        .insertInto("domains")
        .values(
          domains.map(({ id, origin }) => ({
            id,
            name: origin,
            ownerAccountId,
            claimId: `c${id}`,
            confirmedAt: now,
            confirmedMethod: "txt",
            mxNextCheckAt: now + 86_400_000,
          })),
        )
        .execute();
      await tx
        .insertInto("zones")
        .values(domains.map(({ id }) => ({ domainId: id, serial: 1, createdAt: now, updatedAt: now })))
        .execute();
      for (let at = 0; at < records.length; at += 1000)
        await tx
          .insertInto("dnsRecords")
          .values(records.slice(at, at + 1000))
          .execute();
    });
  }
}

/** The zone owner of the records benches: registered through the accounts service (a real password hash). */
export const ZONE_OWNER = { login: "zoneowner", password: "bench owner passphrase 2026" };

/** Registers ZONE_OWNER and gives it `domain`, confirmed (id "domain-bench"); returns the account's id. */
export async function seedZoneOwner(deps: Deps, domain: string, now: number): Promise<string> {
  const visitor: RequestContext = { actor: { kind: "visitor" }, ip: "127.0.0.1", userAgent: null, now };
  const owner = await new AccountsService(deps, new SessionsService(deps)).register(visitor, {
    ...ZONE_OWNER,
    firstName: "Zone",
    lastName: "Owner",
  });
  await insertConfirmedDomain(deps.database.db, {
    accountId: owner.accountId,
    name: domain,
    now,
    domainId: "domain-bench",
  });
  return owner.accountId;
}
