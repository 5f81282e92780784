import type { Selectable } from "kysely";
import { actingAccountOf, type RequestContext, systemContext } from "../access/actor.js";
import { recordEvent } from "../audit/audit.service.js";
import { warnIfRecoveryEmailManaged } from "../credentials/recovery-email.js";
import type { Executor } from "../db/database.js";
import type { ClaimsTable, DomainsTable } from "../db/schema.js";
import { isUniqueViolation } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { parentNames, unicodeName } from "../lib/domain-names.js";
import { newId } from "../lib/random.js";
import type { LifecycleHooks } from "../lifecycle.js";
import { tellAccount } from "../notify/account-notices.js";
import { MX_OK_RECHECK_MS, nextCheckDelay } from "./claims.js";
import type { ClaimOutcome, MxOutcome, Verifier } from "./verification/verifier.js";

export type ClaimRow = Selectable<ClaimsTable>;
export type DomainRow = Selectable<DomainsTable>;

export type Trigger = "manual" | "worker";
export type ClaimCheckResult = "confirmed" | "not-confirmed" | "occupied" | "gone";

class ClaimGone extends Error {}

/**
 * Whether another account holds the name or a name it sits under (sub.example.org is not free
 * while example.org is someone else's). A name under the account's own domain is free for it.
 */
export async function occupiedByAnother(db: Executor, name: string, accountId: string): Promise<boolean> {
  const holder = await db
    .selectFrom("domains")
    .select("id")
    .where("name", "in", [name, ...parentNames(name)])
    .where("ownerAccountId", "!=", accountId)
    .executeTakeFirst();
  return holder !== undefined;
}

/**
 * Closes pending claims of other accounts that can no longer succeed — on the name, and on names
 * under it when `underToo` — as "occupied": kept (without their check history) so their accounts
 * are answered DOMAIN_OCCUPIED rather than NOT_FOUND, each logged in its account's security log as
 * the system's doing and told to its contacts. Nothing names the account that holds the domain.
 */
export async function closeClaimsAsOccupied(
  tx: Executor,
  deps: Deps,
  now: number,
  where: { name: string; exceptAccountId: string; underToo: boolean },
): Promise<void> {
  const closed = await tx
    .updateTable("claims")
    .set({ status: "occupied" })
    .where((eb) =>
      where.underToo
        ? eb.or([eb("domainName", "=", where.name), eb("domainName", "like", `%.${where.name}`)])
        : eb("domainName", "=", where.name),
    )
    .where("accountId", "!=", where.exceptAccountId)
    .where("status", "=", "pending")
    .returning(["id", "accountId", "publicId", "domainName"])
    .execute();
  if (closed.length === 0) return;
  await tx
    .deleteFrom("domainChecks")
    .where(
      "claimId",
      "in",
      closed.map((c) => c.id),
    )
    .execute();
  for (const claim of closed) {
    await recordEvent(tx, systemContext(now), {
      action: "domain.claim.close",
      accountId: claim.accountId,
      domain: claim.domainName,
      target: claim.publicId,
      actorType: "system",
      details: { reason: "occupied" },
    });
    await tellClaimOccupied(tx, deps, now, claim.accountId, claim.domainName);
  }
}

/** The notice to a claimant whose claim was closed: what happened and what they can do. */
async function tellClaimOccupied(
  tx: Executor,
  deps: Deps,
  now: number,
  accountId: string,
  name: string,
): Promise<void> {
  const shown = unicodeName(name);
  await tellAccount(tx, deps, now, accountId, (login) => ({
    subject: `Your claim on ${shown} was closed`,
    body:
      `${shown} (or a domain it belongs to) has been confirmed by another account on mfd, so your ` +
      `claim on it for ${login}@${deps.config.serviceDomain} was closed. If the domain is ` +
      `yours, use "Restore access to a domain" at ${deps.config.publicUrl} or contact support; ` +
      "otherwise there is nothing to do.",
  }));
}

