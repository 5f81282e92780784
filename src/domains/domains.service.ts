import type { Static } from "@sinclair/typebox";
import type { Selectable } from "kysely";
import { accountIdOf, actingAccountOf, type RequestContext } from "../access/actor.js";
import {
  actionsOf,
  authorizeDomain,
  type DomainAction,
  type DomainGrant,
  type DomainRole,
  viewActions,
} from "../access/domain-access.js";
import { type DomainEventView, listDomainEvents, recordEvent } from "../audit/audit.service.js";
import type { Executor } from "../db/database.js";
import { hitLimits } from "../db/rate-limit.js";
import type { DomainChecksTable } from "../db/schema.js";
import { inDomainTransaction, isUniqueViolation } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { HOUR, MINUTE } from "../lib/clock.js";
import { connectableName, lookupName, serviceDomains, unicodeName } from "../lib/domain-names.js";
import { AppError } from "../lib/errors.js";
import { keysetPage } from "../lib/paging.js";
import { newId } from "../lib/random.js";
import type { LifecycleHooks } from "../lifecycle.js";
import { tellDomainManagers } from "../notify/account-notices.js";
import { type ClaimRow, DomainChecker, type DomainRow, occupiedByAnother } from "./checking.js";
import { CLAIM_LIFETIME_MS, newClaimId, newClaimToken, nextCheckDelay, proofInstructions } from "./claims.js";
import { mailboxCounts } from "./dependents.js";
import type * as schemas from "./domains.schemas.js";
import { Verifier, verifierSettings } from "./verification/verifier.js";

/** The api2 statuses (docs/domains.md): owner-check, then mail routing, then done. */
export type DomainStatus = "domain-activate" | "mx-activate" | "added";
export type DomainStage = "owner-check" | "mx-check" | "added";

/** A pending claim's account is its claimant; it becomes the owner when the claim is proven. */
export type ViewerRole = DomainRole | "claimant";

// The views are the routes' schemas (domains.schemas.ts), so the two cannot drift apart.
export type DomainListItem = Static<typeof schemas.DomainListItem>;
/** result — ownership: confirmed | not-confirmed; mx: mx-ok | mx-wrong | mx-not-found | mx-failed. */
export type CheckView = Static<typeof schemas.Check>;
export type DomainView = Static<typeof schemas.DomainView>;

/** "Check now": a claim may be checked 5 times per 5 minutes, an account 60 times an hour. */
const CHECK_LIMITS = { perClaim: { max: 5, windowMs: 5 * MINUTE }, perAccount: { max: 60, windowMs: HOUR } };
/** New claims and renewals (each a new token) per account; also slows probing which names are taken. */
const CLAIM_LIMIT = { max: 30, windowMs: HOUR };

/**
 * The caller's relation to a domain: a confirmed domain it owns or administers, its pending claim,
 * or (only where asked for: dismissing it) its claim closed because another account holds the name.
 */
type Mine =
  | { kind: "confirmed"; domain: DomainRow; role: DomainRole; grant: DomainGrant }
  | { kind: "pending"; claim: ClaimRow }
  | { kind: "closed"; claim: ClaimRow };

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether an address (`bob@example.org`) is on a domain connected to mfd: a mailbox, not an account. */
export async function isAddressOnConnectedDomain(db: Executor, address: string): Promise<boolean> {
  const at = address.lastIndexOf("@");
  const ascii = at === -1 ? null : lookupName(address.slice(at + 1));
  if (!ascii) return false;
  const row = await db.selectFrom("domains").select("id").where("name", "=", ascii).executeTakeFirst();
  return row !== undefined;
}

/**
 * Connecting domains, ownership claims and their verification, My domains, disconnect
 *. A domain the caller neither owns nor claims is NOT_FOUND, whoever owns it.
 */
export class DomainsService {
  private readonly ownDomains: string[];
  readonly checker: DomainChecker;

