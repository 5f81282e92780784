import type { Static } from "@sinclair/typebox";
import type { RequestContext } from "../access/actor.js";
import { recordEvent, recordRefusals } from "../audit/audit.service.js";
import { normaliseEmail } from "../credentials/contacts.js";
import { appSecret } from "../db/app-secrets.js";
import type { Executor } from "../db/database.js";
import { hitLimits } from "../db/rate-limit.js";
import type { TicketsTable } from "../db/schema-support.js";
import type { Deps } from "../deps.js";
import type { HandoversService } from "../handovers/index.js";
import { HOUR } from "../lib/clock.js";
import { asciiName } from "../lib/domain-names.js";
import { AppError } from "../lib/errors.js";
import { keysetPage } from "../lib/paging.js";
import { constantTimeEqual, newId, randomSecret, sha256 } from "../lib/random.js";
import type * as schemas from "./support.schemas.js";
import {
  inboundAddress,
  inboundSecret,
  parseInboundAddress,
  type TicketStateName,
  tickets,
} from "./tickets.js";

export type NewTicket = Static<typeof schemas.NewTicketBody>;
export type TicketFiled = Static<typeof schemas.TicketFiled>;
export type RequesterTicket = Static<typeof schemas.RequesterTicket>;
export type MyTickets = Static<typeof schemas.MyTickets>;
export type QueueQuery = Static<typeof schemas.QueueQuery>;
export type QueuePage = Static<typeof schemas.QueuePage>;
export type AgentTicket = Static<typeof schemas.AgentTicket>;
export type AgentState = Static<typeof schemas.StateBody>["state"];

/** One answer for every domain, connected or not, whoever holds it (docs/SECURITY.md §41). */
const FILED_MESSAGE =
  "Your request is registered. We have sent a link to your request's page to the reply address; answer that e-mail to add to the request.";

/** The installation key inbound addresses are derived from (src/db/app-secrets.ts). */
const INBOUND_KEY = "support-inbound";

/** The form is open to anyone: counted per client address and per reply address (no mail bombing). */
const FILE_PER_ADDRESS = { max: 10, windowMs: HOUR };
const FILE_PER_REPLY_TO = { max: 5, windowMs: HOUR };
/** Trying ticket links: enough for real use, too few to guess a 256-bit secret (or even try). */
const LINK_TRIES_PER_ADDRESS = { max: 30, windowMs: HOUR };

/**
 * The automatic answer to a transfer asked for from another address. It says what is needed, never
 * whether the domain is connected or whose it is (docs/SECURITY.md §41).
 */
export const notFromOwnerAnswer = (serviceDomain: string): string =>
  [
    "Management of a domain is transferred only at the request of its current administrator.",
    `Please write to us from the administrator's own address: the service account's address (login@${serviceDomain})`,
    "or the recovery e-mail confirmed in that account. We will then send a confirmation link to that address.",
  ].join(" ");

const iso = (ms: number) => new Date(Number(ms)).toISOString();

/** What restoring access asks of the requester's account (product.md §7), by what is missing. */
export type ProfileGap = "account" | "names" | "security-question" | "confirmed-phone";

interface ProfileColumns {
  firstName: string;
  lastName: string;
  securityQuestion: string | null;
  phoneConfirmedAt: number | null;
}
const profileGaps = (a: ProfileColumns): ProfileGap[] => [
  ...(a.firstName.trim() && a.lastName.trim() ? [] : ["names" as const]),
  ...(a.securityQuestion ? [] : ["security-question" as const]),
  ...(a.phoneConfirmedAt !== null ? [] : ["confirmed-phone" as const]),
];

/** What an inbound e-mail brings to a ticket (src/support/inbound.ts parses it). */
export interface InboundMessage {
  body: string;
  fromAddress: string | null;
  envelopeFrom: string | null;
  messageId: string | null;
}

/**
 * The support desk (product.md §7, docs/SECURITY.md §41–42): the feedback form, the requester's
 * ticket page, replies by e-mail, and the agents' queue. Nothing a requester sees names the
 * domain's owner; an agent sees the owner only in a ticket about that domain, and every agent
 * action is an audit event of actor `agent` naming the ticket.
 */
