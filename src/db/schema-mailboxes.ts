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
}

export interface MailboxAliasesTable {
  id: string;
  domainId: string;
  mailboxId: string;
  alias: string;
  createdAt: number;
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
  deputies: DeputiesTable;
  apiTokens: ApiTokensTable;
  apiTokenDomains: ApiTokenDomainsTable;
}
