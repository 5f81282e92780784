import { useCallback, useEffect, useState } from "react";
import { api, client } from "../../api";
import { Badge, Button, Card, FormError, Loading, useAction } from "../../components/ui";
import { formatDateTime, hasMessage, type MessageKey, t } from "../../i18n";
import type { DnsHealth, DnsHealthCheck, DomainView } from "../../types";

/** What to do about a failed check, from the catalog by its code. */
function fixText(check: DnsHealthCheck): string {
  const key = `dns.health.fix.${check.code}`;
  return hasMessage(key) ? t(key as MessageKey, { expected: check.expected }) : check.detail;
}

/** Delegation, MX, SPF, DKIM and DMARC as last checked, each green or red with what to fix. */
export function DnsHealthPanel({ view }: { view: DomainView }) {
  const name = view.name;
  const [health, setHealth] = useState<DnsHealth | null>(null);
  const load = useAction();
  const check = useAction();

  const reload = useCallback(
    () =>
      load.run(async () =>
        setHealth(
          await api(() => client.GET("/api/v1/domains/{name}/dns/health", { params: { path: { name } } })),
        ),
      ),
    [name, load.run],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const checkNow = () =>
    void check.run(async () =>
      setHealth(
        await api(() =>
          client.POST("/api/v1/domains/{name}/dns/health", { params: { path: { name } }, body: {} }),
        ),
      ),
    );

  return (
    <Card title={t("dns.health.title")} description={t("dns.health.text")} id="dns-health">
      <FormError error={load.error ?? check.error} />
      {health === null ? (
        load.error ? null : (
          <Loading />
        )
      ) : (
        <>
          <p className="muted" aria-live="polite">
            {health.checkedAt
              ? t("dns.health.checkedAt", { when: formatDateTime(health.checkedAt) })
              : t("dns.health.never")}
          </p>
          {health.checks.length > 0 ? (
            <ul className="health-list">
              {health.checks.map((item) => (
                <li key={item.check} className="health-item">
                  <span className="health-name">{t(`dns.health.check.${item.check}` as MessageKey)}</span>
                  {item.ok ? (
                    <Badge tone="success">{t("dns.health.ok")}</Badge>
                  ) : (
                    <Badge tone="danger">{t("dns.health.failed")}</Badge>
                  )}
                  <span className="health-detail">
                    {item.ok ? null : <span className="health-fix">{fixText(item)}</span>}
                    <span className="muted mono">{item.detail}</span>
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
          <Button variant="secondary" busy={check.busy} onClick={checkNow}>
            {t("dns.health.checkNow")}
          </Button>
        </>
      )}
    </Card>
  );
}
