import { sql } from "kysely";
import { AppError } from "../lib/errors.js";
import type { Executor } from "./database.js";

export interface Limit {
  /** What is counted, e.g. `sign-in:ip:1.2.3.4`. */
  key: string;
  max: number;
  windowMs: number;
}

/**
 * Counts one hit against each limit in fixed windows kept in the database (so every process of an
 * installation shares them) and throws RATE_LIMITED with `retryAfter` seconds when one is over.
 * `onRefused` hears of the refusal first (`first`: the window's first refused hit, so a flood is
 * recorded once per window rather than once per request).
 */
export async function hitLimits(
  db: Executor,
  now: number,
  limits: Limit[],
  onRefused?: (limit: Limit, first: boolean) => Promise<void>,
): Promise<void> {
  for (const limit of limits) {
    const windowStart = now - (now % limit.windowMs);
    const row = await db
      .insertInto("rateLimits")
      .values({ key: limit.key, windowStart, count: 1 })
      .onConflict((oc) =>
        oc.columns(["key", "windowStart"]).doUpdateSet({ count: sql`rate_limits.count + 1` }),
      )
      .returning("count")
      .executeTakeFirstOrThrow();
    if (row.count > limit.max) {
      const retryAfter = Math.max(1, Math.ceil((windowStart + limit.windowMs - now) / 1000));
      await onRefused?.(limit, row.count === limit.max + 1);
      throw new AppError("RATE_LIMITED", undefined, { retryAfter });
    }
  }
}

/** Current count in the window without counting a hit. */
export async function peekLimit(db: Executor, now: number, limit: Limit): Promise<number> {
  const windowStart = now - (now % limit.windowMs);
  const row = await db
    .selectFrom("rateLimits")
    .select("count")
    .where("key", "=", limit.key)
    .where("windowStart", "=", windowStart)
    .executeTakeFirst();
  return row?.count ?? 0;
}

/** Drops windows that ended long ago; the worker calls it. */
export async function pruneLimits(db: Executor, now: number, olderThanMs = 24 * 3600_000): Promise<void> {
  await db
    .deleteFrom("rateLimits")
    .where("windowStart", "<", now - olderThanMs)
    .execute();
}
