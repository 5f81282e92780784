import type { Static } from "@sinclair/typebox";
import type { Actor, RequestContext } from "../access/actor.js";
import type { Executor } from "../db/database.js";
import { preparedQuery } from "../db/prepared.js";
import type { AuditEventsTable } from "../db/schema.js";
import { keysetPage } from "../lib/paging.js";
import { newId } from "../lib/random.js";
import { type AuditAction, CHECK_ACTIONS } from "./actions.js";
import type * as schemas from "./audit.schemas.js";

export interface AuditInput {
  action: AuditAction;
  /** The account whose security log this belongs to (shown to that account). */
  accountId?: string | null;
  domain?: string | null;
  /** The confirmed domain's row id, for events its owner sees on the domain's activity page. */
  domainId?: string | null;
  target?: string | null;
  details?: Record<string, unknown>;
  /**
   * Only for the system's doing inside someone's request (e.g. a recovery e-mail made unusable by a
   * domain's confirmation); otherwise the actor's kind says it (`auditActor`).
   */
  actorType?: "operator" | "system";
  /**
   * The support ticket the event belongs to. An agent's actions always name their ticket (taken
   * from the actor); a requester's or the system's events on a ticket pass it here.
   */
  ticketId?: string | null;
}

/** Every change writes one (src/db/prepared.ts: built once, not per event). */
const insertEvent = preparedQuery(
  (
    db,
    // The table's row, its two later columns (defaulted to null in the table) always given here.
    p: Omit<AuditEventsTable, "ticketId" | "userAgent"> & {
      ticketId: string | null;
      userAgent: string | null;
    },
  ) => db.insertInto("auditEvents").values({ ...p, action: p.action as AuditAction }),
);

/**
 * Appends an audit event. Call it with the transaction that makes the change, so the event and the
 * change are committed together or not at all. Never pass secrets in `details`.
 */
export async function recordEvent(db: Executor, ctx: RequestContext, input: AuditInput): Promise<void> {
  const actor = auditActor(ctx.actor);
  await insertEvent.run(db, {
    id: newId(),
    at: ctx.now,
    actorType: input.actorType ?? actor.type,
    actorId: actor.id,
    accountId: input.accountId ?? null,
    action: input.action,
    domain: input.domain ?? null,
    domainId: input.domainId ?? null,
    target: input.target ?? null,
    ip: ctx.ip,
    userAgent: ctx.userAgent?.slice(0, 300) ?? null,
    details: input.details ? JSON.stringify(input.details) : null,
    ticketId: ctx.actor.kind === "agent" ? ctx.actor.ticketId : (input.ticketId ?? null),
  });
}

/**
 * Who an audit row names. An operator acting as an account (`mfd mailboxes import --as`) is
 * recorded as that account, as the same change made through the API would be.
 */
function auditActor(actor: Actor): { type: AuditEventsTable["actorType"]; id: string | null } {
  switch (actor.kind) {
    case "visitor":
    case "system":
      return { type: actor.kind, id: null };
    case "operator":
      return actor.as ? { type: "account", id: actor.as.accountId } : { type: "operator", id: null };
    case "token":
      return { type: "token", id: actor.tokenId };
    case "account":
    case "agent":
      return { type: actor.kind, id: actor.accountId };
  }
}

/**
 * For `hitLimits`: a limit's refusals become one audit event per window (its first refused hit),
 * with the client's address, so a flood is visible without writing a row per request.
 */
export const recordRefusals =
  (db: Executor, ctx: RequestContext, limit: string) =>
  async (_refused: unknown, first: boolean): Promise<void> => {
    if (first) await recordEvent(db, ctx, { action: "request.rate-limited", details: { limit } });
  };

export type AuditEventView = Static<typeof schemas.AuditEvent>;

/** An account's own security events, newest first, keyset-paged by id (UUIDv7 sorts by time). */
export async function listAccountEvents(
  db: Executor,
  accountId: string,
  options: { limit: number; before?: string; kind?: "changes" | "checks" },
): Promise<{ events: AuditEventView[]; next: string | null }> {
  let query = db
    .selectFrom("auditEvents")
    .selectAll()
    .where("accountId", "=", accountId)
    .orderBy("id", "desc")
    .limit(options.limit + 1);
  if (options.before) query = query.where("id", "<", options.before);
  if (options.kind === "checks") query = query.where("action", "in", CHECK_ACTIONS);
  if (options.kind === "changes") query = query.where("action", "not in", CHECK_ACTIONS);
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
      userAgent: r.userAgent,
      details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    })),
    next,
  };
}

