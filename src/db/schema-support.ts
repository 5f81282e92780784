import type { Generated } from "kysely";

/** A support ticket (migration 014_support, src/support/). */
export interface TicketsTable {
  id: string;
  category: "restore-access" | "transfer" | "other";
  /** The domain the request is about, as its ASCII (punycode) name. */
  domain: string;
  /** Where the requester is answered. */
  replyTo: string;
  /** The account that sent the form signed in; null for a visitor. */
  requesterAccountId: string | null;
  state: "new" | "open" | "waiting-requester" | "waiting-owner" | "resolved" | "closed";
  /** SHA-256 of the newest single-use link mailed to the reply address; null once used. */
  linkHash: string | null;
  /** SHA-256 of the key the link was exchanged for (the requester's browser keeps the key). */
  accessHash: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One message of a ticket's thread. */
export interface TicketMessagesTable {
  id: string;
  ticketId: string;
  createdAt: number;
  authorKind: "requester" | "agent" | "system";
  authorAccountId: string | null;
  /** 1: an agents' internal note, never shown to the requester. */
  internal: Generated<number>;
  channel: "web" | "email";
  body: string;
  /** Inbound e-mail: the header From address. */
  fromAddress: string | null;
  /** Inbound e-mail: the envelope sender (MAIL FROM). */
  envelopeFrom: string | null;
  /** Inbound e-mail: its Message-ID, so a message delivered twice is added once. */
  messageId: string | null;
}

export interface SupportTables {
  tickets: TicketsTable;
  ticketMessages: TicketMessagesTable;
}
