import { defineModule } from "../module.js";
import { deputiesRoutes } from "./deputies.routes.js";
import { DeputiesService } from "./deputies.service.js";

export type { DeputiesService } from "./deputies.service.js";

export const deputiesModule = defineModule({
  name: "deputies",
  uses: [],
  create: (deps, _peers, lifecycle) => new DeputiesService(deps, lifecycle),
  routes: (app, deputies) => deputiesRoutes(app, deputies),
  hooks: () => ({
    // The deputy rows would go with the domain row (ON DELETE CASCADE); said here so the
    // disconnect's own transaction shows everything that leaves with the domain.
    "domain.released": async (tx, _ctx, { domainId }) => {
      await tx.deleteFrom("deputies").where("domainId", "=", domainId).execute();
      return undefined;
    },
  }),
});
