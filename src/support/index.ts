import type { Deps } from "../deps.js";
import type { HandoversService } from "../handovers/index.js";
import { defineModule } from "../module.js";
import { inboundRole } from "./inbound.role.js";
import { supportRoutes } from "./support.routes.js";
import { SupportService } from "./support.service.js";

/** The service built from each deps, for the inbound role (roles get the process's deps, not services). */
const services = new WeakMap<Deps, SupportService>();

export type { InboundMessage, SupportService } from "./support.service.js";
export { inboundAddress, parseInboundAddress } from "./tickets.js";

/**
 * The support desk (product.md §7): the feedback form, the requester's ticket page, replies by
 * e-mail through the `inbound` role, and the agents' queue.
 */
export const supportModule = defineModule({
  name: "support",
  uses: ["handovers"],
  create: (deps, peers: { handovers: HandoversService }) => {
    const service = new SupportService(deps, peers.handovers);
    services.set(deps, service);
    return service;
  },
  routes: (app, support) => supportRoutes(app, support),
  roles: [inboundRole((deps) => services.get(deps))],
});
