import { operatorContext } from "../access/actor.js";
import { recordEvent } from "../audit/audit.service.js";
import type { Deps } from "../deps.js";

/**
 * The operator's `mfd sessions end-all`: ends every browser session of every account and, with
 * `revokeTokens`, revokes every API token. Run after restoring a backup, where sessions signed out
 * and tokens revoked since the backup was taken would otherwise work again; everyone signs in
 * afresh. One transaction; each ended session and revoked token is an audit event in its
 * account's log, with the operator as actor.
 */
export async function endEverySession(
  deps: Deps,
  options: { revokeTokens: boolean },
): Promise<{ sessions: number; tokens: number }> {
  const now = deps.clock.now();
  const ctx = operatorContext("mfd sessions end-all", now);
  return deps.database.db.transaction().execute(async (tx) => {
    const sessions = await tx.deleteFrom("sessions").returning(["id", "accountId"]).execute();
    for (const session of sessions) {
      await recordEvent(tx, ctx, {
        action: "session.end",
        accountId: session.accountId,
        target: session.id,
        details: { reason: "operator" },
      });
    }
    if (!options.revokeTokens) return { sessions: sessions.length, tokens: 0 };
    const tokens = await tx
      .updateTable("apiTokens")
      .set({ revokedAt: now })
      .where("revokedAt", "is", null)
      .returning(["id", "accountId", "name"])
      .execute();
    for (const token of tokens) {
      await recordEvent(tx, ctx, {
        action: "token.revoke",
        accountId: token.accountId,
        target: token.id,
        details: { name: token.name, reason: "operator" },
      });
    }
    return { sessions: sessions.length, tokens: tokens.length };
  });
}
