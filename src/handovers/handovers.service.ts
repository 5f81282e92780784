import type { Static } from "@sinclair/typebox";
import type { Selectable } from "kysely";
import { accountIdOf, type RequestContext } from "../access/actor.js";
import { authorizeDomainHeld } from "../access/domain-access.js";
import { recordEvent } from "../audit/audit.service.js";
import type { Executor } from "../db/database.js";
import { hitLimits } from "../db/rate-limit.js";
import type { HandoversTable } from "../db/schema.js";
import { inDomainTransaction } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { type ChallengeResult, checkTxtChallenge } from "../dns/challenge.js";
import { DnsLookup } from "../dns/lookup.js";
import { DAY, HOUR } from "../lib/clock.js";
import { lookupName } from "../lib/domain-names.js";
import { AppError } from "../lib/errors.js";
import { constantTimeEqual, newId, randomSecret, sha256 } from "../lib/random.js";
import { defineStateMachine } from "../lib/state-machine.js";
import type { LifecycleHooks } from "../lifecycle.js";
import { confirmedContacts, notifySecurityChange, tellAccount } from "../notify/account-notices.js";
import type { Handover } from "./handovers.schemas.js";
import { type MoveReason, moveDomain, OPEN_STATES } from "./move.js";

export type HandoverView = Static<typeof Handover>;
type Row = Selectable<HandoversTable>;

/** A single-use link is valid this long (docs/SECURITY.md §36). */
export const LINK_LIFETIME_MS = 7 * DAY;
/** A restore's DNS challenge may be proven within this time, then it must start again. */
export const CHALLENGE_LIFETIME_MS = 7 * DAY;
export const CHALLENGE_LABEL = "_mfd-challenge";
export const CHALLENGE_PREFIX = "mfd-restore=";
/** Transfers an owner may start per hour; restores a requester may start per hour. */
const START_LIMIT = { max: 20, windowMs: HOUR };

/**
 * The life of a hand-over (docs/handovers.md). A transfer started by the owner is `offered` to the
 * target; one started through support first waits for the owner (`awaiting-owner`) to confirm the
 * target login from the link sent to their own address. A restore is `proving` until its DNS proof
 * is approved (by one or two agents, or by the requester alone when self-service is on), then
 * `waiting` for the period in which the current owner may cancel. `done` is the move.
 */
export const handoverMachine = defineStateMachine({
  table: "handovers",
  states: ["awaiting-owner", "offered", "proving", "waiting", "done", "cancelled", "expired", "failed"],
  transitions: {
    confirm: { from: ["awaiting-owner"], to: "offered" },
    accept: { from: ["offered"], to: "done" },
    approve: { from: ["proving"], to: "waiting" },
    complete: { from: ["waiting"], to: "done" },
    cancel: { from: ["awaiting-owner", "offered", "proving", "waiting"], to: "cancelled" },
    expire: { from: ["awaiting-owner", "offered", "proving"], to: "expired" },
    fail: { from: ["awaiting-owner", "offered", "proving", "waiting"], to: "failed" },
  },
});

const iso = (ms: number) => new Date(ms).toISOString();
/** ≥ 128 bits: 32 random bytes, base64url. */
const newSecret = () => randomSecret(32);
const hashOf = (secret: string) => sha256(secret);

/**
 * Hand-overs of a confirmed domain to another account: self-service transfers, transfers and
 * restores of access through the support desk, self-service restores. Every transition is a
 * conditional update (`handoverMachine`) with its audit event in the same transaction; the move
 * itself is `moveDomain`. Agents act with an `agent` actor naming the ticket, and reach only the
 * hand-overs of that ticket.
 */
export class HandoversService {
  private readonly lookup: DnsLookup;

  constructor(
    private readonly deps: Deps,
    private readonly lifecycle: LifecycleHooks,
  ) {
    this.lookup = new DnsLookup(deps.config.dnsResolvers, deps.config.dnsTimeoutMs);
  }

  private get db() {
    return this.deps.database.db;
  }

  // ── self-service transfer ─────────────────────────────────────────────────────────────────────

