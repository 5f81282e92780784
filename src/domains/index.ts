import { defineModule } from "../module.js";
import { domainChecksJob } from "./domains.jobs.js";
import { domainsRoutes } from "./domains.routes.js";
import { DomainsService } from "./domains.service.js";

export type { DomainsService } from "./domains.service.js";
export { isAddressOnConnectedDomain } from "./domains.service.js";

export const domainsModule = defineModule({
  name: "domains",
  uses: [],
  create: (deps, _peers, lifecycle) => new DomainsService(deps, lifecycle),
  routes: (app, domains) => domainsRoutes(app, domains),
  jobs: [domainChecksJob],
});
