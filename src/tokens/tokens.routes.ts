import { Type } from "@sinclair/typebox";
import { errors, NoContent } from "../http/schemas.js";
import type { App } from "../http/types.js";
import { CreateTokenBody, IssuedToken, TokenIdParams, TokenView } from "./tokens.schemas.js";
import type { TokensService } from "./tokens.service.js";

const tags = ["API tokens"];

/**
 * Personal API tokens. Signed-in sessions only (`account:delegation` is never a
 * token permission: tokens cannot make or see tokens); changes need a re-authentication.
 */
export async function tokensRoutes(app: App, tokens: TokensService): Promise<void> {
  app.get(
    "/api/v1/tokens",
    {
      config: { access: { permission: "account:delegation" } },
      schema: {
        tags,
        summary: "The account's API tokens, newest first, without their secrets",
        response: { 200: Type.Array(TokenView), ...errors(401, 403) },
      },
    },
    async (request) => tokens.list(request.ctx),
  );

  app.post(
    "/api/v1/tokens",
    {
      config: { access: { permission: "account:delegation", reauth: true } },
      schema: {
        tags,
        summary: "Create an API token limited to permissions and domains; its secret is shown once",
        description:
          "A token never has more rights than its holder: each listed domain must be one the account " +
          "manages with every requested permission (403 SCOPE_EXCEEDS_RIGHTS otherwise), and the holder's " +
          "role is checked again on every request the token makes.",
        body: CreateTokenBody,
        response: { 201: IssuedToken, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await tokens.create(request.ctx, request.body)),
  );

  app.delete(
    "/api/v1/tokens/:id",
    {
      config: { access: { permission: "account:delegation", reauth: true } },
      schema: {
        tags,
        summary: "Revoke a token: it fails from the next request on",
        params: TokenIdParams,
        response: { 204: NoContent, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await tokens.revoke(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
