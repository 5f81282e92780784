import type { Actor } from "./access/actor.js";
import { AccountsService } from "./accounts/accounts.service.js";
import { SessionsService } from "./accounts/sessions.service.js";
import type { Deps } from "./deps.js";
import { DomainsService } from "./domains/domains.service.js";
import { RecoveryService } from "./recovery/recovery.service.js";

/** Every service, built once per app from the same deps. Routes reach services only through this. */
export interface Services {
  deps: Deps;
  sessions: SessionsService;
  accounts: AccountsService;
  recovery: RecoveryService;
  domains: DomainsService;
  /** Resolves an `Authorization: Bearer` token to an actor (API tokens arrive with their issue). */
  resolveBearer(token: string, now: number, ip: string | null): Promise<Actor | null>;
}

export function createServices(deps: Deps): Services {
  const sessions = new SessionsService(deps);
  return {
    deps,
    sessions,
    accounts: new AccountsService(deps, sessions),
    recovery: new RecoveryService(deps, sessions),
    domains: new DomainsService(deps),
    resolveBearer: async () => null,
  };
}
