import { useCallback, useEffect, useState } from "react";
import { api } from "../../api";
import { DataTable, Listing } from "../../components/data";
import { Button, Card, FormError, Page, useAction } from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import { actionLabel } from "../../labels";
import type { AuditEvent } from "../../types";

/** Ids (sessions, claims) are long and mean little to people: show their start, the whole on hover. */
const shortId = (value: string): string =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(value) ? `${value.slice(0, 8)}…` : value;

interface EventPage {
  events: AuditEvent[];
  next: string | null;
}

/** The account's own events (security.md 42): sign-ins, failures, changes, in pages of 50. */
export function Activity() {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  const load = useCallback(
    (before: string | null) =>
      run(async () => {
        const query = new URLSearchParams({ limit: "50" });
        if (before) query.set("before", before);
        const page = await api<EventPage>("GET", `/api/v1/account/events?${query}`);
        setEvents((current) => (before && current ? [...current, ...page.events] : page.events));
        setNext(page.next);
      }),
    [run],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <Page title={t("activity.title")} intro={t("activity.intro")}>
      <FormError error={error} />
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
                      {event.actorType && event.actorType !== "account" ? (
                        <span className="muted"> · {event.actorType}</span>
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
            {next ? (
              <div className="form-actions">
                <Button variant="secondary" busy={busy} onClick={() => void load(next)}>
                  {t("activity.more")}
                </Button>
              </div>
            ) : null}
          </Card>
        )}
      </Listing>
    </Page>
  );
}
