import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { errors, NoContent, Nullable } from "../http/schemas.js";
import type { App } from "../http/types.js";
import {
  ActivityQuery,
  Check,
  ChecksQuery,
  ConnectBody,
  DisconnectBody,
  DomainEvent,
  DomainListItem,
  DomainView,
  EmptyBody,
  NameParams,
} from "./domains.schemas.js";
import type { DomainsService } from "./domains.service.js";

const tags = ["domains"];

/** A POST without a body is the same as `{}`, so `curl -X POST` works and extra fields are still refused. */
const bodyOptional = async (request: FastifyRequest) => {
  if (request.body === undefined || request.body === null) request.body = {};
};

/** Domains of the signed-in account. Thin: schema → service → answer. */
export async function domainsRoutes(app: App, domains: DomainsService): Promise<void> {
  app.get(
    "/api/v1/domains",
    {
      config: { access: { permission: "domains:read" } },
      schema: {
        tags,
        summary: "My domains: every domain the account owns, administers or is connecting",
        response: { 200: Type.Object({ domains: Type.Array(DomainListItem) }), ...errors(401) },
      },
    },
    async (request) => domains.list(request.ctx),
  );

  app.post(
    "/api/v1/domains",
    {
      config: { access: { permission: "domains:write" } },
      schema: {
        tags,
        summary: "Connect a domain: starts an ownership claim with its own token",
        body: ConnectBody,
        response: { 201: DomainView, ...errors(400, 401, 409, 429) },
      },
    },
    async (request, reply) => reply.status(201).send(await domains.connect(request.ctx, request.body.name)),
  );

  app.get(
    "/api/v1/domains/:name",
    {
      config: { access: { permission: "domains:read" } },
      schema: {
        tags,
        summary: "One domain: status, what to publish to prove ownership, last and next check",
        params: NameParams,
        response: { 200: DomainView, ...errors(401, 404) },
      },
    },
    async (request) => domains.get(request.ctx, request.params.name),
  );

  app.post(
    "/api/v1/domains/:name/check",
    {
      config: { access: { permission: "domains:write" } },
      preValidation: bodyOptional,
      schema: {
        tags,
        summary: "Check now: ownership of a pending claim, or mail routing of a confirmed domain",
        params: NameParams,
        body: EmptyBody,
        response: { 200: DomainView, ...errors(400, 401, 404, 409, 429) },
      },
    },
    async (request) => domains.checkNow(request.ctx, request.params.name),
  );

  app.post(
    "/api/v1/domains/:name/renew",
    {
      config: { access: { permission: "domains:write" } },
      preValidation: bodyOptional,
      schema: {
        tags,
        summary: "Renew a pending claim: a new id and token, valid for seven more days",
        params: NameParams,
        body: EmptyBody,
        response: { 200: DomainView, ...errors(400, 401, 404, 409) },
      },
    },
    async (request) => domains.renew(request.ctx, request.params.name),
  );

  app.get(
    "/api/v1/domains/:name/checks",
    {
      config: { access: { permission: "domains:read" } },
      schema: {
        tags,
        summary: "The history of this account's checks of the domain, newest first",
        params: NameParams,
        querystring: ChecksQuery,
        response: {
          200: Type.Object({
            checks: Type.Array(Check),
            next: Nullable(Type.String(), {
              description: "Pass as `before` for older checks",
            }),
          }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => domains.checks(request.ctx, request.params.name, request.query),
  );

  app.get(
    "/api/v1/domains/:name/activity",
    {
      config: { access: { permission: "domains:read" } },
      schema: {
        tags,
        summary:
          "What happened on the domain, newest first: everything for the owner; for an administrator the mailbox (and, with DNS rights, DNS) changes, the owner and other administrators unnamed",
        params: NameParams,
        querystring: ActivityQuery,
        response: {
          200: Type.Object({
            events: Type.Array(DomainEvent),
            next: Nullable(Type.String(), {
              description: "Pass as `before` for older events",
            }),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => domains.activity(request.ctx, request.params.name, request.query),
  );

  app.delete(
    "/api/v1/domains/:name",
    {
      config: { access: { permission: "domains:write", reauth: true } },
      schema: {
        tags,
        summary:
          "Disconnect a domain (owner, re-authenticated) or cancel a pending claim; type the name to confirm",
        params: NameParams,
        body: DisconnectBody,
        response: { 204: NoContent, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await domains.disconnect(request.ctx, request.params.name, request.body.confirm);
      return reply.status(204).send(null);
    },
  );
}
