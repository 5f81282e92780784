import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { ApiError, api, client, errorMessage } from "../../api";
import { TypeNameToConfirm } from "../../components/ConfirmDialog";
import { useOlderPages } from "../../components/data";
import { type Tab, Tabs } from "../../components/Tabs";
import {
  Badge,
  Button,
  Card,
  CopyValue,
  DataTable,
  Dialog,
  FormError,
  Listing,
  Loading,
  MoreButton,
  Notice,
  Page,
  useAction,
} from "../../components/ui";
import { formatDateTime, formatNumber, formatRelative, t, tp } from "../../i18n";
import { checkMethodLabel, checkResultLabel, checkResultTone } from "../../labels";
import type { DomainCheck, DomainView, ProofMethod } from "../../types";
import { TransferCard } from "../handovers/TransferCard";
import { DomainIntro, DomainNav } from "./DomainFrame";

/** How often the page asks for news while the server is still checking. */
const POLL_PENDING_MS = 5_000;
const POLL_MX_MS = 15_000;

const METHODS: ProofMethod[] = ["txt", "cname", "file", "delegation"];

/** "_mfd-challenge.example.org" → "_mfd-challenge": what many DNS providers want as the host. */
const relativeTo = (fqdn: string, domain: string) =>
  fqdn.endsWith(`.${domain}`) ? fqdn.slice(0, -domain.length - 1) : fqdn;

function MethodResult({ check, method }: { check: DomainCheck | null; method: string }) {
  const outcome = check?.kind === "ownership" ? check.results[method] : undefined;
  if (!check || !outcome) return <p className="muted small">{t("domain.method.notChecked")}</p>;
  return (
    <p className="method-result">
      <Badge tone={checkResultTone(outcome.result)}>{checkResultLabel(outcome.result)}</Badge>{" "}
      <span className="muted small">
        {t("domain.method.lastChecked", { when: formatRelative(check.at) })}
        {outcome.detail ? ` — ${outcome.detail}` : ""}
      </span>
    </p>
  );
}

function MethodPanels({ view }: { view: DomainView }) {
  const [selected, setSelected] = useState<string>("txt");
  const claim = view.claim;
  if (!claim) return null;
  const { txt, cname, file, delegation } = claim.methods;
  const content: Record<ProofMethod, ReactNode> = {
    txt: (
      <>
        <p>{t("domain.txt.how")}</p>
        <dl className="copy-list">
          <CopyValue label={t("domain.record.name")} value={txt.name} />
          <CopyValue label={t("domain.record.type")} value="TXT" />
          <CopyValue label={t("domain.record.value")} value={txt.value} />
        </dl>
        <p className="hint">{t("domain.record.relative", { host: relativeTo(txt.name, view.name) })}</p>
      </>
    ),
    cname: (
      <>
        <p>{t("domain.cname.how")}</p>
        <dl className="copy-list">
          <CopyValue label={t("domain.record.name")} value={cname.name} />
          <CopyValue label={t("domain.record.type")} value="CNAME" />
          <CopyValue label={t("domain.record.target")} value={cname.target} />
        </dl>
        <p className="hint">{t("domain.record.relative", { host: relativeTo(cname.name, view.name) })}</p>
      </>
    ),
    file: (
      <>
        <p>{t("domain.file.how")}</p>
        <dl className="copy-list">
          <CopyValue label={t("domain.file.url")} value={file.url} />
          <CopyValue label={t("domain.file.content")} value={file.content} />
        </dl>
        <p className="hint">{t("domain.file.rules")}</p>
      </>
    ),
    delegation: (
      <>
        <p>{t("domain.delegation.how")}</p>
        <dl className="copy-list">
          {delegation.nameServers.map((server, i) => (
            <CopyValue key={server} label={t("domain.delegation.server", { n: i + 1 })} value={server} />
          ))}
        </dl>
        <p className="hint">{t("domain.delegation.note")}</p>
      </>
    ),
  };
  const tabs: Tab[] = METHODS.map((method) => ({
    id: method,
    label: checkMethodLabel(method),
    content: (
      <>
        {content[method]}
        <MethodResult check={view.lastCheck} method={method} />
      </>
    ),
  }));
  return <Tabs tabs={tabs} selected={selected} onSelect={setSelected} label={t("domain.methods")} />;
}