export class SupportService {
  constructor(
    readonly deps: Deps,
    /** The hand-overs capability: the ticket's restore and transfer actions call its public face. */
    private readonly handovers: HandoversService,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /** The inbound address of a ticket: the Reply-To of every e-mail to its requester. */
  async replyAddress(db: Executor, ticketId: string): Promise<string> {
    return inboundAddress(this.deps.config, await appSecret(db, INBOUND_KEY), ticketId);
  }

  // ---- the requester's side --------------------------------------------------------------

  /** The feedback form, signed in or not. */
  async file(ctx: RequestContext, input: NewTicket): Promise<TicketFiled> {
    if (ctx.actor.kind === "token") throw new AppError("TOKEN_NOT_ALLOWED");
    const domain = asciiName(input.domain);
    const replyTo = normaliseEmail(input.replyTo);
    const requester = ctx.actor.kind === "account" ? ctx.actor.accountId : null;
    await hitLimits(
      this.db,
      ctx.now,
      [
        { key: `support-ticket:ip:${ctx.limitKey}`, ...FILE_PER_ADDRESS },
        { key: `support-ticket:to:${sha256(replyTo.toLowerCase())}`, ...FILE_PER_REPLY_TO },
      ],
      recordRefusals(this.db, ctx, "support-ticket"),
    );
    if (input.category === "restore-access") await this.requireCompleteProfile(requester);
    const id = newId();
    const link = randomSecret(32);
    // A transfer is asked for from the administrator's own address (product.md §7); anything else
    // is answered at once — the same answer whether the domain is connected or not.
    const notFromOwner = input.category === "transfer" && !(await this.isOwnerAddress(domain, replyTo));
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("tickets")
        .values({
          id,
          category: input.category,
          domain,
          replyTo,
          requesterAccountId: requester,
          state: "new",
          linkHash: sha256(link),
          accessHash: null,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        })
        .execute();
      await this.addMessage(tx, ctx.now, id, {
        authorKind: "requester",
        authorAccountId: requester,
        channel: "web",
        body: input.message,
      });
      await recordEvent(tx, ctx, {
        action: "support.ticket.open",
        accountId: requester,
        domain,
        target: id,
        ticketId: id,
        details: { category: input.category },
      });
      await this.mailRequester(tx, ctx.now, { id, replyTo, requesterAccountId: requester }, link, {
        subject: `Your request ${shortId(id)} to ${this.deps.config.serviceDomain} support`,
        text: [
          `We have received your request about the domain ${domain}.`,
          "",
          "Your message:",
          quote(input.message),
          ...(notFromOwner ? ["", notFromOwnerAnswer(this.deps.config.serviceDomain)] : []),
        ].join("\n"),
      });
      if (notFromOwner) {
        await this.addMessage(tx, ctx.now, id, {
          authorKind: "system",
          authorAccountId: null,
          channel: "web",
          body: notFromOwnerAnswer(this.deps.config.serviceDomain),
        });
        await tickets.apply(tx, "waiting-requester", id, { updatedAt: ctx.now });
        await recordEvent(tx, ctx, {
          action: "support.ticket.auto-answer",
          domain,
          target: id,
          ticketId: id,
          details: { reason: "not-from-owner" },
        });
      }
    });
    return { id, message: FILED_MESSAGE };
  }

  /** Whether an address is the domain owner's service address or confirmed recovery e-mail. */
  async isOwnerAddress(domain: string, address: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("domains")
      .select("ownerAccountId")
      .where("name", "=", domain)
      .executeTakeFirst();
    if (!row) return false;
    return (await this.ownerAddresses(row.ownerAccountId)).has(address.toLowerCase());
  }

  /** Restoring access ties the domain to the requester's account: it must be complete. */
  private async requireCompleteProfile(accountId: string | null): Promise<void> {
    const account = accountId
      ? await this.db
          .selectFrom("accounts")
          .select(["firstName", "lastName", "securityQuestion", "phoneConfirmedAt"])
          .where("id", "=", accountId)
          .executeTakeFirst()
      : undefined;
    const missing: ProfileGap[] = account ? profileGaps(account) : ["account"];
    if (missing.length === 0) return;
    const words: Record<ProfileGap, string> = {
      account: "sign in (or register) first: the domain will be managed by that account",
      names: "your first and last name",
      "security-question": "a security question",
      "confirmed-phone": "a confirmed phone number",
    };
    throw new AppError(
      "PROFILE_INCOMPLETE",
      account
        ? `Add to your profile: ${missing.map((gap) => words[gap]).join(", ")}.`
        : `To restore access, ${words.account}.`,
      { missing },
    );
  }

  /** Spends the single-use link mailed to the reply address for a key the browser keeps. */
  async openLink(ctx: RequestContext, ticketId: string, key: string): Promise<{ accessKey: string }> {
    await hitLimits(
      this.db,
      ctx.now,
      [{ key: `support-link:ip:${ctx.limitKey}`, ...LINK_TRIES_PER_ADDRESS }],
      recordRefusals(this.db, ctx, "support-link"),
    );
    const accessKey = randomSecret(32);
    return this.db.transaction().execute(async (tx) => {
      const spent = await tx
        .updateTable("tickets")
        .set({ linkHash: null, accessHash: sha256(accessKey) })
        .where("id", "=", ticketId)
        .where("linkHash", "=", sha256(key))
        .executeTakeFirst();
      if (spent.numUpdatedRows === 0n) throw new AppError("TICKET_LINK_INVALID");
      await recordEvent(tx, ctx, { action: "support.ticket.link-used", target: ticketId, ticketId });
      return { accessKey };
    });
  }

  /**
   * The ticket if the request may see it as its requester: the signed-in account that filed it,
   * or the key its mailed link was exchanged for. Anyone else gets NOT_FOUND.
   */
  private async requesterTicketRow(ctx: RequestContext, ticketId: string, key: string | undefined) {
    const row = await this.db.selectFrom("tickets").selectAll().where("id", "=", ticketId).executeTakeFirst();
    if (!row) throw new AppError("NOT_FOUND");
    const byAccount =
      ctx.actor.kind === "account" &&
      row.requesterAccountId !== null &&
      row.requesterAccountId === ctx.actor.accountId;
    const byKey =
      key !== undefined && row.accessHash !== null && constantTimeEqual(sha256(key), row.accessHash);
    if (!byAccount && !byKey) throw new AppError("NOT_FOUND");
    return row;
  }

  async requesterView(
    ctx: RequestContext,
    ticketId: string,
    key: string | undefined,
  ): Promise<RequesterTicket> {
    const row = await this.requesterTicketRow(ctx, ticketId, key);
    const messages = await this.db
      .selectFrom("ticketMessages")
      .select(["id", "createdAt", "authorKind", "channel", "body"])
      .where("ticketId", "=", row.id)
      .where("internal", "=", 0)
      .orderBy("createdAt")
      .orderBy("id")
      .execute();
    return {
      id: row.id,
      category: row.category,
      domain: row.domain,
      replyTo: row.replyTo,
      state: row.state,
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
      messages: messages.map((m) => ({
        id: m.id,
        at: iso(m.createdAt),
        author: m.authorKind,
        channel: m.channel,
        body: m.body,
      })),
    };
  }

  /** The requester writes on the ticket page. */
  async requesterReply(
    ctx: RequestContext,
    ticketId: string,
    key: string | undefined,
    body: string,
  ): Promise<RequesterTicket> {
    const row = await this.requesterTicketRow(ctx, ticketId, key);
    await this.db.transaction().execute(async (tx) => {
      await this.requesterWrote(tx, ctx.now, row.id);
      await this.addMessage(tx, ctx.now, row.id, {
        authorKind: "requester",
        authorAccountId: ctx.actor.kind === "account" ? ctx.actor.accountId : null,
        channel: "web",
        body,
      });
      await recordEvent(tx, ctx, {
        action: "support.ticket.message",
        accountId: ctx.actor.kind === "account" ? ctx.actor.accountId : null,
        target: row.id,
        ticketId: row.id,
        details: { channel: "web" },
      });
    });
    return this.requesterView(ctx, ticketId, key);
  }

  /** A requester's message moves the ticket back to the desk (a new one stays new); closed refuses. */
  private async requesterWrote(tx: Executor, now: number, ticketId: string): Promise<void> {
    const moved = await tickets.update(tx, "requesterWrote", ticketId, { updatedAt: now }).executeTakeFirst();
    if (moved.numUpdatedRows > 0n) return;
    const still = await tx
      .updateTable("tickets")
      .set({ updatedAt: now })
      .where("id", "=", ticketId)
      .where("state", "=", "new")
      .executeTakeFirst();
    if (still.numUpdatedRows === 0n) throw new AppError("TICKET_CLOSED");
  }

  /** The signed-in account's own tickets, newest first. */
  async mine(ctx: RequestContext): Promise<MyTickets> {
    if (ctx.actor.kind !== "account") throw new AppError("UNAUTHENTICATED");
    const rows = await this.db
      .selectFrom("tickets")
      .select(["id", "category", "domain", "state", "createdAt", "updatedAt"])
      .where("requesterAccountId", "=", ctx.actor.accountId)
      .orderBy("id", "desc")
      .limit(200)
      .execute();
    return {
      tickets: rows.map((r) => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) })),
    };
  }

  // ---- inbound e-mail ----------------------------------------------------------------------

  /**
   * The ticket an inbound recipient names, if the address is one of ours with the right secret and
   * the ticket is not closed; null otherwise (the SMTP server answers 550).
   */
  async inboundTicket(recipient: string): Promise<string | null> {
    const parsed = parseInboundAddress(this.deps.config, recipient);
    if (!parsed) return null;
    const expected = inboundSecret(await appSecret(this.db, INBOUND_KEY), parsed.ticketId);
    if (!constantTimeEqual(expected, parsed.secret)) return null;
    const row = await this.db
      .selectFrom("tickets")
      .select(["id", "state"])
      .where("id", "=", parsed.ticketId)
      .executeTakeFirst();
    return row && row.state !== "closed" ? row.id : null;
  }

  /**
   * Adds an inbound e-mail to a ticket's thread as the requester's; a Message-ID seen on the
   * ticket before is added once. Returns whether it was added.
   */
  async addInbound(
    ctx: RequestContext,
    ticketId: string,
    message: InboundMessage,
  ): Promise<"added" | "duplicate"> {
    return this.db.transaction().execute(async (tx) => {
      if (message.messageId) {
        const seen = await tx
          .selectFrom("ticketMessages")
          .select("id")
          .where("ticketId", "=", ticketId)
          .where("messageId", "=", message.messageId)
          .executeTakeFirst();
        if (seen) return "duplicate";
      }
      await this.requesterWrote(tx, ctx.now, ticketId);
      await this.addMessage(tx, ctx.now, ticketId, {
        authorKind: "requester",
        authorAccountId: null,
        channel: "email",
        body: message.body,
        fromAddress: message.fromAddress,
        envelopeFrom: message.envelopeFrom,
        messageId: message.messageId,
      });
      await recordEvent(tx, ctx, {
        action: "support.ticket.message",
        target: ticketId,
        ticketId,
        details: { channel: "email", ...(message.fromAddress ? { from: message.fromAddress } : {}) },
      });
      return "added";
    });
  }

  // ---- the agent desk -----------------------------------------------------------------------

  /** The request's context as the agent acting in a ticket: its audit rows say agent + ticket. */
  private asAgent(ctx: RequestContext, ticketId: string): RequestContext {
    if (ctx.actor.kind !== "account" || !ctx.actor.isSupportAgent) throw new AppError("NOT_FOUND");
    return { ...ctx, actor: { kind: "agent", accountId: ctx.actor.accountId, ticketId } };
  }

  /** The queue, oldest first (the longest waiting on top), filtered by category, state and age. */
  async queue(ctx: RequestContext, query: QueueQuery): Promise<QueuePage> {
    if (ctx.actor.kind !== "account" || !ctx.actor.isSupportAgent) throw new AppError("NOT_FOUND");
    const limit = query.limit ?? 50;
    let select = this.db
      .selectFrom("tickets")
      .select(["id", "category", "domain", "state", "replyTo", "createdAt", "updatedAt"])
      .orderBy("id")
      .limit(limit + 1);
    if (query.category) select = select.where("category", "=", query.category);
    select = query.state
      ? select.where("state", "=", query.state)
      : select.where("state", "not in", ["resolved", "closed"]);
    if (query.olderThanHours !== undefined)
      select = select.where("createdAt", "<=", ctx.now - query.olderThanHours * HOUR);
    if (query.after) select = select.where("id", ">", query.after);
    const { shown, next } = keysetPage(await select.execute(), limit, (last) => last.id);
    return {
      tickets: shown.map((r) => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) })),
      next,
    };
  }

  private async ticketRow(db: Executor, ticketId: string): Promise<TicketsTable> {
    const row = await db.selectFrom("tickets").selectAll().where("id", "=", ticketId).executeTakeFirst();
    if (!row) throw new AppError("NOT_FOUND");
    return row;
  }

  /**
   * A ticket as the agent sees it: thread with internal notes, the requester's account and — only
   * here — the domain's current owner. Viewing is itself an audit event (it shows the owner).
   */
  async agentView(ctx: RequestContext, ticketId: string): Promise<AgentTicket> {
    const agent = this.asAgent(ctx, ticketId);
    const row = await this.ticketRow(this.db, ticketId);
    const view = await this.agentTicket(row);
    await recordEvent(this.db, agent, {
      action: "support.ticket.view",
      domain: row.domain,
      target: ticketId,
      details: view.owner ? { ownerShown: true } : undefined,
    });
    return view;
  }

  private async accountFacts(accountId: string) {
    const a = await this.db
      .selectFrom("accounts")
      .select(["login", "firstName", "lastName", "securityQuestion", "phoneConfirmedAt", "totpEnabledAt"])
      .where("id", "=", accountId)
      .executeTakeFirst();
    if (!a) return null;
    return {
      login: `${a.login}@${this.deps.config.serviceDomain}`,
      firstName: a.firstName,
      lastName: a.lastName,
      profileComplete: profileGaps(a).length === 0,
      twoFactor: a.totpEnabledAt !== null,
    };
  }

  /** The addresses a letter from the owner may come from: the service address and the confirmed recovery e-mail. */
  private async ownerAddresses(accountId: string): Promise<Set<string>> {
    const a = await this.db
      .selectFrom("accounts")
      .select(["login", "recoveryEmail", "emailConfirmedAt"])
      .where("id", "=", accountId)
      .executeTakeFirst();
    const addresses = new Set<string>();
    if (!a) return addresses;
    addresses.add(`${a.login}@${this.deps.config.serviceDomain}`.toLowerCase());
    if (a.recoveryEmail && a.emailConfirmedAt !== null) addresses.add(a.recoveryEmail.toLowerCase());
    return addresses;
  }

  private async agentTicket(row: TicketsTable): Promise<AgentTicket> {
    const domain = await this.db
      .selectFrom("domains")
      .select(["ownerAccountId", "confirmedAt"])
      .where("name", "=", row.domain)
      .executeTakeFirst();
    const ownerFacts = domain ? await this.accountFacts(domain.ownerAccountId) : null;
    const ownerAddresses = domain ? await this.ownerAddresses(domain.ownerAccountId) : null;
    const messages = await this.db
      .selectFrom("ticketMessages")
      .leftJoin("accounts", "accounts.id", "ticketMessages.authorAccountId")
      .select([
        "ticketMessages.id",
        "ticketMessages.createdAt",
        "ticketMessages.authorKind",
        "ticketMessages.channel",
        "ticketMessages.internal",
        "ticketMessages.body",
        "ticketMessages.fromAddress",
        "ticketMessages.envelopeFrom",
        "accounts.login",
      ])
      .where("ticketMessages.ticketId", "=", row.id)
      .orderBy("ticketMessages.createdAt")
      .orderBy("ticketMessages.id")
      .execute();
    const fromOwner = (m: { channel: string; fromAddress: string | null; envelopeFrom: string | null }) =>
      m.channel !== "email" || ownerAddresses === null
        ? null
        : [m.fromAddress, m.envelopeFrom].every((a) => a !== null && ownerAddresses.has(a.toLowerCase()));
    const activity = await this.db
      .selectFrom("auditEvents")
      .leftJoin("accounts", (join) =>
        join.onRef("accounts.id", "=", "auditEvents.actorId").on("auditEvents.actorType", "=", "agent"),
      )
      .select([
        "auditEvents.at",
        "auditEvents.action",
        "auditEvents.actorType",
        "auditEvents.actorId",
        "auditEvents.target",
        "auditEvents.accountId",
        "accounts.login",
      ])
      .where("auditEvents.ticketId", "=", row.id)
      .orderBy("auditEvents.id")
      .limit(500)
      .execute()
      .then(oncePerChange);
    return {
      id: row.id,
      category: row.category,
      domain: row.domain,
      replyTo: row.replyTo,
      state: row.state,
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
      handovers: await this.handovers.listForTicket(row.id),
      activity: activity.map((e) => ({
        at: iso(e.at),
        action: e.action,
        actorType: e.actorType,
        agentLogin: e.login ?? null,
      })),
      requester: row.requesterAccountId ? await this.accountFacts(row.requesterAccountId) : null,
      owner: domain && ownerFacts ? { ...ownerFacts, connectedAt: iso(domain.confirmedAt) } : null,
      messages: messages.map((m) => ({
        id: m.id,
        at: iso(m.createdAt),
        author: m.authorKind,
        agentLogin: m.authorKind === "agent" && m.login ? m.login : null,
        channel: m.channel,
        internal: m.internal === 1,
        body: m.body,
        fromAddress: m.fromAddress,
        envelopeFrom: m.envelopeFrom,
        fromOwner: fromOwner(m),
      })),
    };
  }

  /** An agent answers the requester: in the thread and by e-mail (with a fresh single-use link). */
  async agentReply(ctx: RequestContext, ticketId: string, body: string): Promise<AgentTicket> {
    const agent = this.asAgent(ctx, ticketId);
    await this.db.transaction().execute(async (tx) => {
      const row = await this.ticketRow(tx, ticketId);
      if (row.state === "closed") throw new AppError("TICKET_CLOSED");
      await tickets.apply(tx, "agentReplied", ticketId, { updatedAt: ctx.now });
      await this.addMessage(tx, ctx.now, ticketId, {
        authorKind: "agent",
        authorAccountId: agent.actor.kind === "agent" ? agent.actor.accountId : null,
        channel: "web",
        body,
      });
      await recordEvent(tx, agent, { action: "support.ticket.reply", domain: row.domain, target: ticketId });
      const link = randomSecret(32);
      await tx
        .updateTable("tickets")
        .set({ linkHash: sha256(link) })
        .where("id", "=", ticketId)
        .execute();
      await this.mailRequester(tx, ctx.now, row, link, {
        subject: `Re: your request ${shortId(ticketId)} to ${this.deps.config.serviceDomain} support`,
        text: body,
      });
    });
    return this.agentTicket(await this.ticketRow(this.db, ticketId));
  }

  /** An internal note: only agents ever see it. */
  async agentNote(ctx: RequestContext, ticketId: string, body: string): Promise<AgentTicket> {
    const agent = this.asAgent(ctx, ticketId);
    await this.db.transaction().execute(async (tx) => {
      const row = await this.ticketRow(tx, ticketId);
      await tx.updateTable("tickets").set({ updatedAt: ctx.now }).where("id", "=", ticketId).execute();
      await this.addMessage(tx, ctx.now, ticketId, {
        authorKind: "agent",
        authorAccountId: agent.actor.kind === "agent" ? agent.actor.accountId : null,
        channel: "web",
        body,
        internal: true,
      });
      await recordEvent(tx, agent, { action: "support.ticket.note", domain: row.domain, target: ticketId });
    });
    return this.agentTicket(await this.ticketRow(this.db, ticketId));
  }

  /** An agent moves the ticket; of two agents racing, one wins and the other gets STATE_CHANGED. */
  async agentSetState(ctx: RequestContext, ticketId: string, state: AgentState): Promise<AgentTicket> {
    const agent = this.asAgent(ctx, ticketId);
    await this.db.transaction().execute(async (tx) => {
      const row = await this.ticketRow(tx, ticketId);
      if (row.state === "closed") throw new AppError("TICKET_CLOSED");
      if (row.state === state) return;
      await tickets.apply(tx, state, ticketId, { updatedAt: ctx.now });
      await recordEvent(tx, agent, {
        action: "support.ticket.state",
        domain: row.domain,
        target: ticketId,
        details: { from: row.state, to: state satisfies TicketStateName },
      });
    });
    return this.agentTicket(await this.ticketRow(this.db, ticketId));
  }

  // ---- the ticket's hand-over actions (src/handovers/) ---------------------------------------

  /** A hand-over action fits only its category of ticket, and nothing happens on a closed one. */
  private async actionableTicket(
    ticketId: string,
    category: TicketsTable["category"],
  ): Promise<TicketsTable> {
    const row = await this.ticketRow(this.db, ticketId);
    if (row.state === "closed") throw new AppError("TICKET_CLOSED");
    if (row.category !== category)
      throw new AppError(
        "TICKET_CATEGORY_MISMATCH",
        category === "restore-access"
          ? "Only a request to restore access can issue a DNS challenge."
          : "Only a request to transfer management can send the owner a confirmation link.",
      );
    return row;
  }

  /**
   * Restore access: issues the DNS challenge bound to the ticket and its requester (who must have
   * sent the form signed in, with a complete profile) and tells the requester what to publish.
   */
  async agentStartRestore(ctx: RequestContext, ticketId: string): Promise<AgentTicket> {
    const agent = this.asAgent(ctx, ticketId);
    const row = await this.actionableTicket(ticketId, "restore-access");
    if (!row.requesterAccountId)
      throw new AppError(
        "PROFILE_INCOMPLETE",
        "The request was sent without signing in: ask the requester to send it again signed in to the account that should manage the domain.",
        { missing: ["account"] },
      );
    const handover = await this.handovers.startRestore(agent, {
      domain: row.domain,
      requesterAccountId: row.requesterAccountId,
      ticketId,
    });
    const challenge = handover.challenge as { name: string; value: string };
    await this.tellRequester(agent, row, "waiting-requester", [
      "To prove you control the domain, publish this DNS record at your DNS provider:",
      "",
      `  ${challenge.name}. TXT "${challenge.value}"`,
      "",
      "Then answer this message. We check it live; the record proves nothing for anyone but you and this request.",
    ]);
    return this.agentTicket(await this.ticketRow(this.db, ticketId));
  }

  /** The live check of a restore's TXT record, from the ticket. */
  async agentCheckRestore(
    ctx: RequestContext,
    ticketId: string,
    handoverId: string,
  ): Promise<{ result: string; detail: string; ticket: AgentTicket }> {
    const agent = this.asAgent(ctx, ticketId);
    const checked = await this.handovers.checkRestoreProof(agent, handoverId);
    return {
      result: checked.result,
      detail: checked.detail,
      ticket: await this.agentTicket(await this.ticketRow(this.db, ticketId)),
    };
  }

  /**
   * Approves a restore with the proof present (a second, different agent too when
   * MFD_SUPPORT_TWO_PERSON=1). Once the waiting period starts, the requester is told when the domain
   * moves unless the owner cancels — never who the owner is.
   */
  async agentApproveRestore(ctx: RequestContext, ticketId: string, handoverId: string): Promise<AgentTicket> {
    const agent = this.asAgent(ctx, ticketId);
    const row = await this.actionableTicket(ticketId, "restore-access");
    const handover = await this.handovers.approveRestore(agent, handoverId);
    if (handover.state === "waiting" && handover.waitUntil)
      await this.tellRequester(agent, row, "waiting-owner", [
        "Your proof is approved. The domain's current administrator has been told and may cancel until",
        `${handover.waitUntil} (UTC). If nobody cancels, management of ${row.domain} moves to your account then, with`,
        "every mailbox.",
      ]);
    return this.agentTicket(await this.ticketRow(this.db, ticketId));
  }

  /**
   * Transfer through support: the letter (the form's reply address, or the sender of one of the
   * thread's e-mails) must be the owner's service address or confirmed recovery e-mail; then the
   * owner gets a confirmation link there. Otherwise the requester is answered automatically, with
   * the same words whether the domain is connected or not.
   */
  async agentStartTransfer(
    ctx: RequestContext,
    ticketId: string,
    input: { messageId?: string | undefined },
  ): Promise<{ outcome: "link-sent" | "answered"; ticket: AgentTicket }> {
    const agent = this.asAgent(ctx, ticketId);
    const row = await this.actionableTicket(ticketId, "transfer");
    let letterFrom: string | null = row.replyTo;
    if (input.messageId) {
      const message = await this.db
        .selectFrom("ticketMessages")
        .select(["fromAddress", "envelopeFrom", "channel"])
        .where("ticketId", "=", ticketId)
        .where("id", "=", input.messageId)
        .executeTakeFirst();
      if (message?.channel !== "email") throw new AppError("NOT_FOUND");
      // Both senders must agree: a header From alone is what anyone may write.
      letterFrom =
        message.fromAddress && message.fromAddress === message.envelopeFrom ? message.fromAddress : null;
    }
    try {
      if (letterFrom === null) throw new AppError("LETTER_NOT_FROM_OWNER");
      await this.handovers.startSupportTransfer(agent, { ticketId, domain: row.domain, letterFrom });
    } catch (error) {
      // Not the owner's address, or no such connected domain: one answer for both (docs/SECURITY.md §41).
      if (
        !(error instanceof AppError) ||
        (error.code !== "LETTER_NOT_FROM_OWNER" && error.code !== "NOT_FOUND")
      )
        throw error;
      await this.tellRequester(
        agent,
        row,
        "waiting-requester",
        [notFromOwnerAnswer(this.deps.config.serviceDomain)],
        {
          auto: true,
        },
      );
      return { outcome: "answered", ticket: await this.agentTicket(await this.ticketRow(this.db, ticketId)) };
    }
    await this.tellRequester(agent, row, "waiting-owner", [
      "We have sent a confirmation link to the administrator's address. Open it signed in to the administrator's",
      "account and name the account that should manage the domain; that account then accepts the transfer.",
    ]);
    return { outcome: "link-sent", ticket: await this.agentTicket(await this.ticketRow(this.db, ticketId)) };
  }

  /**
   * A message of the desk to the requester about a hand-over: in the thread (from `system`), by
   * e-mail with a fresh link, and the ticket moved to `state`; audited as the agent's, in the ticket.
   */
  private async tellRequester(
    agent: RequestContext,
    row: TicketsTable,
    state: "waiting-requester" | "waiting-owner",
    lines: string[],
    options: { auto?: boolean } = {},
  ): Promise<void> {
    const body = lines.join("\n");
    await this.db.transaction().execute(async (tx) => {
      await tickets.update(tx, state, row.id, { updatedAt: agent.now }).execute();
      await this.addMessage(tx, agent.now, row.id, {
        authorKind: "system",
        authorAccountId: null,
        channel: "web",
        body,
      });
      await recordEvent(tx, agent, {
        action: options.auto ? "support.ticket.auto-answer" : "support.ticket.reply",
        domain: row.domain,
        target: row.id,
        details: options.auto ? { reason: "not-from-owner" } : { handover: true },
      });
      const link = randomSecret(32);
      await tx
        .updateTable("tickets")
        .set({ linkHash: sha256(link) })
        .where("id", "=", row.id)
        .execute();
      await this.mailRequester(tx, agent.now, row, link, {
        subject: `Re: your request ${shortId(row.id)} to ${this.deps.config.serviceDomain} support`,
        text: body,
      });
    });
  }

  // ---- pieces ---------------------------------------------------------------------------------

  private async addMessage(
    tx: Executor,
    now: number,
    ticketId: string,
    m: {
      authorKind: "requester" | "agent" | "system";
      authorAccountId: string | null;
      channel: "web" | "email";
      body: string;
      internal?: boolean;
      fromAddress?: string | null;
      envelopeFrom?: string | null;
      messageId?: string | null;
    },
  ): Promise<void> {
    await tx
      .insertInto("ticketMessages")
      .values({
        id: newId(),
        ticketId,
        createdAt: now,
        authorKind: m.authorKind,
        authorAccountId: m.authorAccountId,
        internal: m.internal ? 1 : 0,
        channel: m.channel,
        body: m.body,
        fromAddress: m.fromAddress ?? null,
        envelopeFrom: m.envelopeFrom ?? null,
        messageId: m.messageId ?? null,
      })
      .execute();
  }

  /** An e-mail to the ticket's reply address: the text, the page's single-use link, Reply-To the ticket. */
  private async mailRequester(
    tx: Executor,
    now: number,
    ticket: { id: string; replyTo: string; requesterAccountId: string | null },
    link: string,
    mail: { subject: string; text: string },
  ): Promise<void> {
    const page = `${this.deps.config.publicUrl}/support/tickets/${ticket.id}`;
    await this.deps.outbox.enqueue(tx, now, {
      channel: "email",
      recipient: ticket.replyTo,
      subject: mail.subject,
      body: [
        mail.text,
        "",
        "—",
        "Answer this e-mail to add to your request, or open its page (this link works once):",
        `${page}#key=${link}`,
        ...(ticket.requesterAccountId ? ["Signed in to your account, you also find it under Support."] : []),
      ].join("\n"),
      replyTo: await this.replyAddress(tx, ticket.id),
    });
  }
}

const shortId = (id: string) => id.slice(-8);
const quote = (text: string) =>
  text
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");

/**
 * One change is logged once for every account it concerns (owner, requester, agent), in a row
 * after row: the ticket shows it once. A row starts a new change when it differs from the one
 * before, or names an account the current change already has a row for.
 */
function oncePerChange<
  E extends {
    at: number;
    action: string;
    actorId: string | null;
    target: string | null;
    accountId: string | null;
  },
>(rows: E[]): E[] {
  const shown: E[] = [];
  let accounts = new Set<string | null>();
  for (const e of rows) {
    const last = shown.at(-1);
    const same =
      last !== undefined &&
      last.at === e.at &&
      last.action === e.action &&
      last.actorId === e.actorId &&
      last.target === e.target &&
      !accounts.has(e.accountId);
    if (same) accounts.add(e.accountId);
    else {
      shown.push(e);
      accounts = new Set([e.accountId]);
    }
  }
  return shown;
}
