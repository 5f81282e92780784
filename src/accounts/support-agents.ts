import { operatorContext } from "../access/actor.js";
import { recordEvent } from "../audit/audit.service.js";
import type { Deps } from "../deps.js";
import { AppError } from "../lib/errors.js";

/**
 * The operator's CLI grants or removes the support role. Agents must use two-factor
 * (docs/SECURITY.md §6): the role is granted only to an account that has it on, and
 * the account cannot turn it off while it holds the role (settings.service.ts).
 */
export async function setSupportAgent(deps: Deps, login: string, agent: boolean): Promise<string> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const ctx = operatorContext(`mfd support-agent ${agent ? "add" : "remove"}`, now);
  return db.transaction().execute(async (tx) => {
    const account = await tx
      .selectFrom("accounts")
      .select(["id", "isSupportAgent", "totpEnabledAt"])
      .where("login", "=", login.trim().toLowerCase())
      .executeTakeFirst();
    if (!account) throw new AppError("ACCOUNT_NOT_FOUND", `No service account "${login}".`);
    if (agent && account.totpEnabledAt === null) {
      throw new AppError(
        "TWO_FACTOR_REQUIRED_FOR_ROLE",
        `${login} has two-factor authentication off: the account must turn it on (Account → Security) before it can be a support agent.`,
      );
    }
    await tx
      .updateTable("accounts")
      .set({ isSupportAgent: agent ? 1 : 0 })
      .where("id", "=", account.id)
      .execute();
    await recordEvent(tx, ctx, {
      action: agent ? "support-agent.add" : "support-agent.remove",
      accountId: account.id,
      target: account.id,
    });
    return `${login}: support role ${agent ? "granted" : "removed"}`;
  });
}
