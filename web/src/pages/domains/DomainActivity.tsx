import { Link } from "react-router";
import { client } from "../../api";
import { useOlderPages } from "../../components/data";
import { Card, DataTable, FormError, Listing, MoreButton, Notice } from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import { actionLabel, actorLabel } from "../../labels";
import type { DomainEvent, DomainView } from "../../types";
import { DomainFrame } from "./DomainFrame";
import { domainPath } from "./Domains";

/**
 * Who acted, as the server lets this viewer know it: "you", "the owner", "an administrator" (the
 * owner also sees which one), or mfd itself and the operator.
 */
function whoLabel(event: DomainEvent): string {
  if (event.by) return t(`domainActivity.by.${event.by}`);
  return actorLabel(event.actorType) ?? "—";
}

/** What happened on the domain, newest first, in pages of 50: who changed which mailbox. */
function ActivityList({ view }: { view: DomainView }) {
  const {
    items: events,
    next,
    busy,
    error,
    reload,
    more,
  } = useOlderPages(`/api/v1/domains/${encodeURIComponent(view.name)}/activity`, "events", 50, (query) =>
    client.GET("/api/v1/domains/{name}/activity", { params: { path: { name: view.name }, query } }),
  );

  return (
    <>
      <p className="muted">
        {view.role === "owner" ? t("domainActivity.intro") : t("domainActivity.intro.deputy")}
      </p>
      <FormError error={error} onRetry={reload} />
      <Listing
        items={events}
        error={error}
        empty={
          <Card>
            <p className="muted">{t("domainActivity.empty")}</p>
          </Card>
        }
      >
        {(events) => (
          <Card>
            <div className="table-wrap">
              <DataTable
                caption={t("domain.nav.activity")}
                columns={[
                  t("activity.when"),
                  t("activity.what"),
                  t("domainActivity.who"),
                  t("activity.object"),
                ]}
              >
                {events.map((event) => (
                  <tr key={event.id}>
                    <td>
                      <time dateTime={event.at}>{formatDateTime(event.at)}</time>
                    </td>
                    <td>{actionLabel(event.action)}</td>
                    <td>
                      {whoLabel(event)}
                      {event.by === "administrator" && event.actorLogin ? (
                        <span className="muted"> · {event.actorLogin}</span>
                      ) : null}
                      {event.by && actorLabel(event.actorType) ? (
                        <span className="muted"> · {actorLabel(event.actorType)}</span>
                      ) : null}
                      {event.ip ? <span className="muted mono"> · {event.ip}</span> : null}
                    </td>
                    <td className="mono">{event.target ?? "—"}</td>
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
    </>
  );
}

/** The domain's activity page: for its owner and its administrators, once the domain is confirmed. */
export function DomainActivity() {
  return (
    <DomainFrame section={t("domain.nav.activity")}>
      {(view) =>
        view.claim ? (
          <Notice tone="info">
            {t("domainActivity.notConfirmed")}{" "}
            <Link to={domainPath(view.name)}>{t("mailboxes.notConfirmed.link")}</Link>
          </Notice>
        ) : (
          <ActivityList view={view} />
        )
      }
    </DomainFrame>
  );
}
