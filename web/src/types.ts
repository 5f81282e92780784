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
  role: "owner" | "deputy" | string;
  status: DomainStatus;
  stage: string;
  mailboxCount: number;
  delegated: boolean;
  claimExpiresAt: string | null;
}

export interface DomainCheck {
  at: string;
  method: string;
  result: string;
  detail: string | null;
}

export interface DomainView {
  name: string;
  unicodeName: string;
  role: string;
  status: DomainStatus;
  stage: string;
  confirmedAt: string | null;
  claim: {
    id: string;
    expiresAt: string;
    methods: {
      txt: { name: string; value: string };
      cname: { name: string; target: string };
      file: { url: string; content: string };
      delegation: { nameServers: string[] };
    };
  } | null;
  /** When the last check ran (or the check itself, depending on the server version). */
  lastCheck: string | DomainCheck | null;
  nextCheck: string | null;
  mx: { expected: string; ok: boolean } | null;
  delegated: boolean;
}