  constructor(
    readonly deps: Deps,
    private readonly lifecycle: LifecycleHooks,
  ) {
    this.ownDomains = serviceDomains(deps.config.serviceDomain, deps.config.mxHost);
    this.checker = new DomainChecker(deps, new Verifier(verifierSettings(deps.config)), lifecycle);
  }

  private get db() {
    return this.deps.database.db;
  }

  async connect(ctx: RequestContext, input: string): Promise<DomainView> {
    const accountId = accountOf(ctx);
    const name = connectableName(input, this.ownDomains);
    await hitLimits(this.db, ctx.now, [{ key: `domains:claim:account:${accountId}`, ...CLAIM_LIMIT }]);
    const limit = this.deps.config.domainLimit;
    try {
      // One connect at a time per account, so the limit holds.
      await inDomainTransaction(
        this.deps.database,
        async (tx) => {
          const mine = await tx
            .selectFrom("claims")
            .select(["id", "status"])
            .where("accountId", "=", accountId)
            .where("domainName", "=", name)
            .executeTakeFirst();
          if (mine && mine.status !== "occupied") throw new AppError("DOMAIN_ALREADY_CONNECTED");
          // The name, or a domain it sits under, held by another account. The same answer whoever
          // the owner is: never a hint of who (docs/SECURITY.md §41).
          if (await occupiedByAnother(tx, name, accountId)) throw new AppError("DOMAIN_OCCUPIED");
          // A claim closed as occupied whose name has since become free: this connect starts afresh.
          if (mine) await tx.deleteFrom("claims").where("id", "=", mine.id).execute();
          const { count } = await tx
            .selectFrom("claims")
            .select((eb) => eb.fn.countAll<number>().as("count"))
            .where("accountId", "=", accountId)
            .where("status", "!=", "occupied")
            .executeTakeFirstOrThrow();
          if (Number(count) >= limit)
            throw new AppError("DOMAIN_LIMIT_REACHED", `An account may connect ${limit} domains.`, { limit });
          const publicId = newClaimId();
          await tx
            .insertInto("claims")
            .values({
              id: newId(),
              publicId,
              accountId,
              domainName: name,
              token: newClaimToken(),
              status: "pending",
              createdAt: ctx.now,
              expiresAt: ctx.now + CLAIM_LIFETIME_MS,
              nextCheckAt: ctx.now + nextCheckDelay(0),
            })
            .execute();
          await recordEvent(tx, ctx, { action: "domain.connect", accountId, domain: name, target: publicId });
        },
        { lock: { table: "accounts", id: accountId } },
      );
    } catch (error) {
      // Two connects of the same name by one account at once: the unique index decides.
      if (isUniqueViolation(error)) throw new AppError("DOMAIN_ALREADY_CONNECTED");
      throw error;
    }
    return this.view(ctx, name);
  }

  /** My domains: every domain the account owns or administers, and its pending claims. */
  async list(ctx: RequestContext): Promise<{ domains: DomainListItem[] }> {
    const accountId = accountOf(ctx);
    const owned = await this.db
      .selectFrom("domains")
      .select(["id", "name", "mxOk", "delegated"])
      .where("ownerAccountId", "=", accountId)
      .execute();
    const administered = await this.db
      .selectFrom("deputies")
      .innerJoin("domains", "domains.id", "deputies.domainId")
      .select(["domains.id", "domains.name", "domains.mxOk", "domains.delegated", "deputies.createdAt"])
      .where("deputies.accountId", "=", accountId)
      // A token sees no membership that began after it was issued (as authorizeDomain refuses it).
      .$if(ctx.actor.kind === "token", (qb) =>
        qb.where("deputies.createdAt", "<=", ctx.actor.kind === "token" ? ctx.actor.issuedAt : 0),
      )
      .execute();
    const pending = await this.db
      .selectFrom("claims")
      .select(["domainName", "expiresAt", "delegated"])
      .where("accountId", "=", accountId)
      .where("status", "=", "pending")
      .execute();
    // A token limited to some domains sees only those (by id: a domain reconnected later is another one).
    const limitedTo = ctx.actor.kind === "token" ? ctx.actor.domains : null;
    const confirmed = [
      ...owned.map((d) => ({ ...d, role: "owner" as const })),
      ...administered.map(({ createdAt: _, ...d }) => ({ ...d, role: "deputy" as const })),
    ].filter((d) => limitedTo === null || limitedTo.includes(d.id));
    const counts = await mailboxCounts(
      this.db,
      confirmed.map((d) => d.id),
    );
    const items: DomainListItem[] = [
      ...confirmed.map((d) => ({
        name: d.name,
        unicodeName: unicodeName(d.name),
        role: d.role,
        ...confirmedStatus(d.mxOk === 1),
        mailboxCount: counts.get(d.id) ?? 0,
        delegated: d.delegated === 1,
        claimExpiresAt: null,
      })),
      ...(limitedTo === null ? pending : []).map((c) => ({
        name: c.domainName,
        unicodeName: unicodeName(c.domainName),
        role: "claimant" as const,
        status: "domain-activate" as const,
        stage: "owner-check" as const,
        mailboxCount: 0,
        delegated: c.delegated === 1,
        claimExpiresAt: iso(c.expiresAt),
      })),
    ];
    items.sort((a, b) => a.name.localeCompare(b.name));
    return { domains: items };
  }

