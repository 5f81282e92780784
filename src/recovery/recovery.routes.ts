import { errors, NoContent } from "../http/schemas.js";
import type { App } from "../http/types.js";
import {
  CodeRequestBody,
  CodeRequested,
  QuestionOffered,
  QuestionRequestBody,
  ResetBody,
  ResetGrant,
  VerifyBody,
} from "./recovery.schemas.js";
import type { RecoveryService } from "./recovery.service.js";

const tags = ["restore access"];

/** Restore access to a service account: code or question → grant → new password. */
export async function recoveryRoutes(app: App, recovery: RecoveryService): Promise<void> {
  app.post(
    "/api/v1/recovery/code",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "Send a code to the account's confirmed phone or recovery e-mail",
        description:
          "Answers 202 with a flow id whether or not the login exists and the contact matches; " +
          "a code is sent only when both do.",
        body: CodeRequestBody,
        response: { 202: CodeRequested, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => reply.status(202).send(await recovery.requestCode(request.ctx, request.body)),
  );

  app.post(
    "/api/v1/recovery/question",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "Start restore access with the security question",
        description: "Offered by accounts without a confirmed phone or recovery e-mail.",
        body: QuestionRequestBody,
        response: { 200: QuestionOffered, ...errors(400, 401, 429) },
      },
    },
    async (request) => recovery.requestQuestion(request.ctx, request.body),
  );

  app.post(
    "/api/v1/recovery/verify",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "Check the code or the answer; returns a single-use reset token",
        body: VerifyBody,
        response: { 200: ResetGrant, ...errors(400, 429) },
      },
    },
    async (request) => recovery.verify(request.ctx, request.body),
  );

  app.post(
    "/api/v1/recovery/reset",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "Set a new password with a reset token; ends every session and does not sign in",
        body: ResetBody,
        response: { 204: NoContent, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await recovery.reset(request.ctx, request.body);
      return reply.status(204).send(null);
    },
  );
}
