import type { Config } from "../config.js";
import type { Executor } from "../db/database.js";
import type { OutboxTable } from "../db/schema.js";
import type { Deps } from "../deps.js";
import type { Job } from "../jobs/worker.js";
import { HOUR, MINUTE } from "../lib/clock.js";
import { type Send, smsTransport, smtpTransport } from "./transports.js";

/** A message is tried this many times (about 22 hours in all) before it is given up. */
export const MAX_ATTEMPTS = 8;
/** The wait after the n-th failed attempt, n = 1…7; the 8th failure gives up. */
export const RETRY_DELAYS_MS = [30_000, 2 * MINUTE, 10 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR];
/**
 * A claimed message is not due again for this long, so another worker leaves it alone while it is
 * being sent; if the claiming worker dies, the message is retried when the lease runs out. Longer
 * than a transport can take (three steps of at most MFD_SMTP_TIMEOUT / MFD_SMS_TIMEOUT ≤ 60 s).
 */
export const LEASE_MS = 5 * MINUTE;
const BATCH = 20;
/** Outside development mode a delivered message keeps no body: codes do not stay at rest. */
export const DELIVERED_BODY = "[delivered]";
export const UNDELIVERED_BODY = "[not delivered]";

type Channel = OutboxTable["channel"];
type Route = { send: Send } | { devOutbox: true } | { missing: string };

export interface Transports {
  email: Send | null;
  sms: Send | null;
}

export const configuredTransports = (config: Config): Transports => ({
  email: smtpTransport(config),
  sms: smsTransport(config),
});

function routeFor(config: Config, transports: Transports, channel: Channel): Route {
  const send = transports[channel];
  if (send) return { send };
  // In development mode a message without a transport is read at /dev/outbox instead.
  if (config.dev) return { devOutbox: true };
  return {
    missing:
      channel === "email"
        ? "no SMTP server is configured: set MFD_SMTP_URL"
        : "no SMS gateway is configured: set MFD_SMS_URL",
  };
}

export const retryDelay = (failedAttempts: number): number =>
  RETRY_DELAYS_MS[Math.min(failedAttempts, RETRY_DELAYS_MS.length) - 1] as number;

