import { Type } from "@sinclair/typebox";
import { handoverSchemas } from "../handovers/index.js";
import { Closed, Named, Nullable, PageLimit } from "../http/schemas.js";

/** The form's categories, as the original service had them (product.md §7). */
export const TicketCategory = Type.Union(
  [Type.Literal("restore-access"), Type.Literal("transfer"), Type.Literal("other")],
  {
    description:
      "restore-access: “I want to restore access to domain management”; transfer: “I want to transfer management to another administrator”; other",
  },
);

export const TicketState = Type.Union(
  [
    Type.Literal("new"),
    Type.Literal("open"),
    Type.Literal("waiting-requester"),
    Type.Literal("waiting-owner"),
    Type.Literal("resolved"),
    Type.Literal("closed"),
  ],
  { description: "new: nobody has looked yet; waiting-*: the desk waits for that side; closed: final" },
);

const Body = Type.String({ minLength: 1, maxLength: 10_000 });
const TicketId = Type.String({ minLength: 1, maxLength: 64, description: "The support request's id" });

export const NewTicketBody = Closed({
  category: TicketCategory,
  domain: Type.String({ minLength: 1, maxLength: 300, description: "The domain the request is about" }),
  replyTo: Type.String({ minLength: 3, maxLength: 254, description: "Where the desk answers" }),
  message: Body,
});

export const TicketFiled = Named(
  "TicketFiled",
  Type.Object(
    {
      id: Type.String(),
      message: Type.String({ description: "What happens next, the same whatever the domain" }),
    },
    { description: "Says nothing about the domain or who holds it" },
  ),
);

export const TicketParams = Closed({ id: TicketId });

export const TicketAccessBody = Closed({
  key: Type.String({
    minLength: 1,
    maxLength: 200,
    description: "The secret of the link mailed to the reply address",
  }),
});

export const TicketAccess = Named(
  "TicketAccess",
  Type.Object({
    accessKey: Type.String({
      description: "Send it as the X-Ticket-Key header to read and answer the ticket; the link is spent",
    }),
  }),
);

export const TICKET_KEY_HEADER = "x-ticket-key";
export const TicketKeyHeaders = Type.Object({
  [TICKET_KEY_HEADER]: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        "The key a requester who is not signed in got from the request's link (not needed signed in)",
    }),
  ),
});

export const ThreadMessage = Named(
  "ThreadMessage",
  Type.Object({
    id: Type.String(),
    at: Type.String(),
    author: Type.Union([Type.Literal("requester"), Type.Literal("agent"), Type.Literal("system")]),
    channel: Type.Union([Type.Literal("web"), Type.Literal("email")]),
    body: Type.String(),
  }),
);

export const RequesterTicket = Named(
  "RequesterTicket",
  Type.Object(
    {
      id: Type.String(),
      category: TicketCategory,
      domain: Type.String(),
      replyTo: Type.String(),
      state: TicketState,
      createdAt: Type.String(),
      updatedAt: Type.String(),
      messages: Type.Array(ThreadMessage),
    },
    { description: "The requester's view: no internal notes, nothing about the domain's owner" },
  ),
);

export const TicketSummary = Named(
  "TicketSummary",
  Type.Object({
    id: Type.String(),
    category: TicketCategory,
    domain: Type.String(),
    state: TicketState,
    createdAt: Type.String(),
    updatedAt: Type.String(),
  }),
);

export const MyTickets = Named("MyTickets", Type.Object({ tickets: Type.Array(TicketSummary) }));

export const ReplyBody = Closed({ body: Body });

// ---- the agent desk ------------------------------------------------------------------------

export const QueueQuery = Closed({
  category: Type.Optional(TicketCategory),
  state: Type.Optional(TicketState),
  olderThanHours: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 100_000, description: "Only tickets filed at least this long ago" }),
  ),
  after: Type.Optional(Type.String({ maxLength: 64, description: "The `next` of the previous page" })),
  limit: Type.Optional(PageLimit(50)),
});

