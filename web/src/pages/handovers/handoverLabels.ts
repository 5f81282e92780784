import { type MessageKey, t } from "../../i18n";
import type { Handover } from "../../types";

/** Hand-overs still under way: they can be cancelled. */
export const OPEN_STATES = new Set<Handover["state"]>(["awaiting-owner", "offered", "proving", "waiting"]);

export const stateLabel = (state: Handover["state"]): string => t(`handovers.state.${state}` as MessageKey);

export const stateTone = (state: Handover["state"]) =>
  state === "done" ? "success" : OPEN_STATES.has(state) ? "info" : "neutral";

/** What the hand-over is, from the reader's side. */
export function kindLabel(handover: Handover): string {
  if (handover.kind === "restore") return t("handovers.kind.restore");
  if (handover.side === "to") return t("handovers.kind.incoming");
  return handover.toLogin
    ? t("handovers.kind.outgoing", { login: handover.toLogin })
    : t("handovers.kind.outgoingSupport");
}

/** The secret after `#` in a link from a notice (never sent to the server with the page request). */
export const keyFromHash = (): string => decodeURIComponent(window.location.hash.replace(/^#/, ""));
