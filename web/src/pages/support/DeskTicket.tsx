import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { api, client } from "../../api";
import { useApiData } from "../../components/data";
import {
  Badge,
  Button,
  Card,
  Form,
  FormError,
  Loading,
  Notice,
  Page,
  SelectField,
  useAction,
} from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import { actionLabel, actorLabel } from "../../labels";
import type { AgentTicket } from "../../types";
import { HandoverActions } from "./HandoverActions";
import { categoryLabel, STATES, shortId, stateLabel, stateTone } from "./labels";
import { MessageField } from "./SupportForm";
import { Thread } from "./Thread";

type Facts = NonNullable<AgentTicket["requester"]>;
type MovableState = Exclude<AgentTicket["state"], "new">;

function AccountFacts({ facts, connectedAt }: { facts: Facts; connectedAt?: string }) {
  return (
    <dl className="ticket-facts">
      <dt>{t("support.agent.login")}</dt>
      <dd>{facts.login}</dd>
      <dt>{t("support.agent.names")}</dt>
      <dd>
        {facts.firstName} {facts.lastName}
      </dd>
      <dt>{t("support.agent.profile")}</dt>
      <dd>
        <Badge tone={facts.profileComplete ? "success" : "warning"}>
          {facts.profileComplete
            ? t("support.agent.profile.complete")
            : t("support.agent.profile.incomplete")}
        </Badge>
      </dd>
      <dt>{t("support.agent.twoFactor")}</dt>
      <dd>{facts.twoFactor ? t("support.agent.twoFactor.on") : t("support.agent.twoFactor.off")}</dd>
      {connectedAt ? (
        <>
          <dt>{t("support.agent.connected")}</dt>
          <dd>{formatDateTime(connectedAt)}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** A request as the agent works it: thread with notes, requester, the domain's owner, and actions. */
export function DeskTicket() {
  const { id = "" } = useParams();
  const {
    data: ticket,
    setData,
    error,
  } = useApiData(`/api/v1/support/queue/${id}`, () =>
    client.GET("/api/v1/support/queue/{id}", { params: { path: { id } } }),
  );
  const [body, setBody] = useState("");
  const [target, setTarget] = useState<MovableState>("resolved");
  const [notice, setNotice] = useState<string | null>(null);
  const act = useAction();

  const write = (kind: "replies" | "notes") =>
    void act.run(async () => {
      setNotice(null);
      const next = await api(() =>
        kind === "replies"
          ? client.POST("/api/v1/support/queue/{id}/replies", { params: { path: { id } }, body: { body } })
          : client.POST("/api/v1/support/queue/{id}/notes", { params: { path: { id } }, body: { body } }),
      );
      setData(next);
      setBody("");
      setNotice(kind === "replies" ? t("support.agent.replied") : t("support.agent.noted"));
    });

  const move = (event: FormEvent) => {
    event.preventDefault();
    void act.run(async () => {
      setNotice(null);
      const next = await api(() =>
        client.POST("/api/v1/support/queue/{id}/state", {
          params: { path: { id } },
          body: { state: target },
        }),
      );
      setData(next);
      setNotice(t("support.agent.moved", { state: stateLabel(next.state) }));
    });
  };

  const title = t("support.agent.title", { id: shortId(id) });
  if (!ticket)
    return (
      <Page title={title}>
        <FormError error={error} />
        {error ? null : <Loading />}
      </Page>
    );
  return (
    <Page
      title={title}
      intro={`${ticket.domain} · ${categoryLabel(ticket.category)} · ${ticket.replyTo}`}
      actions={
        <>
          <Badge tone={stateTone(ticket.state)}>{stateLabel(ticket.state)}</Badge>{" "}
          <Link to="/support/desk">{t("support.agent.back")}</Link>
        </>
      }
    >
      <div aria-live="polite" className="live">
        {notice ? <Notice>{notice}</Notice> : null}
      </div>
      <FormError error={act.error} />
      <Card title={t("support.agent.requester")}>
        {ticket.requester ? (
          <AccountFacts facts={ticket.requester} />
        ) : (
          <p className="muted">{t("support.agent.requester.visitor")}</p>
        )}
      </Card>
      <Card title={t("support.agent.owner")}>
        {ticket.owner ? (
          <AccountFacts facts={ticket.owner} connectedAt={ticket.owner.connectedAt} />
        ) : (
          <p className="muted">{t("support.agent.owner.none")}</p>
        )}
      </Card>
      <Card title={t("support.ticket.thread")}>
        <Thread messages={ticket.messages} agentView />
      </Card>
      <HandoverActions ticket={ticket} onChange={setData} onNotice={setNotice} />
      <Card title={t("support.agent.activity")}>
        <ul className="plain-list">
          {ticket.activity.map((event) => (
            <li key={`${event.at}-${event.action}`}>
              {formatDateTime(event.at)}:{" "}
              {t("support.agent.activity.by", {
                action: actionLabel(event.action),
                who: event.agentLogin ?? actorLabel(event.actorType) ?? event.actorType,
              })}
            </li>
          ))}
        </ul>
      </Card>
      {ticket.state === "closed" ? (
        <Notice tone="info">{t("support.ticket.closed")}</Notice>
      ) : (
        <>
          <Card title={t("support.agent.write")} description={t("support.agent.noteHint")}>
            <Form
              onSubmit={(event) => {
                event.preventDefault();
                write("replies");
              }}
              className="form-narrow"
            >
              <MessageField label={t("support.agent.body")} name="body" value={body} onChange={setBody} />
              <div className="form-actions">
                <Button type="submit" busy={act.busy}>
                  {t("support.agent.reply")}
                </Button>
                <Button
                  variant="secondary"
                  busy={act.busy}
                  onClick={() => {
                    if (body.trim()) write("notes");
                  }}
                >
                  {t("support.agent.note")}
                </Button>
              </div>
            </Form>
          </Card>
          <Card title={t("support.agent.state")}>
            <Form onSubmit={move} className="form-narrow">
              <SelectField
                label={t("support.agent.state.field")}
                name="state"
                required
                value={target}
                onChange={(event) => setTarget(event.target.value as MovableState)}
              >
                {STATES.filter((s): s is MovableState => s !== "new").map((s) => (
                  <option key={s} value={s}>
                    {stateLabel(s)}
                  </option>
                ))}
              </SelectField>
              <div className="form-actions">
                <Button type="submit" variant="secondary" busy={act.busy}>
                  {t("support.agent.state.submit")}
                </Button>
              </div>
            </Form>
          </Card>
        </>
      )}
    </Page>
  );
}