  async get(ctx: RequestContext, rawName: string): Promise<DomainView> {
    return this.view(ctx, this.nameOf(rawName));
  }

  /** "Check now": ownership for a pending claim, mail routing for a confirmed domain. */
  async checkNow(ctx: RequestContext, rawName: string): Promise<DomainView> {
    const name = this.nameOf(rawName);
    const mine = await this.access(this.db, ctx, name, "domain:read");
    const accountId = accountOf(ctx);
    if (mine.kind === "confirmed") {
      await this.limitChecks(ctx, accountId, mine.domain.claimId);
      await this.checker.checkMx(mine.domain, "manual", ctx);
      return this.view(ctx, name);
    }
    const { claim } = mine;
    if (claim.expiresAt <= ctx.now) throw new AppError("CLAIM_EXPIRED");
    await this.limitChecks(ctx, accountId, claim.id);
    const result = await this.checker.checkClaim(claim, "manual", ctx);
    if (result === "occupied") throw new AppError("DOMAIN_OCCUPIED");
    if (result === "gone") {
      // Closed while we looked: by another account's confirmation (of the name or a domain above
      // it), or cancelled meanwhile.
      const occupied = await occupiedByAnother(this.db, name, accountId);
      throw new AppError(occupied ? "DOMAIN_OCCUPIED" : "NOT_FOUND");
    }
    return this.view(ctx, name);
  }

  /** A fresh id and token for a pending claim (expired or not) and seven more days. */
  async renew(ctx: RequestContext, rawName: string): Promise<DomainView> {
    const name = this.nameOf(rawName);
    const accountId = accountOf(ctx);
    const current = await this.access(this.db, ctx, name, "domain:manage");
    if (current.kind === "confirmed") throw new AppError("DOMAIN_ALREADY_CONFIRMED");
    await hitLimits(this.db, ctx.now, [{ key: `domains:claim:account:${accountId}`, ...CLAIM_LIMIT }]);
    await this.db.transaction().execute(async (tx) => {
      const mine = await this.access(tx, ctx, name, "domain:manage");
      if (mine.kind === "confirmed") throw new AppError("DOMAIN_ALREADY_CONFIRMED");
      const publicId = newClaimId();
      const renewed = await tx
        .updateTable("claims")
        .set({
          publicId,
          token: newClaimToken(),
          expiresAt: ctx.now + CLAIM_LIFETIME_MS,
          attempts: 0,
          nextCheckAt: ctx.now + nextCheckDelay(0),
        })
        .where("id", "=", mine.claim.id)
        .where("status", "=", "pending")
        .executeTakeFirst();
      if (Number(renewed.numUpdatedRows) === 0) throw new AppError("NOT_FOUND");
      await recordEvent(tx, ctx, {
        action: "domain.renew",
        accountId,
        domain: name,
        target: publicId,
        details: { previous: mine.claim.publicId },
      });
    });
    return this.view(ctx, name);
  }