/** The audit fields of a claim's check: the claimant's log, the system's doing when the worker checks. */
const claimAudit = (claim: ClaimRow, trigger: Trigger) => ({
  accountId: claim.accountId,
  domain: claim.domainName,
  target: claim.publicId,
  actorType: trigger === "worker" ? ("system" as const) : undefined,
});

const mxResult = (mx: MxOutcome): string =>
  ({ ok: "mx-ok", wrong: "mx-wrong", absent: "mx-not-found", failed: "mx-failed" })[mx.result];

/**
 * Runs a claim's or a domain's check and records it: one domain_checks row (scoped to the claim,
 * so it leaves with it) and one audit event per attempt, in the transaction of the state change.
 * Shared by "check now" and the background worker.
 */
export class DomainChecker {
  constructor(
    private readonly deps: Deps,
    private readonly verifier: Verifier,
    private readonly lifecycle: LifecycleHooks,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * Checks a pending claim once. Each outcome is settled by its own method: closed as occupied,
   * not confirmed (yet), confirmed, or lost to a concurrent confirmation.
   */
  async checkClaim(claim: ClaimRow, trigger: Trigger, ctx: RequestContext): Promise<ClaimCheckResult> {
    // A claim left over from a race with another account's confirmation, or under a domain another
    // account holds, can never succeed.
    if (await occupiedByAnother(this.db, claim.domainName, claim.accountId)) {
      await this.db.transaction().execute((tx) => this.closeAsOccupied(tx, claim, ctx, trigger));
      return "occupied";
    }
    const outcome = await this.verifier.verifyClaim({
      domain: claim.domainName,
      claimId: claim.publicId,
      token: claim.token,
    });
    if (outcome.method === null) return this.recordNotConfirmed(claim, outcome, trigger, ctx);
    const mx = await this.verifier.checkMx(claim.domainName);
    return this.confirm(claim, outcome, mx, trigger, ctx);
  }

  /** No method proved ownership: the attempt is recorded; "gone" when the claim left meanwhile. */
  private async recordNotConfirmed(
    claim: ClaimRow,
    outcome: ClaimOutcome,
    trigger: Trigger,
    ctx: RequestContext,
  ): Promise<ClaimCheckResult> {
    const now = ctx.now;
    const audit = claimAudit(claim, trigger);
    const updated = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable("claims")
        .set({
          lastCheckAt: now,
          delegated: outcome.delegated ? 1 : 0,
          // Only background checks move the back-off; "check now" must not push the next one away.
          ...(trigger === "worker"
            ? { attempts: claim.attempts + 1, nextCheckAt: now + nextCheckDelay(claim.attempts + 1) }
            : {}),
        })
        .where("id", "=", claim.id)
        .where("status", "=", "pending")
        .executeTakeFirst();
      if (Number(row.numUpdatedRows) === 0) return false;
      await insertCheck(
        tx,
        claim.id,
        now,
        trigger,
        "ownership",
        "not-confirmed",
        null,
        results(outcome),
        ctx,
      );
      await recordEvent(tx, ctx, {
        ...audit,
        action: "domain.check",
        details: { trigger, result: "not-confirmed", methods: summary(outcome) },
      });
      return true;
    });
    return updated ? "not-confirmed" : "gone";
  }

  /**
   * Ownership proved: the domain is created and the claim confirmed in one transaction, unless a
   * domain above it was confirmed by another account meanwhile (occupied) or a concurrent check
   * inserted the name first (see settleLostInsert).
   */
  private async confirm(
    claim: ClaimRow,
    outcome: ClaimOutcome,
    mx: MxOutcome,
    trigger: Trigger,
    ctx: RequestContext,
  ): Promise<ClaimCheckResult> {
    const now = ctx.now;
    const audit = claimAudit(claim, trigger);
    try {
      return await this.db.transaction().execute(async (tx): Promise<ClaimCheckResult> => {
        // A domain above this one confirmed by another account meanwhile (the name itself is
        // decided by the unique index below).
        if (await occupiedByAnother(tx, claim.domainName, claim.accountId)) {
          await this.closeAsOccupied(tx, claim, ctx, trigger);
          return "occupied";
        }
        // First, so that of concurrent confirmations all but one stop here on the unique name.
        const domainId = newId();
        await tx
          .insertInto("domains")
          .values({
            id: domainId,
            name: claim.domainName,
            ownerAccountId: claim.accountId,
            claimId: claim.id,
            confirmedAt: now,
            confirmedMethod: outcome.method as string,
            mxOk: mx.result === "ok" ? 1 : 0,
            mxCheckedAt: now,
            mxNextCheckAt: now + (mx.result === "ok" ? MX_OK_RECHECK_MS : nextCheckDelay(0)),
            mxAttempts: 0,
            delegated: outcome.delegated ? 1 : 0,
          })
          .execute();
        const confirmed = await tx
          .updateTable("claims")
          .set({ status: "confirmed", lastCheckAt: now, delegated: outcome.delegated ? 1 : 0 })
          .where("id", "=", claim.id)
          .where("status", "=", "pending")
          .executeTakeFirst();
        if (Number(confirmed.numUpdatedRows) === 0) throw new ClaimGone();
        // What a confirmed domain starts with (its DNS zone) comes in this commit.
        await this.lifecycle.emit(tx, ctx, "domain.confirmed", {
          domainId,
          name: claim.domainName,
          accountId: claim.accountId,
        });
        // Other accounts' claims on the name and on names under it are closed (told and kept as
        // occupied, without their histories).
        await closeClaimsAsOccupied(tx, this.deps, now, {
          name: claim.domainName,
          exceptAccountId: claim.accountId,
          underToo: true,
        });
        await insertCheck(
          tx,
          claim.id,
          now,
          trigger,
          "ownership",
          "confirmed",
          outcome.method,
          results(outcome),
          ctx,
        );
        await insertCheck(tx, claim.id, now, trigger, "mx", mxResult(mx), null, { mx: mx }, ctx);
        await recordEvent(tx, ctx, {
          ...audit,
          action: "domain.check",
          details: { trigger, result: "confirmed", methods: summary(outcome) },
        });
        await recordEvent(tx, ctx, {
          ...audit,
          action: "domain.confirm",
          details: { method: outcome.method },
        });
        await warnIfRecoveryEmailManaged(tx, this.deps, ctx, claim.accountId, claim.domainName);
        return "confirmed";
      });
    } catch (error) {
      if (error instanceof ClaimGone) return "gone";
      if (!isUniqueViolation(error)) throw error;
      return this.settleLostInsert(claim, trigger, ctx);
    }
  }

  /** The unique name refused this claim's domain: another check of it, or another account, won. */
  private async settleLostInsert(
    claim: ClaimRow,
    trigger: Trigger,
    ctx: RequestContext,
  ): Promise<ClaimCheckResult> {
    const audit = claimAudit(claim, trigger);
    // A concurrent check of this same claim ("check now" while the worker has it) won the
    // insert: the domain is this claim's, which is no "occupied" for its own account.
    const winner = await this.db
      .selectFrom("domains")
      .select("claimId")
      .where("name", "=", claim.domainName)
      .executeTakeFirst();
    if (winner?.claimId === claim.id) return "confirmed";
    // Another account confirmed first; its transaction closed this claim.
    await recordEvent(this.db, ctx, {
      ...audit,
      action: "domain.check",
      details: { trigger, result: "occupied" },
    });
    return "occupied";
  }

  /** Closes this one claim as occupied, with its check attempt in the claimant's log. */
  private async closeAsOccupied(
    tx: Executor,
    claim: ClaimRow,
    ctx: RequestContext,
    trigger: Trigger,
  ): Promise<void> {
    const closed = await tx
      .updateTable("claims")
      .set({ status: "occupied" })
      .where("id", "=", claim.id)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (Number(closed.numUpdatedRows) === 0) return;
    await tx.deleteFrom("domainChecks").where("claimId", "=", claim.id).execute();
    await recordEvent(tx, ctx, {
      accountId: claim.accountId,
      domain: claim.domainName,
      target: claim.publicId,
      actorType: trigger === "worker" ? "system" : undefined,
      action: "domain.check",
      details: { trigger, result: "occupied" },
    });
    await tellClaimOccupied(tx, this.deps, ctx.now, claim.accountId, claim.domainName);
  }

  /** Re-checks where a confirmed domain's mail goes (and whether it is delegated to us). */
  async checkMx(domain: DomainRow, trigger: Trigger, ctx: RequestContext): Promise<boolean> {
    const [mx, delegated] = await Promise.all([
      this.verifier.checkMx(domain.name),
      this.verifier.delegatedToUs(domain.name),
    ]);
    const now = ctx.now;
    // A failed lookup says nothing about the MX: keep the last known state rather than flap.
    const mxOk = mx.result === "failed" ? domain.mxOk : mx.result === "ok" ? 1 : 0;
    const attempts = mxOk === 1 ? 0 : domain.mxAttempts + 1;
    return this.db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable("domains")
        .set({
          mxOk,
          mxCheckedAt: now,
          ...(delegated !== null ? { delegated: delegated ? 1 : 0 } : {}),
          ...(trigger === "worker"
            ? {
                mxAttempts: attempts,
                mxNextCheckAt: now + (mxOk === 1 ? MX_OK_RECHECK_MS : nextCheckDelay(attempts)),
              }
            : {}),
        })
        .where("id", "=", domain.id)
        .where("claimId", "=", domain.claimId)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await insertCheck(tx, domain.claimId, now, trigger, "mx", mxResult(mx), null, { mx }, ctx);
      // Background MX checks run for every domain all the time: logged when something changed.
      if (trigger === "manual" || mxOk !== domain.mxOk) {
        await recordEvent(tx, ctx, {
          action: "domain.mx-check",
          accountId: domain.ownerAccountId,
          domain: domain.name,
          actorType: trigger === "worker" ? "system" : undefined,
          details: { trigger, result: mxResult(mx) },
        });
      }
      return true;
    });
  }
}

