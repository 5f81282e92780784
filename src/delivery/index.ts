import { defineModule } from "../module.js";
import { scrubExpiredCodes } from "../notify/outbox.js";
import { deliveryJobs } from "./delivery.js";
import { devOutboxRoutes } from "./dev-outbox.routes.js";

/** Delivery of notices and codes, and in development mode the outbox readable at /dev/outbox. */
export const deliveryModule = defineModule({
  name: "delivery",
  uses: [],
  create: (deps) => deps.database.db,
  routes: async (app, db, { config }) => {
    if (config.dev) await devOutboxRoutes(app, db);
  },
  jobs: [
    ...deliveryJobs,
    {
      name: "scrub-expired-codes",
      everyMs: 30_000,
      run: (deps) => scrubExpiredCodes(deps.database.db, deps.clock.now()),
    },
  ],
});
