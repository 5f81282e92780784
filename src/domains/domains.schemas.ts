import { Type } from "@sinclair/typebox";
import { VIEW_ACTION_NAMES } from "../access/domain-access.js";
import { Closed, Named, Nullable, PageLimit } from "../http/schemas.js";

/** Long enough for any typed name (253 ASCII, more in Unicode), short enough to refuse junk early. */
const TypedName = Type.String({ maxLength: 1000, description: "Domain name, Unicode or punycode" });

export const ConnectBody = Closed({ name: TypedName });
export const DisconnectBody = Closed({
  confirm: Type.String({ maxLength: 1000, description: "The domain name, typed again" }),
});
/** Actions without input still take only an empty object (or no body): unknown fields are refused. */
export const EmptyBody = Closed({});

export { NameParams } from "../http/schemas.js";

export const ChecksQuery = Type.Object(
  {
    limit: PageLimit(20),
    before: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "`next` of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

const Status = Type.Union(
  [Type.Literal("domain-activate"), Type.Literal("mx-activate"), Type.Literal("added")],
  {
    description: "PDD status: ownership not confirmed / mail not routed to us / done",
  },
);
const Stage = Type.Union([Type.Literal("owner-check"), Type.Literal("mx-check"), Type.Literal("added")]);
const Role = Type.Union([Type.Literal("owner"), Type.Literal("deputy"), Type.Literal("claimant")], {
  description: "owner / additional administrator (deputy) / claimant: a pending claim, not yet proven",
});

export const DomainListItem = Named(
  "DomainListItem",
  Type.Object({
    name: Type.String({ description: "ASCII (punycode) name" }),
    unicodeName: Type.String(),
    role: Role,
    status: Status,
    stage: Stage,
    mailboxCount: Type.Integer(),
    delegated: Type.Boolean({ description: "The parent zone delegates the domain to mfd's name servers" }),
    claimExpiresAt: Nullable(Type.String({ description: "When the pending claim expires (UTC)" })),
  }),
);

const MethodResult = Type.Object({ result: Type.String(), detail: Type.String() });

export const Check = Named(
  "DomainCheck",
  Type.Object({
    id: Type.String(),
    at: Type.String(),
    trigger: Type.Union([Type.Literal("manual"), Type.Literal("worker")]),
    by: Nullable(
      Type.Union([Type.Literal("you"), Type.Literal("owner"), Type.Literal("administrator")], {
        description:
          "Who ran a manual check, as the viewer sees it: you, the owner, or an administrator (never named); null for the worker's and for checks from before this was kept",
      }),
    ),
    kind: Type.Union([Type.Literal("ownership"), Type.Literal("mx")]),
    result: Type.String({
      description: "ownership: confirmed | not-confirmed; mx: mx-ok | mx-wrong | mx-not-found | mx-failed",
    }),
    method: Nullable(Type.String({ description: "The method that proved ownership" })),
    results: Type.Record(Type.String(), MethodResult, {
      description:
        "Per method (txt, cname, file, delegation, mx): ok | absent | wrong | failed, with a detail",
    }),
  }),
);

export const DomainView = Named(
  "DomainView",
  Type.Object({
    name: Type.String(),
    unicodeName: Type.String(),
    role: Role,
    status: Status,
    stage: Stage,
    confirmedAt: Nullable(Type.String()),
    claim: Nullable(
      Type.Object(
        {
          id: Type.String({
            description: "The claim's id: in the CNAME label, the file name and the name servers",
          }),
          expiresAt: Type.String(),
          expired: Type.Boolean(),
          methods: Type.Object({
            txt: Type.Object({ name: Type.String(), value: Type.String() }),
            cname: Type.Object({ name: Type.String(), target: Type.String() }),
            file: Type.Object({ url: Type.String(), content: Type.String() }),
            delegation: Type.Object({ nameServers: Type.Array(Type.String()) }),
          }),
        },
        { description: "What to publish, any one method suffices (null once confirmed)" },
      ),
    ),
    lastCheck: Nullable(Check),
    nextCheck: Nullable(Type.String()),
    mx: Type.Object({ expected: Type.String(), ok: Nullable(Type.Boolean()) }),
    delegated: Type.Boolean(),
    actions: Type.Array(Type.Union(VIEW_ACTION_NAMES.map((name) => Type.Literal(name))), {
      description:
        "What the viewer may do here: the API refuses every action not listed. domain:check — check now; " +
        "domain:manage — renew or cancel a claim, disconnect; " +
        "deputies:manage — additional administrators; mailboxes:read / mailboxes:write; dns:read / dns:write.",
    }),
  }),
);

export const ActivityQuery = Type.Object(
  {
    limit: PageLimit(50),
    before: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "`next` of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

export { DomainEvent } from "../audit/audit.schemas.js";
