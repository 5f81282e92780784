import { useCallback, useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { api, client } from "../../api";
import { DataTable } from "../../components/data";
import { Badge, Button, Card, FormError, Loading, Notice, useAction } from "../../components/ui";
import { formatNumber, t, tp } from "../../i18n";
import type { DomainView, Mailbox, MailboxPage } from "../../types";
import { DomainFrame } from "../domains/DomainFrame";
import { domainPath } from "../domains/Domains";
import {
  CreateMailboxDialog,
  DeleteAllDialog,
  DeleteMailboxDialog,
  EditMailboxDialog,
} from "./MailboxDialogs";
import { personName, quotaLabel } from "./mailboxFields";

/** Rows per page: a domain may hold 100,000 mailboxes; the console only ever holds one page. */
const PAGE_SIZE = 50;
/** The search asks the server once the typing pauses. */
const SEARCH_DELAY_MS = 300;

function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/** Where the list stands: the search, and the `after` cursor of every page up to the one shown. */
interface Position {
  q: string;
  /** Keyset paging: `cursors[i]` is the `after` of page i (null for the first); "previous" pops. */
  cursors: (string | null)[];
}

function MailboxList({ view }: { view: DomainView }) {
  const [query, setQuery] = useState("");
  const q = useDebounced(query.trim(), SEARCH_DELAY_MS);
  const [position, setPosition] = useState<Position>({ q: "", cursors: [null] });
  const [version, setVersion] = useState(0);
  const [page, setPage] = useState<MailboxPage | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Mailbox | null>(null);
  const [deleting, setDeleting] = useState<Mailbox | null>(null);
  const [deletingAll, setDeletingAll] = useState(false);
  const act = useAction();
  const results = useRef<HTMLElement>(null);
  const searchId = useId();
  const domain = view.name;

  // A new search starts again from the first page.
  useEffect(() => {
    setPosition((current) => (current.q === q ? current : { q, cursors: [null] }));
  }, [q]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks for the same page again
  useEffect(() => {
    const controller = new AbortController();
    const after = position.cursors.at(-1) ?? null;
    const query = { limit: PAGE_SIZE, ...(after ? { after } : {}), ...(position.q ? { q: position.q } : {}) };
    setLoading(true);
    api(() =>
      client.GET("/api/v1/domains/{domain}/mailboxes", {
        params: { path: { domain }, query },
        signal: controller.signal,
      }),
    )
      .then((answer) => {
        if (answer.mailboxes.length === 0 && position.cursors.length > 1) {
          // The page's last mailboxes were deleted: step back to the one before.
          setPosition((current) => ({ ...current, cursors: current.cursors.slice(0, -1) }));
          return;
        }
        setPage(answer);
        setLoadError(null);
        setLoading(false);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setLoadError(error);
        setLoading(false);
      });
    return () => controller.abort();
  }, [domain, position, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);

  const pageIndex = position.cursors.length - 1;
  const first = pageIndex === 0;
  const last = !page?.next;
  const goNext = () => {
    if (!page?.next || loading) return;
    const next = page.next;
    setPosition((current) => ({ ...current, cursors: [...current.cursors, next] }));
  };
  const goPrevious = () => {
    if (first || loading) return;
    setPosition((current) => ({ ...current, cursors: current.cursors.slice(0, -1) }));
  };

  const replace = (mailbox: Mailbox) =>
    setPage((current) =>
      current
        ? { ...current, mailboxes: current.mailboxes.map((m) => (m.login === mailbox.login ? mailbox : m)) }
        : current,
    );

  const [toggling, setToggling] = useState<string | null>(null);
  const toggle = (mailbox: Mailbox) =>
    void act.run(async () => {
      setNotice(null);
      setToggling(mailbox.login);
      const changed = await api(() =>
        client.PATCH("/api/v1/domains/{domain}/mailboxes/{login}", {
          params: { path: { domain, login: mailbox.login } },
          body: { enabled: !mailbox.enabled },
        }),
      ).finally(() => setToggling(null));
      replace(changed);
      setNotice(
        changed.enabled
          ? t("mailboxes.unblocked", { address: changed.address })
          : t("mailboxes.blocked", { address: changed.address }),
      );
    });

  const searching = position.q !== "";
  const total = page?.total ?? null;
  const domainEmpty = !searching && total === 0;
  const from = pageIndex * PAGE_SIZE + 1;
  const to = pageIndex * PAGE_SIZE + (page?.mailboxes.length ?? 0);

  const createButton = <Button onClick={() => setCreating(true)}>{t("mailboxes.create")}</Button>;

  return (
    <>
      <div aria-live="polite" className="live">
        {notice ? <Notice>{notice}</Notice> : null}
      </div>
      <FormError error={act.error} />
      {page === null ? (
        <>
          <FormError error={loadError} />
          {loadError ? null : <Loading />}
        </>
      ) : domainEmpty && query.trim() === "" ? (
        <Card>
          <div className="empty">
            <h2 className="empty-title">{t("mailboxes.empty.title")}</h2>
            <p className="muted">{t("mailboxes.empty.text", { example: `anna@${view.unicodeName}` })}</p>
            {createButton}
          </div>
        </Card>
      ) : (
        <Card>
          <div className="card-head">
            <div>
              <h2 className="card-title">{t("mailboxes.title")}</h2>
              <p className="muted small" aria-live="polite">
                {total === null
                  ? null
                  : searching
                    ? tp("mailboxes.matching", total, { count: formatNumber(total) })
                    : tp("mailboxes.count", total, { count: formatNumber(total) })}
              </p>
            </div>
            {createButton}
          </div>
          <search className="toolbar">
            <div className="field field-search">
              <label htmlFor={searchId}>{t("mailboxes.search")}</label>
              <input
                id={searchId}
                type="search"
                name="q"
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                maxLength={100}
                aria-describedby={`${searchId}-hint`}
                value={query}
                onChange={(event) => setQuery(event.target.value)}
              />
              <p className="hint" id={`${searchId}-hint`}>
                {t("mailboxes.search.hint")}
              </p>
            </div>
          </search>
          <FormError error={loadError} />
          <section
            className="table-wrap"
            ref={results}
            tabIndex={-1}
            aria-busy={loading || undefined}
            aria-label={t("mailboxes.title")}
          >
            {page.mailboxes.length === 0 ? (
              <p className="muted table-empty">{t("mailboxes.noMatch", { q: position.q })}</p>
            ) : (
              <DataTable
                caption={t("mailboxes.caption", { name: view.unicodeName })}
                columns={[
                  t("mailboxes.column.address"),
                  t("mailboxes.column.name"),
                  t("mailboxes.column.status"),
                  t("mailboxes.column.quota"),
                ]}
                actions
              >
                {page.mailboxes.map((mailbox) => (
                  <tr key={mailbox.login}>
                    <th scope="row" className="cell-name">
                      {mailbox.address}
                      {mailbox.aliases.length > 0 ? (
                        <span className="cell-note">
                          {t("mailboxes.aliasList", { aliases: mailbox.aliases.join(", ") })}
                        </span>
                      ) : null}
                    </th>
                    <td>{personName(mailbox) ?? <span className="muted">—</span>}</td>
                    <td>
                      {mailbox.enabled ? (
                        <Badge tone="success">{t("mailboxes.status.active")}</Badge>
                      ) : (
                        <Badge tone="danger">{t("mailboxes.status.blocked")}</Badge>
                      )}
                    </td>
                    <td>{quotaLabel(mailbox.quotaMb)}</td>
                    <td className="cell-actions">
                      <span className="row-actions">
                        <Button
                          variant="secondary"
                          className="button-small"
                          aria-label={t("mailboxes.editOne", { address: mailbox.address })}
                          onClick={() => setEditing(mailbox)}
                        >
                          {t("mailboxes.edit")}
                        </Button>
                        <Button
                          variant="secondary"
                          className="button-small"
                          busy={toggling === mailbox.login}
                          aria-label={
                            mailbox.enabled
                              ? t("mailboxes.blockOne", { address: mailbox.address })
                              : t("mailboxes.unblockOne", { address: mailbox.address })
                          }
                          onClick={() => toggle(mailbox)}
                        >
                          {mailbox.enabled ? t("mailboxes.block") : t("mailboxes.unblock")}
                        </Button>
                        <Button
                          variant="danger"
                          className="button-small"
                          aria-label={t("mailboxes.deleteOne", { address: mailbox.address })}
                          onClick={() => setDeleting(mailbox)}
                        >
                          {t("mailboxes.delete")}
                        </Button>
                      </span>
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          {first && last && !loading ? null : (
            <nav className="pager" aria-label={t("mailboxes.pages")}>
              <p className="pager-status" aria-live="polite">
                {loading ? <span className="spinner" aria-hidden="true" /> : null}
                {page.mailboxes.length > 0 && total !== null
                  ? t("mailboxes.range", {
                      from: formatNumber(from),
                      to: formatNumber(to),
                      total: formatNumber(total),
                    })
                  : null}
              </p>
              {/* aria-disabled, not disabled: the button keeps the keyboard focus on the last page. */}
              <button
                type="button"
                className="button button-secondary button-small"
                aria-disabled={first || undefined}
                onClick={goPrevious}
              >
                {t("mailboxes.previous")}
              </button>
              <button
                type="button"
                className="button button-secondary button-small"
                aria-disabled={last || undefined}
                onClick={goNext}
              >
                {t("mailboxes.next")}
              </button>
            </nav>
          )}
        </Card>
      )}

      {page !== null && !domainEmpty ? (
        <Card title={t("mailboxes.deleteAll.title")} tone="danger">
          <p className="muted">{t("mailboxes.deleteAll.text")}</p>
          <Button variant="danger" onClick={() => setDeletingAll(true)}>
            {t("mailboxes.deleteAll.action")}
          </Button>
        </Card>
      ) : null}

      <CreateMailboxDialog
        open={creating}
        view={view}
        onClose={() => setCreating(false)}
        onCreated={(mailbox) => {
          setCreating(false);
          setNotice(t("mailboxes.created", { address: mailbox.address }));
          reload();
        }}
      />
      <EditMailboxDialog
        view={view}
        mailbox={editing}
        onClose={() => setEditing(null)}
        onSaved={(mailbox) => {
          setEditing(null);
          replace(mailbox);
          setNotice(t("mailboxes.saved", { address: mailbox.address }));
        }}
        onChanged={(mailbox) => {
          setEditing(mailbox);
          replace(mailbox);
        }}
      />
      <DeleteMailboxDialog
        view={view}
        mailbox={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(mailbox) => {
          setDeleting(null);
          setNotice(t("mailboxes.deleted", { address: mailbox.address }));
          reload();
          // The row and its buttons are gone: bring the keyboard back to the list.
          results.current?.focus();
        }}
      />
      <DeleteAllDialog
        open={deletingAll}
        view={view}
        total={searching ? null : total}
        onClose={() => setDeletingAll(false)}
        onDeleted={(deleted) => {
          setDeletingAll(false);
          setQuery("");
          setPosition({ q: "", cursors: [null] });
          setNotice(tp("mailboxes.deletedAll", deleted, { count: formatNumber(deleted) }));
          reload();
        }}
      />
    </>
  );
}

/** The mailboxes of a domain (product.md §4), for its owner and its administrators. */
export function Mailboxes() {
  return (
    <DomainFrame section={t("domain.nav.mailboxes")}>
      {(view) =>
        view.claim ? (
          <Notice tone="info">
            {t("mailboxes.notConfirmed")}{" "}
            <Link to={domainPath(view.name)}>{t("mailboxes.notConfirmed.link")}</Link>
          </Notice>
        ) : (
          <MailboxList view={view} />
        )
      }
    </DomainFrame>
  );
}
