import { pruneLimits } from "../db/rate-limit.js";
import { defineModule } from "../module.js";
import { accountsRoutes } from "./accounts.routes.js";
import { AccountsService } from "./accounts.service.js";
import type { AccountsFace } from "./face.js";
import { SessionsService } from "./sessions.service.js";
import { settingsRoutes } from "./settings.routes.js";
import { SettingsService } from "./settings.service.js";
import { pruneSignInState } from "./sign-in-throttle.js";

export type { AccountsService } from "./accounts.service.js";
export type { AccountsFace } from "./face.js";
export type { ResolvedSession, SessionsService } from "./sessions.service.js";
export type { SettingsService } from "./settings.service.js";

export const accountsModule = defineModule({
  name: "accounts",
  uses: [],
  create: (deps): AccountsFace => {
    const sessions = new SessionsService(deps);
    const accounts = new AccountsService(deps, sessions);
    return { accounts, sessions, settings: new SettingsService(deps, sessions, accounts) };
  },
  routes: async (app, face, { config }) => {
    await accountsRoutes(app, face, config);
    await settingsRoutes(app, face);
  },
  jobs: [
    {
      // The per-address limits of every capability are pruned with the sign-in state, as one job.
      name: "prune-rate-limits",
      everyMs: 15 * 60_000,
      run: async (deps) => {
        await pruneLimits(deps.database.db, deps.clock.now());
        await pruneSignInState(deps.database.db, deps.clock.now());
        return 0;
      },
    },
  ],
  hooks: ({ sessions }) => ({
    // Whoever had taken the account over is signed out everywhere.
    "account.recovered": async (tx, ctx, { accountId }) => ({
      sessionsEnded: await sessions.endOthersIn(tx, ctx, accountId, null, "password-reset"),
    }),
  }),
});