/** What a manager of the domain sees of an event: who acted as they may know it; ip of their own only. */
export type DomainEventView = Static<typeof schemas.DomainEvent>;

/** Who looks at a domain's activity: its owner, or a deputy with the sections they may see. */
export interface DomainViewer {
  accountId: string;
  role: "owner" | "deputy";
  /** A deputy sees DNS changes only where they may read DNS. */
  dnsRead: boolean;
}

/**
 * What happened on one confirmed domain (its row id, so one ownership), newest first,
 * keyset-paged by id. Callers check the viewer manages the domain. The owner sees every event and
 * the logins of the administrators who acted; a deputy sees the mailbox changes (and the DNS ones
 * when they may read DNS), never the administrators list's changes, and learns that "the owner" or
 * "an administrator" acted, never their logins (docs/SECURITY.md §41). Each sees "you" for their
 * own actions, with the address only for those.
 */
export async function listDomainEvents(
  db: Executor,
  domain: { id: string; ownerAccountId: string },
  viewer: DomainViewer,
  options: { limit: number; before?: string },
): Promise<{ events: DomainEventView[]; next: string | null }> {
  let query = db
    .selectFrom("auditEvents")
    .selectAll()
    .where("domainId", "=", domain.id)
    // A domain that moved to its owner (src/handovers/) shows them its events from the move on.
    .where((eb) =>
      eb(
        "at",
        ">=",
        eb
          .selectFrom("domains")
          .select((d) => d.fn.coalesce("domains.ownedSince", d.lit(0)).as("since"))
          .where("domains.id", "=", domain.id),
      ),
    )
    .orderBy("id", "desc")
    .limit(options.limit + 1);
  if (viewer.role === "deputy")
    query = query.where((eb) =>
      eb.or([eb("action", "like", "mailbox.%"), ...(viewer.dnsRead ? [eb("action", "like", "dns.%")] : [])]),
    );
  if (options.before) query = query.where("id", "<", options.before);
  const { shown, next } = keysetPage(await query.execute(), options.limit, (last) => last.id);

  // Who acted: an account directly, or the account holding the token (if the token still exists).
  const tokenIds = [...new Set(shown.filter((r) => r.actorType === "token").map((r) => r.actorId as string))];
  const tokens = tokenIds.length
    ? await db.selectFrom("apiTokens").select(["id", "accountId"]).where("id", "in", tokenIds).execute()
    : [];
  const holderOf = new Map(tokens.map((tk) => [tk.id, tk.accountId]));
  const accountOf = (r: (typeof shown)[number]): string | null =>
    r.actorType === "account"
      ? r.actorId
      : r.actorType === "token"
        ? (holderOf.get(r.actorId ?? "") ?? null)
        : null;
  // Logins only where the viewer may know them: the owner, of everyone; a deputy, of themselves.
  const named = [...new Set(shown.map(accountOf))].filter(
    (id): id is string => id !== null && (viewer.role === "owner" || id === viewer.accountId),
  );
  const accounts = named.length
    ? await db.selectFrom("accounts").select(["id", "login"]).where("id", "in", named).execute()
    : [];
  const loginOf = new Map(accounts.map((a) => [a.id, a.login]));

  return {
    events: shown.map((r) => {
      const actor = accountOf(r);
      const mine = actor !== null && actor === viewer.accountId;
      return {
        id: r.id,
        at: new Date(Number(r.at)).toISOString(),
        action: r.action,
        actorType: r.actorType,
        actorLogin: actor === null ? null : (loginOf.get(actor) ?? null),
        actorRole: actor === null ? null : actor === domain.ownerAccountId ? "owner" : "deputy",
        by:
          actor === null ? null : mine ? "you" : actor === domain.ownerAccountId ? "owner" : "administrator",
        target: r.target,
        ip: mine ? r.ip : null,
        details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
      };
    }),
    next,
  };
}
