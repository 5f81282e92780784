// A page and what it is made of: cards, notices, badges, the loading state.
import { type ReactNode, useEffect, useId, useRef } from "react";
import { t } from "../../i18n";

let firstPage = true;

/**
 * A page: sets the document title and, after a navigation (not on first load), moves focus to the
 * heading so screen readers announce where the user landed.
 */
export function Page({
  title,
  documentTitle,
  actions,
  intro,
  children,
  narrow,
}: {
  title: string;
  /** The browser tab's title when it should say more than the heading (a section of a domain). */
  documentTitle?: string;
  actions?: ReactNode;
  intro?: ReactNode;
  children: ReactNode;
  narrow?: boolean;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${documentTitle ?? title} — ${t("app.name")}`;
  }, [title, documentTitle]);
  useEffect(() => {
    if (firstPage) {
      firstPage = false;
      return;
    }
    heading.current?.focus();
  }, []);
  return (
    <section className={`page${narrow ? " page-narrow" : ""}`} aria-labelledby="page-title">
      <header className="page-header">
        <div>
          <h1 id="page-title" ref={heading} tabIndex={-1}>
            {title}
          </h1>
          {intro ? <p className="page-intro">{intro}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Card({
  title,
  children,
  id,
  description,
  tone,
}: {
  title?: string;
  children: ReactNode;
  id?: string;
  description?: ReactNode;
  tone?: "danger";
}) {
  const generated = useId();
  const headingId = `${id ?? generated}-title`;
  return (
    <section
      className={`card${tone ? ` card-${tone}` : ""}`}
      id={id}
      aria-labelledby={title ? headingId : undefined}
    >
      {title ? (
        <h2 className="card-title" id={headingId}>
          {title}
        </h2>
      ) : null}
      {description ? <p className="card-description">{description}</p> : null}
      {children}
    </section>
  );
}

export function Notice({
  children,
  tone = "success",
}: {
  children: ReactNode;
  tone?: "success" | "info" | "warning";
}) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}

export function Badge({
  tone = "neutral",
  children,
}: {
  tone?: "neutral" | "success" | "warning" | "danger" | "info";
  children: ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function Loading({ label }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label ?? t("common.loading")}
    </p>
  );
}