function CheckHistory({ name, version }: { name: string; version: string }) {
  const {
    items: checks,
    next,
    busy,
    error,
    more,
    reload,
  } = useOlderPages(
    `/api/v1/domains/${encodeURIComponent(name)}/checks`,
    "checks",
    20,
    (query) => client.GET("/api/v1/domains/{name}/checks", { params: { path: { name }, query } }),
    version,
  );

  return (
    <Card title={t("domain.history.title")} description={t("domain.history.description")}>
      <FormError error={error} onRetry={reload} />
      <Listing items={checks} error={error} empty={<p className="muted">{t("domain.history.empty")}</p>}>
        {(checks) => (
          <>
            <div className="table-wrap">
              <DataTable
                caption={t("domain.history.title")}
                columns={[
                  t("domain.history.when"),
                  t("domain.history.what"),
                  t("domain.history.result"),
                  t("domain.history.details"),
                ]}
              >
                {checks.map((check) => (
                  <tr key={check.id}>
                    <td>
                      <time dateTime={check.at}>{formatDateTime(check.at)}</time>
                      <span className="cell-note">
                        {check.trigger === "worker"
                          ? t("domain.history.automatic")
                          : check.by
                            ? t(`domain.history.by.${check.by}`)
                            : t("domain.history.manual")}
                      </span>
                    </td>
                    <td>
                      {check.kind === "mx" ? t("domain.history.kind.mx") : t("domain.history.kind.ownership")}
                    </td>
                    <td>
                      <Badge tone={checkResultTone(check.result)}>{checkResultLabel(check.result)}</Badge>
                      {check.method ? (
                        <span className="cell-note">
                          {t("domain.history.by", { method: checkMethodLabel(check.method) })}
                        </span>
                      ) : null}
                    </td>
                    <td>
                      <ul className="check-details">
                        {Object.entries(check.results).map(([method, outcome]) => (
                          <li key={method}>
                            <span className="check-method">{checkMethodLabel(method)}:</span>{" "}
                            {checkResultLabel(outcome.result)}
                            {outcome.detail ? <span className="muted"> — {outcome.detail}</span> : null}
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </DataTable>
            </div>
            <MoreButton next={next} busy={busy} onClick={more}>
              {t("domain.history.more")}
            </MoreButton>
          </>
        )}
      </Listing>
    </Card>
  );
}

function DisconnectCard({ view }: { view: DomainView }) {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const { busy, error, setError, run } = useAction();
  const pending = view.claim !== null;
  // Mailboxes must go first: the dialog says so before anything else (null: not known yet).
  const [remaining, setRemaining] = useState<number | null>(null);
  const count = useAction();

  const openDialog = () => {
    setOpen(true);
    setRemaining(null);
    if (pending) return;
    void count.run(async () => {
      const page = await api(() =>
        client.GET("/api/v1/domains/{domain}/mailboxes", {
          params: { path: { domain: view.name }, query: { limit: 1 } },
        }),
      );
      setRemaining(page.total);
    });
  };

  const close = () => {
    setOpen(false);
    setTyped("");
    setError(null);
  };

  const submit = () => {
    void run(async () => {
      await api(() =>
        client.DELETE("/api/v1/domains/{name}", {
          params: { path: { name: view.name } },
          body: { confirm: typed.trim() },
        }),
      );
      navigate("/domains", {
        replace: true,
        state: pending ? { cancelled: view.unicodeName } : { disconnected: view.unicodeName },
      });
    });
  };

  if (!view.actions.includes("domain:manage")) return null;
  return (
    <Card title={pending ? t("domain.cancel.title") : t("domain.disconnect.title")} tone="danger">
      <p className="muted">{pending ? t("domain.cancel.text") : t("domain.disconnect.text")}</p>
      <Button variant="danger" onClick={openDialog}>
        {pending ? t("domain.cancel.action") : t("domain.disconnect.action")}
      </Button>
      <Dialog
        open={open}
        onClose={close}
        title={
          pending
            ? t("domain.cancel.dialogTitle", { name: view.unicodeName })
            : t("domain.disconnect.dialogTitle", { name: view.unicodeName })
        }
        description={
          pending || remaining === 0
            ? pending
              ? t("domain.cancel.dialogText")
              : t("domain.disconnect.dialogText")
            : undefined
        }
      >
        {!pending && remaining !== 0 ? (
          remaining === null ? (
            count.error ? (
              <FormError error={count.error} />
            ) : (
              <Loading />
            )
          ) : (
            <>
              <p>{tp("error.MAILBOXES_REMAIN", remaining, { count: formatNumber(remaining) })}</p>
              <div className="form-actions">
                <Link className="button button-primary" to={`/domains/${view.name}/mailboxes`}>
                  {t("domain.disconnect.toMailboxes")}
                </Link>
                <Button variant="secondary" onClick={close}>
                  {t("common.cancel")}
                </Button>
              </div>
            </>
          )
        ) : (
          <TypeNameToConfirm
            domain={view}
            typed={typed}
            onTyped={setTyped}
            confirmLabel={pending ? t("domain.cancel.confirm") : t("domain.disconnect.confirm")}
            busy={busy}
            error={error}
            onConfirm={submit}
            onClose={close}
          />
        )}
      </Dialog>
    </Card>
  );
}

function OwnershipCard({
  view,
  onCheck,
  onRenew,
  checking,
}: {
  view: DomainView;
  onCheck: () => void;
  onRenew: () => void;
  checking: boolean;
}) {
  const claim = view.claim;
  if (!claim) return null;
  return (
    <Card title={t("domain.prove.title")} description={t("domain.prove.text")}>
      {claim.expired ? (
        <Notice tone="warning">
          {t("domain.claim.expired")}{" "}
          <Button variant="secondary" className="button-small" onClick={onRenew}>
            {t("domain.claim.renew")}
          </Button>
        </Notice>
      ) : null}
      <dl className="facts facts-compact">
        <div>
          <dt>{t("domain.lastCheck")}</dt>
          <dd>
            {view.lastCheck ? (
              <>
                <Badge tone={checkResultTone(view.lastCheck.result)}>
                  {checkResultLabel(view.lastCheck.result)}
                </Badge>{" "}
                <span className="muted small">{formatRelative(view.lastCheck.at)}</span>
              </>
            ) : (
              t("domain.notCheckedYet")
            )}
          </dd>
        </div>
        <div>
          <dt>{t("domain.nextCheck")}</dt>
          <dd>{view.nextCheck && !claim.expired ? formatRelative(view.nextCheck) : "—"}</dd>
        </div>
        <div>
          <dt>{t("domain.claim.expires")}</dt>
          <dd>{formatDateTime(claim.expiresAt)}</dd>
        </div>
      </dl>
      <MethodPanels view={view} />
      <div className="form-actions">
        <Button onClick={onCheck} busy={checking} disabled={claim.expired}>
          {t("domain.checkNow")}
        </Button>
        <span className="muted small">{t("domain.checkNow.hint")}</span>
      </div>
    </Card>
  );
}

function MailCard({ view, onCheck, checking }: { view: DomainView; onCheck: () => void; checking: boolean }) {
  return (
    <Card title={t("domain.mail.title")}>
      <p>
        {t("domain.confirmedAt", { when: formatDateTime(view.confirmedAt) })}
        {view.delegated ? (
          <>
            {" "}
            <Badge tone="success">{t("domains.delegated")}</Badge>
          </>
        ) : null}
      </p>
      {view.mx.ok === true ? (
        <Notice>{t("domain.mail.ok", { host: view.mx.expected })}</Notice>
      ) : (
        <>
          <p>{view.mx.ok === false ? t("domain.mail.wrong") : t("domain.mail.unknown")}</p>
          <dl className="copy-list">
            <CopyValue label={t("domain.record.name")} value={view.name} />
            <CopyValue label={t("domain.record.type")} value="MX" />
            <CopyValue label={t("domain.mail.host")} value={view.mx.expected} />
          </dl>
          <p className="hint">{t("domain.mail.priority")}</p>
        </>
      )}
      <dl className="facts facts-compact">
        <div>
          <dt>{t("domain.lastCheck")}</dt>
          <dd>{view.lastCheck ? formatRelative(view.lastCheck.at) : t("domain.notCheckedYet")}</dd>
        </div>
        <div>
          <dt>{t("domain.nextCheck")}</dt>
          <dd>{view.nextCheck ? formatRelative(view.nextCheck) : "—"}</dd>
        </div>
      </dl>
      {view.actions.includes("domain:check") ? (
        <div className="form-actions">
          <Button variant="secondary" onClick={onCheck} busy={checking}>
            {t("domain.checkMx")}
          </Button>
        </div>
      ) : null}
    </Card>
  );
}

const isOccupied = (error: unknown) => error instanceof ApiError && error.code === "DOMAIN_OCCUPIED";

/**
 * The caller's claim lost the domain to another account: what happened and what to do next,
 * without a word about who holds it. Dismissing removes the closed claim.
 */
function OccupiedClaim({ name }: { name: string }) {
  const navigate = useNavigate();
  const { busy, error, run } = useAction();
  const dismiss = () =>
    void run(async () => {
      await api(() =>
        client.DELETE("/api/v1/domains/{name}", { params: { path: { name } }, body: { confirm: name } }),
      );
      navigate("/domains", { replace: true, state: { cancelled: name } });
    });
  return (
    <Page
      title={t("domain.occupied.title", { name })}
      actions={
        <Link className="button button-secondary" to="/domains">
          {t("domain.back")}
        </Link>
      }
    >
      <Card>
        <p>{t("domain.occupied.text")}</p>
        <p>{t("domain.occupied.next")}</p>
        <FormError error={error} />
        <Button variant="secondary" onClick={dismiss} busy={busy}>
          {t("domain.occupied.dismiss")}
        </Button>
      </Card>
    </Page>
  );
}

/** One domain: what to publish, live status while we check, history, disconnect. */
export function Domain() {
  const { name = "" } = useParams();
  const location = useLocation();
  const connected = Boolean((location.state as { connected?: boolean } | null)?.connected);
  const [view, setView] = useState<DomainView | null>(null);
  const [announcement, setAnnouncement] = useState<string | null>(null);
  const [checkNote, setCheckNote] = useState<string | null>(null);
  const load = useAction();
  const act = useAction();
  const previous = useRef<DomainView | null>(null);

  const accept = useCallback((next: DomainView) => {
    const before = previous.current;
    if (before && before.status !== next.status) {
      setAnnouncement(
        next.status === "added"
          ? t("domain.became.added")
          : next.status === "mx-activate"
            ? t("domain.became.confirmed")
            : null,
      );
    }
    previous.current = next;
    setView(next);
  }, []);

  const read = useCallback(
    () =>
      void load.run(async () =>
        accept(await api(() => client.GET("/api/v1/domains/{name}", { params: { path: { name } } }))),
      ),
    [name, accept, load.run],
  );
  useEffect(() => {
    previous.current = null;
    setView(null);
    read();
  }, [read]);

  // Live status: ask again every few seconds while the server is still looking.
  const pollEvery =
    view?.status === "domain-activate" && view.claim && !view.claim.expired
      ? POLL_PENDING_MS
      : view?.status === "mx-activate"
        ? POLL_MX_MS
        : null;
  useEffect(() => {
    if (!pollEvery) return;
    const timer = window.setInterval(() => {
      if (document.hidden) return;
      api(() => client.GET("/api/v1/domains/{name}", { params: { path: { name } } }))
        .then(accept)
        .catch(() => {});
    }, pollEvery);
    return () => window.clearInterval(timer);
  }, [pollEvery, name, accept]);

  const checkNow = () =>
    void act.run(async () => {
      setCheckNote(null);
      const next = await api(() =>
        client.POST("/api/v1/domains/{name}/check", { params: { path: { name } }, body: {} }),
      );
      accept(next);
      if (next.status === "domain-activate") setCheckNote(t("domain.checked.notYet"));
    });

  const renew = () =>
    void act.run(async () => {
      setCheckNote(null);
      accept(
        await api(() =>
          client.POST("/api/v1/domains/{name}/renew", { params: { path: { name } }, body: {} }),
        ),
      );
      setCheckNote(t("domain.claim.renewed"));
    });

  if (isOccupied(load.error) || isOccupied(act.error)) return <OccupiedClaim name={name} />;

  if (!view) {
    const notFound = load.error instanceof ApiError && load.error.status === 404;
    return (
      <Page title={notFound ? t("domain.notFound") : name}>
        {notFound ? (
          <p>
            {t("domain.notFound.text")} <Link to="/domains">{t("domain.back")}</Link>
          </p>
        ) : (
          <>
            <FormError error={load.error} onRetry={read} />
            {load.error ? null : <Loading />}
          </>
        )}
      </Page>
    );
  }

  const actionError =
    act.error instanceof ApiError &&
    act.error.code === "RATE_LIMITED" &&
    typeof act.error.problem.retryAfter === "number"
      ? t("domain.checkLimited", { seconds: Math.ceil(act.error.problem.retryAfter) })
      : act.error
        ? errorMessage(act.error)
        : null;

  return (
    <Page
      title={view.unicodeName}
      intro={<DomainIntro view={view} />}
      actions={
        <Link className="button button-secondary" to="/domains">
          {t("domain.back")}
        </Link>
      }
    >
      <DomainNav view={view} />
      <div aria-live="polite" className="live">
        {announcement ? <Notice>{announcement}</Notice> : null}
      </div>
      {connected && view.status === "domain-activate" && !announcement ? (
        <Notice tone="info">{t("domain.connected", { name: view.unicodeName })}</Notice>
      ) : null}
      {actionError ? (
        <div className="alert alert-error" role="alert">
          {actionError}
        </div>
      ) : null}
      {checkNote ? <Notice tone="info">{checkNote}</Notice> : null}
      {view.role === "deputy" ? (
        <Notice tone="info">{t("domain.deputyNote", { name: view.unicodeName })}</Notice>
      ) : null}
      <div className="stack">
        {view.claim ? (
          <OwnershipCard view={view} onCheck={checkNow} onRenew={renew} checking={act.busy} />
        ) : (
          <MailCard view={view} onCheck={checkNow} checking={act.busy} />
        )}
        <CheckHistory name={view.name} version={view.lastCheck?.id ?? ""} />
        {view.role === "owner" && !view.claim ? (
          <Card title={t("domain.tokens.title")}>
            <p className="muted">{t("domain.tokens.text")}</p>
            <Link
              className="button button-secondary"
              to={`/account/tokens?domain=${encodeURIComponent(view.name)}`}
            >
              {t("domain.tokens.action")}
            </Link>
          </Card>
        ) : null}
        {view.role === "owner" && !view.claim ? <TransferCard view={view} /> : null}
        <DisconnectCard view={view} />
      </div>
    </Page>
  );
}
