import { client } from "../../api";
import { useOlderPages } from "../../components/data";
import { Card, DataTable, FormError, Listing, MoreButton, Page } from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import { actionLabel, actorLabel } from "../../labels";

/** Ids (sessions, claims) are long and mean little to people: show their start, the whole on hover. */
const shortId = (value: string): string =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(value) ? `${value.slice(0, 8)}…` : value;

/** The account's own events: sign-ins, failures, changes, in pages of 50. */
export function Activity() {
  const {
    items: events,
    next,
    busy,
    error,
    reload,
    more,
  } = useOlderPages("/api/v1/account/events", "events", 50, (query) =>
    client.GET("/api/v1/account/events", { params: { query } }),
  );

  return (
    <Page title={t("activity.title")} intro={t("activity.intro")}>
      <FormError error={error} onRetry={reload} />
      <Listing
        items={events}
        error={error}
        empty={
          <Card>
            <p className="muted">{t("activity.empty")}</p>
          </Card>
        }
      >
        {(events) => (
          <Card>
            <div className="table-wrap">
              <DataTable
                caption={t("activity.title")}
                columns={[t("activity.when"), t("activity.what"), t("activity.object"), t("activity.ip")]}
              >
                {events.map((event) => (
                  <tr key={event.id}>
                    <td>
                      <time dateTime={event.at}>{formatDateTime(event.at)}</time>
                    </td>
                    <td>
                      {actionLabel(event.action)}
                      {actorLabel(event.actorType) ? (
                        <span className="muted"> · {actorLabel(event.actorType)}</span>
                      ) : null}
                    </td>
                    <td className="mono">
                      {event.domain ? <span>{event.domain}</span> : null}
                      {event.domain && event.target ? " · " : null}
                      {event.target ? <span title={event.target}>{shortId(event.target)}</span> : null}
                      {!event.domain && !event.target ? "—" : null}
                    </td>
                    <td className="mono">{event.ip ?? "—"}</td>
                  </tr>
                ))}
              </DataTable>
            </div>
            <MoreButton next={next} busy={busy} onClick={more}>
              {t("activity.more")}
            </MoreButton>
          </Card>
        )}
      </Listing>
    </Page>
  );
}
