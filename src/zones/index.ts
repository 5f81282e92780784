import { defineModule } from "../module.js";
import { zonesRoutes } from "./zones.routes.js";
import { ZonesService } from "./zones.service.js";

export { loadAllZones, loadZone, type ServedZone } from "./zone-data.js";
export type { ZonesService } from "./zones.service.js";

export const zonesModule = defineModule({
  name: "zones",
  uses: [],
  create: (deps) => new ZonesService(deps),
  routes: (app, zones) => zonesRoutes(app, zones),
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