  /**
   * The checks of the current ownership (or of the caller's pending claim), newest first. Scoped
   * to the claim, never to the name: a previous owner's history is not there (docs/SECURITY.md §34).
   */
  async checks(
    ctx: RequestContext,
    rawName: string,
    page: { limit: number; before?: string },
  ): Promise<{ checks: CheckView[]; next: string | null }> {
    const mine = await this.access(this.db, ctx, this.nameOf(rawName), "domain:read");
    const claimId = mine.kind === "pending" ? mine.claim.id : mine.domain.claimId;
    let query = this.db
      .selectFrom("domainChecks")
      .selectAll()
      .where("claimId", "=", claimId)
      .orderBy("id", "desc")
      .limit(page.limit + 1);
    if (page.before) query = query.where("id", "<", page.before);
    const { shown, next } = keysetPage(await query.execute(), page.limit, (last) => last.id);
    // Who ran it, as this viewer may know: themselves, the owner (whom a deputy knows to exist but
    // not by name), or an administrator.
    const viewer = actingAccountOf(ctx.actor);
    const owner = mine.kind === "pending" ? mine.claim.accountId : mine.domain.ownerAccountId;
    const by = (checkedBy: string | null): CheckView["by"] =>
      checkedBy === null
        ? null
        : checkedBy === viewer
          ? "you"
          : checkedBy === owner
            ? "owner"
            : "administrator";
    return { checks: shown.map((row) => ({ ...checkView(row), by: by(row.checkedBy) })), next };
  }

  /**
   * What happened on the domain, newest first, and only this ownership's events: for the owner
   * everything (mailboxes, administrators, DNS); for a deputy the mailbox changes and, where they
   * may read DNS, the DNS changes, with the owner and other administrators never named
   * (listDomainEvents). Anyone else gets NOT_FOUND; a token TOKEN_NOT_ALLOWED (an activity log is
   * read by people, as the owner-only action it was).
   */
  async activity(
    ctx: RequestContext,
    rawName: string,
    page: { limit: number; before?: string },
  ): Promise<{ events: DomainEventView[]; next: string | null }> {
    const action = ctx.actor.kind === "token" ? "domain:manage" : "domain:read";
    const grant = await authorizeDomain(this.db, ctx.actor, this.nameOf(rawName), action);
    const viewer = actingAccountOf(ctx.actor);
    if (viewer === null) throw new AppError("NOT_FOUND");
    return listDomainEvents(
      this.db,
      { id: grant.domainId, ownerAccountId: grant.ownerAccountId },
      { accountId: viewer, role: grant.role, dnsRead: actionsOf(grant).includes("dns:read") },
      page,
    );
  }

