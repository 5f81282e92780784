// Form fields: each ties its label, hint and error to the input for screen readers.
import { type ComponentProps, type ReactNode, useEffect, useId } from "react";
import { errorMessage } from "../../api";
import { t } from "../../i18n";

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

/** A one-time code input: digits only, the browser may fill it from an SMS. */
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

/** Moves focus to the form field named `name` whenever `trigger` changes to something. */
export function useFocusField(name: string | null, trigger: unknown) {
  useEffect(() => {
    if (!name || !trigger) return;
    const element = document.getElementsByName(name)[0];
    if (element instanceof HTMLElement) element.focus();
  }, [name, trigger]);
}
