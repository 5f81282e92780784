import { useCallback, useEffect, useState } from "react";
import { api, client } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Button, Card, DataTable, FormError, Loading, Notice, useAction } from "../../components/ui";
import { t, tp } from "../../i18n";
import type { DnsRecord, DomainView } from "../../types";
import { DomainFrame } from "../domains/DomainFrame";
import { DnsHealthPanel } from "./DnsHealth";
import { DnsImportDialog } from "./DnsImportDialog";
import { DnsRecordDialog } from "./DnsRecordDialog";

/** The zone's records: a table (cards on narrow screens) with add, edit, delete, import and export. */
function DnsRecords({ view }: { view: DomainView }) {
  const domain = view.name;
  const canWrite = view.actions.includes("dns:write");
  const [records, setRecords] = useState<DnsRecord[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<DnsRecord | "new" | null>(null);
  const [deleting, setDeleting] = useState<DnsRecord | null>(null);
  const [importing, setImporting] = useState(false);
  const load = useAction();
  const remove = useAction();

  const reload = useCallback(
    () =>
      load.run(async () => {
        const answer = await api(() =>
          client.GET("/api/v1/domains/{name}/dns/records", { params: { path: { name: domain } } }),
        );
        setRecords(answer);
      }),
    [domain, load.run],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const confirmDelete = () =>
    void remove.run(async () => {
      if (!deleting) return;
      await api(() =>
        client.DELETE("/api/v1/domains/{name}/dns/records/{id}", {
          params: { path: { name: domain, id: deleting.id } },
        }),
      );
      setNotice(t("dns.deleted", { type: deleting.type, name: deleting.fqdn }));
      setDeleting(null);
      await reload();
    });

  return (
    <Card title={t("dns.records.title")}>
      <div aria-live="polite" className="live">
        {notice ? <Notice>{notice}</Notice> : null}
      </div>
      <div className="toolbar">
        {canWrite ? <Button onClick={() => setEditing("new")}>{t("dns.add")}</Button> : null}
        {canWrite ? (
          <Button variant="secondary" onClick={() => setImporting(true)}>
            {t("dns.import")}
          </Button>
        ) : null}
        <a
          className="button button-secondary"
          href={`/api/v1/domains/${encodeURIComponent(domain)}/dns/export`}
          download={`${domain}.zone`}
        >
          {t("dns.export")}
        </a>
      </div>
      <FormError error={load.error} onRetry={() => void reload()} />
      {records === null ? (
        load.error ? null : (
          <Loading />
        )
      ) : records.length === 0 ? (
        <p className="muted">{t("dns.records.empty")}</p>
      ) : (
        <div className="table-wrap dns-records">
          <DataTable
            caption={t("dns.records.caption", { name: view.unicodeName })}
            columns={[t("dns.column.name"), t("dns.column.type"), t("dns.column.ttl"), t("dns.column.data")]}
            actions={canWrite}
          >
            {records.map((record) => (
              <tr key={record.id}>
                <th scope="row" className="cell-name mono" data-label={t("dns.column.name")}>
                  {record.name}
                </th>
                <td data-label={t("dns.column.type")}>{record.type}</td>
                <td className="cell-number" data-label={t("dns.column.ttl")}>
                  {record.ttl}
                </td>
                <td className="mono dns-data" data-label={t("dns.column.data")}>
                  {record.data}
                </td>
                {canWrite ? (
                  <td className="cell-actions">
                    {/* The domain's own NS records are mfd's name servers: the API refuses changing them. */}
                    {record.type === "NS" && record.name === "@" ? null : (
                      <span className="row-actions">
                        <Button
                          variant="secondary"
                          className="button-small"
                          aria-label={t("dns.editOne", { type: record.type, name: record.fqdn })}
                          onClick={() => setEditing(record)}
                        >
                          {t("dns.edit")}
                        </Button>
                        <Button
                          variant="danger"
                          className="button-small"
                          aria-label={t("dns.deleteOne", { type: record.type, name: record.fqdn })}
                          onClick={() => {
                            remove.setError(null);
                            setDeleting(record);
                          }}
                        >
                          {t("dns.delete")}
                        </Button>
                      </span>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </DataTable>
        </div>
      )}
      <DnsRecordDialog
        open={editing !== null}
        view={view}
        record={editing === "new" ? null : editing}
        onClose={() => setEditing(null)}
        onSaved={(saved) => {
          setEditing(null);
          setNotice(t("dns.saved", { type: saved.type, name: saved.fqdn }));
          void reload();
        }}
      />
      <DnsImportDialog
        open={importing}
        view={view}
        onClose={() => setImporting(false)}
        onImported={(added) => {
          setImporting(false);
          setNotice(tp("dns.import.done", added));
          void reload();
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={t("dns.delete.title")}
        description={
          deleting
            ? t("dns.delete.text", {
                type: deleting.type,
                name: deleting.fqdn,
                data: deleting.data,
                ttl: deleting.ttl,
              })
            : ""
        }
        confirmLabel={t("dns.delete")}
        busy={remove.busy}
        error={remove.error}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      />
    </Card>
  );
}

/** The DNS page of a confirmed domain: records, import and export, health; shown when `dns:read` is listed. */
export function Dns() {
  return (
    <DomainFrame section={t("domain.nav.dns")}>
      {(view) =>
        view.claim || !view.actions.includes("dns:read") ? (
          <Notice tone="info">{t("dns.noAccess")}</Notice>
        ) : (
          <>
            <p className="muted">{t("dns.intro")}</p>
            <DnsRecords view={view} />
            <DnsHealthPanel view={view} />
          </>
        )
      }
    </DomainFrame>
  );
}
