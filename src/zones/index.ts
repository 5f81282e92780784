import type { Deps } from "../deps.js";
import { defineModule } from "../module.js";
import { dnsRole } from "./dns.role.js";
import { zonesRoutes } from "./zones.routes.js";
import { ZonesService } from "./zones.service.js";

/** The service built from each deps, for the dns role (roles get the process's deps, not services). */
const services = new WeakMap<Deps, ZonesService>();

export { loadAllZones, loadZone, type ServedZone } from "./zone-data.js";
export type { ZonesService } from "./zones.service.js";

export const zonesModule = defineModule({
  name: "zones",
  uses: [],
  create: (deps) => {
    const service = new ZonesService(deps);
    services.set(deps, service);
    return service;
  },
  routes: (app, zones) => zonesRoutes(app, zones),
  roles: [dnsRole((deps) => services.get(deps))],
  jobs: [
    {
      name: "create-missing-zones",
      everyMs: 60_000,
      run: async (deps) => (await services.get(deps)?.createMissingZones(deps.clock.now(), 50)) ?? 0,
    },
  ],
  hooks: (zones) => ({
    "domain.confirmed": async (tx, ctx, { domainId, name }) => {
      await zones.createZone(tx, ctx.now, domainId, name);
      return undefined;
    },
    // A transfer hands the domain row, and so its zone, to the new owner; otherwise the zone goes.
    "domain.released": async (tx, _ctx, { domainId, reason }) => {
      if (reason === "transfer") return undefined;
      return { dnsRecords: await zones.deleteZone(tx, domainId) };
    },
  }),
});
