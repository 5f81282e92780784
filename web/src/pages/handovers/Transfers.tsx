import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { api, client } from "../../api";
import { useApiData } from "../../components/data";
import {
  Badge,
  Button,
  Card,
  CopyValue,
  DataTable,
  Form,
  FormError,
  Listing,
  Notice,
  Page,
  TextField,
  useAction,
} from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import type { Handover } from "../../types";
import { kindLabel, OPEN_STATES, stateLabel, stateTone } from "./handoverLabels";

/** The account's hand-overs: offers to it and by it, its restores; open ones can be cancelled here. */
export function Transfers() {
  const { data, setData, error, refresh } = useApiData("/api/v1/transfers", () =>
    client.GET("/api/v1/transfers"),
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState<string | null>(null);
  const act = useAction();

  const cancel = (handover: Handover) =>
    void act.run(async () => {
      setNotice(null);
      setCancelling(handover.id);
      const next = await api(() =>
        client.POST("/api/v1/transfers/{id}/cancel", { params: { path: { id: handover.id } } }),
      ).finally(() => setCancelling(null));
      setData((current) =>
        current ? { handovers: current.handovers.map((h) => (h.id === next.id ? next : h)) } : current,
      );
      setNotice(t("handovers.cancelled", { name: handover.domain }));
    });

  return (
    <Page
      title={t("handovers.title")}
      intro={t("handovers.intro")}
      actions={
        <Link className="button button-secondary" to="/transfers/restore">
          {t("handovers.restore.link")}
        </Link>
      }
    >
      <div aria-live="polite" className="live">
        {notice ? <Notice>{notice}</Notice> : null}
      </div>
      <Card>
        <FormError error={act.error ?? error} />
        <Listing
          items={data?.handovers ?? null}
          error={error}
          empty={<p className="muted">{t("handovers.none")}</p>}
        >
          {(handovers) => (
            <div className="table-wrap">
              <DataTable
                caption={t("handovers.title")}
                columns={[
                  t("handovers.column.domain"),
                  t("handovers.column.what"),
                  t("handovers.column.state"),
                  t("handovers.column.until"),
                ]}
                actions
              >
                {handovers.map((h) => (
                  <tr key={h.id}>
                    <th scope="row" className="cell-name">
                      {h.domain}
                    </th>
                    <td>
                      {kindLabel(h)}
                      {h.side === "to" && h.kind === "transfer" && h.state === "offered" ? (
                        <span className="cell-note">{t("handovers.incomingHint")}</span>
                      ) : null}
                    </td>
                    <td>
                      <Badge tone={stateTone(h.state)}>{stateLabel(h.state)}</Badge>
                    </td>
                    <td>{formatDateTime(h.waitUntil ?? h.expiresAt)}</td>
                    <td className="cell-actions">
                      {OPEN_STATES.has(h.state) ? (
                        <Button
                          variant="secondary"
                          className="button-small"
                          busy={cancelling === h.id}
                          aria-label={
                            h.side === "to" && h.kind === "transfer"
                              ? t("handovers.declineOne", { name: h.domain })
                              : t("handovers.cancelOne", { name: h.domain })
                          }
                          onClick={() => cancel(h)}
                        >
                          {h.side === "to" && h.kind === "transfer"
                            ? t("handovers.decline")
                            : t("handovers.cancel")}
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </DataTable>
            </div>
          )}
        </Listing>
        <Button variant="ghost" className="button-small" onClick={() => void refresh()}>
          {t("handovers.refresh")}
        </Button>
      </Card>
    </Page>
  );
}

/** Self-service restore (when the operator allows it): start, publish the TXT record, check it. */
export function StartRestore() {
  const [domain, setDomain] = useState("");
  const [handover, setHandover] = useState<Handover | null>(null);
  const [checkNote, setCheckNote] = useState<string | null>(null);
  const start = useAction();
  const check = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void start.run(async () => {
      setHandover(
        await api(() => client.POST("/api/v1/restores", { body: { domain: domain.trim().toLowerCase() } })),
      );
    });
  };

  const checkNow = () =>
    void check.run(async () => {
      if (!handover) return;
      const answer = await api(() =>
        client.POST("/api/v1/transfers/{id}/check", { params: { path: { id: handover.id } } }),
      );
      setHandover(answer.handover);
      setCheckNote(
        answer.result === "ok"
          ? t("domainRestore.checked.ok", { until: formatDateTime(answer.handover.waitUntil ?? "") })
          : t("domainRestore.checked.other", { detail: answer.detail }),
      );
    });

  return (
    <Page title={t("domainRestore.title")} intro={t("domainRestore.text")} narrow>
      {handover ? (
        <Card title={handover.domain}>
          <div aria-live="polite" className="live">
            {checkNote ? <Notice tone="info">{checkNote}</Notice> : null}
          </div>
          <FormError error={check.error} />
          {handover.state === "waiting" && handover.waitUntil ? (
            <p>{t("domainRestore.waiting", { until: formatDateTime(handover.waitUntil) })}</p>
          ) : handover.challenge ? (
            <>
              <p>{t("domainRestore.publish")}</p>
              <dl className="copy-list">
                <CopyValue label={t("domain.record.name")} value={handover.challenge.name} />
                <CopyValue label={t("domain.record.type")} value="TXT" />
                <CopyValue label={t("domain.record.value")} value={handover.challenge.value} />
              </dl>
              <Button busy={check.busy} onClick={checkNow}>
                {t("domainRestore.check")}
              </Button>
            </>
          ) : null}
        </Card>
      ) : (
        <Card>
          <Form onSubmit={submit}>
            <FormError error={start.error} />
            <TextField
              label={t("domainRestore.field")}
              name="domain"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={300}
              required
              value={domain}
              onChange={(event) => setDomain(event.target.value)}
            />
            <div className="form-actions">
              <Button type="submit" busy={start.busy}>
                {t("domainRestore.submit")}
              </Button>
            </div>
          </Form>
        </Card>
      )}
    </Page>
  );
}
