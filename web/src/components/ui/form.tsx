// Form fields: each ties its label, hint and error to the input for screen readers.
import {
  type ComponentProps,
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
} from "react";
import { errorMessage } from "../../api";
import { t } from "../../i18n";

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** Our words for what the browser found wrong with a field (never its own bubbles). */
function invalidText(control: Control): string {
  const { validity } = control;
  if (validity.valueMissing) return control.type === "checkbox" ? t("form.check") : t("form.required");
  if (validity.typeMismatch) return control.type === "email" ? t("form.email") : t("form.format");
  if (validity.badInput || validity.rangeUnderflow || validity.rangeOverflow || validity.stepMismatch) {
    const { min, max } = control as HTMLInputElement;
    return min && max ? t("form.range", { min, max }) : t("form.number");
  }
  if (validity.tooShort) return t("form.tooShort", { min: (control as HTMLInputElement).minLength });
  if (validity.tooLong) return t("form.tooLong", { max: (control as HTMLInputElement).maxLength });
  return t("form.format");
}

interface FormState {
  /** The error our own check found for the field named `name`, if any. */
  errorOf(name: string | undefined): string | null;
  /** The user changed the field: its error from our check goes. */
  changed(name: string | undefined): void;
}

const FormContext = createContext<FormState | null>(null);

/**
 * A form that speaks with one voice: the browser's validation bubbles are off (`noValidate`), and
 * on submit every field the browser finds wrong (required and empty, not an e-mail address, out
 * of range…) and every problem `validate` returns (name → message, for rules the browser does
 * not know) get our message beside them at once, and the first such field takes focus; `onSubmit`
 * runs only when there is none. TextField and SelectField show these messages by themselves; a
 * group of checkboxes shows its own with GroupError.
 */
export function Form({
  onSubmit,
  validate,
  children,
  ...rest
}: Omit<ComponentProps<"form">, "noValidate"> & { validate?: () => Record<string, string | null> }) {
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const state: FormState = {
    errorOf: (name) => (name ? (invalid[name] ?? null) : null),
    changed: (name) => {
      if (name && name in invalid) {
        setInvalid(({ [name]: _gone, ...others }) => others);
      }
    },
  };
  const submit = (event: Parameters<NonNullable<ComponentProps<"form">["onSubmit"]>>[0]) => {
    const found: Record<string, string> = {};
    for (const [name, text] of Object.entries(validate?.() ?? {})) if (text) found[name] = text;
    const controls = Array.from(event.currentTarget.elements) as Control[];
    for (const control of controls) {
      if (!("validity" in control) || !control.willValidate || control.validity.valid) continue;
      const name = control.name || control.id;
      if (!(name in found)) found[name] = invalidText(control);
    }
    setInvalid(found);
    const first = controls.find((control) => (control.name || control.id) in found);
    if (Object.keys(found).length > 0) {
      event.preventDefault();
      first?.focus();
      return;
    }
    onSubmit?.(event);
  };
  return (
    <FormContext.Provider value={state}>
      <form noValidate onSubmit={submit} {...rest}>
        {children}
      </form>
    </FormContext.Provider>
  );
}

/** The message of the surrounding Form's check for a group of inputs named `name` (checkboxes). */
export function GroupError({ name, id, error }: { name: string; id: string; error?: string | null }) {
  const form = useContext(FormContext);
  const shown = error || form?.errorOf(name);
  if (!shown) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {shown}
    </p>
  );
}

/** The field's error: the page's (from the server) first, else the form's own check. */
function useFieldError(name: string | undefined, error: string | null | undefined) {
  const form = useContext(FormContext);
  return { shown: error || form?.errorOf(name) || null, changed: () => form?.changed(name) };
}

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
  const { shown, changed } = useFieldError(input.name ?? inputId, error);
  const described = describedBy(`${inputId}-hint`, `${inputId}-error`, hint, shown);
  const field = (
    <input
      id={inputId}
      aria-invalid={shown ? true : undefined}
      aria-describedby={suffix ? [`${inputId}-suffix`, described].filter(Boolean).join(" ") : described}
      {...input}
      onChange={(event) => {
        changed();
        input.onChange?.(event);
      }}
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
      {shown ? (
        <p className="field-error" id={`${inputId}-error`} role="alert">
          {shown}
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
  const { shown, changed } = useFieldError(select.name ?? selectId, error);
  return (
    <div className="field">
      <label htmlFor={selectId}>
        {label}
        {!select.required ? <span className="optional"> {t("common.optional")}</span> : null}
      </label>
      <select
        id={selectId}
        aria-invalid={shown ? true : undefined}
        aria-describedby={describedBy(`${selectId}-hint`, `${selectId}-error`, hint, shown)}
        {...select}
        onChange={(event) => {
          changed();
          select.onChange?.(event);
        }}
      >
        {children}
      </select>
      {hint ? (
        <p className="hint" id={`${selectId}-hint`}>
          {hint}
        </p>
      ) : null}
      {shown ? (
        <p className="field-error" id={`${selectId}-error`} role="alert">
          {shown}
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
  const form = useContext(FormContext);
  return (
    <div className={`check${className ? ` ${className}` : ""}`}>
      <input
        type="checkbox"
        id={inputId}
        aria-describedby={hint ? `${inputId}-hint` : undefined}
        {...input}
        onChange={(event) => {
          form?.changed(input.name);
          input.onChange?.(event);
        }}
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

/**
 * An error announced to screen readers as soon as it appears, and brought into view with the
 * keyboard focus on it (a long form's submit button is far from its top). `error` may be a list
 * of texts: the entries of the server's `errors[]` that belong to no field of the form.
 */
export function FormError({
  error,
  children,
  onRetry,
}: {
  error?: unknown;
  children?: ReactNode;
  /** For an error of reading what the page shows: a "Try again" button that reads it again. */
  onRetry?: (() => void) | undefined;
}) {
  const box = useRef<HTMLDivElement>(null);
  const shown = Boolean(error || children);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new error (same `shown`) is told again
  useEffect(() => {
    if (!shown || !box.current) return;
    box.current.focus({ preventScroll: true });
    box.current.scrollIntoView?.({ block: "nearest" });
  }, [shown, error]);
  if (!shown) return null;
  const content =
    children ??
    (Array.isArray(error) ? (
      error.length === 1 ? (
        String(error[0])
      ) : (
        <ul>
          {error.map((text) => (
            <li key={String(text)}>{String(text)}</li>
          ))}
        </ul>
      )
    ) : (
      errorMessage(error)
    ));
  return (
    <div className="alert alert-error" role="alert" tabIndex={-1} ref={box}>
      {content}
      {onRetry ? (
        <>
          {" "}
          <button
            type="button"
            className="button button-secondary button-small alert-action"
            onClick={onRetry}
          >
            {t("common.retry")}
          </button>
        </>
      ) : null}
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
