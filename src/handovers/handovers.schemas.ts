import { Type } from "@sinclair/typebox";
import { Closed, Named, Nullable } from "../http/schemas.js";

const Login = Type.String({
  minLength: 1,
  maxLength: 320,
  description: "A service account: login or login@<service domain>",
});
/** A single-use link's secret: the part after `#` in the link the notice carried. */
const Key = Type.String({ minLength: 16, maxLength: 200, description: "The secret from the link" });

export const HandoverParams = Closed({
  id: Type.String({
    minLength: 1,
    maxLength: 64,
    description: "The hand-over's id (from the transfers list or the link)",
  }),
});

export const StartTransferBody = Closed({ login: Login });
export const AcceptTransferBody = Closed({ key: Key });
export const CancelByLinkBody = Closed({ key: Key });
export const ConfirmSupportTransferBody = Closed({ key: Key, login: Login });
export const StartRestoreBody = Closed({ domain: Type.String({ minLength: 1, maxLength: 300 }) });

export const HANDOVER_KINDS = ["transfer", "restore"] as const;

export const HANDOVER_STATES = [
  "awaiting-owner",
  "offered",
  "proving",
  "waiting",
  "done",
  "cancelled",
  "expired",
  "failed",
] as const;

/**
 * A hand-over as one of its parties sees it. `side`: `from` is the domain's owner when it started,
 * `to` the account it goes to. The `to` side never learns who owns the domain (docs/SECURITY.md §41);
 * the `from` side of a restore never learns who asked.
 */
export const Handover = Named(
  "Handover",
  Type.Object({
    id: Type.String(),
    kind: Type.Union(HANDOVER_KINDS.map((k) => Type.Literal(k))),
    state: Type.Union(HANDOVER_STATES.map((s) => Type.Literal(s))),
    domain: Type.String(),
    side: Type.Union([Type.Literal("from"), Type.Literal("to"), Type.Literal("agent")]),
    toLogin: Nullable(Type.String(), {
      description: "The login a transfer is offered to (the owner's view of a transfer only)",
    }),
    ticketId: Nullable(Type.String()),
    challenge: Nullable(Type.Object({ name: Type.String(), value: Type.String() }), {
      description: "The TXT record a restore's requester publishes (requester and agents only)",
    }),
    approvals: Type.Integer({ description: "Agents who approved a restore so far" }),
    approvalsNeeded: Type.Integer(),
    waitUntil: Nullable(Type.String(), { description: "UTC; the move is due then" }),
    expiresAt: Type.String({ description: "UTC" }),
    endReason: Nullable(Type.String()),
    createdAt: Type.String({ description: "UTC" }),
    updatedAt: Type.String({ description: "UTC" }),
  }),
);

export const HandoverList = Named("HandoverList", Type.Object({ handovers: Type.Array(Handover) }));

export const ProofCheck = Named(
  "HandoverProofCheck",
  Type.Object({
    result: Type.Union(["ok", "absent", "wrong", "failed"].map((s) => Type.Literal(s))),
    detail: Type.String(),
    handover: Handover,
  }),
);

/** A transfer start always answers this, whether the login exists or not (no enumeration). */
export const TransferStarted = Named(
  "TransferStarted",
  Type.Object({ handover: Handover, message: Type.String() }),
);

export const CancelledByLink = Named(
  "HandoverCancelledByLink",
  Type.Object({ domain: Type.String(), state: Type.String() }),
);
