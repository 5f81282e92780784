import { defineModule } from "../module.js";
import { operationsRoutes } from "./operations.routes.js";

/**
 * Health, readiness, metrics and the OpenAPI document, and the two roles every installation runs:
 * `web` (the HTTP server of the console and the API) and `worker` (every module's jobs).
 */
export const operationsModule = defineModule({
  name: "operations",
  uses: [],
  create: (deps) => deps.database,
  routes: (app, database, context) => operationsRoutes(app, database, context),
  roles: [
    {
      name: "web",
      description: "the web console and the API",
      start: async ({ app, deps: { config } }) => {
        await app.listen({ host: config.listen.host, port: config.listen.port });
        // Said on stdout whatever the log level, so whoever started mfd sees where it is.
        console.log(`mfd is running: console at ${config.publicUrl}`);
        if (config.dev)
          console.log(`development mode: codes and notices are readable at ${config.publicUrl}/dev/outbox`);
        // Shutdown closes the web server first of all (src/cli/shutdown.ts), whether it listens or not.
        return undefined;
      },
    },
    {
      name: "worker",
      description: "the background jobs: delivery, domain checks, clean-up",
      start: async ({ worker }) => {
        worker.start();
        // Shutdown stops the worker after the web server (src/cli/shutdown.ts).
        return undefined;
      },
    },
  ],
});
