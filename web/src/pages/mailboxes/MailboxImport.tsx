import { type ChangeEvent, useEffect, useId, useRef, useState } from "react";
import { api, client, errorMessage } from "../../api";
import { Button, DataTable, Dialog, FormError } from "../../components/ui";
import { formatNumber, t, tp } from "../../i18n";
import type { DomainView } from "../../types";

/** What the server takes in one request (IMPORT_TEXT_MAX) and how many rows an import slice holds. */
const TEXT_MAX = 2_000_000;
/** Rows sent at a time: each slice hashes its passwords, so the progress moves every few seconds. */
const SLICE_ROWS = 100;
/** Rows with a problem listed in the dialog; the rest are counted. */
const SHOWN_ROWS = 200;

type Row = {
  line: number;
  start: number;
  login: string;
  status: "created" | "skipped" | "failed";
  code?: string;
  detail?: string;
};

type Stage =
  | { kind: "choose" }
  | { kind: "checking" }
  | { kind: "preview"; text: string; rows: Row[] }
  | { kind: "importing"; done: number; total: number }
  | { kind: "done"; created: number; skipped: number; problems: Row[] };

/** A row's problem in words: the server's detail, which names the rule. */
const problemOf = (row: Row): string => row.detail ?? row.code ?? "";

/** The rows that are not created, as a table: line, login, what happens or went wrong. */
function RowList({ rows, caption }: { rows: Row[]; caption: string }) {
  return (
    <div className="table-wrap import-rows">
      <DataTable
        caption={caption}
        columns={[t("mailboxes.import.line"), t("mailboxes.import.login"), t("mailboxes.import.problem")]}
      >
        {rows.slice(0, SHOWN_ROWS).map((row) => (
          <tr key={`${row.line}-${row.start}`}>
            <td>{formatNumber(row.line)}</td>
            <th scope="row" className="cell-name">
              {row.login || "—"}
            </th>
            <td className="cell-wrap">
              {row.status === "skipped" ? t("mailboxes.import.skipped") : problemOf(row)}
            </td>
          </tr>
        ))}
      </DataTable>
      {rows.length > SHOWN_ROWS ? (
        <p className="muted small">
          {tp("mailboxes.import.more", rows.length - SHOWN_ROWS, {
            count: formatNumber(rows.length - SHOWN_ROWS),
          })}
        </p>
      ) : null}
    </div>
  );
}

/**
 * CSV import in the console: choose a file, see what would happen to every row (the server's dry
 * run: the same rules as the import), then import the rows that can be, in slices of whole rows
 * cut where the dry run says they start, with the progress, and a summary of what was not created.
 */
