import type { AccountsFace } from "../accounts/index.js";
import { defineModule } from "../module.js";
import { recoveryRoutes } from "./recovery.routes.js";
import { RecoveryService } from "./recovery.service.js";

export type { RecoveryService } from "./recovery.service.js";

export const recoveryModule = defineModule({
  name: "recovery",
  uses: ["accounts"],
  create: (deps, peers: { accounts: AccountsFace }, lifecycle) =>
    new RecoveryService(deps, peers.accounts.accounts, lifecycle),
  routes: (app, recovery) => recoveryRoutes(app, recovery),
});
