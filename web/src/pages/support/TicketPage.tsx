import { type FormEvent, useCallback, useEffect, useState } from "react";
import { useParams } from "react-router";
import { ApiError, api, client } from "../../api";
import { Badge, Button, Card, Form, FormError, Loading, Notice, Page, useAction } from "../../components/ui";
import { t } from "../../i18n";
import type { RequesterTicket } from "../../types";
import { categoryLabel, shortId, stateLabel, stateTone } from "./labels";
import { MessageField } from "./SupportForm";
import { Thread } from "./Thread";

const storageKey = (id: string) => `mfd-ticket:${id}`;

/**
 * A request's page for its requester: the account that sent it, or whoever opened the link mailed
 * to the reply address. The link's secret (in the address's #fragment, never sent to the server
 * in the URL) is spent for a key this tab keeps.
 */
export function TicketPage() {
  const { id = "" } = useParams();
  const [ticket, setTicket] = useState<RequesterTicket | null>(null);
  const [missing, setMissing] = useState(false);
  const [body, setBody] = useState("");
  const [sent, setSent] = useState(false);
  const load = useAction();
  const reply = useAction();

  const header = useCallback(() => {
    const key = sessionStorage.getItem(storageKey(id));
    return key ? { "x-ticket-key": key } : {};
  }, [id]);

  useEffect(() => {
    void load.run(async () => {
      const hash = new URLSearchParams(window.location.hash.slice(1));
      const linkKey = hash.get("key");
      if (linkKey) {
        // Out of the address bar and history first: the link works once.
        window.history.replaceState(null, "", window.location.pathname);
        try {
          const { accessKey } = await api(() =>
            client.POST("/api/v1/support/tickets/{id}/access", {
              params: { path: { id } },
              body: { key: linkKey },
            }),
          );
          sessionStorage.setItem(storageKey(id), accessKey);
        } catch (error) {
          // A spent link may still leave this tab its key from the first time.
          if (!(error instanceof ApiError) || error.code !== "TICKET_LINK_INVALID") throw error;
        }
      }
      try {
        setTicket(
          await api(() =>
            client.GET("/api/v1/support/tickets/{id}", { params: { path: { id }, header: header() } }),
          ),
        );
      } catch (error) {
        if (error instanceof ApiError && error.code === "NOT_FOUND") setMissing(true);
        else throw error;
      }
    });
  }, [id, header, load.run]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSent(false);
    void reply.run(async () => {
      setTicket(
        await api(() =>
          client.POST("/api/v1/support/tickets/{id}/messages", {
            params: { path: { id }, header: header() },
            body: { body },
          }),
        ),
      );
      setBody("");
      setSent(true);
    });
  };

  const title = t("support.ticket.title", { id: shortId(id) });
  if (missing)
    return (
      <Page title={title} narrow>
        <Notice tone="warning">{t("support.ticket.noAccess")}</Notice>
      </Page>
    );
  if (!ticket)
    return (
      <Page title={title} narrow>
        <FormError error={load.error} />
        {load.error ? null : <Loading label={t("support.ticket.opening")} />}
      </Page>
    );
  return (
    <Page
      title={title}
      intro={t("support.ticket.about", { domain: ticket.domain, category: categoryLabel(ticket.category) })}
      actions={<Badge tone={stateTone(ticket.state)}>{stateLabel(ticket.state)}</Badge>}
    >
      <Card title={t("support.ticket.thread")}>
        <Thread messages={ticket.messages} />
      </Card>
      {ticket.state === "closed" ? (
        <Notice tone="info">{t("support.ticket.closed")}</Notice>
      ) : (
        <Card title={t("support.ticket.reply")}>
          <Form onSubmit={submit} className="form-narrow">
            <FormError error={reply.error} />
            {sent ? <Notice>{t("support.agent.replied")}</Notice> : null}
            <MessageField
              label={t("support.ticket.reply.label")}
              name="body"
              value={body}
              onChange={setBody}
            />
            <div className="form-actions">
              <Button type="submit" busy={reply.busy}>
                {t("support.ticket.reply.submit")}
              </Button>
            </div>
          </Form>
        </Card>
      )}
    </Page>
  );
}