  /**
   * The owner (re-authenticated session, checked by the route) offers the domain to a login. The
   * answer is the same whether the login exists or not: for an unknown one the offer simply can
   * never be accepted and expires. The target's confirmed contacts get a single-use link.
   */
  async startTransfer(
    ctx: RequestContext,
    domainName: string,
    input: { login: string },
  ): Promise<{ handover: HandoverView; message: string }> {
    const login = this.loginOf(input.login);
    const handover = await inDomainTransaction(this.deps.database, async (tx, locks) => {
      const grant = await authorizeDomainHeld(tx, locks, ctx.actor, domainName, "domain:manage");
      await hitLimits(tx, ctx.now, [{ key: `handovers:start:${grant.ownerAccountId}`, ...START_LIMIT }]);
      const target = await tx
        .selectFrom("accounts")
        .select(["id", "login"])
        .where("login", "=", login)
        .executeTakeFirst();
      if (target?.id === grant.ownerAccountId) throw new AppError("TRANSFER_TO_SELF");
      const key = newSecret();
      const row: Row = {
        ...this.blank(ctx, "transfer", "offered", grant.domainId, grant.name, grant.ownerAccountId),
        toAccountId: target?.id ?? null,
        toLogin: login,
        acceptSecretHash: hashOf(key),
        expiresAt: ctx.now + LINK_LIFETIME_MS,
      };
      await tx.insertInto("handovers").values(row).execute();
      await this.record(tx, ctx, row, "handover.start", { kind: "transfer", to: this.address(login) });
      await notifySecurityChange(
        tx,
        this.deps,
        ctx.now,
        grant.ownerAccountId,
        `A transfer of ${grant.name} to ${this.address(login)} was started`,
      );
      if (target) await this.offerToTarget(tx, ctx, row, key);
      return row;
    });
    return {
      handover: this.view(handover, "from"),
      message: `If ${this.address(login)} is a service account, it has been sent a link to accept ${handover.domainName}; the offer is valid for 7 days.`,
    };
  }

  /** The target, signed in as the login the transfer names, accepts with the link's secret: the move. */
  async acceptTransfer(ctx: RequestContext, id: string, key: string): Promise<HandoverView> {
    const accountId = this.accountOf(ctx);
    const domainId = (await this.find(this.db, id))?.domainId;
    return this.transaction(async (tx) => {
      const row = await this.find(tx, id);
      if (
        row?.kind !== "transfer" ||
        row.toAccountId !== accountId ||
        !row.acceptSecretHash ||
        !constantTimeEqual(row.acceptSecretHash, hashOf(key))
      )
        throw new AppError("HANDOVER_LINK_INVALID");
      if (row.state === "offered" && row.expiresAt <= ctx.now) throw new AppError("HANDOVER_EXPIRED");
      await handoverMachine.apply(tx, "accept", id, { acceptSecretHash: null, updatedAt: ctx.now });
      await this.move(tx, ctx, row, row.ticketId ? "support-transfer" : "transfer");
      await this.record(tx, ctx, row, "handover.accept", {});
      const done = { ...row, state: "done", acceptSecretHash: null, updatedAt: ctx.now };
      await notifySecurityChange(
        tx,
        this.deps,
        ctx.now,
        row.fromAccountId,
        `${row.domainName} was transferred to another account`,
      );
      await tellAccount(tx, this.deps, ctx.now, accountId, () => ({
        subject: `You now own ${row.domainName}`,
        body: `${row.domainName} was transferred to your mfd account at ${iso(ctx.now)}, with its mailboxes, aliases, DNS records and administrators. Find it under My domains at ${this.deps.config.publicUrl}.`,
      }));
      return this.view(done, "to");
    }, domainId);
  }

  /**
   * Cancels a hand-over still under way, by the domain's owner signed in (any kind), the target of a
   * transfer (declining) or the requester of a restore (withdrawing). Anyone else: NOT_FOUND.
   */
  async cancel(ctx: RequestContext, id: string): Promise<HandoverView> {
    const accountId = this.accountOf(ctx);
    return this.transaction(async (tx) => {
      const row = await this.find(tx, id);
      const side = row ? this.sideOf(row, accountId) : null;
      if (!row || !side) throw new AppError("NOT_FOUND");
      return this.end(tx, ctx, row, side === "from" ? "owner" : "other-side");
    });
  }

  /**
   * The current owner's one-click cancel from the notice of a restore (or of a support transfer):
   * no sign-in, the link's single-use secret is the authority. The console page POSTs it.
   */
  async cancelByLink(ctx: RequestContext, key: string): Promise<{ domain: string; state: string }> {
    const hash = hashOf(key);
    // 256-bit secrets cannot be guessed; the limit keeps a script from trying all the same.
    if (ctx.limitKey)
      await hitLimits(this.db, ctx.now, [{ key: `handovers:cancel-link:${ctx.limitKey}`, ...START_LIMIT }]);
    return this.transaction(async (tx) => {
      const row = await tx
        .selectFrom("handovers")
        .selectAll()
        .where((eb) => eb.or([eb("cancelSecretHash", "=", hash), eb("ownerSecretHash", "=", hash)]))
        .executeTakeFirst();
      if (!row || !OPEN_STATES.includes(row.state as (typeof OPEN_STATES)[number]))
        throw new AppError("HANDOVER_LINK_INVALID");
      const ended = await this.end(tx, ctx, row, "owner-link");
      return { domain: ended.domain, state: ended.state };
    });
  }

