import { type ComponentProps, type ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";
import { errorMessage } from "../api";
import { t } from "../i18n";

interface FieldProps {
  label: string;
  hint?: ReactNode;
  /** Shown under the field and announced; also marks the field invalid. */
  error?: string | null;
}

function describedBy(hintId: string, errorId: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ");
  return ids || undefined;
}

export function TextField({
  label,
  hint,
  error,
  id,
  className,
  suffix,
  ...input
}: FieldProps &
  ComponentProps<"input"> & { /** Text shown after the input, such as "@example.org". */ suffix?: string }) {
  const generated = useId();
  const inputId = id ?? generated;
  const described = describedBy(`${inputId}-hint`, `${inputId}-error`, hint, error);
  const field = (
    <input
      id={inputId}
      aria-invalid={error ? true : undefined}
      aria-describedby={suffix ? [`${inputId}-suffix`, described].filter(Boolean).join(" ") : described}
      {...input}
    />
  );
  return (
    <div className={`field${className ? ` ${className}` : ""}`}>
      <label htmlFor={inputId}>
        {label}
        {!input.required && input.type !== "checkbox" ? (
          <span className="optional"> {t("common.optional")}</span>
        ) : null}
      </label>
      {suffix ? (
        <div className="affixed">
          {field}
          <span className="affix" id={`${inputId}-suffix`} title={suffix}>
            {suffix}
          </span>
        </div>
      ) : (
        field
      )}
      {hint ? (
        <p className="hint" id={`${inputId}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${inputId}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function SelectField({
  label,
  hint,
  error,
  id,
  children,
  ...select
}: FieldProps & ComponentProps<"select">) {
  const generated = useId();
  const selectId = id ?? generated;
  return (
    <div className="field">
      <label htmlFor={selectId}>
        {label}
        {!select.required ? <span className="optional"> {t("common.optional")}</span> : null}
      </label>
      <select
        id={selectId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${selectId}-hint`, `${selectId}-error`, hint, error)}
        {...select}
      >
        {children}
      </select>
      {hint ? (
        <p className="hint" id={`${selectId}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${selectId}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A checkbox with its label beside it and an optional hint under the label. */
export function CheckboxField({
  label,
  hint,
  id,
  className,
  ...input
}: { label: ReactNode; hint?: ReactNode } & Omit<ComponentProps<"input">, "type">) {
  const generated = useId();
  const inputId = id ?? generated;
  return (
    <div className={`check${className ? ` ${className}` : ""}`}>
      <input
        type="checkbox"
        id={inputId}
        aria-describedby={hint ? `${inputId}-hint` : undefined}
        {...input}
      />
      <div>
        <label htmlFor={inputId}>{label}</label>
        {hint ? (
          <p className="hint" id={`${inputId}-hint`}>
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** A one-time code input: digits only, the browser may fill it from an SMS. */
/** A new password typed twice (restore access, password change); `row` lays them side by side. */
export function NewPasswordFields({
  value,
  repeat,
  onChange,
  onRepeatChange,
  row = false,
}: {
  value: string;
  repeat: string;
  onChange: (value: string) => void;
  onRepeatChange: (value: string) => void;
  row?: boolean;
}) {
  const fields = (
    <>
      <TextField
        label={t("field.newPassword")}
        hint={t("field.newPassword.hint")}
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      <TextField
        label={t("field.repeatPassword")}
        name="repeatPassword"
        type="password"
        autoComplete="new-password"
        required
        value={repeat}
        onChange={(event) => onRepeatChange(event.target.value)}
      />
    </>
  );
  return row ? <div className="field-row">{fields}</div> : fields;
}

export function CodeField(props: FieldProps & ComponentProps<"input">) {
  return (
    <TextField
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6,8}"
      maxLength={8}
      spellCheck={false}
      required
      className="field-code"
      {...props}
    />
  );
}

/** An error announced to screen readers as soon as it appears. */
export function FormError({ error, children }: { error?: unknown; children?: ReactNode }) {
  if (!error && !children) return null;
  return (
    <div className="alert alert-error" role="alert">
      {children ?? errorMessage(error)}
    </div>
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

type ButtonProps = ComponentProps<"button"> & {
  variant?: "primary" | "secondary" | "danger" | "ghost";
  busy?: boolean;
};

/** Stays focusable while busy (aria-disabled), so keyboard users keep their place. */
export function Button({
  variant = "primary",
  busy,
  className,
  onClick,
  children,
  type,
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type ?? "button"}
      className={`button button-${variant}${className ? ` ${className}` : ""}`}
      aria-disabled={busy || undefined}
      aria-busy={busy || undefined}
      onClick={(event) => {
        if (busy) {
          event.preventDefault();
          return;
        }
        onClick?.(event);
      }}
      {...rest}
    >
      {busy ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

/** Runs one API action at a time and keeps its error for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const running = useRef(false);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** Moves focus to the form field named `name` whenever `trigger` changes to something. */
export function useFocusField(name: string | null, trigger: unknown) {
  useEffect(() => {
    if (!name || !trigger) return;
    const element = document.getElementsByName(name)[0];
    if (element instanceof HTMLElement) element.focus();
  }, [name, trigger]);
}

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

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Plain-http consoles are not a secure context: fall back to a selection copy.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** Copies a value; the result is announced politely next to the button. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = window.setTimeout(() => setState("idle"), 2500);
    return () => window.clearTimeout(timer);
  }, [state]);
  return (
    <span className="copy">
      <button
        type="button"
        className="button button-secondary button-small"
        aria-label={t("common.copyWhat", { what: label })}
        onClick={async () => setState((await copyText(value)) ? "copied" : "failed")}
      >
        {state === "copied" ? t("common.copied") : t("common.copy")}
      </button>
      <span className="visually-hidden" aria-live="polite">
        {state === "copied"
          ? t("common.copiedWhat", { what: label })
          : state === "failed"
            ? t("common.copyFailed")
            : ""}
      </span>
    </span>
  );
}

/** A value the user has to copy somewhere else, with its copy button. */
export function CopyValue({ label, value }: { label: string; value: string }) {
  return (
    <div className="copy-value">
      <dt>{label}</dt>
      <dd>
        <code>{value}</code>
        <CopyButton value={value} label={label} />
      </dd>
    </div>
  );
}

/**
 * A modal dialog on the native <dialog>: the browser traps focus, closes on Escape and returns
 * focus to the opener.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  description,
  wide,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  description?: ReactNode;
  /** Room for a longer form (editing a mailbox with its aliases). */
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? " dialog-wide" : ""}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <>
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {description ? (
            <p id={descriptionId} className="dialog-description">
              {description}
            </p>
          ) : null}
          {children}
        </>
      ) : null}
    </dialog>
  );
}