  /**
   * Disconnect a confirmed domain (owner only, re-authenticated by the route) or cancel a pending
   * claim. The typed name must match; refused while mailboxes remain. Everything of this ownership
   * goes: the claim, its checks, and what hangs off the domain row (the `domain.released` handlers).
   */
  async disconnect(ctx: RequestContext, rawName: string, typed: string): Promise<void> {
    const name = this.nameOf(rawName);
    const accountId = accountOf(ctx);
    await inDomainTransaction(this.deps.database, async (tx, locks) => {
      const mine = await this.relation(tx, ctx, name, "domain:manage");
      if (lookupName(typed) !== name)
        throw new AppError("CONFIRMATION_MISMATCH", `Type the domain name (${name}) to confirm.`);
      if (mine.kind === "closed") {
        // Dismissing a claim closed because another account holds the name.
        await tx.deleteFrom("claims").where("id", "=", mine.claim.id).execute();
        await recordEvent(tx, ctx, { action: "domain.claim.cancel", accountId, domain: name });
        return;
      }
      if (mine.kind === "confirmed") {
        // A mailbox being created holds the domain row FOR NO KEY UPDATE; FOR UPDATE waits for it,
        // so the count below sees it.
        await locks.row("domains", mine.domain.id);
        // A move (src/handovers/) committed while this waited for the row: the domain is not ours now.
        const owner = await tx
          .selectFrom("domains")
          .select("ownerAccountId")
          .where("id", "=", mine.domain.id)
          .executeTakeFirst();
        if (owner?.ownerAccountId !== accountId) throw new AppError("NOT_FOUND");
        const count = (await mailboxCounts(tx, [mine.domain.id])).get(mine.domain.id) ?? 0;
        if (count > 0) {
          throw new AppError("MAILBOXES_REMAIN", `${name} still has ${count} mailboxes; delete them first.`, {
            count,
          });
        }
        await tellDomainManagers(tx, this.deps, ctx.now, mine.domain, {
          what: `${name} was disconnected`,
          detail:
            "Its settings, administrators and API token access are gone; mail to it is no longer accepted.",
        });
        // Security.md 34: a later owner of the name must find nothing of this ownership. Deputies,
        // API token scopes and stray aliases go through their modules' handlers; mailboxes never
        // get here (refused above); claims and their checks are deleted below.
        await this.lifecycle.emit(tx, ctx, "domain.released", {
          domainId: mine.domain.id,
          reason: "disconnect",
        });
        await tx.deleteFrom("domains").where("id", "=", mine.domain.id).execute();
        // Claims closed because this account held the name (or a name above theirs) mean nothing now.
        await tx
          .deleteFrom("claims")
          .where("status", "=", "occupied")
          .where((eb) => eb.or([eb("domainName", "=", name), eb("domainName", "like", `%.${name}`)]))
          .execute();
      }
      // The claim read above, in the state it was read in: on PostgreSQL a confirmation committed
      // meanwhile turns a pending claim into the confirmed one its new domain row points at, and
      // cancelling "the claim" must not delete that from under the domain.
      const removed = await tx
        .deleteFrom("claims")
        .where("accountId", "=", accountId)
        .where("domainName", "=", name)
        .$if(mine.kind === "pending", (qb) => qb.where("status", "=", "pending"))
        .executeTakeFirst();
      if (mine.kind === "pending" && Number(removed.numDeletedRows) === 0) {
        const owned = await tx
          .selectFrom("domains")
          .select("ownerAccountId")
          .where("name", "=", name)
          .executeTakeFirst();
        if (owned?.ownerAccountId === accountId)
          throw new AppError(
            "DOMAIN_ALREADY_CONFIRMED",
            `${name} was confirmed meanwhile; disconnect it instead.`,
          );
        throw new AppError("NOT_FOUND");
      }
      await recordEvent(tx, ctx, {
        action: mine.kind === "confirmed" ? "domain.disconnect" : "domain.claim.cancel",
        accountId,
        domain: name,
      });
    });
  }

  private nameOf(rawName: string): string {
    const name = lookupName(rawName);
    if (!name) throw new AppError("NOT_FOUND");
    return name;
  }

  private async limitChecks(ctx: RequestContext, accountId: string, claimId: string): Promise<void> {
    await hitLimits(this.db, ctx.now, [
      { key: `domains:check:claim:${claimId}`, ...CHECK_LIMITS.perClaim },
      { key: `domains:check:account:${accountId}`, ...CHECK_LIMITS.perAccount },
    ]);
  }

  /**
   * The caller's own pending claim on the name, or else its role on the confirmed domain through
   * the one domain permission check (NOT_FOUND for anyone without a role, FORBIDDEN for a deputy
   * asking for an owner's action). DOMAIN_OCCUPIED when the caller's claim was closed because
   * another account holds the name: its claimant learns nothing it was not told already.
   */
  private async access(
    db: Executor,
    ctx: RequestContext,
    name: string,
    action: DomainAction,
  ): Promise<Exclude<Mine, { kind: "closed" }>> {
    const mine = await this.relation(db, ctx, name, action);
    if (mine.kind === "closed") throw new AppError("DOMAIN_OCCUPIED");
    return mine;
  }

