import { ApiError, errorMessage, type FormErrors, fieldProblemMessage, fieldProblems } from "../../api";
import { t } from "../../i18n";

/** The field of a mailbox form an error code belongs to: a taken address the login's, a weak password the password's. */
function fieldForCode(code: string, fields: readonly string[]): string | null {
  const byCode = code.startsWith("PASSWORD_")
    ? "password"
    : code === "MAILBOX_EXISTS" || code.startsWith("LOGIN_")
      ? "login"
      : null;
  if (byCode === "login" && !fields.includes("login") && fields.includes("alias")) return "alias";
  return byCode && fields.includes(byCode) ? byCode : null;
}

/**
 * Which field of a mailbox form an API error belongs to: the problem's own `field` when it names
 * one of the form's, else by code. Null means the error is the form's, shown above it.
 */
export function mailboxErrorField(error: unknown, fields: readonly string[]): string | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.problem.field;
  if (typeof field === "string" && fields.includes(field)) return field;
  return fieldForCode(error.code, fields);
}

/** The error sorted onto the form: every field the server listed in `errors[]` at once, else its one field. */
function sortError(error: unknown, fields: readonly string[]): FormErrors {
  const entries = fieldProblems(error);
  if (!entries) {
    const field = mailboxErrorField(error, fields);
    if (field) return { byField: { [field]: errorMessage(error) }, form: null, first: field };
    return { byField: {}, form: error ?? null, first: null };
  }
  const byField: Record<string, string> = {};
  const rest: string[] = [];
  for (const entry of entries) {
    const name = fields.includes(entry.field) ? entry.field : fieldForCode(entry.code, fields);
    if (name && !(name in byField)) byField[name] = fieldProblemMessage(entry);
    else if (!name) rest.push(fieldProblemMessage(entry));
  }
  return { byField, form: rest.length > 0 ? rest : null, first: fields.find((f) => f in byField) ?? null };
}

/** The error text for `name`, when the error is (also) that field's. */
export function fieldError(error: unknown, fields: readonly string[], name: string): string | null {
  return sortError(error, fields).byField[name] ?? null;
}

/** The error for the form as a whole, when it is no field's (or the texts no field shows). */
export function formError(error: unknown, fields: readonly string[]): unknown {
  return sortError(error, fields).form;
}

/** "Default", "500 MiB", "2 GiB". */
export function quotaLabel(quotaMb: number): string {
  if (quotaMb === 0) return t("mailboxes.quota.default");
  if (quotaMb % 1024 === 0) return t("mailboxes.quota.gib", { size: quotaMb / 1024 });
  return t("mailboxes.quota.mib", { size: quotaMb });
}

/** "Anna Berg", or null when the mailbox has no names. */
export function personName(mailbox: { firstName: string; lastName: string }): string | null {
  const full = `${mailbox.firstName} ${mailbox.lastName}`.trim();
  return full || null;
}
