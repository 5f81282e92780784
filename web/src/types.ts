/** Shapes of the mfd API answers the console reads (see /api/docs). */

export interface Account {
  id: string;
  login: string;
  address: string;
  firstName: string;
  lastName: string;
  securityQuestion: { id: string; text: string } | null;
  phone: { number: string; confirmed: boolean } | null;
  recoveryEmail: { address: string; confirmed: boolean } | null;
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

export type DomainStatus = "domain-activate" | "mx-activate" | "added";

export interface DomainSummary {
  name: string;
  unicodeName: string;
  role: "owner" | "deputy";
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
  role: "owner" | "deputy";
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
