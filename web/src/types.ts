/** Shapes of the mfd API answers the console reads (see /api/docs). */

export interface Account {
  id: string;
  login: string;
  address: string;
  firstName: string;
  lastName: string;
  securityQuestion: { id: string; text: string } | null;
  phone: { number: string; confirmed: boolean } | null;
  recoveryEmail: {
    address: string;
    confirmed: boolean;
    /** False when no restore code is sent there (it is on a domain the account manages). */
    usableForRestore: boolean;
    unusableReason: "on-managed-domain" | null;
    managedDomain: string | null;
  } | null;
  pendingPhone: string | null;
  pendingEmail: string | null;
  twoFactor: boolean;
  isSupportAgent: boolean;
  complete: boolean;
  missing: string[];
  createdAt: string;
}

export interface SecurityQuestion {
  id: string;
  text: string;
}

export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actorType: string;
  domain: string | null;
  target: string | null;
  ip: string | null;
  details: unknown;
}

/** An event on one domain, as its owner sees it (GET /api/v1/domains/{name}/activity). */
export interface DomainEvent {
  id: string;
  at: string;
  action: string;
  actorType: string;
  actorLogin: string | null;
  actorRole: "owner" | "deputy" | null;
  target: string | null;
  ip: string | null;
  details: unknown;
}

export type DomainStatus = "domain-activate" | "mx-activate" | "added";

export interface DomainSummary {
  name: string;
  unicodeName: string;
  role: "owner" | "deputy" | "claimant";
  status: DomainStatus;
  stage: "owner-check" | "mx-check" | "added";
  mailboxCount: number;
  delegated: boolean;
  claimExpiresAt: string | null;
}

export type ProofMethod = "txt" | "cname" | "file" | "delegation";

export interface DomainCheck {
  id: string;
  at: string;
  trigger: "manual" | "worker";
  kind: "ownership" | "mx";
  /** ownership: confirmed | not-confirmed; mx: mx-ok | mx-wrong | mx-not-found | mx-failed */
  result: string;
  /** The method that proved ownership. */
  method: string | null;
  /** Per method (txt, cname, file, delegation, mx): ok | absent | wrong | failed, with a detail. */
  results: Record<string, { result: string; detail: string }>;
}

export interface DomainView {
  name: string;
  unicodeName: string;
  role: "owner" | "deputy" | "claimant";
  status: DomainStatus;
  stage: "owner-check" | "mx-check" | "added";
  confirmedAt: string | null;
  /** What to publish to prove ownership; any one method suffices. Null once confirmed. */
  claim: {
    id: string;
    expiresAt: string;
    expired: boolean;
    methods: {
      txt: { name: string; value: string };
      cname: { name: string; target: string };
      file: { url: string; content: string };
      delegation: { nameServers: string[] };
    };
  } | null;
  lastCheck: DomainCheck | null;
  nextCheck: string | null;
  mx: { expected: string; ok: boolean | null };
  delegated: boolean;
}

/** A mailbox of a confirmed domain (product.md §4). */
export interface Mailbox {
  login: string;
  address: string;
  firstName: string;
  lastName: string;
  enabled: boolean;
  /** MiB; 0 means the installation's default. */
  quotaMb: number;
  /** Local parts of the mailbox's aliases. */
  aliases: string[];
  createdAt: string;
  updatedAt: string;
}

export interface MailboxPage {
  mailboxes: Mailbox[];
  /** Pass as `after` for the next page; null on the last. */
  next: string | null;
  /** Mailboxes matching the search (all of the domain's without one). */
  total: number;
}

/** An additional administrator of a domain (product.md §5). */
export interface Deputy {
  login: string;
  address: string;
  dnsGranted: boolean;
  addedAt: string;
}

export type TokenPermission =
  | "domains:read"
  | "mailboxes:read"
  | "mailboxes:write"
  | "dns:read"
  | "dns:write";

/** A personal API token as listed: never the secret, only its hint. */
export interface ApiToken {
  id: string;
  name: string;
  hint: string;
  permissions: TokenPermission[];
  /** Domain names the token is limited to, or "all" for every domain its holder manages. */
  domains: string[] | "all";
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  expired: boolean;
  revoked: boolean;
}

/** The answer to creating a token: the only time its secret leaves the server. */
export interface CreatedToken {
  id: string;
  name: string;
  token: string;
  permissions: TokenPermission[];
  domains: string[] | "all";
  expiresAt: string;
}
