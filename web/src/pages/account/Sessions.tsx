import { useState } from "react";
import { api, client } from "../../api";
import { useApiData } from "../../components/data";
import {
  Badge,
  Button,
  Card,
  DataTable,
  FormError,
  Listing,
  Notice,
  Page,
  useAction,
} from "../../components/ui";
import { formatDateTime, formatRelative, t, tp } from "../../i18n";
import { describeUserAgent } from "../../labels";
import type { SessionView } from "../../types";

export function Sessions() {
  const {
    data: sessions,
    error: loadError,
    refresh,
  } = useApiData("/api/v1/account/sessions", () => client.GET("/api/v1/account/sessions"));
  const [notice, setNotice] = useState<string | null>(null);
  const act = useAction();

  const end = (session: SessionView) =>
    void act.run(async () => {
      setNotice(null);
      await api(() =>
        client.DELETE("/api/v1/account/sessions/{id}", { params: { path: { id: session.id } } }),
      );
      setNotice(t("sessions.ended", { device: describeUserAgent(session.userAgent) }));
      await refresh();
    });

  const endOthers = () =>
    void act.run(async () => {
      setNotice(null);
      const result = await api(() => client.POST("/api/v1/account/sessions/end-others"));
      setNotice(tp("sessions.endedOthers", result.ended));
      await refresh();
    });

  const others = sessions?.filter((session) => !session.current).length ?? 0;

  return (
    <Page
      title={t("sessions.title")}
      intro={t("sessions.intro")}
      actions={
        others > 0 ? (
          <Button variant="secondary" busy={act.busy} onClick={endOthers}>
            {t("sessions.endOthers")}
          </Button>
        ) : null
      }
    >
      {notice ? <Notice>{notice}</Notice> : null}
      <FormError error={act.error ?? loadError} onRetry={act.error ? undefined : () => void refresh()} />
      <Listing items={sessions} error={loadError}>
        {(sessions) => (
          <Card>
            <div className="table-wrap">
              <DataTable
                caption={t("sessions.title")}
                columns={[
                  t("sessions.device"),
                  t("sessions.ip"),
                  t("sessions.started"),
                  t("sessions.lastSeen"),
                ]}
                actions
              >
                {sessions.map((session) => (
                  <tr key={session.id}>
                    <td>
                      <span title={session.userAgent ?? undefined}>
                        {describeUserAgent(session.userAgent)}
                      </span>
                      {session.current ? (
                        <>
                          {" "}
                          <Badge tone="info">{t("sessions.current")}</Badge>
                        </>
                      ) : null}
                    </td>
                    <td className="mono">{session.ip ?? "—"}</td>
                    <td>{formatDateTime(session.createdAt)}</td>
                    <td>
                      <time dateTime={session.lastSeenAt} title={formatDateTime(session.lastSeenAt)}>
                        {formatRelative(session.lastSeenAt)}
                      </time>
                    </td>
                    <td className="cell-actions">
                      {session.current ? null : (
                        <Button
                          variant="secondary"
                          className="button-small"
                          busy={act.busy}
                          onClick={() => end(session)}
                          aria-label={t("sessions.endOne", { device: describeUserAgent(session.userAgent) })}
                        >
                          {t("sessions.end")}
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </DataTable>
            </div>
          </Card>
        )}
      </Listing>
    </Page>
  );
}
