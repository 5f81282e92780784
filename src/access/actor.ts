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
  /**
   * Who per-address rate limits count (`clientLimitKey`): the IPv4 address, or the IPv6 network
   * (MFD_IPV6_PREFIX). Set by the HTTP layer; contexts outside HTTP (CLI, worker) hit no such limit.
   */
  limitKey?: string;
  userAgent: string | null;
  now: number;
  /**
   * The long-lived cookie of a browser that signed in before, if it sent one: a throttled account
   * still checks sign-ins from such a browser (src/accounts/sign-in-throttle.ts).
   */
  device?: string | null;
}

export const accountIdOf = (actor: Actor): string | null =>
  actor.kind === "visitor" ? null : actor.accountId;
