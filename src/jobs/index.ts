import { defineModule } from "../module.js";

/** The `worker` role: runs every module's jobs (src/modules.ts) on their intervals. */
export const workerModule = defineModule({
  name: "worker",
  uses: [],
  create: () => undefined,
  roles: [
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
