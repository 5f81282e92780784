import { Type } from "@sinclair/typebox";
import { Named, Nullable, PageLimit } from "../http/schemas.js";

export const EventsQuery = Type.Object(
  {
    limit: PageLimit(50),
    before: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "`next` of the previous page" }),
    ),
    kind: Type.Optional(
      Type.Union([Type.Literal("changes"), Type.Literal("checks")], {
        description:
          "`changes`: sign-ins, failures and changes, without the domain checks; `checks`: only the domain checks (ownership and mail routing, by the worker or by hand). Both when left out",
      }),
    ),
  },
  { additionalProperties: false },
);

/** An event of the account's own activity. */
export const AuditEvent = Named(
  "AuditEvent",
  Type.Object({
    id: Type.String(),
    at: Type.String({ description: "UTC" }),
    action: Type.String({ description: "e.g. sign-in, sign-in.failure, session.end, contact.change" }),
    actorType: Type.String(),
    domain: Nullable(Type.String()),
    target: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    userAgent: Nullable(Type.String({ description: "The browser or program of the request (User-Agent)" })),
    details: Nullable(Type.Record(Type.String(), Type.Unknown())),
  }),
);

/** An event on one confirmed domain, as one of its managers sees it. */
export const DomainEvent = Named(
  "DomainEvent",
  Type.Object({
    id: Type.String(),
    at: Type.String({ description: "UTC" }),
    action: Type.String({ description: "e.g. mailbox.create, mailbox.delete-all, deputy.add" }),
    actorType: Type.String({ description: "account, token, system or operator" }),
    actorLogin: Nullable(
      Type.String({
        description:
          "The account that acted, itself or by its token: to the owner, anyone's; to an administrator, only their own",
      }),
    ),
    actorRole: Nullable(Type.Union([Type.Literal("owner"), Type.Literal("deputy")])),
    by: Nullable(
      Type.Union([Type.Literal("you"), Type.Literal("owner"), Type.Literal("administrator")], {
        description: "Who acted, as the viewer sees it; null for mfd itself and the operator",
      }),
    ),
    target: Nullable(Type.String()),
    ip: Nullable(Type.String({ description: "Only for the viewer's own actions" })),
    details: Nullable(Type.Record(Type.String(), Type.Unknown())),
  }),
);
