import { ApiError, errorMessage } from "../../api";
import { t } from "../../i18n";

/**
 * Which field of a mailbox form an API error belongs to: the problem's own `field` when it names
 * one of the form's, else by code (a taken address belongs to the login, a weak password to the
 * password). Null means the error is the form's, shown above it.
 */
export function mailboxErrorField(error: unknown, fields: readonly string[]): string | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.problem.field;
  if (typeof field === "string" && fields.includes(field)) return field;
  const code = error.code;
  const byCode = code.startsWith("PASSWORD_")
    ? "password"
    : code === "MAILBOX_EXISTS" || code.startsWith("LOGIN_")
      ? "login"
      : null;
  if (byCode === "login" && !fields.includes("login") && fields.includes("alias")) return "alias";
  return byCode && fields.includes(byCode) ? byCode : null;
}

/** The error text for `name`, when the error is that field's. */
export function fieldError(error: unknown, fields: readonly string[], name: string): string | null {
  return mailboxErrorField(error, fields) === name ? errorMessage(error) : null;
}

/** The error for the form as a whole, when it is no field's. */
export function formError(error: unknown, fields: readonly string[]): unknown {
  return error && mailboxErrorField(error, fields) === null ? error : null;
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
