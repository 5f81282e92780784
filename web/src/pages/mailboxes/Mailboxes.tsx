import { useRef, useState } from "react";
import { Link } from "react-router";
import { api, client } from "../../api";
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
import { MailboxPager } from "./MailboxPager";
import { MailboxSearch } from "./MailboxSearch";
import { MailboxTable } from "./MailboxTable";
import { PAGE_SIZE, useMailboxPage } from "./useMailboxPage";

/** A domain's mailboxes: the list with its search and pages, and the dialogs that change them. */
function MailboxList({ view }: { view: DomainView }) {
  const domain = view.name;
  const list = useMailboxPage(domain);
  const { page, searched, pageIndex } = list;
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Mailbox | null>(null);
  const [deleting, setDeleting] = useState<Mailbox | null>(null);
  const [deletingAll, setDeletingAll] = useState(false);
  const act = useAction();
  const results = useRef<HTMLElement>(null);

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
          <MailboxSearch value={list.query} onChange={list.setQuery} />
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
