import type { Generated } from "kysely";
import type { DnsHealthTables } from "./schema-dns-health.js";
import type { MailboxTables } from "./schema-mailboxes.js";
import type { SupportTables } from "./schema-support.js";

/**
 * Table types as the application sees them (camelCase; the CamelCasePlugin maps to snake_case).
 * Timestamps are epoch milliseconds (bigint), booleans 0/1 through `bool` in database.ts.
 */
export interface AccountsTable {
  id: string;
  login: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  securityQuestion: string | null;
  securityAnswerHash: string | null;
  phone: string | null;
  phoneConfirmedAt: number | null;
  recoveryEmail: string | null;
  emailConfirmedAt: number | null;
  totpSecret: string | null;
  totpPendingSecret: string | null;
  totpEnabledAt: number | null;
  totpLastStep: number | null;
  failedSignIns: Generated<number>;
  /** A failure run is forgotten a day after its last failure (007). */
  lastFailedSignInAt: Generated<number | null>;
  throttledUntil: number | null;
  isSupportAgent: Generated<number>;
  createdAt: number;
  passwordChangedAt: number;
}

export interface SessionsTable {
  id: string;
  tokenHash: string;
  accountId: string;
  createdAt: number;
  lastSeenAt: number;
  reauthAt: number;
  csrfToken: string;
  ip: string | null;
  userAgent: string | null;
  /** When the session last passed a two-factor code (013); null: never. */
  twoFactorAt: Generated<number | null>;
}

/** A browser that signed in to the account before: its long-lived cookie's hash (007). */
export interface SignInDevicesTable {
  id: string;
  tokenHash: string;
  accountId: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  failedSignIns: Generated<number>;
  lastFailedSignInAt: number | null;
  throttledUntil: number | null;
}

/** The failure run of a login without an account, kept like an account's (007). */
export interface LoginThrottlesTable {
  loginHash: string;
  failedSignIns: Generated<number>;
  lastFailedSignInAt: number;
  throttledUntil: number | null;
}

export interface VerificationCodesTable {
  id: string;
  accountId: string | null;
  purpose: string;
  target: string | null;
  codeHash: string | null;
  expiresAt: number;
  failures: Generated<number>;
  sends: Generated<number>;
  createdAt: number;
  consumedAt: number | null;
  grantHash: string | null;
  grantExpiresAt: number | null;
}

export interface RateLimitsTable {
  key: string;
  windowStart: number;
  count: number;
}

export interface OutboxTable {
  id: string;
  channel: "email" | "sms";
  recipient: string;
  subject: string;
  body: string;
  accountId: string | null;
  createdAt: number;
  attempts: Generated<number>;
  nextAttemptAt: number;
  sentAt: number | null;
  failedAt: number | null;
  lastError: string | null;
  /** When the one-time code in the body expires (the worker scrubs it then); null: nothing to scrub. */
  expiresAt: number | null;
  /** The e-mail's Reply-To (013): a support ticket's inbound address; null: none. */
  replyTo: Generated<string | null>;
}

export interface AuditEventsTable {
  id: string;
  at: number;
  actorType: "visitor" | "account" | "token" | "agent" | "system" | "operator";
  actorId: string | null;
  accountId: string | null;
  action: string;
  domain: string | null;
  /** The confirmed domain row the event happened on (its owner's activity page), if any. */
  domainId: string | null;
  target: string | null;
  ip: string | null;
  details: string | null;
  /** The support ticket the event belongs to (013), if any. */
  ticketId: Generated<string | null>;
  /** The request's User-Agent (at most 300 characters), for the device shown beside the address (015). */
  userAgent: Generated<string | null>;
}

export interface AppSecretsTable {
  name: string;
  value: string;
}