  /** The hand-overs the caller is a party of, newest first. */
  async list(ctx: RequestContext): Promise<{ handovers: HandoverView[] }> {
    const accountId = this.accountOf(ctx);
    const rows = await this.db
      .selectFrom("handovers")
      .selectAll()
      .where((eb) => eb.or([eb("fromAccountId", "=", accountId), eb("toAccountId", "=", accountId)]))
      .orderBy("createdAt", "desc")
      .limit(100)
      .execute();
    return {
      handovers: rows
        .map((row) => ({ row, side: this.sideOf(row, accountId) }))
        .filter((r): r is { row: Row; side: "from" | "to" } => r.side !== null)
        .map(({ row, side }) => this.view(row, side)),
    };
  }

  async get(ctx: RequestContext, id: string): Promise<HandoverView> {
    const accountId = this.accountOf(ctx);
    const row = await this.find(this.db, id);
    const side = row ? this.sideOf(row, accountId) : null;
    if (!row || !side) throw new AppError("NOT_FOUND");
    return this.view(row, side);
  }

  // ── restore access ────────────────────────────────────────────────────────────────────────────

  /**
   * Starts restoring access to a confirmed domain for `requesterAccountId`: a DNS challenge bound
   * to this hand-over and the requester. Called by the requester (signed in; without a ticket only
   * when MFD_SELF_SERVICE_RECOVERY=1) or by an agent in the ticket. The requester's profile must be
   * complete (PROFILE_INCOMPLETE lists what is missing). The answer never names the owner.
   */
  async startRestore(
    ctx: RequestContext,
    input: { domain: string; requesterAccountId: string; ticketId: string | null },
  ): Promise<HandoverView> {
    const { actor } = ctx;
    const agent = actor.kind === "agent";
    if (agent) {
      if (input.ticketId === null || actor.ticketId !== input.ticketId) throw new AppError("NOT_FOUND");
      await this.requireAgent(actor.accountId);
    } else if (accountIdOf(actor) !== input.requesterAccountId || actor.kind !== "account") {
      throw new AppError("NOT_FOUND");
    } else if (input.ticketId === null && !this.deps.config.selfServiceRecovery) {
      throw new AppError("SELF_SERVICE_RECOVERY_OFF");
    }
    await this.requireCompleteProfile(input.requesterAccountId);
    const name = lookupName(input.domain);
    if (!name) throw new AppError("NOT_FOUND");
    const row = await this.transaction(async (tx) => {
      await hitLimits(tx, ctx.now, [
        { key: `handovers:restore:${input.requesterAccountId}`, ...START_LIMIT },
      ]);
      const domain = await tx
        .selectFrom("domains")
        .select(["id", "name", "ownerAccountId"])
        .where("name", "=", name)
        .executeTakeFirst();
      if (!domain) throw new AppError("NOT_FOUND", `${name} is not connected to mfd; connect it instead.`);
      if (domain.ownerAccountId === input.requesterAccountId) throw new AppError("TRANSFER_TO_SELF");
      const row: Row = {
        ...this.blank(ctx, "restore", "proving", domain.id, domain.name, domain.ownerAccountId),
        toAccountId: input.requesterAccountId,
        ticketId: input.ticketId,
        challengeToken: randomSecret(20)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, "0"),
        expiresAt: ctx.now + CHALLENGE_LIFETIME_MS,
      };
      await tx.insertInto("handovers").values(row).execute();
      await this.record(tx, ctx, row, "handover.start", { kind: "restore" });
      return row;
    });
    return this.view(row, agent ? "agent" : "to");
  }

  /**
   * Looks up the restore's TXT record now, through the configured resolvers (never our own zone).
   * In a self-service restore (no ticket, MFD_SELF_SERVICE_RECOVERY=1) a proof found by the
   * requester starts the waiting period, as an agent's approval would.
   */
  async checkRestoreProof(
    ctx: RequestContext,
    id: string,
  ): Promise<{ result: ChallengeResult; detail: string; handover: HandoverView }> {
    const { row, side } = await this.restoreFor(ctx, id);
    const proof = await this.proof(row);
    await this.transaction(async (tx) => {
      await this.record(tx, ctx, row, "handover.proof-check", { result: proof.result });
    });
    if (
      proof.result === "ok" &&
      side === "to" &&
      row.ticketId === null &&
      this.deps.config.selfServiceRecovery &&
      row.state === "proving"
    ) {
      const waiting = await this.transaction(async (tx) => this.startWaiting(tx, ctx, row));
      return { ...proof, handover: this.view(waiting, side) };
    }
    return { ...proof, handover: this.view(row, side) };
  }

  /**
   * An agent approves a restore of their ticket. The proof must be published now. With
   * MFD_SUPPORT_TWO_PERSON=1 the first approval is recorded and a second, different agent's
   * starts the waiting period; every contact of the current owner gets a one-click cancel link.
   */
  async approveRestore(ctx: RequestContext, id: string): Promise<HandoverView> {
    const { row } = await this.restoreFor(ctx, id);
    if (ctx.actor.kind !== "agent")
      throw new AppError("FORBIDDEN", "Only a support agent approves a restore.");
    const agentId = ctx.actor.accountId;
    if (row.state !== "proving") throw new AppError("STATE_CHANGED");
    const proof = await this.proof(row);
    if (proof.result !== "ok") throw new AppError("HANDOVER_PROOF_MISSING", proof.detail);
    const approvals = JSON.parse(row.approvals) as string[];
    if (approvals.includes(agentId)) throw new AppError("SECOND_AGENT_REQUIRED");
    const next = [...approvals, agentId];
    return this.transaction(async (tx) => {
      if (next.length < this.approvalsNeeded()) {
        // The first of two approvals: the state stays, the list grows only if nobody changed it meanwhile.
        const updated = await tx
          .updateTable("handovers")
          .set({ approvals: JSON.stringify(next), updatedAt: ctx.now })
          .where("id", "=", id)
          .where("state", "=", "proving")
          .where("approvals", "=", row.approvals)
          .executeTakeFirst();
        if (updated.numUpdatedRows === 0n) throw new AppError("STATE_CHANGED");
        const current = { ...row, approvals: JSON.stringify(next), updatedAt: ctx.now };
        await this.record(tx, ctx, current, "handover.approve", {
          approvals: next.length,
          of: this.approvalsNeeded(),
        });
        return this.view(current, "agent");
      }
      const waiting = await this.startWaiting(
        tx,
        ctx,
        { ...row, approvals: JSON.stringify(next) },
        row.approvals,
      );
      return this.view(waiting, "agent");
    });
  }

  /** The desk's ticket view: the hand-overs of one ticket, as an agent sees them. */
  async listForTicket(ticketId: string): Promise<HandoverView[]> {
    const rows = await this.db
      .selectFrom("handovers")
      .selectAll()
      .where("ticketId", "=", ticketId)
      .orderBy("createdAt", "desc")
      .execute();
    return rows.map((row) => this.view(row, "agent"));
  }

  // ── transfer through support ──────────────────────────────────────────────────────────────────

  /**
   * An agent starts a transfer asked for by letter. The letter must come from the owner's service
   * address or confirmed recovery e-mail (LETTER_NOT_FROM_OWNER otherwise, which the desk answers
   * with); a link goes to that address, where the owner, signed in, names the target login.
   */
  async startSupportTransfer(
    ctx: RequestContext,
    input: { ticketId: string; domain: string; letterFrom: string },
  ): Promise<HandoverView> {
    const { actor } = ctx;
    if (actor.kind !== "agent" || actor.ticketId !== input.ticketId) throw new AppError("NOT_FOUND");
    await this.requireAgent(actor.accountId);
    const name = lookupName(input.domain);
    if (!name) throw new AppError("NOT_FOUND");
    const from = input.letterFrom.trim().toLowerCase();
    return this.transaction(async (tx) => {
      const domain = await tx
        .selectFrom("domains")
        .innerJoin("accounts", "accounts.id", "domains.ownerAccountId")
        .select([
          "domains.id",
          "domains.name",
          "domains.ownerAccountId",
          "accounts.login",
          "accounts.recoveryEmail",
          "accounts.emailConfirmedAt",
        ])
        .where("domains.name", "=", name)
        .executeTakeFirst();
      if (!domain) throw new AppError("NOT_FOUND");
      const ownerAddresses = [this.address(domain.login)];
      if (domain.recoveryEmail && domain.emailConfirmedAt !== null)
        ownerAddresses.push(domain.recoveryEmail.toLowerCase());
      if (!ownerAddresses.includes(from)) throw new AppError("LETTER_NOT_FROM_OWNER");
      const key = newSecret();
      const row: Row = {
        ...this.blank(ctx, "transfer", "awaiting-owner", domain.id, domain.name, domain.ownerAccountId),
        ticketId: input.ticketId,
        letterFrom: from,
        ownerSecretHash: hashOf(key),
        expiresAt: ctx.now + LINK_LIFETIME_MS,
      };
      await tx.insertInto("handovers").values(row).execute();
      await this.record(tx, ctx, row, "handover.start", { kind: "support-transfer" });
      await this.deps.outbox.enqueue(tx, ctx.now, {
        channel: "email",
        recipient: from,
        accountId: domain.ownerAccountId,
        subject: `Confirm the transfer of ${domain.name}`,
        body:
          `You asked support to transfer ${domain.name} to another administrator. Sign in to mfd and name ` +
          `the account to transfer it to at ${this.link("transfer/confirm", row.id, key)} (valid 7 days). ` +
          `If you did not ask for this, cancel it at ${this.link("transfer/cancel", row.id, key)}.`,
        expiresAt: row.expiresAt,
      });
      return this.view(row, "agent");
    });
  }

  /** The owner, signed in, confirms a support transfer from the link and names the target login. */
  async confirmSupportTransfer(
    ctx: RequestContext,
    id: string,
    input: { key: string; login: string },
  ): Promise<HandoverView> {
    const accountId = this.accountOf(ctx);
    const login = this.loginOf(input.login);
    return this.transaction(async (tx) => {
      const row = await this.find(tx, id);
      if (
        !row ||
        row.fromAccountId !== accountId ||
        !row.ownerSecretHash ||
        !constantTimeEqual(row.ownerSecretHash, hashOf(input.key))
      )
        throw new AppError("HANDOVER_LINK_INVALID");
      if (row.state === "awaiting-owner" && row.expiresAt <= ctx.now) throw new AppError("HANDOVER_EXPIRED");
      const target = await tx
        .selectFrom("accounts")
        .select("id")
        .where("login", "=", login)
        .executeTakeFirst();
      if (target?.id === accountId) throw new AppError("TRANSFER_TO_SELF");
      const key = newSecret();
      const set = {
        ownerSecretHash: null,
        acceptSecretHash: hashOf(key),
        toAccountId: target?.id ?? null,
        toLogin: login,
        expiresAt: ctx.now + LINK_LIFETIME_MS,
        updatedAt: ctx.now,
      };
      await handoverMachine.apply(tx, "confirm", id, set);
      const offered: Row = { ...row, ...set, state: "offered" };
      await this.record(tx, ctx, offered, "handover.confirm", { to: this.address(login) });
      await notifySecurityChange(
        tx,
        this.deps,
        ctx.now,
        accountId,
        `You confirmed the transfer of ${row.domainName} to ${this.address(login)}`,
      );
      if (target) await this.offerToTarget(tx, ctx, offered, key);
      return this.view(offered, "from");
    });
  }

  // ── the worker ────────────────────────────────────────────────────────────────────────────────

  /**
   * Completes restores whose waiting period is over (the move) and expires offers and challenges
   * past their time. Each row in its own transaction, claimed by its conditional update, so several
   * workers never move a domain twice. A move the domain no longer allows (disconnected, moved)
   * ends the hand-over as failed. Returns the number of rows handled.
   */
  async runDue(now: number, limit = 50): Promise<number> {
    const ctx: RequestContext = { actor: { kind: "system" }, ip: null, userAgent: null, now };
    let handled = 0;
    const due = await this.db
      .selectFrom("handovers")
      .selectAll()
      .where("state", "=", "waiting")
      .where("waitUntil", "<=", now)
      .limit(limit)
      .execute();
    for (const row of due) {
      try {
        await this.transaction(async (tx) => {
          await handoverMachine.apply(tx, "complete", row.id, { cancelSecretHash: null, updatedAt: now });
          await this.move(tx, ctx, row, "restore");
          await notifySecurityChange(
            tx,
            this.deps,
            now,
            row.fromAccountId,
            `Access to ${row.domainName} was restored to another account`,
          );
          if (row.toAccountId)
            await tellAccount(tx, this.deps, now, row.toAccountId, () => ({
              subject: `You now manage ${row.domainName}`,
              body: `Access to ${row.domainName} was restored to your mfd account at ${iso(now)}, with its mailboxes, aliases, DNS records and administrators.`,
            }));
          await this.record(tx, ctx, { ...row, state: "done" }, "handover.accept", { kind: "restore" });
        }, row.domainId);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== "STATE_CHANGED") throw error;
        // Cancelled meanwhile (the row moved on), or the domain changed hands: end it if still open.
        await this.transaction(async (tx) => {
          const updated = await handoverMachine
            .update(tx, "fail", row.id, { endReason: "domain-changed", updatedAt: now })
            .executeTakeFirst();
          if (updated.numUpdatedRows > 0n) await this.record(tx, ctx, row, "handover.fail", {});
        });
      }
      handled++;
    }
    const stale = await this.db
      .selectFrom("handovers")
      .selectAll()
      .where("state", "in", ["awaiting-owner", "offered", "proving"])
      .where("expiresAt", "<=", now)
      .limit(limit)
      .execute();
    for (const row of stale) {
      await this.transaction(async (tx) => {
        const updated = await handoverMachine
          .update(tx, "expire", row.id, {
            acceptSecretHash: null,
            ownerSecretHash: null,
            updatedAt: now,
          })
          .executeTakeFirst();
        if (updated.numUpdatedRows > 0n) await this.record(tx, ctx, row, "handover.expire", {});
      });
      handled++;
    }
    return handled;
  }

  /** A disconnected domain's open hand-overs end with it (the `domain.released` handler). */
  async endForReleasedDomain(tx: Executor, now: number, domainId: string): Promise<number> {
    const result = await tx
      .updateTable("handovers")
      .set({
        state: "cancelled",
        endReason: "released",
        updatedAt: now,
        acceptSecretHash: null,
        ownerSecretHash: null,
        cancelSecretHash: null,
      })
      .where("domainId", "=", domainId)
      .where("state", "in", [...OPEN_STATES])
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────────

  /** moveDomain with this service's lifecycle hooks (the public face for other capabilities). */
  moveDomain(
    tx: Executor,
    ctx: RequestContext,
    input: { domainId: string; fromAccountId: string; toAccountId: string; reason: MoveReason },
  ) {
    return moveDomain(tx, ctx, this.lifecycle, input);
  }

  private async move(tx: Executor, ctx: RequestContext, row: Row, reason: MoveReason): Promise<void> {
    if (!row.toAccountId) throw new AppError("STATE_CHANGED");
    await moveDomain(tx, ctx, this.lifecycle, {
      domainId: row.domainId,
      fromAccountId: row.fromAccountId,
      toAccountId: row.toAccountId,
      reason,
      handoverId: row.id,
    });
    // Crash tests (MFD_FAULT_PAUSE=handover-move, development mode only) kill the process here:
    // the domain row is changed, nothing is committed.
    if (this.deps.config.faultPause === "handover-move") {
      process.stderr.write(`mfd: paused inside the move of ${row.domainName}\n`);
      await new Promise<never>(() => {});
    }
  }

  private async startWaiting(
    tx: Executor,
    ctx: RequestContext,
    row: Row,
    approvalsWere?: string,
  ): Promise<Row> {
    const key = newSecret();
    const set = {
      approvals: row.approvals,
      waitUntil: ctx.now + this.deps.config.restoreWaitMs,
      cancelSecretHash: hashOf(key),
      updatedAt: ctx.now,
    };
    const updated = await handoverMachine
      .update(tx, "approve", row.id, set)
      .$if(approvalsWere !== undefined, (qb) => qb.where("approvals", "=", approvalsWere as string))
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new AppError("STATE_CHANGED");
    const waiting: Row = { ...row, ...set, state: "waiting" };
    await this.record(tx, ctx, waiting, "handover.approve", {
      approvals: (JSON.parse(row.approvals) as string[]).length,
      waitUntil: iso(set.waitUntil),
    });
    // Every confirmed contact of the current owner, with the one-click cancel.
    const hours = Math.round(this.deps.config.restoreWaitMs / HOUR);
    const contacts = await confirmedContacts(tx, row.fromAccountId);
    for (const { channel, recipient } of contacts?.recipients ?? [])
      await this.deps.outbox.enqueue(tx, ctx.now, {
        channel,
        recipient,
        accountId: row.fromAccountId,
        subject: `Someone is restoring access to ${row.domainName}`,
        body:
          `Someone proved control of ${row.domainName}'s DNS and asked for management of the domain. ` +
          `Unless you cancel, it moves to their mfd account with all mailboxes at ${iso(set.waitUntil)} ` +
          `(in ${hours} hours). If this is not what you want, cancel it: ${this.link("handover/cancel", row.id, key)}`,
      });
    return waiting;
  }

  /** Ends an open hand-over; the other side is told. */
  private async end(
    tx: Executor,
    ctx: RequestContext,
    row: Row,
    by: "owner" | "other-side" | "owner-link",
  ): Promise<HandoverView> {
    const set = {
      endReason:
        by === "other-side" ? (row.kind === "restore" ? "withdrawn" : "declined") : "cancelled-by-owner",
      acceptSecretHash: null,
      ownerSecretHash: null,
      cancelSecretHash: null,
      updatedAt: ctx.now,
    };
    await handoverMachine.apply(tx, "cancel", row.id, set);
    const ended: Row = { ...row, ...set, state: "cancelled" };
    await this.record(tx, ctx, ended, "handover.cancel", { by });
    const what =
      row.kind === "restore"
        ? `The restore of access to ${row.domainName} was cancelled`
        : `The transfer of ${row.domainName} was cancelled`;
    // The owner never heard of a restore still being proven.
    if (!(row.kind === "restore" && row.state === "proving"))
      await tellAccount(tx, this.deps, ctx.now, row.fromAccountId, () => ({
        subject: what,
        body: `${what} at ${iso(ctx.now)}.`,
      }));
    if (row.toAccountId)
      await tellAccount(tx, this.deps, ctx.now, row.toAccountId, () => ({
        subject: what,
        body: `${what} at ${iso(ctx.now)}.`,
      }));
    return this.view(ended, by === "other-side" ? "to" : "from");
  }

  private async offerToTarget(tx: Executor, ctx: RequestContext, row: Row, key: string): Promise<void> {
    if (!row.toAccountId) return;
    await tellAccount(tx, this.deps, ctx.now, row.toAccountId, (login) => ({
      subject: `${row.domainName} is offered to you`,
      body:
        `The administrator of ${row.domainName} offers to transfer it, with its mailboxes, to your mfd account ` +
        `${this.address(login)}. Sign in as ${login} and accept at ${this.link("transfer/accept", row.id, key)} ` +
        `before ${iso(row.expiresAt)}. If you do not expect this, ignore it.`,
    }));
  }

  /** The requester's or the ticket's agent's view of a restore; anyone else NOT_FOUND. */
  private async restoreFor(ctx: RequestContext, id: string): Promise<{ row: Row; side: "to" | "agent" }> {
    const row = await this.find(this.db, id);
    if (row?.kind !== "restore") throw new AppError("NOT_FOUND");
    const { actor } = ctx;
    if (actor.kind === "agent") {
      if (row.ticketId === null || actor.ticketId !== row.ticketId) throw new AppError("NOT_FOUND");
      await this.requireAgent(actor.accountId);
      return { row, side: "agent" };
    }
    if (actor.kind === "account" && row.toAccountId === actor.accountId) return { row, side: "to" };
    throw new AppError("NOT_FOUND");
  }

  private async proof(row: Row): Promise<{ result: ChallengeResult; detail: string }> {
    if (!row.challengeToken) return { result: "absent", detail: "This hand-over has no DNS challenge." };
    const challenge = this.challengeOf(row);
    return checkTxtChallenge(this.lookup, challenge.name, challenge.value, CHALLENGE_PREFIX, "this restore");
  }

  private challengeOf(row: Row): { name: string; value: string } {
    return {
      name: `${CHALLENGE_LABEL}.${row.domainName}`,
      value: `${CHALLENGE_PREFIX}${row.challengeToken}`,
    };
  }

  private approvalsNeeded(): number {
    return this.deps.config.supportTwoPerson ? 2 : 1;
  }

  private async requireAgent(accountId: string): Promise<void> {
    const agent = await this.db
      .selectFrom("accounts")
      .select("isSupportAgent")
      .where("id", "=", accountId)
      .executeTakeFirst();
    if (agent?.isSupportAgent !== 1) throw new AppError("NOT_FOUND");
  }

  /** Names, a security question and a confirmed phone (product.md §7). */
  private async requireCompleteProfile(accountId: string): Promise<void> {
    const account = await this.db
      .selectFrom("accounts")
      .select([
        "firstName",
        "lastName",
        "securityQuestion",
        "securityAnswerHash",
        "phone",
        "phoneConfirmedAt",
      ])
      .where("id", "=", accountId)
      .executeTakeFirst();
    if (!account) throw new AppError("NOT_FOUND");
    const missing: string[] = [];
    if (!account.firstName.trim() || !account.lastName.trim()) missing.push("names");
    if (!account.securityQuestion || !account.securityAnswerHash) missing.push("security-question");
    if (!account.phone || account.phoneConfirmedAt === null) missing.push("confirmed-phone");
    if (missing.length > 0)
      throw new AppError(
        "PROFILE_INCOMPLETE",
        `Complete your profile first; missing: ${missing.join(", ").replaceAll("-", " ")}.`,
        { missing },
      );
  }

  private sideOf(row: Row, accountId: string): "from" | "to" | null {
    if (row.fromAccountId === accountId) {
      // A restore's owner side sees it only once it is waiting (they are told then); before, the
      // owner of a domain learns nothing of a pending claim on it.
      if (row.kind === "restore" && row.state === "proving") return null;
      return "from";
    }
    if (row.toAccountId === accountId) {
      // The target of a support transfer learns of it only once the owner confirmed it.
      if (row.state === "awaiting-owner") return null;
      return "to";
    }
    return null;
  }

  private find(db: Executor, id: string): Promise<Row | undefined> {
    return db.selectFrom("handovers").selectAll().where("id", "=", id).executeTakeFirst();
  }

  private blank(
    ctx: RequestContext,
    kind: Row["kind"],
    state: string,
    domainId: string,
    domainName: string,
    fromAccountId: string,
  ): Row {
    return {
      id: newId(),
      kind,
      state,
      domainId,
      domainName,
      fromAccountId,
      toAccountId: null,
      toLogin: null,
      ticketId: null,
      acceptSecretHash: null,
      ownerSecretHash: null,
      cancelSecretHash: null,
      challengeToken: null,
      approvals: "[]",
      letterFrom: null,
      endReason: null,
      waitUntil: null,
      expiresAt: ctx.now,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
  }

  /**
   * The event in the log of each party: the owner's (with the domain id while they own it) and the
   * other account's; neither carries the other side's address (docs/SECURITY.md §41).
   */
  private async record(
    tx: Executor,
    ctx: RequestContext,
    row: Row,
    action:
      | "handover.start"
      | "handover.accept"
      | "handover.approve"
      | "handover.cancel"
      | "handover.confirm"
      | "handover.expire"
      | "handover.fail"
      | "handover.proof-check",
    details: Record<string, unknown>,
  ): Promise<void> {
    const event = {
      action,
      domain: row.domainName,
      target: row.id,
      details: { ...details, kind: row.kind, ...(row.ticketId ? { ticketId: row.ticketId } : {}) },
    };
    const restoreUnseen = row.kind === "restore" && row.state === "proving";
    const actingAccount = accountIdOf(ctx.actor);
    if (!restoreUnseen)
      await recordEvent(tx, actingAccount === row.fromAccountId ? ctx : { ...ctx, ip: null }, {
        ...event,
        accountId: row.fromAccountId,
        domainId: row.state === "done" ? undefined : row.domainId,
      });
    if (row.toAccountId)
      await recordEvent(tx, actingAccount === row.toAccountId ? ctx : { ...ctx, ip: null }, {
        ...event,
        accountId: row.toAccountId,
      });
    // An agent's action lands in the agent's own log too, with the ticket.
    if (ctx.actor.kind === "agent") await recordEvent(tx, ctx, { ...event, accountId: ctx.actor.accountId });
  }

  private accountOf(ctx: RequestContext): string {
    const id = ctx.actor.kind === "account" ? ctx.actor.accountId : null;
    if (!id) throw new AppError("UNAUTHENTICATED");
    return id;
  }

  private loginOf(input: string): string {
    const value = input.trim().toLowerCase();
    const at = value.lastIndexOf("@");
    if (at === -1) return value;
    if (value.slice(at + 1) === this.deps.config.serviceDomain) return value.slice(0, at);
    throw new AppError(
      "VALIDATION_FAILED",
      `A domain is transferred to a service account: give a login or login@${this.deps.config.serviceDomain}.`,
      { field: "login" },
    );
  }

  private address(login: string): string {
    return `${login}@${this.deps.config.serviceDomain}`;
  }

  /** A console page link carrying the secret after `#`, so it never reaches a server log. */
  private link(page: string, id: string, key: string): string {
    return `${this.deps.config.publicUrl}/${page}/${id}#${key}`;
  }

  /**
   * A write transaction. One that may move `domainId` locks the domain row first (PostgreSQL): a
   * move updates its hand-over, the domain and then the domain's other hand-overs, and a disconnect
   * locks the domain before ending its hand-overs, so taking the domain first keeps every such pair
   * in one order — they wait for each other instead of deadlocking.
   */
  private transaction<T>(work: (tx: Executor) => Promise<T>, domainId?: string): Promise<T> {
    return inDomainTransaction(this.deps.database, (tx) => work(tx), {
      ...(domainId ? { lock: { table: "domains" as const, id: domainId } } : {}),
    });
  }

  private view(row: Row, side: "from" | "to" | "agent"): HandoverView {
    const seesChallenge = row.kind === "restore" && side !== "from";
    return {
      id: row.id,
      kind: row.kind,
      state: row.state as HandoverView["state"],
      domain: row.domainName,
      side,
      toLogin: row.kind === "transfer" && side !== "to" ? row.toLogin : null,
      ticketId: side === "from" ? null : row.ticketId,
      challenge: seesChallenge && row.challengeToken ? this.challengeOf(row) : null,
      approvals: (JSON.parse(row.approvals) as string[]).length,
      approvalsNeeded: row.kind === "restore" && row.ticketId !== null ? this.approvalsNeeded() : 0,
      waitUntil: row.waitUntil === null ? null : iso(row.waitUntil),
      expiresAt: iso(row.expiresAt),
      endReason: row.endReason,
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
    };
  }
}
