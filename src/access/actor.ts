/** Who is making a request. Produced by authentication, consumed by `can()` and the services. */
export type Actor =
  | { kind: "visitor" }
  | { kind: "account"; accountId: string; sessionId: string; reauthAt: number; isSupportAgent: boolean }
  | {
      kind: "token";
      accountId: string;
      tokenId: string;
      permissions: readonly Permission[];
      /** Domain ids the token is limited to; null means every domain its holder may manage. */
      domains: readonly string[] | null;
      /**
       * When the token was created (epoch ms). It reaches a domain its holder administers as a
       * deputy only if issued during that membership: removed and added again, old tokens stay dead.
       */
      issuedAt: number;
    };

/** Permissions a route can require. The `account:*` ones are never granted to API tokens. */
export const PERMISSIONS = [
  "account:self",
  "account:credentials",
  /** Handing rights to others: deputies and API tokens (security.md 15, 21, 26). Sessions only. */
  "account:delegation",
  "domains:read",
  "domains:write",
  "mailboxes:read",
  "mailboxes:write",
  "dns:read",
  "dns:write",
  "support:work",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What a token may be given (security.md 21: never credentials, contacts, tokens, deputies, ownership). */
export const TOKEN_PERMISSIONS: readonly Permission[] = [
  "domains:read",
  "mailboxes:read",
  "mailboxes:write",
  "dns:read",
  "dns:write",
];

/** Request facts services need besides the actor: where it came from and when. */
export interface RequestContext {
  actor: Actor;
  ip: string | null;
  userAgent: string | null;
  now: number;
}

export const accountIdOf = (actor: Actor): string | null =>
  actor.kind === "visitor" ? null : actor.accountId;
