import type { Static } from "@sinclair/typebox";
import type { RequestContext } from "../access/actor.js";
import { recordEvent } from "../audit/audit.service.js";
import type { Executor } from "../db/database.js";
import { preparedQuery } from "../db/prepared.js";
import type { Deps } from "../deps.js";
import { HOUR, MINUTE } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { newId, randomSecret, sha256 } from "../lib/random.js";
import type { SessionView as SessionViewSchema } from "./accounts.schemas.js";

/** docs/SECURITY.md §14: enforced on the server. */
export const SESSION_IDLE_MS = 30 * MINUTE;
export const SESSION_ABSOLUTE_MS = 12 * HOUR;
/** lastSeenAt is written at most this often, so reads do not turn into writes. */
const TOUCH_EVERY_MS = MINUTE;

export interface ResolvedSession {
  id: string;
  accountId: string;
  reauthAt: number;
  csrfToken: string;
  isSupportAgent: boolean;
  /** The session passed a two-factor code (at sign-in or a re-authentication). */
  twoFactor: boolean;
}

export type SessionView = Static<typeof SessionViewSchema>;

// Every request with a cookie runs these: built once (src/db/prepared.ts).
const sessionByHash = preparedQuery((db, p: { tokenHash: string }) =>
  db
    .selectFrom("sessions")
    .innerJoin("accounts", "accounts.id", "sessions.accountId")
    .select([
      "sessions.id",
      "sessions.accountId",
      "sessions.reauthAt",
      "sessions.csrfToken",
      "sessions.createdAt",
      "sessions.lastSeenAt",
      "accounts.isSupportAgent",
      "sessions.twoFactorAt",
    ])
    .where("sessions.tokenHash", "=", p.tokenHash),
);
const deleteSession = preparedQuery((db, p: { id: string }) =>
  db.deleteFrom("sessions").where("id", "=", p.id),
);
const touchSession = preparedQuery((db, p: { id: string; now: number }) =>
  db.updateTable("sessions").set({ lastSeenAt: p.now }).where("id", "=", p.id),
);

export class SessionsService {
  constructor(private readonly deps: Deps) {}

  /** Starts a session; returns the secret for the cookie (only its hash is stored). */
  async create(
    db: Executor,
    ctx: RequestContext,
    accountId: string,
    options: { twoFactor?: boolean } = {},
  ): Promise<{ token: string; csrfToken: string; id: string }> {
    const token = randomSecret(32);
    const csrfToken = randomSecret(24);
    const id = newId();
    await db
      .insertInto("sessions")
      .values({
        id,
        tokenHash: sha256(token),
        accountId,
        createdAt: ctx.now,
        lastSeenAt: ctx.now,
        reauthAt: ctx.now,
        csrfToken,
        ip: ctx.ip,
        userAgent: ctx.userAgent?.slice(0, 300) ?? null,
        twoFactorAt: options.twoFactor ? ctx.now : null,
      })
      .execute();
    return { token, csrfToken, id };
  }

  /** The live session behind a cookie value, or null when unknown, idle too long or too old. */
  async resolve(token: string, now: number): Promise<ResolvedSession | null> {
    const { db } = this.deps.database;
    const row = await sessionByHash.first(db, { tokenHash: sha256(token) });
    if (!row) return null;
    if (now - row.lastSeenAt > SESSION_IDLE_MS || now - row.createdAt > SESSION_ABSOLUTE_MS) {
      await deleteSession.run(db, { id: row.id });
      return null;
    }
    if (now - row.lastSeenAt >= TOUCH_EVERY_MS) await touchSession.run(db, { id: row.id, now });
    return {
      id: row.id,
      accountId: row.accountId,
      reauthAt: row.reauthAt,
      csrfToken: row.csrfToken,
      isSupportAgent: row.isSupportAgent === 1,
      twoFactor: row.twoFactorAt !== null,
    };
  }

