import { createHmac } from "node:crypto";
import type { Config } from "../config.js";
import { defineStateMachine } from "../lib/state-machine.js";

/**
 * A ticket's life. `new` until someone acts on it; the desk waits on the requester or the domain's
 * owner; `resolved` reopens when the requester writes again; `closed` is final (a new request goes
 * through the form). Each event is one conditional UPDATE (src/lib/state-machine.ts).
 */
export const TICKET_STATES = [
  "new",
  "open",
  "waiting-requester",
  "waiting-owner",
  "resolved",
  "closed",
] as const;
export type TicketStateName = (typeof TICKET_STATES)[number];

const LIVE = ["new", "open", "waiting-requester", "waiting-owner", "resolved"] as const;

export const tickets = defineStateMachine({
  table: "tickets",
  states: TICKET_STATES,
  transitions: {
    /** The requester wrote (form page or e-mail): the desk has work again. */
    requesterWrote: { from: ["open", "waiting-requester", "waiting-owner", "resolved"], to: "open" },
    /** An agent answered the requester. */
    agentReplied: { from: LIVE, to: "waiting-requester" },
    open: { from: ["new", "waiting-requester", "waiting-owner", "resolved"], to: "open" },
    "waiting-requester": { from: ["new", "open", "waiting-owner", "resolved"], to: "waiting-requester" },
    "waiting-owner": { from: ["new", "open", "waiting-requester", "resolved"], to: "waiting-owner" },
    resolved: { from: ["new", "open", "waiting-requester", "waiting-owner"], to: "resolved" },
    closed: { from: LIVE, to: "closed" },
  },
});

/** Base32 (RFC 4648, lower case): survives MTAs that fold the case of local parts. */
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
function base32(bytes: Buffer, length: number): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** 16 base32 characters: 80 bits on top of the ticket id's 74 random ones. */
const SECRET_LENGTH = 16;

/**
 * The secret of a ticket's inbound address, derived from the installation's key rather than
 * stored: every e-mail to the requester carries the same Reply-To, and nothing at rest names it.
 */
export const inboundSecret = (key: string, ticketId: string): string =>
  base32(createHmac("sha256", key).update(`support-inbound:${ticketId}`).digest(), SECRET_LENGTH);

/** A ticket id without its dashes, as the inbound address carries it (the local part stays ≤ 64). */
const compactId = (ticketId: string) => ticketId.replaceAll("-", "").toLowerCase();
const expandId = (compact: string) =>
  `${compact.slice(0, 8)}-${compact.slice(8, 12)}-${compact.slice(12, 16)}-${compact.slice(16, 20)}-${compact.slice(20)}`;

/** `support+<ticket>.<secret>@<domain>`: where a requester's replies thread into the ticket. */
export const inboundAddress = (
  config: Pick<Config, "supportAddress">,
  key: string,
  ticketId: string,
): string =>
  `${config.supportAddress.local}+${compactId(ticketId)}.${inboundSecret(key, ticketId)}@${config.supportAddress.domain}`;

/**
 * The ticket id and secret an inbound recipient names, or null when it is not one of our ticket
 * addresses. Case-insensitive: the whole address is ours and in lower case.
 */
export function parseInboundAddress(
  config: Pick<Config, "supportAddress">,
  address: string,
): { ticketId: string; secret: string } | null {
  const { local, domain } = config.supportAddress;
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf("@");
  if (at < 0 || lower.slice(at + 1) !== domain) return null;
  const match = /^([^+]+)\+([0-9a-f]{32})\.([a-z2-7]{16})$/.exec(lower.slice(0, at));
  if (!match || match[1] !== local) return null;
  return { ticketId: expandId(match[2] as string), secret: match[3] as string };
}
