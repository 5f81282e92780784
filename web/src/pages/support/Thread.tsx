import { Badge } from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import type { AgentTicket, RequesterTicket } from "../../types";

type Message = RequesterTicket["messages"][number] & Partial<AgentTicket["messages"][number]>;

/** A request's messages, oldest first; agents also see internal notes and inbound senders. */
export function Thread({ messages, agentView }: { messages: readonly Message[]; agentView?: boolean }) {
  return (
    <ol className="thread" aria-label={t("support.ticket.thread")}>
      {messages.map((m) => (
        <li
          key={m.id}
          className={`thread-message thread-message-${m.author}${m.internal ? " thread-message-internal" : ""}`}
        >
          <p className="thread-meta">
            <strong>
              {agentView && m.author === "agent" && m.agentLogin
                ? m.agentLogin
                : agentView && m.author === "requester"
                  ? t("support.agent.author.requester")
                  : t(`support.ticket.author.${m.author}`)}
            </strong>
            <span>{formatDateTime(m.at)}</span>
            {m.channel === "email" ? <span>{t("support.ticket.byEmail")}</span> : null}
            {m.internal ? <Badge tone="info">{t("support.agent.internal")}</Badge> : null}
            {agentView && m.channel === "email" && m.fromAddress ? (
              <span>{t("support.agent.from", { from: m.fromAddress, envelope: m.envelopeFrom ?? "—" })}</span>
            ) : null}
            {agentView && m.fromOwner === true ? (
              <Badge tone="success">{t("support.agent.fromOwner")}</Badge>
            ) : null}
            {agentView && m.fromOwner === false ? (
              <Badge tone="warning">{t("support.agent.notFromOwner")}</Badge>
            ) : null}
          </p>
          <p className="thread-body">{m.body}</p>
        </li>
      ))}
    </ol>
  );
}
