import type { Static } from "@sinclair/typebox";
import type { RequestContext } from "../access/actor.js";
import { authorizeDomain, authorizeDomainHeld, type DomainGrant } from "../access/domain-access.js";
import type { AuditAction } from "../audit/actions.js";
import { recordEvent } from "../audit/audit.service.js";
import { warnIfRecoveryEmailManaged } from "../credentials/recovery-email.js";
import type { Executor } from "../db/database.js";
import { hitLimits } from "../db/rate-limit.js";
import { inDomainTransaction, isUniqueViolation } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { HOUR } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import type { LifecycleHooks } from "../lifecycle.js";
import { notifySecurityChange, tellAccount } from "../notify/account-notices.js";
import type { Deputy } from "./deputies.schemas.js";

/** dnsGranted: the owner lets this deputy manage DNS (effective while the domain is delegated to us). */
export type DeputyView = Static<typeof Deputy>;

/**
 * Looking up logins to add is the one place an owner learns whether a login exists, so it is
 * counted per owner (docs/SECURITY.md §5): enough for real use, too few to walk the login space.
 */
const LOOKUP_LIMIT = { max: 20, windowMs: HOUR };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Additional administrators ("deputies") of a domain (docs/SECURITY.md §25, §26). Only the
 * domain's owner lists and changes them (`domain:manage`; a deputy gets FORBIDDEN, anyone else
 * NOT_FOUND); the routes require a re-authenticated session. A deputy's rights are read fresh by
 * `authorizeDomain` on every request, so a removal takes effect at once. Adding and removing tell
 * both accounts' confirmed contacts and land in both accounts' security logs; the deputy's copy
 * never names the owner or carries the owner's address (docs/SECURITY.md §41).
 */
