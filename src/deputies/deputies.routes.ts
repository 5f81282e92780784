import { Type } from "@sinclair/typebox";
import { errors, NameParams, NoContent } from "../http/schemas.js";
import type { App } from "../http/types.js";
import { AddDeputyBody, Deputy, DeputyParams, UpdateDeputyBody } from "./deputies.schemas.js";
import type { DeputiesService } from "./deputies.service.js";

const tags = ["additional administrators"];

/**
 * A domain's additional administrators. The owner's business alone, from a
 * signed-in session (`account:delegation` is never a token permission); changes need a
 * re-authentication (docs/SECURITY.md §15).
 */
export async function deputiesRoutes(app: App, deputies: DeputiesService): Promise<void> {
  app.get(
    "/api/v1/domains/:name/deputies",
    {
      config: { access: { permission: "account:delegation" } },
      schema: {
        tags,
        summary: "The domain's additional administrators (owner only)",
        params: NameParams,
        response: { 200: Type.Array(Deputy), ...errors(401, 403, 404) },
      },
    },
    async (request) => deputies.list(request.ctx, request.params.name),
  );

  app.post(
    "/api/v1/domains/:name/deputies",
    {
      config: { access: { permission: "account:delegation", reauth: true } },
      schema: {
        tags,
        summary: "Add an additional administrator by service login; both accounts are notified",
        body: AddDeputyBody,
        params: NameParams,
        response: { 201: Deputy, ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await deputies.add(request.ctx, request.params.name, request.body)),
  );

  app.patch(
    "/api/v1/domains/:name/deputies/:login",
    {
      config: { access: { permission: "account:delegation", reauth: true } },
      schema: {
        tags,
        summary: "Grant or withdraw DNS management",
        params: DeputyParams,
        body: UpdateDeputyBody,
        response: { 200: Deputy, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => deputies.update(request.ctx, request.params.name, request.params.login, request.body),
  );

  app.delete(
    "/api/v1/domains/:name/deputies/:login",
    {
      config: { access: { permission: "account:delegation", reauth: true } },
      schema: {
        tags,
        summary: "Remove an additional administrator; their next request on the domain is refused",
        params: DeputyParams,
        response: { 204: NoContent, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deputies.remove(request.ctx, request.params.name, request.params.login);
      return reply.status(204).send(null);
    },
  );
}
