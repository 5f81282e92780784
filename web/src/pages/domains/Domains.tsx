import { useCallback, useEffect, useState } from "react";
import { Link, useLocation } from "react-router";
import { api, client } from "../../api";
import { Badge, Card, DataTable, FormError, Listing, Notice, Page, useAction } from "../../components/ui";
import { formatRelative, t, tp } from "../../i18n";
import { roleLabel, statusLabel, statusTone } from "../../labels";
import type { DomainSummary } from "../../types";

export function domainPath(name: string): string {
  return `/domains/${encodeURIComponent(name)}`;
}

/** The name as people read it, with the ASCII form when it differs (IDN). */
export function DomainName({ name, unicodeName }: { name: string; unicodeName: string }) {
  return (
    <>
      {unicodeName}
      {unicodeName !== name ? <span className="muted small mono"> ({name})</span> : null}
    </>
  );
}

function EmptyState() {
  return (
    <Card>
      <div className="empty">
        <h2 className="empty-title">{t("domains.empty.title")}</h2>
        <p className="muted">{t("domains.empty.text")}</p>
        <ol className="empty-steps">
          <li className="empty-step">
            <strong>{t("domains.empty.step1")}</strong>
            <span className="empty-step-text">{t("domains.empty.step1.text")}</span>
          </li>
          <li className="empty-step">
            <strong>{t("domains.empty.step2")}</strong>
            <span className="empty-step-text">{t("domains.empty.step2.text")}</span>
          </li>
          <li className="empty-step">
            <strong>{t("domains.empty.step3")}</strong>
            <span className="empty-step-text">{t("domains.empty.step3.text")}</span>
          </li>
        </ol>
        <Link className="button button-primary" to="/domains/new">
          {t("domains.empty.action")}
        </Link>
      </div>
    </Card>
  );
}

/** My domains: owned, administered and being connected. */
export function Domains() {
  const location = useLocation();
  const disconnected = (location.state as { disconnected?: string; cancelled?: string } | null) ?? {};
  const [domains, setDomains] = useState<DomainSummary[] | null>(null);
  const { error, run } = useAction();

  const read = useCallback(
    () =>
      void run(async () => {
        const answer = await api(() => client.GET("/api/v1/domains"));
        setDomains(answer.domains);
      }),
    [run],
  );
  useEffect(read, [read]);

  return (
    <Page
      title={t("domains.title")}
      intro={t("domains.intro")}
      actions={
        domains && domains.length > 0 ? (
          <Link className="button button-primary" to="/domains/new">
            {t("domains.connect")}
          </Link>
        ) : null
      }
    >
      {disconnected.disconnected ? (
        <Notice>{t("domains.disconnected", { name: disconnected.disconnected })}</Notice>
      ) : null}
      {disconnected.cancelled ? (
        <Notice>{t("domains.cancelled", { name: disconnected.cancelled })}</Notice>
      ) : null}
      <FormError error={error} onRetry={read} />
      <Listing items={domains} error={error} empty={<EmptyState />}>
        {(domains) => (
          <Card>
            <div className="table-wrap">
              <DataTable
                caption={t("domains.title")}
                columns={[
                  t("domains.column.name"),
                  t("domains.column.role"),
                  t("domains.column.status"),
                  { label: t("domains.column.mailboxes"), className: "cell-number" },
                  t("domains.column.delegation"),
                ]}
              >
                {domains.map((domain) => (
                  <tr key={domain.name}>
                    <th scope="row" className="cell-name">
                      <Link to={domainPath(domain.name)}>
                        <DomainName name={domain.name} unicodeName={domain.unicodeName} />
                      </Link>
                    </th>
                    <td>{roleLabel(domain.role)}</td>
                    <td>
                      <Badge tone={statusTone(domain.status)}>{statusLabel(domain.status)}</Badge>
                      {domain.claimExpiresAt ? (
                        <span className="cell-note">
                          {new Date(domain.claimExpiresAt).getTime() <= Date.now()
                            ? t("domains.claimExpired")
                            : t("domains.claimExpires", { when: formatRelative(domain.claimExpiresAt) })}
                        </span>
                      ) : null}
                    </td>
                    <td className="cell-number">
                      {domain.status === "domain-activate"
                        ? "—"
                        : tp("domains.mailboxes", domain.mailboxCount)}
                    </td>
                    <td>
                      {domain.delegated ? (
                        <Badge tone="success">{t("domains.delegated")}</Badge>
                      ) : (
                        <span className="muted">{t("domains.notDelegated")}</span>
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
