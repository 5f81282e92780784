import createClient from "openapi-fetch";
import type { paths } from "./api/openapi";
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

/** The typed client of the mfd API: paths, parameters, bodies and answers generated from docs/openapi.json. */
export const client = createClient<paths>({
  credentials: "same-origin",
  headers: { accept: "application/json" },
});

let csrfToken: string | null = null;
/** Asks the user for their password; resolves true once the session is re-authenticated. */
let reauthenticate: (() => Promise<boolean>) | null = null;
/** Called when a signed-in request answers 401: the session ended (idle, signed out elsewhere). */
let sessionLost: (() => void) | null = null;

client.use({
  onRequest({ request }) {
    if (request.method !== "GET" && csrfToken) request.headers.set("x-csrf-token", csrfToken);
    return request;
  },
});

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
}

/** What a call of `client` resolves to: the answer's data when it succeeded, its error otherwise. */
export interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The request itself, so that it can be sent again (after a re-authentication). */
export type Call<T> = () => Promise<Answer<T>>;

async function send<T>(call: Call<T>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call();
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError({ code: "NETWORK", title: t("error.NETWORK"), status: 0 });
  }
  const { response, error } = answer;
  // A success without a body (204) has no data: callers of such endpoints do not read it.
  if (response.ok) return answer.data as T;
  if (error !== null && typeof error === "object" && !Array.isArray(error)) {
    const parsed = error as Partial<Problem>;
    throw new ApiError({
      ...parsed,
      code: parsed.code ?? "INTERNAL",
      title: parsed.title ?? response.statusText,
      status: response.status,
    });
  }
  throw new ApiError({
    code: "INTERNAL",
    title: response.statusText || t("error.INTERNAL"),
    status: response.status,
  });
}

/**
 * Calls the API as the signed-in browser: `call` is a request of `client`, e.g.
 * `api(() => client.GET("/api/v1/domains/{name}", { params: { path: { name } } }))`. Sends the
 * anti-CSRF token, turns problem documents into `ApiError`, and when an action needs a fresh
 * password (403 REAUTH_REQUIRED) asks for it and sends the request once more.
 */
export async function api<T>(call: Call<T>, options: Options = {}): Promise<T> {
  try {
    return await send(call);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === "REAUTH_REQUIRED" && !options.noReauth && reauthenticate) {
      if (await reauthenticate()) return send(call);
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
  "INVALID_RECORD_DATA",
  "PROFILE_INCOMPLETE",
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
