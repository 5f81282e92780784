import { type ReactNode, useCallback, useEffect, useState } from "react";
import { Link, NavLink, useParams } from "react-router";
import { ApiError, api, client } from "../../api";
import { Badge, FormError, Loading, Page, useAction } from "../../components/ui";
import { t } from "../../i18n";
import { roleLabel, statusLabel, statusTone } from "../../labels";
import type { DomainView } from "../../types";
import { domainPath } from "./Domains";

/** The heading's second line on every page of a domain: status, the reader's role, the ASCII name. */
export function DomainIntro({ view }: { view: DomainView }) {
  return (
    <>
      <Badge tone={statusTone(view.status)}>{statusLabel(view.status)}</Badge>{" "}
      <span className="muted">{t("domain.yourRole", { role: roleLabel(view.role) })}</span>
      {view.unicodeName !== view.name ? <span className="muted mono"> · {view.name}</span> : null}
    </>
  );
}

/**
 * The sections of a confirmed domain, each shown when the view lists its action: administrators are
 * the owner's alone, so a deputy does not see that link; the activity is every manager's (each sees
 * their share of it).
 */
export function DomainNav({ view }: { view: DomainView }) {
  if (view.claim) return null;
  const base = domainPath(view.name);
  return (
    <nav aria-label={t("domain.nav")} className="section-nav">
      <NavLink end to={base}>
        {t("domain.nav.overview")}
      </NavLink>
      <NavLink to={`${base}/mailboxes`}>{t("domain.nav.mailboxes")}</NavLink>
      {view.actions.includes("dns:read") ? <NavLink to={`${base}/dns`}>{t("domain.nav.dns")}</NavLink> : null}
      {view.actions.includes("deputies:manage") ? (
        <NavLink to={`${base}/administrators`}>{t("domain.nav.deputies")}</NavLink>
      ) : null}
      <NavLink to={`${base}/activity`}>{t("domain.nav.activity")}</NavLink>
    </nav>
  );
}

/**
 * A section page of one domain (mailboxes, administrators): loads the domain to know the reader's
 * role, and renders the shared heading and navigation around `children(view)`.
 */
export function DomainFrame({
  section,
  children,
}: {
  section: string;
  children: (view: DomainView, reload: () => Promise<void>) => ReactNode;
}) {
  const { name = "" } = useParams();
  const [view, setView] = useState<DomainView | null>(null);
  const { error, run } = useAction();
  const reload = useCallback(async () => {
    await run(async () =>
      setView(await api(() => client.GET("/api/v1/domains/{name}", { params: { path: { name } } }))),
    );
  }, [name, run]);

  useEffect(() => {
    setView(null);
    void reload();
  }, [reload]);

  if (!view) {
    const notFound = error instanceof ApiError && error.status === 404;
    return (
      <Page title={notFound ? t("domain.notFound") : name}>
        {notFound ? (
          <p>
            {t("domain.notFound.text")} <Link to="/domains">{t("domain.back")}</Link>
          </p>
        ) : (
          <>
            <FormError error={error} />
            {error ? null : <Loading />}
          </>
        )}
      </Page>
    );
  }

  return (
    <Page
      title={view.unicodeName}
      documentTitle={`${section} · ${view.unicodeName}`}
      intro={<DomainIntro view={view} />}
      actions={
        <Link className="button button-secondary" to="/domains">
          {t("domain.back")}
        </Link>
      }
    >
      <DomainNav view={view} />
      {children(view, reload)}
    </Page>
  );
}