function results(outcome: ClaimOutcome): Record<string, { result: string; detail: string }> {
  return { ...outcome.methods };
}

const summary = (outcome: ClaimOutcome): Record<string, string> =>
  Object.fromEntries(Object.entries(outcome.methods).map(([method, o]) => [method, o.result]));

/**
 * Checks kept per claim: a confirmed domain is re-checked every few hours for as long as it is
 * connected, so without a bound its history (and the table) would grow forever. The audit log
 * keeps the record of attempts; this is the recent history the console shows.
 */
export const CHECK_HISTORY_LIMIT = 100;

async function insertCheck(
  db: Executor,
  claimId: string,
  at: number,
  trigger: Trigger,
  kind: "ownership" | "mx",
  result: string,
  method: string | null,
  details: Record<string, { result: string; detail: string }>,
  /** Whose request ran a manual check (`checkedBy`), for "by you" / "by the owner" in the history. */
  ctx: RequestContext,
): Promise<void> {
  const checkedBy = trigger === "manual" ? actingAccountOf(ctx.actor) : null;
  await db
    .insertInto("domainChecks")
    .values({
      id: newId(),
      claimId,
      at,
      trigger,
      kind,
      result,
      method,
      details: JSON.stringify(details),
      checkedBy,
    })
    .execute();
  // Ids grow with time (newest first by id, as the history lists them): drop all but the newest.
  await db
    .deleteFrom("domainChecks")
    .where("claimId", "=", claimId)
    .where("id", "<=", (eb) =>
      eb
        .selectFrom("domainChecks")
        .select("id")
        .where("claimId", "=", claimId)
        .orderBy("id", "desc")
        .limit(1)
        .offset(CHECK_HISTORY_LIMIT),
    )
    .execute();
}