export function ImportMailboxesDialog({
  open,
  view,
  onClose,
  onImported,
}: {
  open: boolean;
  view: DomainView;
  onClose: () => void;
  /** After an import that created something: the list reads its page again. */
  onImported: (created: number) => void;
}) {
  const [stage, setStage] = useState<Stage>({ kind: "choose" });
  const [error, setError] = useState<unknown>(null);
  const [tooLarge, setTooLarge] = useState(false);
  const ids = useId();
  const summary = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (!open) return;
    setStage({ kind: "choose" });
    setError(null);
    setTooLarge(false);
  }, [open]);

  useEffect(() => {
    if (stage.kind === "done") summary.current?.focus();
  }, [stage.kind]);

  const check = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    setError(null);
    const text = await file.text();
    setTooLarge(text.length > TEXT_MAX);
    if (text.length > TEXT_MAX) return;
    setStage({ kind: "checking" });
    try {
      const checked = await api(() =>
        client.POST("/api/v1/domains/{domain}/mailboxes/import", {
          params: { path: { domain: view.name } },
          body: { csv: text, dryRun: true },
        }),
      );
      setStage({ kind: "preview", text, rows: checked.rows });
    } catch (failure) {
      setError(failure);
      setStage({ kind: "choose" });
    }
  };

  const run = async (text: string, rows: Row[]) => {
    const wanted = rows.filter((r) => r.status === "created");
    const notWanted = rows.filter((r) => r.status !== "created");
    const head = text.slice(0, rows[0]?.start ?? text.length);
    // A row ends where the next one in the file starts.
    const endOf = new Map(rows.map((row, i) => [row.start, rows[i + 1]?.start ?? text.length]));
    let created = 0;
    const outcome: Row[] = [];
    setStage({ kind: "importing", done: 0, total: wanted.length });
    for (let i = 0; i < wanted.length; i += SLICE_ROWS) {
      const slice = wanted.slice(i, i + SLICE_ROWS);
      const csv = head + slice.map((row) => text.slice(row.start, endOf.get(row.start))).join("");
      try {
        const result = await api(() =>
          client.POST("/api/v1/domains/{domain}/mailboxes/import", {
            params: { path: { domain: view.name } },
            body: { csv },
          }),
        );
        created += result.created;
        // The slice's rows in order; their lines are the file's, not the slice's.
        result.rows.forEach((row, k) => {
          if (row.status !== "created") outcome.push({ ...row, line: slice[k]?.line ?? row.line });
        });
      } catch (failure) {
        // Access lost, the server away: the rest is not imported; say so row by row.
        const reason = errorMessage(failure);
        for (const row of wanted.slice(i)) outcome.push({ ...row, status: "failed", detail: reason });
        break;
      }
      setStage({ kind: "importing", done: Math.min(wanted.length, i + SLICE_ROWS), total: wanted.length });
    }
    const all = [...notWanted, ...outcome].sort((a, b) => a.line - b.line);
    setStage({
      kind: "done",
      created,
      skipped: all.filter((r) => r.status === "skipped").length,
      problems: all,
    });
    if (created > 0) onImported(created);
  };

  const closable = stage.kind !== "importing" && stage.kind !== "checking";
  const close = () => {
    if (closable) onClose();
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      wide
      title={t("mailboxes.import.title", { name: view.unicodeName })}
      description={
        stage.kind === "choose" || stage.kind === "checking" ? t("mailboxes.import.text") : undefined
      }
    >
      <FormError error={error} />
      {tooLarge ? <FormError>{t("mailboxes.import.tooLarge")}</FormError> : null}
      {stage.kind === "choose" || stage.kind === "checking" ? (
        <>
          <figure className="import-figure">
            <figcaption className="small muted">{t("mailboxes.import.sample")}</figcaption>
            <pre className="import-sample">
              {`login,password,first_name,last_name\nanna,correct horse battery staple,Anna,Smith`}
            </pre>
          </figure>
          <div className="field">
            <label htmlFor={`${ids}-file`}>{t("mailboxes.import.file")}</label>
            <input
              id={`${ids}-file`}
              type="file"
              accept=".csv,text/csv,text/plain"
              disabled={stage.kind === "checking"}
              aria-describedby={`${ids}-file-hint`}
              onChange={(event) => void check(event)}
            />
            <p className="hint" id={`${ids}-file-hint`}>
              {stage.kind === "checking" ? t("mailboxes.import.checking") : t("mailboxes.import.file.hint")}
            </p>
          </div>
          <div className="form-actions">
            <Button variant="secondary" onClick={close} disabled={stage.kind === "checking"}>
              {t("common.cancel")}
            </Button>
          </div>
        </>
      ) : stage.kind === "preview" ? (
        <Preview
          rows={stage.rows}
          onImport={() => void run(stage.text, stage.rows)}
          onAgain={() => setStage({ kind: "choose" })}
          onClose={close}
        />
      ) : stage.kind === "importing" ? (
        <div className="import-progress" role="status">
          <label htmlFor={`${ids}-progress`}>
            {t("mailboxes.import.progress", {
              done: formatNumber(stage.done),
              total: formatNumber(stage.total),
            })}
          </label>
          <progress id={`${ids}-progress`} max={stage.total} value={stage.done} />
        </div>
      ) : (
        <>
          <h3 className="card-title" tabIndex={-1} ref={summary}>
            {tp("mailboxes.import.created", stage.created, { count: formatNumber(stage.created) })}
          </h3>
          <ul className="import-summary">
            {stage.skipped > 0 ? (
              <li>
                {tp("mailboxes.import.summary.skipped", stage.skipped, {
                  count: formatNumber(stage.skipped),
                })}
              </li>
            ) : null}
            {stage.problems.length - stage.skipped > 0 ? (
              <li>
                {tp("mailboxes.import.summary.failed", stage.problems.length - stage.skipped, {
                  count: formatNumber(stage.problems.length - stage.skipped),
                })}
              </li>
            ) : null}
          </ul>
          {stage.problems.length > 0 ? (
            <RowList rows={stage.problems} caption={t("mailboxes.import.notCreated")} />
          ) : null}
          <div className="form-actions">
            <Button onClick={close}>{t("mailboxes.import.done")}</Button>
          </div>
        </>
      )}
    </Dialog>
  );
}

/** What the dry run found: how many would be created, and every row that would not, with why. */
function Preview({
  rows,
  onImport,
  onAgain,
  onClose,
}: {
  rows: Row[];
  onImport: () => void;
  onAgain: () => void;
  onClose: () => void;
}) {
  const create = rows.filter((r) => r.status === "created").length;
  const skip = rows.filter((r) => r.status === "skipped").length;
  const fail = rows.filter((r) => r.status === "failed").length;
  const others = rows.filter((r) => r.status !== "created");
  return (
    <>
      <ul className="import-summary" aria-label={t("mailboxes.import.preview")}>
        <li>
          <strong>{tp("mailboxes.import.willCreate", create, { count: formatNumber(create) })}</strong>
        </li>
        {skip > 0 ? <li>{tp("mailboxes.import.willSkip", skip, { count: formatNumber(skip) })}</li> : null}
        {fail > 0 ? <li>{tp("mailboxes.import.willFail", fail, { count: formatNumber(fail) })}</li> : null}
      </ul>
      {others.length > 0 ? <RowList rows={others} caption={t("mailboxes.import.notCreated")} /> : null}
      <div className="form-actions">
        {create > 0 ? (
          <Button onClick={onImport}>
            {tp("mailboxes.import.submit", create, { count: formatNumber(create) })}
          </Button>
        ) : null}
        <Button variant="secondary" onClick={onAgain}>
          {t("mailboxes.import.another")}
        </Button>
        <Button variant="secondary" onClick={onClose}>
          {t("common.cancel")}
        </Button>
      </div>
    </>
  );
}
