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

/** The text for a problem (or one entry of its `errors[]`): the catalog's message for its code, else the server's words. */
function problemMessage(problem: Record<string, unknown>, code: string, detail: string | undefined): string {
  if (DETAIL_FIRST.has(code) && detail) return detail;
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(problem)) {
    if (typeof value === "string" || typeof value === "number") params[name] = value;
  }
  if (code === "RATE_LIMITED" && typeof problem.retryAfter === "number") {
    return t("error.RATE_LIMITED.retry", { seconds: Math.max(1, Math.ceil(problem.retryAfter)) });
  }
  let text: string | null = null;
  if (typeof problem.count === "number" && hasMessage(`error.${code}.other`)) {
    text = tp(`error.${code}`, problem.count, params);
  } else if (hasMessage(`error.${code}`)) {
    text = t(`error.${code}` as MessageKey, params);
  }
  // A placeholder the server did not fill: its own words are better than a hole.
  if (text && !/\{\w+\}/.test(text)) return text;
  return detail ?? text ?? t("error.INTERNAL");
}

/** The text to show for an error: the catalog's message for its code, else the server's words. */
export function errorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return t("error.INTERNAL");
  const { code, detail, title } = error.problem;
  return problemMessage(error.problem, code, detail ?? title);
}

/** One invalid field as the server reports it in a problem's `errors[]`. */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/** Every invalid field the server listed in `errors[]` (all at once), or null when it lists none. */
export function fieldProblems(error: unknown): FieldProblem[] | null {
  if (!(error instanceof ApiError) || !Array.isArray(error.problem.errors)) return null;
  const entries: FieldProblem[] = [];
  for (const entry of error.problem.errors as unknown[]) {
    if (entry === null || typeof entry !== "object") continue;
    const { field, code, message } = entry as Record<string, unknown>;
    entries.push({
      field: typeof field === "string" ? field : "",
      code: typeof code === "string" ? code : error.code,
      message: typeof message === "string" ? message : "",
    });
  }
  return entries.length > 0 ? entries : null;
}

/** The text for one entry of `errors[]`. */
export const fieldProblemMessage = (entry: FieldProblem): string =>
  problemMessage({ ...entry }, entry.code, entry.message || undefined);

/** A form's errors: the message of each field named in `fields`, and what belongs to no field. */
export interface FormErrors {
  byField: Record<string, string>;
  /** For FormError above the form: the error itself, the texts of the entries no field shows, or null. */
  form: unknown;
  /** The first field with an error, in the order `fields` lists them (to move focus to). */
  first: string | null;
}

/**
 * Sorts an API error onto a form's fields. `fields` maps each field's name to the code prefix
 * of its errors ("PASSWORD_"; "" for none). A problem with `errors[]` puts every entry beside its
 * field at once; one without puts its single `field` (or the field its code belongs to) there.
 */
export function formErrors(error: unknown, fields: Record<string, string>): FormErrors {
  const names = Object.keys(fields);
  const entries = fieldProblems(error);
  if (entries) {
    const byField: Record<string, string> = {};
    const rest: string[] = [];
    for (const entry of entries) {
      const name = names.includes(entry.field)
        ? entry.field
        : (Object.entries(fields).find(([, prefix]) => prefix && entry.code.startsWith(prefix))?.[0] ?? null);
      const text = fieldProblemMessage(entry);
      if (name && !(name in byField)) byField[name] = text;
      else if (!name) rest.push(text);
    }
    return { byField, form: rest.length > 0 ? rest : null, first: names.find((n) => n in byField) ?? null };
  }
  const field = errorField(error, fields);
  if (field) return { byField: { [field]: errorMessage(error) }, form: null, first: field };
  return { byField: {}, form: error ?? null, first: null };
}

/** Which form field an error belongs to, so the message can sit next to it. */
export function errorField(error: unknown, fields: Record<string, string>): string | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.problem.field;
  if (typeof field === "string" && field in fields) return field;
  const listed = fieldProblems(error)?.find((entry) => entry.field in fields);
  if (listed) return listed.field;
  for (const [name, prefix] of Object.entries(fields)) {
    if (prefix && error.code.startsWith(prefix)) return name;
  }
  return null;
}
