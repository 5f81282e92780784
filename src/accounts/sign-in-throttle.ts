import { sql } from "kysely";
import type { Executor } from "../db/database.js";
import { HOUR, MINUTE } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { newId, randomSecret, sha256 } from "../lib/random.js";

/** After this many consecutive failures further tries are slowed (growing delay). */
export const THROTTLE_AFTER_FAILURES = 10;
const MAX_THROTTLE_MS = 15 * MINUTE;
/** A failure run is forgotten this long after its last failure (accounts and unknown logins alike). */
export const FAILURE_MEMORY_MS = 24 * HOUR;
/** How long a browser that signed in stays recognised (its cookie's lifetime). */
export const DEVICE_LIFETIME_MS = 365 * 24 * HOUR;

/**
 * Who a sign-in's failures count against: a browser that signed in to the account before, the
 * account, or (no account) the login string itself. Each keeps its own run and throttle.
 */
export type FailureSubject =
  | { kind: "device"; deviceId: string }
  | { kind: "account"; accountId: string }
  | { kind: "login"; login: string };

/** When the throttle ends after the `failures`-th consecutive failure, or null below the threshold. */
export function throttledUntilAfter(failures: number, now: number): number | null {
  if (failures < THROTTLE_AFTER_FAILURES) return null;
  return now + Math.min(MAX_THROTTLE_MS, 2 ** (failures - THROTTLE_AFTER_FAILURES) * 1000);
}

/**
 * The answer while a subject is throttled: the password was not checked, so it says so (and when
 * to try again) instead of "wrong password". Unknown logins are throttled the same way, so the
 * answer tells nobody whether the login exists.
 */
export function throttledError(until: number, now: number): AppError {
  return new AppError("SIGN_IN_THROTTLED", undefined, {
    retryAfter: Math.max(1, Math.ceil((until - now) / 1000)),
  });
}

/** The subject's throttle end, if it is throttled at `now`. */
export async function throttledUntil(
  db: Executor,
  subject: FailureSubject,
  now: number,
): Promise<number | null> {
  let until: number | null | undefined;
  if (subject.kind === "account") {
    until = (
      await db
        .selectFrom("accounts")
        .select("throttledUntil")
        .where("id", "=", subject.accountId)
        .executeTakeFirst()
    )?.throttledUntil;
  } else if (subject.kind === "device") {
    until = (
      await db
        .selectFrom("signInDevices")
        .select("throttledUntil")
        .where("id", "=", subject.deviceId)
        .executeTakeFirst()
    )?.throttledUntil;
  } else {
    until = (
      await db
        .selectFrom("loginThrottles")
        .select("throttledUntil")
        .where("loginHash", "=", sha256(subject.login))
        .executeTakeFirst()
    )?.throttledUntil;
  }
  return until !== null && until !== undefined && until > now ? until : null;
}

/**
 * Counts one failure against the subject and throttles it from the THROTTLE_AFTER_FAILURES-th on.
 * Incremented in the database, not from a value read before the slow hash, so parallel wrong
 * passwords each count. A run whose last failure is older than FAILURE_MEMORY_MS starts again.
 */
export async function countFailure(
  db: Executor,
  subject: FailureSubject,
  now: number,
): Promise<{ failures: number; throttledUntil: number | null }> {
  const forgotten = now - FAILURE_MEMORY_MS;
  let failures: number;
  if (subject.kind === "login") {
    const row = await db
      .insertInto("loginThrottles")
      .values({ loginHash: sha256(subject.login), failedSignIns: 1, lastFailedSignInAt: now })
      .onConflict((oc) =>
        oc.column("loginHash").doUpdateSet({
          failedSignIns: sql`CASE WHEN login_throttles.last_failed_sign_in_at < ${forgotten} THEN 1 ELSE login_throttles.failed_sign_ins + 1 END`,
          lastFailedSignInAt: now,
        }),
      )
      .returning("failedSignIns")
      .executeTakeFirstOrThrow();
    failures = row.failedSignIns;
  } else {
    const table = subject.kind === "account" ? "accounts" : "signInDevices";
    const id = subject.kind === "account" ? subject.accountId : subject.deviceId;
    const row = await db
      .updateTable(table)
      .set({
        failedSignIns: sql`CASE WHEN last_failed_sign_in_at < ${forgotten} THEN 1 ELSE failed_sign_ins + 1 END`,
        lastFailedSignInAt: now,
      })
      .where("id", "=", id)
      .returning("failedSignIns")
      .executeTakeFirstOrThrow();
    failures = row.failedSignIns;
  }
  const until = throttledUntilAfter(failures, now);
  if (until !== null) {
    if (subject.kind === "login") {
      await db
        .updateTable("loginThrottles")
        .set({ throttledUntil: until })
        .where("loginHash", "=", sha256(subject.login))
        .execute();
    } else {
      await db
        .updateTable(subject.kind === "account" ? "accounts" : "signInDevices")
        .set({ throttledUntil: until })
        .where("id", "=", subject.kind === "account" ? subject.accountId : subject.deviceId)
        .execute();
    }
  }
  return { failures, throttledUntil: until };
}

/** The live device of `accountId` behind a device cookie value, or null. */
export async function recognisedDevice(
  db: Executor,
  token: string | null | undefined,
  accountId: string,
  now: number,
): Promise<{ id: string } | null> {
  if (!token) return null;
  const row = await db
    .selectFrom("signInDevices")
    .select(["id", "accountId"])
    .where("tokenHash", "=", sha256(token))
    .where("expiresAt", ">", now)
    .executeTakeFirst();
  // A device cookie of another account is no recognition for this one.
  return row && row.accountId === accountId ? { id: row.id } : null;
}

/**
 * After a successful sign-in: the known device's run ends and its life is renewed, or a new
 * device is recorded and its cookie value returned (only its hash is stored).
 */
export async function rememberDevice(
  db: Executor,
  accountId: string,
  known: { id: string } | null,
  now: number,
): Promise<string | null> {
  if (known) {
    await db
      .updateTable("signInDevices")
      .set({ lastUsedAt: now, expiresAt: now + DEVICE_LIFETIME_MS, failedSignIns: 0, throttledUntil: null })
      .where("id", "=", known.id)
      .execute();
    return null;
  }
  const token = randomSecret(32);
  await db
    .insertInto("signInDevices")
    .values({
      id: newId(),
      tokenHash: sha256(token),
      accountId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + DEVICE_LIFETIME_MS,
    })
    .execute();
  return token;
}

/** Drops expired devices and unknown logins' runs that are forgotten anyway; the worker calls it. */
export async function pruneSignInState(db: Executor, now: number): Promise<void> {
  await db.deleteFrom("signInDevices").where("expiresAt", "<", now).execute();
  await db
    .deleteFrom("loginThrottles")
    .where("lastFailedSignInAt", "<", now - FAILURE_MEMORY_MS)
    .where((eb) => eb.or([eb("throttledUntil", "is", null), eb("throttledUntil", "<", now)]))
    .execute();
}