export class DeputiesService {
  constructor(
    private readonly deps: Deps,
    private readonly lifecycle: LifecycleHooks,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  async list(ctx: RequestContext, domain: string): Promise<DeputyView[]> {
    const grant = await authorizeDomain(this.db, ctx.actor, domain, "domain:manage");
    const rows = await this.db
      .selectFrom("deputies")
      .innerJoin("accounts", "accounts.id", "deputies.accountId")
      .select(["accounts.login", "deputies.dnsGranted", "deputies.createdAt"])
      .where("deputies.domainId", "=", grant.domainId)
      .orderBy("accounts.login")
      .execute();
    return rows.map((r) => this.view(r.login, r.dnsGranted === 1, r.createdAt));
  }

  async add(
    ctx: RequestContext,
    domain: string,
    input: { login: string; dnsGranted?: boolean },
  ): Promise<DeputyView> {
    const login = this.loginOf(input.login);
    const dnsGranted = input.dnsGranted ?? false;
    // Who may not manage the domain learns nothing, not even whether the login exists.
    const checked = await authorizeDomain(this.db, ctx.actor, domain, "domain:manage");
    await hitLimits(this.db, ctx.now, [
      { key: `deputies:lookup:account:${checked.ownerAccountId}`, ...LOOKUP_LIMIT },
    ]);
    try {
      return await this.managing(ctx, domain, async (tx, grant) => {
        const account = await tx
          .selectFrom("accounts")
          .select("id")
          .where("login", "=", login)
          .executeTakeFirst();
        if (!account) {
          throw new AppError(
            "ACCOUNT_NOT_FOUND",
            `There is no service account ${this.address(login)}. Check the spelling, or ask them to register first.`,
            { field: "login" },
          );
        }
        if (account.id === grant.ownerAccountId)
          throw new AppError(
            "DEPUTY_IS_OWNER",
            `You own ${grant.name}; an additional administrator is someone else.`,
          );
        const existing = await tx
          .selectFrom("deputies")
          .select("accountId")
          .where("domainId", "=", grant.domainId)
          .where("accountId", "=", account.id)
          .executeTakeFirst();
        if (existing) throw new AppError("DEPUTY_EXISTS");
        await tx
          .insertInto("deputies")
          .values({
            domainId: grant.domainId,
            accountId: account.id,
            dnsGranted: dnsGranted ? 1 : 0,
            createdAt: ctx.now,
          })
          .execute();
        await this.record(tx, ctx, grant, account.id, login, "deputy.add", { dnsGranted });
        await warnIfRecoveryEmailManaged(tx, this.deps, ctx, account.id, grant.name);
        await notifySecurityChange(
          tx,
          this.deps,
          ctx.now,
          grant.ownerAccountId,
          `${this.address(login)} was made an additional administrator of ${grant.name}`,
        );
        await this.tellDeputy(tx, ctx.now, account.id, {
          subject: `You are now an administrator of ${grant.name}`,
          body:
            `Your mfd account ${this.address(login)} may now manage the mailboxes of ${grant.name}` +
            `${dnsGranted ? " and its DNS" : ""} as an additional administrator, since ${iso(ctx.now)}. ` +
            `Find it under My domains at ${this.deps.config.publicUrl}.`,
        });
        return this.view(login, dnsGranted, ctx.now);
      });
    } catch (error) {
      // The same account added twice at once: the primary key decides.
      if (isUniqueViolation(error)) throw new AppError("DEPUTY_EXISTS");
      throw error;
    }
  }

  /** Grants or withdraws DNS management (effective only while the domain is delegated to us). */
  async update(
    ctx: RequestContext,
    domain: string,
    rawLogin: string,
    input: { dnsGranted: boolean },
  ): Promise<DeputyView> {
    return this.managing(ctx, domain, async (tx, grant) => {
      const deputy = await this.find(tx, grant, rawLogin);
      if ((deputy.dnsGranted === 1) !== input.dnsGranted) {
        await tx
          .updateTable("deputies")
          .set({ dnsGranted: input.dnsGranted ? 1 : 0 })
          .where("domainId", "=", grant.domainId)
          .where("accountId", "=", deputy.accountId)
          .execute();
        await this.record(tx, ctx, grant, deputy.accountId, deputy.login, "deputy.update", {
          dnsGranted: input.dnsGranted,
        });
      }
      return this.view(deputy.login, input.dnsGranted, deputy.createdAt);
    });
  }

  /**
   * Removes a deputy. Their next request on the domain is refused; their API tokens lose the domain
   * (tokens limited to it alone are deleted), so being added again later revives none of them.
   */
  async remove(ctx: RequestContext, domain: string, rawLogin: string): Promise<void> {
    await this.managing(ctx, domain, async (tx, grant) => {
      const deputy = await this.find(tx, grant, rawLogin);
      await tx
        .deleteFrom("deputies")
        .where("domainId", "=", grant.domainId)
        .where("accountId", "=", deputy.accountId)
        .execute();
      // Their API tokens lose the domain through the tokens module's handler.
      const { tokens = 0 } = await this.lifecycle.emit(tx, ctx, "deputy.removed", {
        domainId: grant.domainId,
        accountId: deputy.accountId,
      });
      await this.record(tx, ctx, grant, deputy.accountId, deputy.login, "deputy.remove", { tokens });
      await notifySecurityChange(
        tx,
        this.deps,
        ctx.now,
        grant.ownerAccountId,
        `${this.address(deputy.login)} was removed as an additional administrator of ${grant.name}`,
      );
      await this.tellDeputy(tx, ctx.now, deputy.accountId, {
        subject: `You are no longer an administrator of ${grant.name}`,
        body:
          `Since ${iso(ctx.now)} your mfd account ${this.address(deputy.login)} no longer manages ${grant.name}` +
          `${tokens > 0 ? "; your API tokens no longer reach it" : ""}.`,
      });
    });
  }

  /**
   * A change to the domain's deputies, in a transaction that holds the domain (authorizeDomainHeld):
   * a disconnect at the same time either finishes first (then NOT_FOUND) or waits for this and
   * takes the change with it.
   */
  private managing<T>(
    ctx: RequestContext,
    domain: string,
    work: (tx: Executor, grant: DomainGrant) => Promise<T>,
  ): Promise<T> {
    return inDomainTransaction(this.deps.database, async (tx, locks) =>
      work(tx, await authorizeDomainHeld(tx, locks, ctx.actor, domain, "domain:manage")),
    );
  }

  /** `bob` or `bob@<service domain>`: deputies are service accounts, never mailboxes. */
  private loginOf(input: string): string {
    const value = input.trim().toLowerCase();
    const at = value.lastIndexOf("@");
    if (at === -1) return value;
    if (value.slice(at + 1) === this.deps.config.serviceDomain) return value.slice(0, at);
    throw new AppError(
      "VALIDATION_FAILED",
      `Additional administrators are service accounts: give a login or login@${this.deps.config.serviceDomain}.`,
      { field: "login" },
    );
  }

  private async find(db: Executor, grant: DomainGrant, rawLogin: string) {
    const login = this.loginOf(rawLogin);
    const deputy = await db
      .selectFrom("deputies")
      .innerJoin("accounts", "accounts.id", "deputies.accountId")
      .select(["deputies.accountId", "accounts.login", "deputies.dnsGranted", "deputies.createdAt"])
      .where("deputies.domainId", "=", grant.domainId)
      .where("accounts.login", "=", login)
      .executeTakeFirst();
    if (!deputy)
      throw new AppError("NOT_FOUND", `${this.address(login)} is not an administrator of ${grant.name}.`);
    return deputy;
  }

  /** One event in the owner's log and one in the deputy's, which carries no address of the owner. */
  private async record(
    tx: Executor,
    ctx: RequestContext,
    grant: DomainGrant,
    deputyId: string,
    login: string,
    action: AuditAction,
    details: Record<string, unknown>,
  ): Promise<void> {
    const event = { action, domain: grant.name, target: this.address(login), details };
    await recordEvent(tx, ctx, { ...event, accountId: grant.ownerAccountId, domainId: grant.domainId });
    await recordEvent(tx, { ...ctx, ip: null }, { ...event, accountId: deputyId });
  }

  /** A notice to the deputy's confirmed contacts (not a change they made, so not a security alert). */
  private async tellDeputy(
    tx: Executor,
    now: number,
    accountId: string,
    message: { subject: string; body: string },
  ): Promise<void> {
    await tellAccount(tx, this.deps, now, accountId, () => message);
  }

  private address(login: string): string {
    return `${login}@${this.deps.config.serviceDomain}`;
  }

  private view(login: string, dnsGranted: boolean, addedAt: number): DeputyView {
    return { login, address: this.address(login), dnsGranted, addedAt: iso(addedAt) };
  }
}
