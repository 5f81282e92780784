import { type FormEvent, useEffect, useId, useState } from "react";
import { api, client } from "../../api";
import { Button, Dialog, Form, FormError, useAction } from "../../components/ui";
import { t, tp } from "../../i18n";
import type { DnsImportReport, DomainView } from "../../types";

/** What a dry run (or the import) found: counts, then each skipped line with its reason. */
function ImportReport({ report }: { report: DnsImportReport }) {
  return (
    <section className="import-report" aria-label={t("dns.import.report")}>
      <ul className="import-counts">
        <li>{tp("dns.import.report.added", report.added)}</li>
        <li>{tp("dns.import.report.unchanged", report.unchanged)}</li>
        <li>{tp("dns.import.report.skipped", report.skipped.length)}</li>
      </ul>
      {report.skipped.length > 0 ? (
        <ul className="import-skipped">
          {report.skipped.map((item) => (
            <li key={`${item.line}-${item.code}`}>
              <span className="import-line">{t("dns.import.line", { line: item.line })}</span>{" "}
              <span className="mono">{item.code}</span> — {item.detail}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/**
 * A zone file pasted or chosen: "Check" sends it as a dry run and shows the report; "Import" sends
 * the same text for real. Editing the text drops the report, so what is imported is what was checked.
 */
export function DnsImportDialog({
  open,
  view,
  onClose,
  onImported,
}: {
  open: boolean;
  view: DomainView;
  onClose: () => void;
  onImported: (added: number) => void;
}) {
  const [zone, setZone] = useState("");
  const [report, setReport] = useState<DnsImportReport | null>(null);
  const { busy, error, setError, run } = useAction();
  const textId = useId();
  const fileId = useId();

  useEffect(() => {
    if (!open) return;
    setZone("");
    setReport(null);
    setError(null);
  }, [open, setError]);

  const send = (dryRun: boolean) =>
    run(async () => {
      const answer = await api(() =>
        client.POST("/api/v1/domains/{name}/dns/import", {
          params: { path: { name: view.name } },
          body: { zone, dryRun },
        }),
      );
      if (dryRun) setReport(answer);
      else onImported(answer.added);
    });

  const check = (event: FormEvent) => {
    event.preventDefault();
    void send(true);
  };

  return (
    <Dialog
      open={open}
      wide
      onClose={onClose}
      title={t("dns.import.title")}
      description={t("dns.import.text")}
    >
      <Form onSubmit={check}>
        <FormError error={error} />
        <div className="field">
          <label htmlFor={textId}>{t("dns.import.field")}</label>
          <textarea
            id={textId}
            name="zone"
            className="mono zone-text"
            rows={12}
            spellCheck={false}
            autoCapitalize="none"
            aria-describedby={`${textId}-hint`}
            required
            value={zone}
            onChange={(event) => {
              setZone(event.target.value);
              setReport(null);
            }}
          />
          <p className="hint" id={`${textId}-hint`}>
            {t("dns.import.field.hint")}
          </p>
        </div>
        <div className="field">
          <label htmlFor={fileId}>{t("dns.import.file")}</label>
          <input
            id={fileId}
            type="file"
            accept=".zone,.txt,.db,text/plain"
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (!file) return;
              void file.text().then((text) => {
                setZone(text);
                setReport(null);
              });
            }}
          />
        </div>
        <div aria-live="polite">{report ? <ImportReport report={report} /> : null}</div>
        <div className="form-actions">
          {report && report.added > 0 ? (
            <Button busy={busy} onClick={() => void send(false)}>
              {t("dns.import.apply")}
            </Button>
          ) : (
            <Button type="submit" busy={busy} disabled={zone.trim() === ""}>
              {t("dns.import.dryRun")}
            </Button>
          )}
          <Button variant="secondary" onClick={onClose}>
            {t("common.cancel")}
          </Button>
        </div>
        {report && report.added === 0 ? <p className="muted">{t("dns.import.nothing")}</p> : null}
      </Form>
    </Dialog>
  );
}
