import { Type } from "@sinclair/typebox";
import type { Executor } from "../db/database.js";
import { errors, Nullable } from "../http/schemas.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { AuditEvent, EventsQuery } from "./audit.schemas.js";
import { listAccountEvents } from "./audit.service.js";

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
            next: Nullable(Type.String(), {
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
