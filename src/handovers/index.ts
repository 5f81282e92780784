import type { Deps } from "../deps.js";
import { defineModule } from "../module.js";
import { handoversRoutes } from "./handovers.routes.js";
import { HandoversService } from "./handovers.service.js";

export * as handoverSchemas from "./handovers.schemas.js";
export {
  CHALLENGE_LABEL,
  CHALLENGE_PREFIX,
  type HandoversService,
  type HandoverView,
  handoverMachine,
  LINK_LIFETIME_MS,
} from "./handovers.service.js";
export { type MoveInput, type MoveReason, moveDomain } from "./move.js";

/** The service built from each deps, for the worker's job (jobs get deps, not services). */
const services = new WeakMap<Deps, HandoversService>();

/**
 * Hand-overs of a confirmed domain to another account (docs/handovers.md): self-service transfers,
 * transfers and restores of access through the support desk, self-service restores, and the move.
 * The desk (tickets) calls the service's public face with an `agent` actor naming the ticket.
 */
export const handoversModule = defineModule({
  name: "handovers",
  uses: [],
  create: (deps, _peers, lifecycle) => {
    const service = new HandoversService(deps, lifecycle);
    services.set(deps, service);
    return service;
  },
  routes: (app, handovers) => handoversRoutes(app, handovers),
  jobs: [
    {
      name: "complete-handovers",
      everyMs: 60_000,
      run: async (deps) => (await services.get(deps)?.runDue(deps.clock.now())) ?? 0,
    },
  ],
  hooks: (handovers) => ({
    // A disconnected domain's open hand-overs end with it; their history stays.
    "domain.released": async (tx, ctx, { domainId }) => ({
      handovers: await handovers.endForReleasedDomain(tx, ctx.now, domainId),
    }),
  }),
});
