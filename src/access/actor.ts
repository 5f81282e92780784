/**
 * Who is making a change. HTTP authentication produces `visitor`, `account` and `token`; the other
 * kinds never come from a request: `system` is mfd's own background work (worker jobs), `operator`
 * whoever runs the `mfd` command line on the server, `agent` a support agent acting in a ticket.
 */
export type Actor =
  | { kind: "visitor" }
  | {
      kind: "account";
      accountId: string;
      sessionId: string;
      reauthAt: number;
      isSupportAgent: boolean;
      /** The session passed a two-factor code at sign-in or re-authentication (absent: no). */
      twoFactor?: boolean;
    }
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
    }
  | { kind: "system" }
  | {
      kind: "operator";
      /** The command, e.g. "mfd mailboxes import". */
      command: string;
      /**
       * The service account the operator acts as (`mfd mailboxes import --as`): domain access is
       * that account's, and the audit log records the change as that account's, as the API would.
       */
      as?: { accountId: string };
    }
  | {
      /**
       * A support agent working on a ticket (src/support/): the support service turns an agent's
       * signed-in request into this actor for the ticket it acts in, so every audit row of the
       * action says agent + ticket. Route and domain authorization refuse it: an agent reaches a
       * domain only through the ticket's own workflows.
       */
      kind: "agent";
      accountId: string;
      ticketId: string;
    };

/** Permissions a route can require. The `account:*` ones are never granted to API tokens. */
export const PERMISSIONS = [
  "account:self",
  "account:credentials",
  /** Handing rights to others: deputies and API tokens (docs/SECURITY.md §15, §21, §26). Sessions only. */
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

/** What a token may be given (docs/SECURITY.md §21: never credentials, contacts, tokens, deputies, ownership). */
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

/** The account a request acts for: its session's or its token's; null for anyone else. */
export const accountIdOf = (actor: Actor): string | null =>
  actor.kind === "account" || actor.kind === "token" ? actor.accountId : null;

/**
 * The account whose rights decide domain access: a session's or a token's holder, or the account
 * an operator acts as. Null for a visitor, the system, a bare operator and (for now) an agent.
 */
export const actingAccountOf = (actor: Actor): string | null =>
  actor.kind === "operator" ? (actor.as?.accountId ?? null) : accountIdOf(actor);

/** The context of the system's own background work: no account, no address. */
export const systemContext = (now: number): RequestContext => ({
  actor: { kind: "system" },
  ip: null,
  userAgent: null,
  now,
});

/** The context of an operator's command: no address; `as` for a command that acts as an account. */
export const operatorContext = (
  command: string,
  now: number,
  as?: { accountId: string },
): RequestContext => ({
  actor: { kind: "operator", command, ...(as ? { as } : {}) },
  ip: null,
  userAgent: command,
  now,
});
