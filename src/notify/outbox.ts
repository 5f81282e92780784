import type { Executor } from "../db/database.js";
import { newId } from "../lib/random.js";

export interface Message {
  channel: "email" | "sms";
  recipient: string;
  subject: string;
  body: string;
  accountId?: string | null;
  /** For a message carrying a one-time code: when the code expires and the body is scrubbed. */
  expiresAt?: number;
  /** E-mail only: the Reply-To address (a support ticket's inbound address). */
  replyTo?: string;
}

/**
 * Notifications are rows in the outbox, written in the transaction of the change they report, and
 * delivered by the worker (see delivery/delivery.ts). Nothing is sent from inside a request.
 */
export class Outbox {
  async enqueue(db: Executor, now: number, message: Message): Promise<void> {
    await db
      .insertInto("outbox")
      .values({
        id: newId(),
        channel: message.channel,
        recipient: message.recipient,
        subject: message.subject,
        body: message.body,
        accountId: message.accountId ?? null,
        createdAt: now,
        nextAttemptAt: now,
        expiresAt: message.expiresAt ?? null,
        replyTo: message.replyTo ?? null,
      })
      .execute();
  }
}

export const EXPIRED_BODY = "[code expired]";

/**
 * Scrubs the bodies of messages whose code has expired, delivered or not: a code is not kept at
 * rest past its life. One not yet delivered is given up, as a dead code is no use to anyone.
 */
export async function scrubExpiredCodes(db: Executor, now: number): Promise<number> {
  await db
    .updateTable("outbox")
    .set({ failedAt: now, lastError: "the code expired before it could be delivered" })
    .where("expiresAt", "<=", now)
    .where("sentAt", "is", null)
    .where("failedAt", "is", null)
    .execute();
  const scrubbed = await db
    .updateTable("outbox")
    .set({ body: EXPIRED_BODY, expiresAt: null })
    .where("expiresAt", "<=", now)
    .executeTakeFirst();
  return Number(scrubbed.numUpdatedRows);
}
