import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { api, client } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Button, Card, FormError, Loading, Notice, useAction } from "../../components/ui";
import { formatNumber, t, tp } from "../../i18n";
import type { DomainView, Mailbox } from "../../types";
import { DomainFrame } from "../domains/DomainFrame";
import { domainPath } from "../domains/Domains";
import {
  CreateMailboxDialog,
  DeleteAllDialog,
  DeleteMailboxDialog,
  EditMailboxDialog,
} from "./MailboxDialogs";
import { ImportMailboxesDialog } from "./MailboxImport";
import { MailboxPager } from "./MailboxPager";
import { MailboxSearch } from "./MailboxSearch";
import { MailboxTable } from "./MailboxTable";
import { useMailboxPage } from "./useMailboxPage";

/** A domain's mailboxes: the list with its search and pages, and the dialogs that change them. */
function MailboxList({ view }: { view: DomainView }) {
  const domain = view.name;
  const list = useMailboxPage(domain);
  const { page, searched, shownOffset } = list;
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Mailbox | null>(null);
  const [deleting, setDeleting] = useState<Mailbox | null>(null);
  const [deletingAll, setDeletingAll] = useState(false);
  const [importing, setImporting] = useState(false);
  const act = useAction();
  const results = useRef<HTMLElement>(null);

  // Several mailboxes chosen on the shown page; another page, search or order lets them go.
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [deletingMany, setDeletingMany] = useState(false);
  const many = useAction();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new page (its rows) starts unchosen
  useEffect(() => setSelected(new Set()), [page]);
  const select = (logins: readonly string[], on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const login of logins) on ? next.add(login) : next.delete(login);
      return next;
    });
  const chosen = page?.mailboxes.filter((m) => selected.has(m.login)) ?? [];
  const setEnabledMany = (enabled: boolean) =>
    void act.run(async () => {
      setNotice(null);
      const logins = chosen.map((m) => m.login);
      const answer = await api(() =>
        client.POST("/api/v1/domains/{domain}/mailboxes/set-enabled", {
          params: { path: { domain } },
          body: { logins, enabled },
        }),
      );
      list.reload();
      const count = answer.changed + answer.unchanged;
      setNotice(
        enabled
          ? tp("mailboxes.many.unblocked", count, { count: formatNumber(count) })
          : tp("mailboxes.many.blocked", count, { count: formatNumber(count) }),
      );
    });
  const deleteMany = () =>
    void many.run(async () => {
      const logins = chosen.map((m) => m.login);
      const answer = await api(() =>
        client.POST("/api/v1/domains/{domain}/mailboxes/delete-many", {
          params: { path: { domain } },
          body: { logins },
        }),
      );
      setDeletingMany(false);
      setNotice(tp("mailboxes.many.deleted", answer.deleted, { count: formatNumber(answer.deleted) }));
      list.reload();
      results.current?.focus();
    });

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
      list.replace(changed);
      setNotice(
        changed.enabled
          ? t("mailboxes.unblocked", { address: changed.address })
          : t("mailboxes.blocked", { address: changed.address }),
      );
    });

  const searching = searched !== "";
  const total = page?.total ?? null;
  const domainEmpty = !searching && total === 0;
  const from = shownOffset + 1;
  const to = shownOffset + (page?.mailboxes.length ?? 0);

  const createButton = (
    <span className="row-actions">
      <Button onClick={() => setCreating(true)}>{t("mailboxes.create")}</Button>
      <Button variant="secondary" onClick={() => setImporting(true)}>
        {t("mailboxes.import")}
      </Button>
    </span>
  );

  return (
    <>
      <div aria-live="polite" className="live">
        {notice ? <Notice>{notice}</Notice> : null}
      </div>
      <FormError error={act.error} />
      {page === null ? (
        <>
          <FormError error={list.loadError} />
          {list.loadError ? null : <Loading />}
        </>
      ) : domainEmpty && list.query.trim() === "" ? (
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
          <MailboxSearch
            value={list.query}
            onChange={list.setQuery}
            order={list.order}
            onOrder={list.setOrder}
            size={list.size}
            onSize={list.setSize}
          />
          {chosen.length > 0 ? (
            <section className="bulk-bar" aria-label={t("mailboxes.many.label")}>
              <p className="bulk-count" aria-live="polite">
                {tp("mailboxes.many.chosen", chosen.length, { count: formatNumber(chosen.length) })}
              </p>
              <span className="row-actions">
                <Button variant="secondary" className="button-small" onClick={() => setEnabledMany(false)}>
                  {t("mailboxes.many.block")}
                </Button>
                <Button variant="secondary" className="button-small" onClick={() => setEnabledMany(true)}>
                  {t("mailboxes.many.unblock")}
                </Button>
                <Button
                  variant="danger"
                  className="button-small"
                  onClick={() => {
                    many.setError(null);
                    setDeletingMany(true);
                  }}
                >
                  {t("mailboxes.many.delete")}
                </Button>
                <Button variant="secondary" className="button-small" onClick={() => setSelected(new Set())}>
                  {t("mailboxes.many.clear")}
                </Button>
              </span>
            </section>
          ) : null}
          <FormError error={list.loadError} />
          <section
            className="table-wrap"
            ref={results}
            tabIndex={-1}
            aria-busy={list.loading || undefined}
            aria-label={t("mailboxes.title")}
          >
            {page.mailboxes.length === 0 ? (
              <p className="muted table-empty">{t("mailboxes.noMatch", { q: searched })}</p>
            ) : (
              <MailboxTable
                caption={t("mailboxes.caption", { name: view.unicodeName })}
                mailboxes={page.mailboxes}
                selected={selected}
                onSelect={select}
                toggling={toggling}
                onEdit={setEditing}
                onToggle={toggle}
                onDelete={setDeleting}
              />
            )}
          </section>
          {list.first && list.last && !list.loading ? null : (
            <MailboxPager
              loading={list.loading}
              range={page.mailboxes.length > 0 && total !== null ? { from, to, total } : null}
              first={list.first}
              last={list.last}
              onPrevious={list.goPrevious}
              onNext={list.goNext}
            />
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
          list.reload();
        }}
      />
      <EditMailboxDialog
        view={view}
        mailbox={editing}
        onClose={() => setEditing(null)}
        onSaved={(mailbox) => {
          setEditing(null);
          list.replace(mailbox);
          setNotice(t("mailboxes.saved", { address: mailbox.address }));
        }}
        onChanged={(mailbox) => {
          setEditing(mailbox);
          list.replace(mailbox);
        }}
      />
      <DeleteMailboxDialog
        view={view}
        mailbox={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(mailbox) => {
          setDeleting(null);
          setNotice(t("mailboxes.deleted", { address: mailbox.address }));
          list.reload();
          // The row and its buttons are gone: bring the keyboard back to the list.
          results.current?.focus();
        }}
      />
      <ConfirmDialog
        open={deletingMany}
        onClose={() => setDeletingMany(false)}
        title={tp("mailboxes.many.delete.title", chosen.length, { count: formatNumber(chosen.length) })}
        description={t("mailboxes.many.delete.text")}
        confirmLabel={tp("mailboxes.many.delete.confirm", chosen.length, {
          count: formatNumber(chosen.length),
        })}
        busy={many.busy}
        error={many.error}
        onConfirm={deleteMany}
      >
        <ul className="small chosen-list">
          {chosen.map((m) => (
            <li key={m.login}>{m.address}</li>
          ))}
        </ul>
      </ConfirmDialog>
      <ImportMailboxesDialog
        open={importing}
        view={view}
        onClose={() => setImporting(false)}
        onImported={() => list.reload()}
      />
      <DeleteAllDialog
        open={deletingAll}
        view={view}
        total={searching ? null : total}
        onClose={() => setDeletingAll(false)}
        onDeleted={(deleted) => {
          setDeletingAll(false);
          list.startOver();
          setNotice(tp("mailboxes.deletedAll", deleted, { count: formatNumber(deleted) }));
          list.reload();
        }}
      />
    </>
  );
}

/** The mailboxes of a domain, for its owner and its administrators. */
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
