import { t } from "../../i18n";
import type { TicketCategory, TicketState } from "../../types";

export const CATEGORIES: readonly TicketCategory[] = ["restore-access", "transfer", "other"];
export const STATES: readonly TicketState[] = [
  "new",
  "open",
  "waiting-requester",
  "waiting-owner",
  "resolved",
  "closed",
];

export const categoryLabel = (category: TicketCategory): string => t(`support.category.${category}`);
export const stateLabel = (state: TicketState): string => t(`support.state.${state}`);
export const stateTone = (state: TicketState) =>
  state === "closed" || state === "resolved" ? "neutral" : state === "new" ? "info" : "warning";
/** The short form of a request's id people read out: its last 8 characters. */
export const shortId = (id: string): string => id.slice(-8);
export const ticketPath = (id: string): string => `/support/tickets/${encodeURIComponent(id)}`;
export const deskPath = (id: string): string => `/support/desk/${encodeURIComponent(id)}`;
