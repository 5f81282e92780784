import type { Actor } from "./access/actor.js";
import { AccountsService } from "./accounts/accounts.service.js";
import { SessionsService } from "./accounts/sessions.service.js";
import { SettingsService } from "./accounts/settings.service.js";
import type { Deps } from "./deps.js";
import { DomainsService } from "./domains/domains.service.js";
import { RecoveryService } from "./recovery/recovery.service.js";

/** Every service, built once per app from the same deps. Routes reach services only through this. */
export interface Services {
  deps: Deps;
  sessions: SessionsService;
  accounts: AccountsService;
  settings: SettingsService;
  recovery: RecoveryService;
  domains: DomainsService;
  /** Resolves an `Authorization: Bearer` token to an actor (API tokens arrive with their issue). */
  resolveBearer(token: string, now: number, ip: string | null): Promise<Actor | null>;
}

export function createServices(deps: Deps): Services {
  const sessions = new SessionsService(deps);
  const accounts = new AccountsService(deps, sessions);
  return {
    deps,
    sessions,
    accounts,
    settings: new SettingsService(deps, sessions, accounts),
    recovery: new RecoveryService(deps, sessions, accounts),
    domains: new DomainsService(deps),
    resolveBearer: async () => null,
  };
}
