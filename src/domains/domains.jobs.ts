import { systemContext } from "../access/actor.js";
import type { Deps } from "../deps.js";
import type { Job } from "../jobs/worker.js";
import { MINUTE } from "../lib/clock.js";
import { lifecycleOf } from "../lifecycle.js";
import { DomainChecker } from "./checking.js";
import { Verifier, verifierSettings } from "./verification/verifier.js";

/** Rows taken by one run; a row whose worker dies is taken again after the lease. */
const LEASE_MS = 10 * MINUTE;

export interface BatchOptions {
  /** Claims (and, as many again, domains) taken per run. */
  batchSize: number;
  /** Checks in flight at once: each is a handful of DNS queries and one HTTP fetch. */
  concurrency: number;
  verifier?: Verifier;
}

/**
 * bench/verify-claims.ts: 16 in flight checks ~650 claims/s on SQLite, ~820/s on PostgreSQL. At 64
 * the bursts of UDP answers overflow socket buffers while SQLite's synchronous commits hold the
 * event loop; the lost answers time out (failures, retried later) and throughput drops to a third.
 */
export const DEFAULT_BATCH: BatchOptions = { batchSize: 200, concurrency: 16 };

/**
 * One run of the background checks: due pending claims (ownership, with back-off) and due
 * confirmed domains (mail routing). Rows are leased with one conditional UPDATE, so several
 * processes on one PostgreSQL never check the same row twice. Returns how many it checked.
 */
export async function runDomainChecks(deps: Deps, options: BatchOptions = DEFAULT_BATCH): Promise<number> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const checker = new DomainChecker(
    deps,
    options.verifier ?? new Verifier(verifierSettings(deps.config)),
    lifecycleOf(deps),
  );
  const ctx = systemContext(now);

  const claims = await db
    .updateTable("claims")
    .set({ nextCheckAt: now + LEASE_MS })
    .where("id", "in", (eb) =>
      eb
        .selectFrom("claims")
        .select("id")
        .where("status", "=", "pending")
        .where("nextCheckAt", "<=", now)
        .where("expiresAt", ">", now)
        .orderBy("nextCheckAt")
        .limit(options.batchSize),
    )
    // Re-evaluated after a concurrent worker's update: a row it took is no longer due.
    .where("nextCheckAt", "<=", now)
    .where("status", "=", "pending")
    .returningAll()
    .execute();
  const domains = await db
    .updateTable("domains")
    .set({ mxNextCheckAt: now + LEASE_MS })
    .where("id", "in", (eb) =>
      eb
        .selectFrom("domains")
        .select("id")
        .where("mxNextCheckAt", "<=", now)
        .orderBy("mxNextCheckAt")
        .limit(options.batchSize),
    )
    .where("mxNextCheckAt", "<=", now)
    .returningAll()
    .execute();

  const tasks: Array<() => Promise<unknown>> = [
    // The lease moved nextCheckAt; the check sets the real next time from the back-off.
    ...claims.map((claim) => () => checker.checkClaim(claim, "worker", ctx)),
    ...domains.map((domain) => () => checker.checkMx(domain, "worker", ctx)),
  ];
  const failures = await inPool(tasks, options.concurrency);
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} of ${tasks.length} domain checks failed`);
  }
  return tasks.length;
}

/** Runs tasks with at most `limit` in flight; collects failures instead of stopping at the first. */
async function inPool(tasks: Array<() => Promise<unknown>>, limit: number): Promise<unknown[]> {
  const failures: unknown[] = [];
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const task = tasks[next++] as () => Promise<unknown>;
      try {
        await task();
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return failures;
}

export const domainChecksJob: Job = {
  name: "check-domains",
  everyMs: 10_000,
  run: (deps) => runDomainChecks(deps),
};
