/**
 * The floor's queries: the SQL text mfd's services send (Kysely with CamelCasePlugin, captured
 * from the drivers; mfd prepares these too, src/db/prepared.ts), written out once and prepared once. `?` placeholders; the PostgreSQL store
 * numbers them. Column names stay snake_case: nothing converts them.
 */
export const SQL = {
  // src/accounts/sessions.service.ts `resolve`
  session:
    'select "sessions"."id", "sessions"."account_id", "sessions"."reauth_at", "sessions"."csrf_token", "sessions"."created_at", "sessions"."last_seen_at", "accounts"."is_support_agent" from "sessions" inner join "accounts" on "accounts"."id" = "sessions"."account_id" where "sessions"."token_hash" = ?',
  deleteSession: 'delete from "sessions" where "id" = ?',
  touchSession: 'update "sessions" set "last_seen_at" = ? where "id" = ?',
  // src/accounts/accounts.service.ts `profile` and src/credentials/recovery-email.ts `managedDomainNames`
  account:
    'select "id", "login", "first_name", "last_name", "security_question", "security_answer_hash", "phone", "phone_confirmed_at", "recovery_email", "email_confirmed_at", "totp_enabled_at", "is_support_agent", "created_at" from "accounts" where "id" = ?',
  pendingCodes:
    'select "purpose", "target" from "verification_codes" where "account_id" = ? and "purpose" in (?, ?) and "consumed_at" is null and "expires_at" > ? and "failures" < ?',
  managedDomainNames:
    'select "name" from "domains" where ("owner_account_id" = ? or "id" in (select "domain_id" from "deputies" where "account_id" = ?))',
  // src/access/domain-access.ts `authorizeDomain`
  domainGrant:
    'select "domains"."id", "domains"."name", "domains"."owner_account_id", "domains"."delegated", "deputies"."account_id" as "deputy_account_id", "deputies"."dns_granted", "deputies"."created_at" as "deputy_since" from "domains" left join "deputies" on "deputies"."domain_id" = "domains"."id" and "deputies"."account_id" = ? where "domains"."name" = ?',
  // src/mailboxes/queries.ts `firstPage`, `pageAfter`, `mailboxCount`, `aliasesOf`
  firstPage:
    'select "id", "login", "first_name", "last_name", "enabled", "quota_mb", "created_at", "updated_at" from "mailboxes" where "domain_id" = ? order by "login" limit ?',
  pageAfter:
    'select "id", "login", "first_name", "last_name", "enabled", "quota_mb", "created_at", "updated_at" from "mailboxes" where "domain_id" = ? and "login" > ? order by "login" limit ?',
  mailboxCount: 'select "count" from "domain_mailbox_counts" where "domain_id" = ?',
  aliases: (n: number) =>
    `select "mailbox_id", "alias" from "mailbox_aliases" where "mailbox_id" in (${Array(n).fill("?").join(", ")}) order by "alias"`,
  // src/tokens/tokens.service.ts `resolve`
  token:
    'select "id", "account_id", "permissions", "all_domains", "created_at", "expires_at", "revoked_at", "last_used_at" from "api_tokens" where "token_hash" = ? and "kind" = ?',
  touchToken:
    'update "api_tokens" set "last_used_at" = ?, "last_used_ip" = ? where "id" = ? and ("last_used_at" is null or "last_used_at" <= ?)',
  tokenDomains: 'select "domain_id" from "api_token_domains" where "token_id" = ?',
} as const;

export interface SessionRow {
  id: string;
  account_id: string;
  reauth_at: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  is_support_agent: number;
}

export interface AccountRow {
  id: string;
  login: string;
  first_name: string;
  last_name: string;
  security_question: string | null;
  security_answer_hash: string | null;
  phone: string | null;
  phone_confirmed_at: number | null;
  recovery_email: string | null;
  email_confirmed_at: number | null;
  totp_enabled_at: number | null;
  is_support_agent: number;
  created_at: number;
}

export interface GrantRow {
  id: string;
  name: string;
  owner_account_id: string;
  delegated: number;
  deputy_account_id: string | null;
  dns_granted: number | null;
  deputy_since: number | null;
}

export interface MailboxRow {
  id: string;
  login: string;
  first_name: string;
  last_name: string;
  enabled: number;
  quota_mb: number;
  created_at: number;
  updated_at: number;
}

export interface TokenRow {
  id: string;
  account_id: string;
  permissions: string;
  all_domains: number;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

/** SQLite answers at once, PostgreSQL later: handlers `await` either. */
export type Answer<T> = T | Promise<T>;

export interface Store {
  session(tokenHash: string): Answer<SessionRow | undefined>;
  deleteSession(id: string): Answer<unknown>;
  touchSession(id: string, now: number): Answer<unknown>;
  account(id: string): Answer<AccountRow | undefined>;
  pendingCodes(accountId: string, now: number): Answer<Array<{ purpose: string; target: string }>>;
  managedDomainNames(accountId: string): Answer<Array<{ name: string }>>;
  domainGrant(accountId: string, name: string): Answer<GrantRow | undefined>;
  page(domainId: string, after: string | null, limit: number): Answer<MailboxRow[]>;
  mailboxCount(domainId: string): Answer<{ count: number } | undefined>;
  aliases(mailboxIds: readonly string[]): Answer<Array<{ mailbox_id: string; alias: string }>>;
  token(tokenHash: string): Answer<TokenRow | undefined>;
  touchToken(id: string, now: number, ip: string | null, before: number): Answer<unknown>;
  tokenDomains(tokenId: string): Answer<Array<{ domain_id: string }>>;
  close(): Promise<void>;
}
