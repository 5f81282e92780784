import { errors, NameParams } from "../http/schemas.js";
import type { App } from "../http/types.js";
import {
  AcceptTransferBody,
  CancelByLinkBody,
  CancelledByLink,
  ConfirmSupportTransferBody,
  Handover,
  HandoverList,
  HandoverParams,
  ProofCheck,
  StartRestoreBody,
  StartTransferBody,
  TransferStarted,
} from "./handovers.schemas.js";
import type { HandoversService } from "./handovers.service.js";

const tags = ["hand-overs"];

/**
 * Transfers and restores of a domain between accounts (docs/handovers.md). Signed-in sessions
 * only: API tokens never move ownership (docs/SECURITY.md §21). Starting a transfer and
 * confirming one needs a re-authentication (§36). The one-click cancel from an owner's notice is
 * public: its single-use secret is the authority.
 */
export async function handoversRoutes(app: App, handovers: HandoversService): Promise<void> {
  app.post(
    "/api/v1/domains/:name/transfer",
    {
      config: { access: { permission: "account:delegation", reauth: true } },
      schema: {
        tags,
        summary: "Offer the domain, with its mailboxes, to another service account (owner only)",
        description:
          "Answers the same whether or not the login exists; the target's confirmed contacts get a single-use link valid 7 days.",
        params: NameParams,
        body: StartTransferBody,
        response: { 202: TransferStarted, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await handovers.startTransfer(request.ctx, request.params.name, request.body)),
  );

  app.get(
    "/api/v1/transfers",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "Hand-overs the account is a party of: transfers offered by or to it, its restores",
        response: { 200: HandoverList, ...errors(401, 403) },
      },
    },
    async (request) => handovers.list(request.ctx),
  );

  app.get(
    "/api/v1/transfers/:id",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "One hand-over the account is a party of",
        params: HandoverParams,
        response: { 200: Handover, ...errors(401, 403, 404) },
      },
    },
    async (request) => handovers.get(request.ctx, request.params.id),
  );

  app.post(
    "/api/v1/transfers/:id/accept",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "Accept a transfer offered to this account, with the secret from the link: the domain moves",
        params: HandoverParams,
        body: AcceptTransferBody,
        response: { 200: Handover, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => handovers.acceptTransfer(request.ctx, request.params.id, request.body.key),
  );

  app.post(
    "/api/v1/transfers/:id/confirm",
    {
      config: { access: { permission: "account:delegation", reauth: true } },
      schema: {
        tags,
        summary: "The owner confirms a transfer asked for through support and names the target login",
        params: HandoverParams,
        body: ConfirmSupportTransferBody,
        response: { 200: Handover, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => handovers.confirmSupportTransfer(request.ctx, request.params.id, request.body),
  );

  app.post(
    "/api/v1/transfers/:id/cancel",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "Cancel a hand-over under way: the owner, the target (declining) or a restore's requester",
        params: HandoverParams,
        response: { 200: Handover, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => handovers.cancel(request.ctx, request.params.id),
  );

  app.post(
    "/api/v1/transfers/:id/check",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "Check a restore's DNS proof now (its requester)",
        description:
          "With MFD_SELF_SERVICE_RECOVERY=1 a proof found for a restore without a ticket starts the waiting period.",
        params: HandoverParams,
        response: { 200: ProofCheck, ...errors(401, 403, 404, 409, 429) },
      },
    },
    async (request) => handovers.checkRestoreProof(request.ctx, request.params.id),
  );

  app.post(
    "/api/v1/transfers/cancel",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "One-click cancel from the owner's notice (no sign-in: the link's secret is the authority)",
        body: CancelByLinkBody,
        response: { 200: CancelledByLink, ...errors(400, 404, 409) },
      },
    },
    async (request) => handovers.cancelByLink(request.ctx, request.body.key),
  );

  app.post(
    "/api/v1/restores",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "Start restoring access to a domain without support (when the operator allows it)",
        description:
          "Needs a complete profile; answers the DNS challenge to publish. Refused with SELF_SERVICE_RECOVERY_OFF unless MFD_SELF_SERVICE_RECOVERY=1.",
        body: StartRestoreBody,
        response: { 201: Handover, ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const { actor } = request.ctx;
      const requesterAccountId = actor.kind === "account" ? actor.accountId : "";
      return reply.status(201).send(
        await handovers.startRestore(request.ctx, {
          domain: request.body.domain,
          requesterAccountId,
          ticketId: null,
        }),
      );
    },
  );
}
