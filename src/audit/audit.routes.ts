import { Type } from "@sinclair/typebox";
import type { Executor } from "../db/database.js";
import { errors, Named } from "../http/schemas.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { listAccountEvents } from "./audit.service.js";

const EventsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    before: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "`next` of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

const AuditEvent = Named(
  "AuditEvent",
  Type.Object({
    id: Type.String(),
    at: Type.String({ description: "UTC" }),
    action: Type.String({ description: "e.g. sign-in, sign-in.failure, session.end, contact.change" }),
    actorType: Type.String(),
    domain: Type.Union([Type.String(), Type.Null()]),
    target: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  }),
);

/** An account's own security events. */
export async function auditRoutes(app: App, db: Executor): Promise<void> {
  app.get(
    "/api/v1/account/events",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags: ["account settings"],
        summary: "The account's security events, newest first",
        querystring: EventsQuery,
        response: {
          200: Type.Object({
            events: Type.Array(AuditEvent),
            next: Type.Union([Type.String(), Type.Null()], {
              description: "Pass as `before` for older events",
            }),
          }),
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const { actor } = request.ctx;
      if (actor.kind !== "account") throw new AppError("UNAUTHENTICATED");
      return listAccountEvents(db, actor.accountId, request.query);
    },
  );
}
