/**
 * The one registry of error codes. Services throw `AppError(code)`; the HTTP layer turns it into
 * an `application/problem+json` answer with the status and title listed here. Codes are stable:
 * clients and the console match on them, so never rename one.
 */
export const ERRORS = {
  // request shape
  VALIDATION_FAILED: { status: 400, title: "The request is not valid." },
  UNKNOWN_FIELD: { status: 400, title: "The request contains a field that is not allowed here." },
  BODY_TOO_LARGE: { status: 413, title: "The request body is too large." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "This content type is not accepted here." },
  MALFORMED_BODY: { status: 400, title: "The request body could not be parsed." },
  TOKEN_IN_URL: {
    status: 400,
    title: "An API token must never be part of a web address; send it in the Authorization header.",
  },
  BODY_TOO_DEEP: { status: 400, title: "The request body is nested too deeply." },
  ROUTE_NOT_FOUND: { status: 404, title: "There is no such endpoint." },
  MALFORMED_URL: { status: 400, title: "The URL is not validly encoded." },
  URI_TOO_LONG: { status: 414, title: "The URL is too long." },
  HEADERS_TOO_LARGE: { status: 431, title: "The request's headers are too large." },
  MALFORMED_REQUEST: { status: 400, title: "The request is not valid HTTP." },
  CLIENT_TIMEOUT: { status: 408, title: "The request took too long to arrive." },
  METHOD_NOT_ALLOWED: { status: 405, title: "This method is not allowed here." },
  WRONG_ADDRESS: { status: 421, title: "mfd is not opened at its public address (MFD_PUBLIC_URL)." },
  // authentication and authorization
  UNAUTHENTICATED: { status: 401, title: "Sign in to continue." },
  INVALID_CREDENTIALS: { status: 401, title: "The login or password is wrong." },
  TWO_FACTOR_REQUIRED: { status: 401, title: "Enter the code from your authenticator app." },
  INVALID_TWO_FACTOR_CODE: { status: 401, title: "The two-factor code is wrong or was already used." },
  REAUTH_REQUIRED: { status: 403, title: "Confirm your password to continue." },
  CSRF_REJECTED: { status: 403, title: "The request did not come from the mfd console." },
  FORBIDDEN: { status: 403, title: "You may not do this." },
  TOKEN_NOT_ALLOWED: { status: 403, title: "API tokens cannot do this; sign in to the console." },
  NOT_FOUND: { status: 404, title: "Not found." },
  MAILBOX_ADDRESS_NOT_ACCOUNT: {
    status: 401,
    title: "Domain management needs a service account.",
  },
  RATE_LIMITED: { status: 429, title: "Too many attempts. Try again later." },
  SIGN_IN_THROTTLED: {
    status: 429,
    title:
      "Too many failed sign-ins for this login. Try again later, or from a browser you signed in with before.",
  },
  // accounts
  LOGIN_TAKEN: { status: 409, title: "This login is already taken." },
  LOGIN_INVALID: { status: 400, title: "This login is not valid." },
  LOGIN_RESERVED: { status: 400, title: "This login is reserved." },
  PASSWORD_TOO_SHORT: { status: 400, title: "The password is too short." },
  PASSWORD_TOO_LONG: { status: 400, title: "The password is too long." },
  PASSWORD_TOO_COMMON: { status: 400, title: "This password is too common." },
  PASSWORD_CONTAINS_CONTEXT: {
    status: 400,
    title: "The password must not contain your login or the service name.",
  },
  PASSWORD_WRONG: { status: 403, title: "The current password is wrong." },
  PHONE_INVALID: { status: 400, title: "This is not a valid international phone number." },
  EMAIL_INVALID: { status: 400, title: "This is not a valid e-mail address." },
  EMAIL_ON_MANAGED_DOMAIN: {
    status: 400,
    title: "The recovery e-mail must not be on a domain this account manages.",
  },
  EMAIL_ON_SERVICE_DOMAIN: { status: 400, title: "The recovery e-mail must be outside this service." },
  SECURITY_QUESTION_INVALID: { status: 400, title: "Choose one of the offered security questions." },
  NOTHING_TO_CONFIRM: { status: 409, title: "There is nothing waiting for confirmation." },
  INVALID_CODE: { status: 400, title: "The code is wrong or has expired." },
  TWO_FACTOR_ALREADY_ENABLED: { status: 409, title: "Two-factor authentication is already on." },
  TWO_FACTOR_NOT_ENABLED: { status: 409, title: "Two-factor authentication is not on." },
  TWO_FACTOR_NOT_STARTED: { status: 409, title: "Start two-factor setup first." },
  PASSWORD_TOO_SHORT_WITHOUT_TWO_FACTOR: {
    status: 409,
    title: "Change your password to at least 10 characters before turning two-factor off.",
  },
  TWO_FACTOR_REQUIRED_FOR_ROLE: {
    status: 409,
    title: "Support agents must keep two-factor authentication on.",
  },
  // restore access
  RECOVERY_INVALID: { status: 400, title: "These details do not let you restore access." },
  // domains
  DOMAIN_INVALID: { status: 400, title: "This is not a valid domain name." },
  DOMAIN_EMPTY: { status: 400, title: "Enter a domain name." },
  DOMAIN_TOO_LONG: { status: 400, title: "The domain name is longer than 253 characters." },
  DOMAIN_LABEL_TOO_LONG: { status: 400, title: "A part of the domain name is longer than 63 characters." },
  DOMAIN_BAD_CHARACTERS: { status: 400, title: "The domain name contains characters that are not allowed." },
  DOMAIN_IS_IP: { status: 400, title: "An IP address is not a domain name." },
  DOMAIN_IS_PUBLIC_SUFFIX: { status: 400, title: "This is a public suffix, not a domain you can own." },
  DOMAIN_NOT_UNDER_PUBLIC_SUFFIX: { status: 400, title: "This name is not under a known public suffix." },
  DOMAIN_OF_SERVICE: { status: 400, title: "The service's own domains cannot be connected." },
  DOMAIN_LIMIT_REACHED: { status: 409, title: "You have reached the limit of connected domains." },
  DOMAIN_OCCUPIED: { status: 409, title: "This domain is already connected to another account." },
  DOMAIN_ALREADY_CONNECTED: { status: 409, title: "You have already connected this domain." },
  CLAIM_EXPIRED: { status: 409, title: "The ownership check expired; renew it to get a new token." },
  DOMAIN_NOT_CONFIRMED: { status: 409, title: "The domain's ownership is not confirmed yet." },
  DOMAIN_ALREADY_CONFIRMED: { status: 409, title: "The domain's ownership is already confirmed." },
  CONFIRMATION_MISMATCH: { status: 400, title: "The typed confirmation does not match." },
  MAILBOXES_REMAIN: { status: 409, title: "Delete the domain's mailboxes first." },
  // mailboxes, deputies, tokens
  LOGIN_IS_OWNER_CONTACT: {
    status: 400,
    title: "This address is a contact of the domain's owner; only the owner may create it.",
  },
  MAILBOX_EXISTS: { status: 409, title: "This address is already taken on the domain." },
  MAILBOX_LIMIT_REACHED: { status: 409, title: "The domain has reached its mailbox limit." },
  ALIAS_LIMIT_REACHED: { status: 409, title: "The mailbox has reached its alias limit." },
  ACCOUNT_NOT_FOUND: { status: 404, title: "There is no service account with this login." },
  DEPUTY_EXISTS: { status: 409, title: "This account is already an administrator of the domain." },
  DEPUTY_IS_OWNER: { status: 400, title: "The owner already manages the domain; choose another account." },
  TOKEN_LIMIT_REACHED: { status: 409, title: "You have reached the limit of API tokens; revoke one first." },
  SCOPE_EXCEEDS_RIGHTS: { status: 403, title: "A token cannot have more rights than you do." },
  // hand-overs (src/handovers/)
  PROFILE_INCOMPLETE: {
    status: 409,
    title: "Complete your profile first: names, a security question and a confirmed phone.",
  },
  TRANSFER_TO_SELF: { status: 400, title: "You own this domain already; name another account." },
  HANDOVER_PROOF_MISSING: {
    status: 409,
    title: "The DNS record that proves control of the domain is not published (or not visible yet).",
  },
  HANDOVER_EXPIRED: { status: 409, title: "This hand-over has expired; start a new one." },
  HANDOVER_LINK_INVALID: { status: 404, title: "This link is not valid or was already used." },
  SECOND_AGENT_REQUIRED: { status: 409, title: "A second, different support agent must approve this." },
  LETTER_NOT_FROM_OWNER: {
    status: 409,
    title:
      "The request did not come from the domain administrator's address (service address or confirmed recovery e-mail).",
  },
  SELF_SERVICE_RECOVERY_OFF: {
    status: 403,
    title: "Restoring domain access goes through support here: use the feedback form.",
  },
  // DNS records (src/zones/, src/dns/rdata.ts)
  INVALID_RECORD_DATA: { status: 400, title: "The record's data is not valid for its type." },
  NAME_TOO_LONG: { status: 400, title: "The name is longer than 253 characters." },
  LABEL_TOO_LONG: { status: 400, title: "A part of the name is longer than 63 characters." },
  TTL_OUT_OF_RANGE: { status: 400, title: "The TTL must be from 60 to 604800 seconds." },
  CNAME_AT_APEX: {
    status: 400,
    title: "The domain itself cannot be a CNAME; it holds the zone's SOA and NS.",
  },
  CNAME_CONFLICT: {
    status: 409,
    title: "A name with a CNAME can have no other records, and a name with records can have no CNAME.",
  },
  DUPLICATE_RECORD: { status: 409, title: "The same record exists already." },
  RECORD_TYPE_NOT_ALLOWED: { status: 400, title: "Records of this type are managed by the service." },
  // the support desk (src/support/)
  TWO_FACTOR_SESSION_REQUIRED: {
    status: 403,
    title:
      "The support desk needs a session that passed two-factor: sign in again, or confirm your password with your authenticator code.",
  },
  TICKET_CLOSED: { status: 409, title: "This request is closed; send a new one through the form." },
  TICKET_CATEGORY_MISMATCH: {
    status: 409,
    title: "This action does not fit the request's category.",
  },
  TICKET_LINK_INVALID: {
    status: 400,
    title: "This link is wrong or was already used; open the newest message about your request.",
  },
  // the service's own trouble: answered with Retry-After, the request changed nothing
  DATABASE_UNAVAILABLE: {
    status: 503,
    title: "The database cannot be reached right now. Try again shortly.",
  },
  DATABASE_BUSY: { status: 503, title: "The database is busy. Try again shortly." },
  STORAGE_FULL: { status: 507, title: "The service has run out of storage. Try again later." },
  REQUEST_TIMEOUT: { status: 503, title: "The request took too long. Try again shortly." },
  // a conditional change found its row in another state (src/lib/state-machine.ts)
  STATE_CHANGED: { status: 409, title: "This changed in the meantime. Reload the page and try again." },
  // everything else
  INTERNAL: { status: 500, title: "Something went wrong on our side. Try again." },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    /** Extra members of the problem document (e.g. `count`, `retryAfter`, `field`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? ERRORS[code].title);
    this.name = "AppError";
  }
  get status(): number {
    return ERRORS[this.code].status;
  }
}

/** One invalid field of a form, as a problem document's `errors` lists them. */
export interface FieldError {
  /** The body member, dotted for nested ones (`names.first`). */
  field: string;
  code: ErrorCode;
  message: string;
}

/**
 * A form's field checks, run one after another so that every invalid field is reported in one
 * answer instead of one per submit. `check` runs a check and keeps its AppError (other errors are
 * bugs and are thrown at once); `done` throws the first failure — its code, detail and extras
 * unchanged, so clients that read only `code` keep working — with `errors` listing every failure.
 */
export class FieldChecks {
  private readonly failures: FieldError[] = [];
  private first: AppError | null = null;

  /** Runs `check` for `field`; its result, or undefined when it failed. */
  check<T>(field: string, check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.fail(field, error);
      return undefined;
    }
  }

  /** `check` for a check that reads the database. */
  async checkAsync<T>(field: string, check: () => Promise<T>): Promise<T | undefined> {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.fail(field, error);
      return undefined;
    }
  }

  /** Records a failure found without a check function. */
  fail(field: string, error: AppError): void {
    const named = typeof error.extra.field === "string" ? error.extra.field : field;
    if (this.failures.some((f) => f.field === named)) return;
    this.first ??= error;
    this.failures.push({ field: named, code: error.code, message: error.message });
  }

  get failed(): boolean {
    return this.first !== null;
  }

  /** Throws when any check failed. */
  done(): void {
    const first = this.first;
    if (!first) return;
    throw new AppError(first.code, first.detail, {
      ...first.extra,
      field: this.failures[0]?.field,
      errors: this.failures,
    });
  }
}