export const QueuePage = Named(
  "QueuePage",
  Type.Object({
    tickets: Type.Array(
      Type.Object({
        id: Type.String(),
        category: TicketCategory,
        domain: Type.String(),
        state: TicketState,
        replyTo: Type.String(),
        createdAt: Type.String(),
        updatedAt: Type.String(),
      }),
    ),
    next: Nullable(Type.String()),
  }),
);

const AccountFacts = Type.Object({
  login: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  profileComplete: Type.Boolean({
    description: "Names, a security question and a confirmed phone (what restoring access asks for)",
  }),
  twoFactor: Type.Boolean(),
});

export const AgentMessage = Named(
  "AgentMessage",
  Type.Object({
    id: Type.String(),
    at: Type.String(),
    author: Type.Union([Type.Literal("requester"), Type.Literal("agent"), Type.Literal("system")]),
    agentLogin: Nullable(Type.String()),
    channel: Type.Union([Type.Literal("web"), Type.Literal("email")]),
    internal: Type.Boolean(),
    body: Type.String(),
    fromAddress: Nullable(Type.String({ description: "Inbound e-mail: the header From" })),
    envelopeFrom: Nullable(Type.String({ description: "Inbound e-mail: the envelope sender" })),
    fromOwner: Nullable(
      Type.Boolean({
        description:
          "Inbound e-mail on a ticket about a connected domain: whether both senders are the owner's service address or confirmed recovery e-mail",
      }),
    ),
  }),
);

export const AgentTicket = Named(
  "AgentTicket",
  Type.Object(
    {
      id: Type.String(),
      category: TicketCategory,
      domain: Type.String(),
      replyTo: Type.String(),
      state: TicketState,
      createdAt: Type.String(),
      updatedAt: Type.String(),
      requester: Nullable(AccountFacts),
      owner: Nullable(
        Type.Object({
          ...AccountFacts.properties,
          connectedAt: Type.String(),
        }),
      ),
      messages: Type.Array(AgentMessage),
      handovers: Type.Array(handoverSchemas.Handover, {
        description: "The ticket's hand-overs (restore challenge, support transfer), newest first",
      }),
      activity: Type.Array(
        Type.Object({
          at: Type.String(),
          action: Type.String(),
          actorType: Type.String(),
          agentLogin: Nullable(Type.String({ description: "The agent, for an agent's action" })),
        }),
        {
          description: "The ticket's audit events, oldest first (what agents see of the log: their tickets')",
        },
      ),
    },
    {
      description:
        "The agent's view: the thread with internal notes, the requester's account, and the domain's current owner (only here, inside a ticket about that domain). Never passwords, hashes, codes or secrets.",
    },
  ),
);

export const StateBody = Closed({
  state: Type.Union([
    Type.Literal("open"),
    Type.Literal("waiting-requester"),
    Type.Literal("waiting-owner"),
    Type.Literal("resolved"),
    Type.Literal("closed"),
  ]),
});

export const HandoverParams = Closed({
  id: TicketId,
  handoverId: Type.String({
    minLength: 1,
    maxLength: 64,
    description: "The hand-over's id (the ticket's `handovers`)",
  }),
});

export const NoBody = Closed({});

export const StartTransferBody = Closed({
  messageId: Type.Optional(
    Type.String({
      maxLength: 64,
      description: "An e-mail of the thread whose sender is the letter; default the form's reply address",
    }),
  ),
});

export const RestoreCheck = Named(
  "TicketRestoreCheck",
  Type.Object({
    result: Type.String({ description: "ok, absent, wrong or failed" }),
    detail: Type.String(),
    ticket: AgentTicket,
  }),
);

export const TransferStartedFromTicket = Named(
  "TicketTransferStarted",
  Type.Object({
    outcome: Type.Union([Type.Literal("link-sent"), Type.Literal("answered")], {
      description:
        "link-sent: the owner's address got the confirmation link; answered: the requester was told why not",
    }),
    ticket: AgentTicket,
  }),
);