  async list(ctx: RequestContext, accountId: string, currentId: string | null): Promise<SessionView[]> {
    const rows = await this.deps.database.db
      .selectFrom("sessions")
      .selectAll()
      .where("accountId", "=", accountId)
      // The same bounds as `resolve`: a session listed here is one its cookie still opens.
      .where("lastSeenAt", ">=", ctx.now - SESSION_IDLE_MS)
      .where("createdAt", ">=", ctx.now - SESSION_ABSOLUTE_MS)
      .orderBy("createdAt", "desc")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      createdAt: new Date(r.createdAt).toISOString(),
      lastSeenAt: new Date(r.lastSeenAt).toISOString(),
      ip: r.ip,
      userAgent: r.userAgent,
      current: r.id === currentId,
    }));
  }

  /** Ends one of the account's sessions; another account's session id answers NOT_FOUND. */
  async end(
    ctx: RequestContext,
    accountId: string,
    sessionId: string,
    reason: "sign-out" | "ended",
  ): Promise<void> {
    await this.deps.database.db.transaction().execute(async (tx) => {
      const deleted = await tx
        .deleteFrom("sessions")
        .where("id", "=", sessionId)
        .where("accountId", "=", accountId)
        .returning(["ip", "userAgent"])
        .executeTakeFirst();
      if (!deleted) throw new AppError("NOT_FOUND");
      await recordEvent(tx, ctx, {
        action: reason === "sign-out" ? "session.sign-out" : "session.end",
        accountId,
        target: sessionId,
        // Which device was signed out, for the account's activity (the event's own is the one acting).
        ...(reason === "ended" ? { details: endedSession(deleted) } : {}),
      });
    });
  }

  /**
   * Ends every session of the account except `keep` (all of them when null), in the caller's
   * transaction (a password change or reset ends them together with the change). Each live session ended gets its own audit event,
   * so the account's log says which devices were signed out; rows already past their timeouts are
   * removed silently. Returns how many live sessions ended.
   */
  async endOthersIn(
    db: Executor,
    ctx: RequestContext,
    accountId: string,
    keep: string | null,
    reason: "end-others" | "password-change" | "password-reset",
  ): Promise<number> {
    let query = db.deleteFrom("sessions").where("accountId", "=", accountId);
    if (keep) query = query.where("id", "!=", keep);
    const ended = await query.returning(["id", "createdAt", "lastSeenAt", "ip", "userAgent"]).execute();
    const live = ended.filter(
      (s) => ctx.now - s.lastSeenAt <= SESSION_IDLE_MS && ctx.now - s.createdAt <= SESSION_ABSOLUTE_MS,
    );
    for (const session of live) {
      await recordEvent(db, ctx, {
        action: "session.end",
        accountId,
        target: session.id,
        details: { reason, ...endedSession(session) },
      });
    }
    return live.length;
  }

  /** "End every other session" from the sessions page. */
  async endOthers(ctx: RequestContext, accountId: string, keep: string): Promise<number> {
    return this.deps.database.db
      .transaction()
      .execute((tx) => this.endOthersIn(tx, ctx, accountId, keep, "end-others"));
  }

  /**
   * Marks a session re-authenticated and rotates its secret (docs/SECURITY.md §13: new id at
   * re-authentication). Returns the new cookie value.
   */
  async rotateAfterReauth(
    db: Executor,
    sessionId: string,
    now: number,
    options: { twoFactor?: boolean } = {},
  ): Promise<string> {
    const token = randomSecret(32);
    await db
      .updateTable("sessions")
      .set({
        tokenHash: sha256(token),
        reauthAt: now,
        lastSeenAt: now,
        ...(options.twoFactor ? { twoFactorAt: now } : {}),
      })
      .where("id", "=", sessionId)
      .execute();
    return token;
  }
}

/** The ended session's address and browser, in its `session.end` event's details. */
const endedSession = (session: { ip: string | null; userAgent: string | null }) => ({
  ip: session.ip,
  userAgent: session.userAgent,
});
