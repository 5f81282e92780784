import type { Actor } from "./access/actor.js";
import { AccountsService } from "./accounts/accounts.service.js";
import { SessionsService } from "./accounts/sessions.service.js";
import { SettingsService } from "./accounts/settings.service.js";
import type { Deps } from "./deps.js";
import { DeputiesService } from "./deputies/deputies.service.js";
import { DomainsService } from "./domains/domains.service.js";
import { MailboxesService } from "./mailboxes/mailboxes.service.js";
import { RecoveryService } from "./recovery/recovery.service.js";
import { TokensService } from "./tokens/tokens.service.js";

/** Every service, built once per app from the same deps. Routes reach services only through this. */
export interface Services {
  deps: Deps;
  sessions: SessionsService;
  accounts: AccountsService;
  settings: SettingsService;
  recovery: RecoveryService;
  domains: DomainsService;
  mailboxes: MailboxesService;
  deputies: DeputiesService;
  tokens: TokensService;
  /** Resolves an `Authorization: Bearer` token to an actor; null when unknown, revoked or expired. */
  resolveBearer(token: string, now: number, ip: string | null): Promise<Actor | null>;
}

export function createServices(deps: Deps): Services {
  const sessions = new SessionsService(deps);
  const accounts = new AccountsService(deps, sessions);
  const tokens = new TokensService(deps);
  return {
    deps,
    sessions,
    accounts,
    settings: new SettingsService(deps, sessions, accounts),
    recovery: new RecoveryService(deps, sessions, accounts),
    domains: new DomainsService(deps),
    mailboxes: new MailboxesService(deps),
    deputies: new DeputiesService(deps),
    tokens,
    resolveBearer: (token, now, ip) => tokens.resolve(token, now, ip),
  };
}
