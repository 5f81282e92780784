import type { RequestContext } from "../access/actor.js";
import { recordEvent } from "../audit/audit.service.js";
import type { Executor } from "../db/database.js";
import { AppError } from "../lib/errors.js";
import type { LifecycleEvents, LifecycleHooks } from "../lifecycle.js";

export type MoveReason = LifecycleEvents["domain.moved"]["reason"];

export interface MoveInput {
  domainId: string;
  fromAccountId: string;
  toAccountId: string;
  reason: MoveReason;
  /** The hand-over doing the move: other open hand-overs of the domain end as superseded. */
  handoverId?: string;
}

/** States of a hand-over that is still under way. */
export const OPEN_STATES = ["awaiting-owner", "offered", "proving", "waiting"] as const;

/**
 * Moves a confirmed domain to another owner inside the caller's transaction (docs/handovers.md).
 * The owner changes only if it is still `fromAccountId`: a conditional update, so a move racing a
 * disconnect, another move or a cancel ends with exactly one outcome (STATE_CHANGED for the loser,
 * docs/SECURITY.md §40). Everything hanging off the domain row — mailboxes, aliases, the zone and
 * its records, deputies — stays, since it is the same row; the new owner stops being a deputy;
 * the old owner's API tokens lose the domain (`domain.moved` handlers). Sessions check ownership on
 * every request, so the old owner gets NOT_FOUND at once (§39). Nothing here depends on the
 * number of mailboxes: the move is a handful of rows however large the domain.
 */
export async function moveDomain(
  tx: Executor,
  ctx: RequestContext,
  lifecycle: LifecycleHooks,
  input: MoveInput,
): Promise<{ tokens: number; name: string }> {
  const { domainId, fromAccountId, toAccountId, reason } = input;
  if (fromAccountId === toAccountId) throw new AppError("TRANSFER_TO_SELF");
  const moved = await tx
    .updateTable("domains")
    .set({ ownerAccountId: toAccountId, ownedSince: ctx.now })
    .where("id", "=", domainId)
    .where("ownerAccountId", "=", fromAccountId)
    .executeTakeFirst();
  if (moved.numUpdatedRows === 0n)
    throw new AppError("STATE_CHANGED", "The domain was disconnected or changed owner meanwhile.");
  const domain = await tx
    .selectFrom("domains")
    .select(["name", "claimId"])
    .where("id", "=", domainId)
    .executeTakeFirstOrThrow();

  // The claim that proved the domain goes with it; the new owner's own claims of the name (pending,
  // or closed as occupied) mean nothing now.
  await tx
    .deleteFrom("claims")
    .where("accountId", "=", toAccountId)
    .where("domainName", "=", domain.name)
    .where("id", "!=", domain.claimId)
    .execute();
  await tx.updateTable("claims").set({ accountId: toAccountId }).where("id", "=", domain.claimId).execute();

  let tokens = 0;
  // The new owner was a deputy: the membership goes, and with it what they held through it.
  const membership = await tx
    .deleteFrom("deputies")
    .where("domainId", "=", domainId)
    .where("accountId", "=", toAccountId)
    .executeTakeFirst();
  if (membership.numDeletedRows > 0n)
    tokens +=
      (await lifecycle.emit(tx, ctx, "deputy.removed", { domainId, accountId: toAccountId })).tokens ?? 0;
  tokens +=
    (await lifecycle.emit(tx, ctx, "domain.moved", { domainId, fromAccountId, toAccountId, reason }))
      .tokens ?? 0;

  // Other hand-overs of the domain were about the old ownership.
  await tx
    .updateTable("handovers")
    .set({ state: "cancelled", endReason: "superseded", updatedAt: ctx.now })
    .where("domainId", "=", domainId)
    .where("state", "in", [...OPEN_STATES])
    .$if(input.handoverId !== undefined, (qb) => qb.where("id", "!=", input.handoverId as string))
    .execute();

  const event = { action: "domain.move" as const, domain: domain.name, details: { reason, tokens } };
  // The old owner's log keeps the move (the domain's activity is the new owner's from now on).
  await recordEvent(tx, { ...ctx, ip: null }, { ...event, accountId: fromAccountId });
  await recordEvent(tx, ctx, { ...event, accountId: toAccountId, domainId });
  return { tokens, name: domain.name };
}
