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
        // Said on stdout whatever the log level, so whoever started mfd sees where it is, and in
        // the log for a supervisor's journal.
        console.log(`mfd is running: console at ${config.publicUrl}`);
        console.log(
          `  listening on ${config.listen.host}:${config.listen.port}; open the address above (MFD_PUBLIC_URL): browsers at other addresses are sent there${config.dev ? ", except that any loopback address (localhost, 127.0.0.1, [::1]) works in development mode" : ""}`,
        );
        app.log.info(
          { publicUrl: config.publicUrl, listen: `${config.listen.host}:${config.listen.port}` },
          "mfd is running",
        );
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
