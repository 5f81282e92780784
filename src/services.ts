import type { Actor } from "./access/actor.js";
import { AccountsService } from "./accounts/accounts.service.js";
import { SessionsService } from "./accounts/sessions.service.js";
import type { Deps } from "./deps.js";

/** Every service, built once per app from the same deps. Routes reach services only through this. */
export interface Services {
  deps: Deps;
  sessions: SessionsService;
  accounts: AccountsService;
  /** Resolves an `Authorization: Bearer` token to an actor (API tokens arrive with their issue). */
  resolveBearer(token: string, now: number, ip: string | null): Promise<Actor | null>;
}

export function createServices(deps: Deps): Services {
  const sessions = new SessionsService(deps);
  return {
    deps,
    sessions,
    accounts: new AccountsService(deps, sessions),
    resolveBearer: async () => null,
  };
}
