import { errors } from "../http/schemas.js";
import type { App } from "../http/types.js";
import {
  AgentTicket,
  HandoverParams,
  MyTickets,
  NewTicketBody,
  NoBody,
  QueuePage,
  QueueQuery,
  ReplyBody,
  RequesterTicket,
  RestoreCheck,
  StartTransferBody,
  StateBody,
  TICKET_KEY_HEADER,
  TicketAccess,
  TicketAccessBody,
  TicketFiled,
  TicketKeyHeaders,
  TicketParams,
  TransferStartedFromTicket,
} from "./support.schemas.js";
import type { SupportService } from "./support.service.js";

const tags = ["support"];
const agentTags = ["support desk (agents)"];

/** The header's value as one string (a repeated header is no key). */
const keyOf = (value: string | string[] | undefined): string | undefined =>
  typeof value === "string" ? value : undefined;

/**
 * The feedback form and the requester's ticket page (anyone: signed in, or holding the key of the
 * mailed link), and the agent desk (`support:work`: support agents in a session that passed
 * two-factor, src/access/access.ts).
 */
export async function supportRoutes(app: App, support: SupportService): Promise<void> {
  app.post(
    "/api/v1/support/tickets",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "Send the feedback form (signed in or not)",
        description:
          "The requester is answered at the reply address, with a single-use link to the request's page; " +
          "restore-access needs a signed-in account with a complete profile (PROFILE_INCOMPLETE lists what is missing). " +
          "The answer is the same whether or not the domain is connected, and never names who holds it.",
        body: NewTicketBody,
        response: { 201: TicketFiled, ...errors(400, 403, 429) },
      },
    },
    async (request, reply) => reply.status(201).send(await support.file(request.ctx, request.body)),
  );

  app.post(
    "/api/v1/support/tickets/:id/access",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "Spend the single-use link mailed to the reply address for a key to the request's page",
        params: TicketParams,
        body: TicketAccessBody,
        response: { 200: TicketAccess, ...errors(400, 429) },
      },
    },
    async (request) => support.openLink(request.ctx, request.params.id, request.body.key),
  );

  app.get(
    "/api/v1/support/tickets/:id",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "The request's page: its thread (the account that sent it, or the X-Ticket-Key)",
        params: TicketParams,
        headers: TicketKeyHeaders,
        response: { 200: RequesterTicket, ...errors(400, 404) },
      },
    },
    async (request) =>
      support.requesterView(request.ctx, request.params.id, keyOf(request.headers[TICKET_KEY_HEADER])),
  );

  app.post(
    "/api/v1/support/tickets/:id/messages",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "Add to the request (the account that sent it, or the X-Ticket-Key)",
        params: TicketParams,
        headers: TicketKeyHeaders,
        body: ReplyBody,
        response: { 200: RequesterTicket, ...errors(400, 404, 409) },
      },
    },
    async (request) =>
      support.requesterReply(
        request.ctx,
        request.params.id,
        keyOf(request.headers[TICKET_KEY_HEADER]),
        request.body.body,
      ),
  );

  app.get(
    "/api/v1/support/my-tickets",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "The requests this account sent signed in",
        response: { 200: MyTickets, ...errors(401, 403) },
      },
    },
    async (request) => support.mine(request.ctx),
  );

  // ---- the agent desk ----------------------------------------------------------------------

  app.get(
    "/api/v1/support/queue",
    {
      config: { access: { permission: "support:work" } },
      schema: {
        tags: agentTags,
        summary: "The queue, oldest first; open tickets unless a state is asked for",
        querystring: QueueQuery,
        response: { 200: QueuePage, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => support.queue(request.ctx, request.query),
  );

  app.get(
    "/api/v1/support/queue/:id",
    {
      config: { access: { permission: "support:work" } },
      schema: {
        tags: agentTags,
        summary: "A ticket with its thread, internal notes, requester and the domain's owner (audited)",
        params: TicketParams,
        response: { 200: AgentTicket, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => support.agentView(request.ctx, request.params.id),
  );

  app.post(
    "/api/v1/support/queue/:id/replies",
    {
      config: { access: { permission: "support:work" } },
      schema: {
        tags: agentTags,
        summary: "Answer the requester (in the thread and by e-mail)",
        params: TicketParams,
        body: ReplyBody,
        response: { 200: AgentTicket, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => support.agentReply(request.ctx, request.params.id, request.body.body),
  );

  app.post(
    "/api/v1/support/queue/:id/notes",
    {
      config: { access: { permission: "support:work" } },
      schema: {
        tags: agentTags,
        summary: "Add an internal note, never shown to the requester",
        params: TicketParams,
        body: ReplyBody,
        response: { 200: AgentTicket, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => support.agentNote(request.ctx, request.params.id, request.body.body),
  );

  app.post(
    "/api/v1/support/queue/:id/state",
    {
      config: { access: { permission: "support:work" } },
      schema: {
        tags: agentTags,
        summary: "Move the ticket (closed is final)",
        params: TicketParams,
        body: StateBody,
        response: { 200: AgentTicket, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => support.agentSetState(request.ctx, request.params.id, request.body.state),
  );

  // ---- the ticket's hand-overs (src/handovers/) -------------------------------------------------

  app.post(
    "/api/v1/support/queue/:id/restore",
    {
      config: { access: { permission: "support:work" } },
      schema: {
        tags: agentTags,
        summary: "Restore access: issue the DNS challenge bound to the ticket and its requester",
        description:
          "The requester (who sent the form signed in, with a complete profile) is told what to publish.",
        params: TicketParams,
        body: NoBody,
        response: { 200: AgentTicket, ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => support.agentStartRestore(request.ctx, request.params.id),
  );

  app.post(
    "/api/v1/support/queue/:id/handovers/:handoverId/check",
    {
      config: { access: { permission: "support:work" } },
      schema: {
        tags: agentTags,
        summary: "Check a restore's TXT record now",
        params: HandoverParams,
        body: NoBody,
        response: { 200: RestoreCheck, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => support.agentCheckRestore(request.ctx, request.params.id, request.params.handoverId),
  );

  app.post(
    "/api/v1/support/queue/:id/handovers/:handoverId/approve",
    {
      config: { access: { permission: "support:work" } },
      schema: {
        tags: agentTags,
        summary: "Approve a restore whose proof is present now; the owner's waiting period starts",
        description: "With MFD_SUPPORT_TWO_PERSON=1 a second, different agent approves too.",
        params: HandoverParams,
        body: NoBody,
        response: { 200: AgentTicket, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => support.agentApproveRestore(request.ctx, request.params.id, request.params.handoverId),
  );

  app.post(
    "/api/v1/support/queue/:id/transfer",
    {
      config: { access: { permission: "support:work" } },
      schema: {
        tags: agentTags,
        summary: "Transfer through support: send the owner a confirmation link, or answer why not",
        description:
          "The letter (the form's reply address, or an e-mail of the thread) must come from the owner's service " +
          "address or confirmed recovery e-mail; otherwise the requester is answered automatically.",
        params: TicketParams,
        body: StartTransferBody,
        response: { 200: TransferStartedFromTicket, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => support.agentStartTransfer(request.ctx, request.params.id, request.body),
  );
}
