import { useState } from "react";
import { client } from "../../api";
import { useOlderPages } from "../../components/data";
import { Tabs } from "../../components/Tabs";
import { Card, DataTable, FormError, Listing, MoreButton, Page } from "../../components/ui";
import { formatDateTime, hasMessage, t, tp } from "../../i18n";
import { actionLabel, actorLabel, checkResultLabel, describeUserAgent, permissionLabel } from "../../labels";
import type { AuditEvent } from "../../types";

type Kind = "changes" | "checks";

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];

/** "Firefox on Linux" from a User-Agent; the operator's command and mfd's own jobs say who they are. */
function deviceOf(event: Pick<AuditEvent, "actorType" | "userAgent">): string | null {
  if (event.actorType === "system" || event.actorType === "operator") return actorLabel(event.actorType);
  return event.userAgent ? describeUserAgent(event.userAgent) : null;
}

const contactName = (kind: unknown): string =>
  kind === "phone" ? t("activity.contact.phone") : t("activity.contact.email");

/**
 * What changed, in a line under the action: the new phone (masked), the token's name and rights,
 * the device a session ended on — never an id. Null when the action says it all.
 */
function detailOf(event: AuditEvent): string | null {
  const d = event.details ?? {};
  switch (event.action) {
    case "contact.change":
      return d.previous
        ? t("activity.detail.contact.changed", {
            contact: contactName(d.contact),
            value: text(d.value) ?? "",
          })
        : t("activity.detail.contact.added", { contact: contactName(d.contact), value: text(d.value) ?? "" });
    case "contact.remove":
      return t("activity.detail.contact.removed", {
        contact: contactName(d.contact),
        value: text(d.value) ?? "",
      });
    case "contact.code-failure":
      return contactName(d.contact);
    case "token.create": {
      const domains = d.domains === "all" ? t("tokens.scope.allShort") : list(d.domains).join(", ");
      return t("activity.detail.token.created", {
        name: text(d.name) ?? "",
        permissions: list(d.permissions).map(permissionLabel).join(", "),
        domains,
      });
    }
    case "token.revoke":
    case "token.exposed":
      return t("activity.detail.token", { name: text(d.name) ?? "" });
    case "security-question.change": {
      const key = `question.${String(d.question)}`;
      return hasMessage(key) ? t(key) : null;
    }
    case "password.change":
    case "password.reset": {
      const ended = Number(d.endedSessions ?? d.sessionsEnded ?? 0);
      return ended > 0 ? tp("activity.detail.sessionsEnded", ended, { count: ended }) : null;
    }
    case "session.end": {
      const device = text(d.userAgent) ? describeUserAgent(text(d.userAgent)) : null;
      const where = text(d.ip);
      if (!device && !where) return null;
      return t("activity.detail.sessionEnded", {
        device: device ?? t("sessions.unknownDevice"),
        ip: where ?? "—",
      });
    }
    case "sign-in.failure":
    case "reauth.failure":
      return d.reason === "two-factor" ? t("activity.detail.wrongCode") : t("activity.detail.wrongPassword");
    case "domain.check":
    case "domain.mx-check": {
      const result = text(d.result);
      return [event.domain, result ? checkResultLabel(result) : null].filter(Boolean).join(" · ") || null;
    }
    default: {
      // Domains, administrators, mailboxes: the names they concern.
      const parts = [
        event.domain,
        event.target && !/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(event.target) ? event.target : null,
      ];
      return parts.filter(Boolean).join(" · ") || null;
    }
  }
}

/** One kind of the account's events, newest first, in pages of 50. */
function EventList({ kind }: { kind: Kind }) {
  const {
    items: events,
    next,
    busy,
    error,
    reload,
    more,
  } = useOlderPages(`/api/v1/account/events?kind=${kind}`, "events", 50, (query) =>
    client.GET("/api/v1/account/events", { params: { query: { ...query, kind } } }),
  );

  return (
    <>
      <FormError error={error} onRetry={reload} />
      <Listing
        items={events}
        error={error}
        empty={
          <Card>
            <p className="muted">{kind === "checks" ? t("activity.checks.empty") : t("activity.empty")}</p>
          </Card>
        }
      >
        {(events) => (
          <Card>
            <div className="table-wrap">
              <DataTable
                caption={kind === "checks" ? t("activity.tab.checks") : t("activity.tab.changes")}
                columns={[t("activity.when"), t("activity.what"), t("activity.device")]}
              >
                {events.map((event) => {
                  const detail = detailOf(event);
                  const device = deviceOf(event);
                  return (
                    <tr key={event.id}>
                      <td>
                        <time dateTime={event.at}>{formatDateTime(event.at)}</time>
                      </td>
                      <td className="cell-wrap">
                        <span>{actionLabel(event.action)}</span>
                        {event.actorType === "token" ? (
                          <span className="muted"> · {actorLabel("token")}</span>
                        ) : null}
                        {detail ? <span className="cell-note">{detail}</span> : null}
                      </td>
                      <td>
                        {device ?? <span className="muted">—</span>}
                        {event.ip ? <span className="cell-note mono">{event.ip}</span> : null}
                      </td>
                    </tr>
                  );
                })}
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

/**
 * The account's own events as a security log: sign-ins, failures and changes with the device and
 * address of each; the domain checks (by the worker or by hand) on a tab of their own.
 */
export function Activity() {
  const [kind, setKind] = useState<Kind>("changes");
  return (
    <Page title={t("activity.title")} intro={t("activity.intro")}>
      <Tabs
        label={t("activity.title")}
        selected={kind}
        onSelect={(id) => setKind(id === "checks" ? "checks" : "changes")}
        tabs={[
          { id: "changes", label: t("activity.tab.changes"), content: <EventList kind="changes" /> },
          { id: "checks", label: t("activity.tab.checks"), content: <EventList kind="checks" /> },
        ]}
      />
    </Page>
  );
}
