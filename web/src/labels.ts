import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import { hasMessage, t } from "./i18n";
import type { DomainStatus, SecurityQuestion } from "./types";

/** Server-side names (question ids, statuses, audit actions) shown through the catalog. */

export const questionText = (question: SecurityQuestion): string => {
  const key = `question.${question.id}`;
  return hasMessage(key) ? t(key) : question.text;
};

export const statusLabel = (status: DomainStatus | string): string => {
  const key = `domain.status.${status}`;
  return hasMessage(key) ? t(key) : status;
};

export const statusTone = (status: DomainStatus | string): "warning" | "info" | "success" | "neutral" =>
  status === "added"
    ? "success"
    : status === "mx-activate"
      ? "info"
      : status === "domain-activate"
        ? "warning"
        : "neutral";

export const roleLabel = (role: string): string => {
  const key = `domain.role.${role}`;
  return hasMessage(key) ? t(key) : role;
};

export const actionLabel = (action: string): string => {
  const key = `audit.action.${action}`;
  return hasMessage(key) ? t(key) : action;
};

/**
 * Who did it, where that is not simply the account itself: an API token, the operator's CLI or mfd's
 * own jobs. A sign-in or restore is done before there is a session ("visitor"): nothing to add.
 */
export const actorLabel = (actorType: string): string | null => {
  const key = `activity.actor.${actorType}`;
  return hasMessage(key) ? t(key) : null;
};

export const missingLabel = (missing: string): string => {
  const key = `profile.missing.${missing}`;
  return hasMessage(key) ? t(key) : missing;
};

export const checkMethodLabel = (method: string): string => {
  const key = `domain.method.${method}`;
  return hasMessage(key) ? t(key) : method;
};

/** A short, readable description of a browser's User-Agent string. */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return t("sessions.unknownDevice");
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /OPR\//.test(userAgent)
      ? "Opera"
      : /Firefox\//.test(userAgent)
        ? "Firefox"
        : /Chrome\/|Chromium\//.test(userAgent)
          ? "Chrome"
          : /Safari\//.test(userAgent)
            ? "Safari"
            : /curl|node|undici|python|Go-http/i.test(userAgent)
              ? t("sessions.script")
              : null;
  const system = /Windows/.test(userAgent)
    ? "Windows"
    : /Android/.test(userAgent)
      ? "Android"
      : /iPhone|iPad/.test(userAgent)
        ? "iOS"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  if (browser && system) return t("sessions.browserOn", { browser, system });
  return browser ?? system ?? userAgent.slice(0, 60);
}

export const checkResultLabel = (result: string): string => {
  const key = `domain.result.${result}`;
  return hasMessage(key) ? t(key) : result;
};

export const checkResultTone = (result: string): "success" | "warning" | "danger" | "neutral" =>
  result === "ok" || result === "confirmed" || result === "mx-ok"
    ? "success"
    : result === "wrong" || result === "mx-wrong" || result === "failed" || result === "mx-failed"
      ? "danger"
      : "warning";

export const permissionLabel = (permission: string): string => {
  const key = `permission.${permission}`;
  return hasMessage(key) ? t(key) : permission;
};

export const permissionHint = (permission: string): string | undefined => {
  const key = `permission.${permission}.hint`;
  return hasMessage(key) ? t(key) : undefined;
};

/** +447946095800 → "+44 7946 095800": a stored (E.164) number as people write it. */
export function formatPhone(value: string): string {
  return parsePhoneNumberFromString(value)?.formatInternational() ?? value;
}