const errorText = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error).slice(0, 500);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`.slice(0, 500);
};

export const CHANNELS: readonly Channel[] = ["email", "sms"];

/**
 * Delivers the due outbox messages of the given channels, one bounded batch. Each message is first
 * claimed with a conditional update that moves it out of the due set (a lease), so several workers
 * on one database do not send it at the same time.
 *
 * Delivery is at least once, not exactly once: a worker that dies after the relay or gateway took
 * the message but before it was marked sent leaves the lease to run out, and the message goes
 * again. No protocol closes that gap (SMTP has no way to ask "did you get it?"), so a repeat is made
 * harmless instead: every attempt at one row carries the same Message-ID (e-mail) or
 * Idempotency-Key (SMS), and the body is the same, so a repeated code is the same code, still
 * valid once. An aborted `signal` (shutdown) stops the batch before the next message.
 */
export async function deliverDue(
  deps: Deps,
  transports = configuredTransports(deps.config),
  options: { channels?: readonly Channel[]; signal?: AbortSignal } = {},
): Promise<number> {
  const { db } = deps.database;
  const { config, clock } = deps;
  const now = clock.now();
  const due = await db
    .selectFrom("outbox")
    .select("id")
    .where("sentAt", "is", null)
    .where("failedAt", "is", null)
    .where("nextAttemptAt", "<=", now)
    // A code past its time is useless and must not arrive late; the scrub job closes the row.
    .where((eb) => eb.or([eb("expiresAt", "is", null), eb("expiresAt", ">", now)]))
    .where("channel", "in", [...(options.channels ?? CHANNELS)])
    .orderBy("nextAttemptAt")
    .orderBy("id")
    .limit(BATCH)
    .execute();

  let handled = 0;
  for (const { id } of due) {
    if (options.signal?.aborted) break;
    const claimed = await db
      .updateTable("outbox")
      .set((eb) => ({ attempts: eb("attempts", "+", 1), nextAttemptAt: now + LEASE_MS }))
      .where("id", "=", id)
      .where("sentAt", "is", null)
      .where("failedAt", "is", null)
      .where("nextAttemptAt", "<=", now)
      .returning(["id", "channel", "recipient", "subject", "body", "attempts", "replyTo"])
      .executeTakeFirst();
    if (!claimed) continue; // another worker has it
    handled += 1;

    const route = routeFor(config, transports, claimed.channel);
    if ("devOutbox" in route) {
      await markSent(db, claimed.id, clock.now(), null);
      continue;
    }
    if ("missing" in route) {
      await markFailed(db, claimed.id, clock.now(), route.missing, config.dev);
      continue;
    }
    try {
      await route.send(claimed);
    } catch (error) {
      const at = clock.now();
      if (claimed.attempts >= MAX_ATTEMPTS) {
        await markFailed(db, claimed.id, at, errorText(error), config.dev);
      } else {
        await db
          .updateTable("outbox")
          .set({ nextAttemptAt: at + retryDelay(claimed.attempts), lastError: errorText(error) })
          .where("id", "=", claimed.id)
          .where("sentAt", "is", null)
          .execute();
      }
      continue;
    }
    await markSent(db, claimed.id, clock.now(), config.dev ? null : DELIVERED_BODY);
  }
  return handled;
}

async function markSent(db: Executor, id: string, at: number, scrubbedBody: string | null): Promise<void> {
  await db
    .updateTable("outbox")
    .set({ sentAt: at, lastError: null, ...(scrubbedBody !== null ? { body: scrubbedBody } : {}) })
    .where("id", "=", id)
    .execute();
}

async function markFailed(db: Executor, id: string, at: number, reason: string, dev: boolean): Promise<void> {
  await db
    .updateTable("outbox")
    .set({ failedAt: at, lastError: reason, ...(dev ? {} : { body: UNDELIVERED_BODY }) })
    .where("id", "=", id)
    .where("sentAt", "is", null)
    .execute();
}

/**
 * Delivers due outbox messages of every channel in one run (tests, one-off runs). The worker runs
 * `deliveryJobs` instead.
 */
export const deliveryJob: Job = {
  name: "deliver-outbox",
  everyMs: 2_000,
  run: (deps, signal) => deliverDue(deps, undefined, { signal }),
};

/**
 * One job per channel (e-mail over SMTP, SMS through the HTTP gateway), with retries: a relay that
 * hangs holds only its own channel's job, so SMS codes do not wait behind e-mail.
 */
export const deliveryJobs: Job[] = CHANNELS.map((channel) => ({
  name: `deliver-${channel}`,
  everyMs: 2_000,
  run: (deps, signal) => deliverDue(deps, undefined, { channels: [channel], signal }),
}));

export interface OutboxEntry {
  id: string;
  channel: Channel;
  recipient: string;
  subject: string;
  body: string;
  createdAt: string;
  sentAt: string | null;
  failedAt: string | null;
  attempts: number;
  lastError: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The newest messages first (the dev outbox and `mfd outbox list`). */
export async function listOutbox(db: Executor, limit: number): Promise<OutboxEntry[]> {
  const rows = await db
    .selectFrom("outbox")
    .select([
      "id",
      "channel",
      "recipient",
      "subject",
      "body",
      "createdAt",
      "sentAt",
      "failedAt",
      "attempts",
      "lastError",
    ])
    .orderBy("createdAt", "desc")
    .orderBy("id", "desc")
    .limit(Math.max(1, Math.min(limit, 1000)))
    .execute();
  return rows.map((r) => ({
    ...r,
    createdAt: new Date(r.createdAt).toISOString(),
    sentAt: iso(r.sentAt),
    failedAt: iso(r.failedAt),
  }));
}
