import type { Executor } from "../db/database.js";
import { newId } from "../lib/random.js";

export interface Message {
  channel: "email" | "sms";
  recipient: string;
  subject: string;
  body: string;
  accountId?: string | null;
}

/**
 * Notifications are rows in the outbox, written in the transaction of the change they report, and
 * delivered by the worker (see notify/delivery.ts). Nothing is sent from inside a request.
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
      })
      .execute();
  }
}
