import type { RequestContext } from "../access/actor.js";
import { recordEvent } from "../audit/audit.service.js";
import type { Deps } from "../deps.js";
import { AppError } from "../lib/errors.js";

/**
 * The operator's CLI grants or removes the support role. Agents must use two-factor
 * (product.md actors; security.md 6): the role is granted anyway, but the console refuses agent
 * work until two-factor is on, and the CLI says so.
 */
export async function setSupportAgent(deps: Deps, login: string, agent: boolean): Promise<string> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const ctx: RequestContext = { actor: { kind: "visitor" }, ip: null, userAgent: "mfd cli", now };
  return db.transaction().execute(async (tx) => {
    const account = await tx
      .selectFrom("accounts")
      .select(["id", "isSupportAgent", "totpEnabledAt"])
      .where("login", "=", login.trim().toLowerCase())
      .executeTakeFirst();
    if (!account) throw new AppError("ACCOUNT_NOT_FOUND", `No service account "${login}".`);
    await tx
      .updateTable("accounts")
      .set({ isSupportAgent: agent ? 1 : 0 })
      .where("id", "=", account.id)
      .execute();
    await recordEvent(tx, ctx, {
      action: agent ? "support-agent.add" : "support-agent.remove",
      accountId: account.id,
      target: account.id,
      actorType: "operator",
    });
    const warning =
      agent && account.totpEnabledAt === null
        ? " (two-factor is off: the account must enable it before working tickets)"
        : "";
    return `${login}: support role ${agent ? "granted" : "removed"}${warning}`;
  });
}
