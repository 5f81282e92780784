import { hasMessage, type MessageKey, t, tp } from "./i18n";

/** An `application/problem+json` answer of the mfd API. */
export interface Problem {
  code: string;
  title: string;
  status: number;
  detail?: string;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
  }
  get code(): string {
    return this.problem.code;
  }
  get status(): number {
    return this.problem.status;
  }
}

export interface SessionInfo {
  accountId: string;
  csrfToken: string;
  reauthenticatedAt: string;
  /** Only in the answer to a sign-in: failed or refused sign-ins since the previous one. */
  failedSignIns?: number;
}

let csrfToken: string | null = null;
/** Asks the user for their password; resolves true once the session is re-authenticated. */
let reauthenticate: (() => Promise<boolean>) | null = null;
/** Called when a signed-in request answers 401: the session ended (idle, signed out elsewhere). */
let sessionLost: (() => void) | null = null;

export const setCsrfToken = (token: string | null): void => {
  csrfToken = token;
};
export const onReauthRequired = (handler: (() => Promise<boolean>) | null): void => {
  reauthenticate = handler;
};
export const onSessionLost = (handler: (() => void) | null): void => {
  sessionLost = handler;
};

interface Options {
  /** Do not open the re-authentication dialog on REAUTH_REQUIRED (the dialog's own call). */
  noReauth?: boolean;
  /** A 401 is an expected answer here (sign-in, session probe): do not treat it as a lost session. */
  expectUnauthenticated?: boolean;
  signal?: AbortSignal;
}

async function send<T>(method: string, path: string, body: unknown, options: Options): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError({ code: "NETWORK", title: t("error.NETWORK"), status: 0 });
  }
  if (response.ok) {
    if (response.status === 204) return undefined as T;
    const type = response.headers.get("content-type") ?? "";
    return (type.includes("json") ? await response.json() : await response.text()) as T;
  }
  let problem: Problem;
  try {
    const parsed = (await response.json()) as Partial<Problem>;
    problem = {
      ...parsed,
      code: parsed.code ?? "INTERNAL",
      title: parsed.title ?? response.statusText,
      status: response.status,
    };
  } catch {
    problem = {
      code: "INTERNAL",
      title: response.statusText || t("error.INTERNAL"),
      status: response.status,
    };
  }
  throw new ApiError(problem);
}

/**
 * Calls the API as the signed-in browser: sends the anti-CSRF token, turns problem documents
 * into `ApiError`, and when an action needs a fresh password (403 REAUTH_REQUIRED) asks for it
 * and retries the action once.
 */
export async function api<T = unknown>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
  options: Options = {},
): Promise<T> {
  try {
    return await send<T>(method, path, body, options);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === "REAUTH_REQUIRED" && !options.noReauth && reauthenticate) {
      if (await reauthenticate()) return send<T>(method, path, body, options);
    }
    if (error.status === 401 && error.code === "UNAUTHENTICATED" && !options.expectUnauthenticated) {
      sessionLost?.();
    }
    throw error;
  }
}

/** Codes whose server `detail` says more than the catalog's general text. */
const DETAIL_FIRST = new Set([
  "MAILBOX_ADDRESS_NOT_ACCOUNT",
  "VALIDATION_FAILED",
  "UNKNOWN_FIELD",
  "MALFORMED_BODY",
  "PASSWORD_CONTAINS_CONTEXT",
  "LOGIN_INVALID",
  "DOMAIN_INVALID",
  "DOMAIN_BAD_CHARACTERS",
  "CONFIRMATION_MISMATCH",
]);

/** The text to show for an error: the catalog's message for its code, else the server's words. */
export function errorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return t("error.INTERNAL");
  const { code, detail, title } = error.problem;
  if (DETAIL_FIRST.has(code) && detail) return detail;
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(error.problem)) {
    if (typeof value === "string" || typeof value === "number") params[name] = value;
  }
  if (code === "RATE_LIMITED" && typeof error.problem.retryAfter === "number") {
    return t("error.RATE_LIMITED.retry", { seconds: Math.max(1, Math.ceil(error.problem.retryAfter)) });
  }
  let text: string | null = null;
  if (typeof error.problem.count === "number" && hasMessage(`error.${code}.other`)) {
    text = tp(`error.${code}`, error.problem.count, params);
  } else if (hasMessage(`error.${code}`)) {
    text = t(`error.${code}` as MessageKey, params);
  }
  // A placeholder the server did not fill: its own words are better than a hole.
  if (text && !/\{\w+\}/.test(text)) return text;
  return detail ?? title;
}

/** Which form field an error belongs to, so the message can sit next to it. */
export function errorField(error: unknown, fields: Record<string, string>): string | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.problem.field;
  if (typeof field === "string" && field in fields) return field;
  for (const [name, prefix] of Object.entries(fields)) {
    if (prefix && error.code.startsWith(prefix)) return name;
  }
  return null;
}