  /** `access`, except that a claim closed as occupied is handed back (to be dismissed). */
  private async relation(
    db: Executor,
    ctx: RequestContext,
    name: string,
    action: DomainAction,
  ): Promise<Mine> {
    const accountId = accountOf(ctx);
    const claim = await db
      .selectFrom("claims")
      .selectAll()
      .where("accountId", "=", accountId)
      .where("domainName", "=", name)
      .where("status", "in", ["pending", "occupied"])
      .executeTakeFirst();
    // A claim has no domain id a limited token could name.
    if (claim && ctx.actor.kind === "token" && ctx.actor.domains !== null) throw new AppError("NOT_FOUND");
    if (claim?.status === "pending") return { kind: "pending", claim };
    try {
      const grant = await authorizeDomain(db, ctx.actor, name, action);
      const domain = await db
        .selectFrom("domains")
        .selectAll()
        .where("id", "=", grant.domainId)
        .executeTakeFirstOrThrow();
      return { kind: "confirmed", domain, role: grant.role, grant };
    } catch (error) {
      // The caller's claim lost the name to another account (a race, or a domain above it): say so,
      // rather than NOT_FOUND, for as long as that account holds it.
      if (!claim || !(error instanceof AppError) || error.code !== "NOT_FOUND") throw error;
      if (await occupiedByAnother(db, name, accountId)) return { kind: "closed", claim };
      throw error;
    }
  }

  private async view(ctx: RequestContext, name: string): Promise<DomainView> {
    const mine = await this.access(this.db, ctx, name, "domain:read");
    const { config } = this.deps;
    const lastCheckOf = async (claimId: string) => {
      const row = await this.db
        .selectFrom("domainChecks")
        .selectAll()
        .where("claimId", "=", claimId)
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst();
      return row ? checkView(row) : null;
    };
    const base = { name, unicodeName: unicodeName(name) };
    if (mine.kind === "confirmed") {
      const { domain } = mine;
      return {
        ...base,
        role: mine.role,
        ...confirmedStatus(domain.mxOk === 1),
        confirmedAt: iso(domain.confirmedAt),
        claim: null,
        lastCheck: await lastCheckOf(domain.claimId),
        nextCheck: iso(domain.mxNextCheckAt),
        mx: { expected: config.mxHost, ok: domain.mxCheckedAt === null ? null : domain.mxOk === 1 },
        delegated: domain.delegated === 1,
        actions: viewActions(ctx.actor, mine.grant, ctx.now),
      };
    }
    const { claim } = mine;
    const expired = claim.expiresAt <= ctx.now;
    return {
      ...base,
      role: "claimant",
      status: "domain-activate",
      stage: "owner-check",
      confirmedAt: null,
      claim: {
        id: claim.publicId,
        expiresAt: iso(claim.expiresAt),
        expired,
        methods: proofInstructions(
          { serviceDomain: config.serviceDomain, httpPort: config.verifyHttpPort },
          name,
          claim.publicId,
          claim.token,
        ),
      },
      lastCheck: await lastCheckOf(claim.id),
      nextCheck: expired ? null : iso(claim.nextCheckAt),
      mx: { expected: config.mxHost, ok: null },
      delegated: claim.delegated === 1,
      actions: viewActions(ctx.actor, null, ctx.now),
    };
  }
}

function accountOf(ctx: RequestContext): string {
  const accountId = accountIdOf(ctx.actor);
  if (accountId === null) throw new AppError("UNAUTHENTICATED");
  return accountId;
}

function confirmedStatus(mxOk: boolean): { status: DomainStatus; stage: DomainStage } {
  return mxOk ? { status: "added", stage: "added" } : { status: "mx-activate", stage: "mx-check" };
}

function checkView(row: Selectable<DomainChecksTable>): CheckView {
  return {
    id: row.id,
    at: iso(row.at),
    trigger: row.trigger,
    by: null,
    kind: row.kind,
    result: row.result,
    method: row.method,
    results: JSON.parse(row.details) as CheckView["results"],
  };
}