/** An (account, domain) ownership claim (src/domains). */
export interface ClaimsTable {
  id: string;
  publicId: string;
  accountId: string;
  domainName: string;
  token: string;
  /** occupied: closed because another account holds the name (or a name it sits under). */
  status: "pending" | "confirmed" | "occupied";
  createdAt: number;
  expiresAt: number;
  nextCheckAt: number;
  attempts: Generated<number>;
  lastCheckAt: number | null;
  delegated: Generated<number>;
}

/** A confirmed domain; `name` is unique: one owner per domain. */
export interface DomainsTable {
  id: string;
  name: string;
  ownerAccountId: string;
  claimId: string;
  confirmedAt: number;
  confirmedMethod: string;
  mxOk: Generated<number>;
  mxCheckedAt: number | null;
  mxNextCheckAt: number;
  mxAttempts: Generated<number>;
  delegated: Generated<number>;
  /** When the current owner got the domain by a move (src/handovers/); null: since confirmation. */
  ownedSince: Generated<number | null>;
}

/**
 * A hand-over of a domain to another account (src/handovers/): `transfer` (the owner's, or through
 * support with `letterFrom`) or `restore` (DNS proof, waiting period). Secrets are SHA-256 hashes.
 */
export interface HandoversTable {
  id: string;
  kind: "transfer" | "restore";
  state: string;
  domainId: string;
  domainName: string;
  /** The owner when the hand-over started; the move happens only if they still own the domain. */
  fromAccountId: string;
  /** The account the domain goes to; null for a transfer offered to a login that does not exist. */
  toAccountId: string | null;
  toLogin: string | null;
  ticketId: string | null;
  acceptSecretHash: string | null;
  ownerSecretHash: string | null;
  cancelSecretHash: string | null;
  challengeToken: string | null;
  /** JSON list of the approving agents' account ids. */
  approvals: Generated<string>;
  letterFrom: string | null;
  endReason: string | null;
  waitUntil: number | null;
  expiresAt: number;
  createdAt: number;
  updatedAt: number;
}

/** A confirmed domain's DNS zone (src/zones/); `updatedAt` moves with every change of its records. */
export interface ZonesTable {
  domainId: string;
  serial: number;
  createdAt: number;
  updatedAt: number;
}

/** One record: `name` a lowercase FQDN, `data` its RDATA in presentation text (src/dns/rdata.ts). */
export interface DnsRecordsTable {
  id: string;
  domainId: string;
  name: string;
  type: string;
  ttl: number;
  data: string;
  createdAt: number;
  updatedAt: number;
}

/** A domain's DKIM key pair; `privateKey` sealed with sealSecret (src/lib/secret-box.ts). */
export interface DkimKeysTable {
  domainId: string;
  selector: string;
  privateKey: string;
  publicKey: string;
  createdAt: number;
  active: Generated<number>;
}

export interface DomainChecksTable {
  id: string;
  claimId: string;
  at: number;
  trigger: "manual" | "worker";
  kind: "ownership" | "mx";
  result: string;
  method: string | null;
  details: string;
  /** The account that ran a manual check (015); null for the worker's (and older rows). */
  checkedBy: Generated<string | null>;
}

/** A two-factor recovery code: its keyed hash, spent once (013). */
export interface RecoveryCodesTable {
  id: string;
  accountId: string;
  codeHash: string;
  createdAt: number;
  usedAt: number | null;
}

export interface DB extends MailboxTables, DnsHealthTables, SupportTables {
  accounts: AccountsTable;
  sessions: SessionsTable;
  signInDevices: SignInDevicesTable;
  loginThrottles: LoginThrottlesTable;
  verificationCodes: VerificationCodesTable;
  rateLimits: RateLimitsTable;
  outbox: OutboxTable;
  auditEvents: AuditEventsTable;
  appSecrets: AppSecretsTable;
  claims: ClaimsTable;
  domains: DomainsTable;
  handovers: HandoversTable;
  domainChecks: DomainChecksTable;
  zones: ZonesTable;
  dnsRecords: DnsRecordsTable;
  dkimKeys: DkimKeysTable;
  recoveryCodes: RecoveryCodesTable;
}
