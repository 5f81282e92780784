import { useState } from "react";
import { api, client } from "../../api";
import { Badge, Button, Card, FormError, SelectField, useAction } from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import type { AgentTicket } from "../../types";

type Handover = AgentTicket["handovers"][number];
const OPEN = new Set(["awaiting-owner", "offered", "proving", "waiting"]);

/**
 * The ticket's hand-over actions (src/handovers/ through the desk's routes): a restore's DNS
 * challenge, live check and approval; a transfer's confirmation link to the owner's address.
 */
export function HandoverActions({
  ticket,
  onChange,
  onNotice,
}: {
  ticket: AgentTicket;
  onChange: (ticket: AgentTicket) => void;
  onNotice: (text: string) => void;
}) {
  const act = useAction();
  const [checks, setChecks] = useState<Record<string, string>>({});
  const [letter, setLetter] = useState("");
  const id = ticket.id;
  const letters = ticket.messages.filter((m) => m.channel === "email" && m.fromAddress);
  const open = ticket.handovers.some((h) => OPEN.has(h.state));

  const startRestore = () =>
    void act.run(async () => {
      onChange(
        await api(() =>
          client.POST("/api/v1/support/queue/{id}/restore", { params: { path: { id } }, body: {} }),
        ),
      );
      onNotice(t("support.handover.challengeSent"));
    });
  const check = (handover: Handover) =>
    void act.run(async () => {
      const answer = await api(() =>
        client.POST("/api/v1/support/queue/{id}/handovers/{handoverId}/check", {
          params: { path: { id, handoverId: handover.id } },
          body: {},
        }),
      );
      setChecks((current) => ({ ...current, [handover.id]: `${answer.result}: ${answer.detail}` }));
      onChange(answer.ticket);
    });
  const approve = (handover: Handover) =>
    void act.run(async () => {
      onChange(
        await api(() =>
          client.POST("/api/v1/support/queue/{id}/handovers/{handoverId}/approve", {
            params: { path: { id, handoverId: handover.id } },
            body: {},
          }),
        ),
      );
      onNotice(t("support.handover.approved"));
    });
  const startTransfer = () =>
    void act.run(async () => {
      const answer = await api(() =>
        client.POST("/api/v1/support/queue/{id}/transfer", {
          params: { path: { id } },
          body: letter ? { messageId: letter } : {},
        }),
      );
      onChange(answer.ticket);
      onNotice(
        answer.outcome === "link-sent" ? t("support.handover.linkSent") : t("support.handover.answered"),
      );
    });

  if (ticket.category === "other") return null;
  return (
    <Card title={t("support.handover.title")}>
      <FormError error={act.error} />
      {ticket.handovers.length === 0 ? <p className="muted">{t("support.handover.none")}</p> : null}
      <ul className="plain-list">
        {ticket.handovers.map((handover) => (
          <li key={handover.id}>
            <Badge tone={OPEN.has(handover.state) ? "warning" : "neutral"}>
              {t("support.handover.state", { kind: handover.kind, state: handover.state })}
            </Badge>{" "}
            {handover.challenge ? (
              <code>
                {handover.challenge.name}. TXT "{handover.challenge.value}"
              </code>
            ) : null}{" "}
            {handover.kind === "restore"
              ? t("support.handover.approvals", {
                  count: handover.approvals,
                  needed: handover.approvalsNeeded,
                })
              : null}{" "}
            {handover.waitUntil
              ? t("support.handover.waitUntil", { at: formatDateTime(handover.waitUntil) })
              : null}
            {checks[handover.id] ? <p role="status">{checks[handover.id]}</p> : null}
            {handover.kind === "restore" && handover.state === "proving" ? (
              <div className="form-actions">
                <Button variant="secondary" busy={act.busy} onClick={() => check(handover)}>
                  {t("support.handover.check")}
                </Button>
                <Button busy={act.busy} onClick={() => approve(handover)}>
                  {t("support.handover.approve")}
                </Button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      {ticket.state !== "closed" && !open && ticket.category === "restore-access" ? (
        <div className="form-actions">
          <Button busy={act.busy} onClick={startRestore}>
            {t("support.handover.startRestore")}
          </Button>
        </div>
      ) : null}
      {ticket.state !== "closed" && !open && ticket.category === "transfer" ? (
        <div className="form-narrow">
          <SelectField
            label={t("support.handover.letter")}
            hint={t("support.handover.letter.hint")}
            name="letter"
            required
            value={letter}
            onChange={(event) => setLetter(event.target.value)}
          >
            <option value="">{t("support.handover.letter.form", { address: ticket.replyTo })}</option>
            {letters.map((m) => (
              <option key={m.id} value={m.id}>
                {t("support.handover.letter.email", {
                  address: m.fromAddress ?? "",
                  at: formatDateTime(m.at),
                })}
              </option>
            ))}
          </SelectField>
          <div className="form-actions">
            <Button busy={act.busy} onClick={startTransfer}>
              {t("support.handover.startTransfer")}
            </Button>
          </div>
        </div>
      ) : null}
    </Card>
  );
}
