import type { RequestContext } from "../access/actor.js";
import type { Executor } from "../db/database.js";
import { keysetPage } from "../lib/paging.js";
import { newId } from "../lib/random.js";
import type { AuditAction } from "./actions.js";

export interface AuditInput {
  action: AuditAction;
  /** The account whose security log this belongs to (shown to that account). */
  accountId?: string | null;
  domain?: string | null;
  target?: string | null;
  details?: Record<string, unknown>;
  /** For changes made outside a request: the operator's CLI or the system's own jobs. */
  actorType?: "operator" | "system";
}

/**
 * Appends an audit event. Call it with the transaction that makes the change, so the event and the
 * change are committed together or not at all. Never pass secrets in `details`.
 */
export async function recordEvent(db: Executor, ctx: RequestContext, input: AuditInput): Promise<void> {
  const actor = ctx.actor;
  await db
    .insertInto("auditEvents")
    .values({
      id: newId(),
      at: ctx.now,
      actorType:
        input.actorType ??
        (actor.kind === "visitor" ? "visitor" : actor.kind === "token" ? "token" : "account"),
      actorId: actor.kind === "visitor" ? null : actor.kind === "token" ? actor.tokenId : actor.accountId,
      accountId: input.accountId ?? null,
      action: input.action,
      domain: input.domain ?? null,
      target: input.target ?? null,
      ip: ctx.ip,
      details: input.details ? JSON.stringify(input.details) : null,
    })
    .execute();
}

export interface AuditEventView {
  id: string;
  at: string;
  action: string;
  actorType: string;
  domain: string | null;
  target: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
}

/** An account's own security events, newest first, keyset-paged by id (UUIDv7 sorts by time). */
export async function listAccountEvents(
  db: Executor,
  accountId: string,
  options: { limit: number; before?: string },
): Promise<{ events: AuditEventView[]; next: string | null }> {
  let query = db
    .selectFrom("auditEvents")
    .selectAll()
    .where("accountId", "=", accountId)
    .orderBy("id", "desc")
    .limit(options.limit + 1);
  if (options.before) query = query.where("id", "<", options.before);
  const { shown, next } = keysetPage(await query.execute(), options.limit, (last) => last.id);
  return {
    events: shown.map((r) => ({
      id: r.id,
      at: new Date(Number(r.at)).toISOString(),
      action: r.action,
      actorType: r.actorType,
      domain: r.domain,
      target: r.target,
      ip: r.ip,
      details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    })),
    next,
  };
}
