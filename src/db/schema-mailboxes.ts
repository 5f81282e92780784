import type { Generated } from "kysely";

/** Tables of migration 003 (mailboxes, aliases, deputies, API tokens); merged into DB in schema.ts. */
export interface MailboxesTable {
  id: string;
  domainId: string;
  login: string;
  passwordHash: string;
  firstName: Generated<string>;
  lastName: Generated<string>;
  enabled: Generated<number>;
  quotaMb: Generated<number>;
  createdAt: number;
  updatedAt: number;
  /** Migration 004: normalised "first last" and "last first" for name search (src/mailboxes/logins.ts). */
  firstLastKey: Generated<string>;
  lastFirstKey: Generated<string>;
}

export interface MailboxAliasesTable {
  id: string;
  domainId: string;
  mailboxId: string;
  alias: string;
  createdAt: number;
}

/** Migration 005: each domain's number of mailboxes, kept by triggers on `mailboxes`. */
export interface DomainMailboxCountsTable {
  domainId: string;
  count: Generated<number>;
}

export interface DeputiesTable {
  domainId: string;
  accountId: string;
  dnsGranted: Generated<number>;
  createdAt: number;
}

export interface ApiTokensTable {
  id: string;
  accountId: string;
  name: string;
  kind: "bearer" | "pdd";
  tokenHash: string;
  hint: string;
  permissions: string;
  allDomains: Generated<number>;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
  revokedAt: number | null;
}

export interface ApiTokenDomainsTable {
  tokenId: string;
  domainId: string;
}

export interface MailboxTables {
  mailboxes: MailboxesTable;
  mailboxAliases: MailboxAliasesTable;
  domainMailboxCounts: DomainMailboxCountsTable;
  deputies: DeputiesTable;
  apiTokens: ApiTokensTable;
  apiTokenDomains: ApiTokenDomainsTable;
}
