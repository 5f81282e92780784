import { pruneSignInState } from "../accounts/sign-in-throttle.js";
import { domainChecksJob } from "../domains/domains.jobs.js";
import { pruneLimits } from "../lib/rate-limit.js";
import { deliveryJobs } from "../notify/delivery.js";
import { scrubExpiredCodes } from "../notify/outbox.js";
import type { Job } from "./worker.js";

/** Every background job of mfd. */
export const JOBS: Job[] = [
  ...deliveryJobs,
  domainChecksJob,
  {
    name: "scrub-expired-codes",
    everyMs: 30_000,
    run: (deps) => scrubExpiredCodes(deps.database.db, deps.clock.now()),
  },
  {
    name: "prune-rate-limits",
    everyMs: 15 * 60_000,
    run: async (deps) => {
      await pruneLimits(deps.database.db, deps.clock.now());
      await pruneSignInState(deps.database.db, deps.clock.now());
      return 0;
    },
  },
];
