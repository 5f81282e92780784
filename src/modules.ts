import { accountsModule } from "./accounts/index.js";
import { auditModule } from "./audit/index.js";
import { deliveryModule } from "./delivery/index.js";
import type { Deps } from "./deps.js";
import { deputiesModule } from "./deputies/index.js";
import { domainsModule } from "./domains/index.js";
import { handoversModule } from "./handovers/index.js";
import type { App } from "./http/types.js";
import type { Job } from "./jobs/worker.js";
import { attachLifecycle, LifecycleHooks } from "./lifecycle.js";
import { mailboxesModule } from "./mailboxes/index.js";
import type { AnyModule, Role, RouteContext, ServiceOf } from "./module.js";
import { operationsModule } from "./operations/index.js";
import { recoveryModule } from "./recovery/index.js";
import { supportModule } from "./support/index.js";
import { tokensModule } from "./tokens/index.js";
import { zonesModule } from "./zones/index.js";

/**
 * Every module of mfd, in order (docs/ARCHITECTURE.md, module contract): a module comes after the
 * modules it `uses`; routes are registered in this order (the order of docs/openapi.json), and
 * lifecycle handlers run in it.
 */
export const MODULES = [
  operationsModule,
  accountsModule,
  recoveryModule,
  auditModule,
  domainsModule,
  deputiesModule,
  tokensModule,
  mailboxesModule,
  zonesModule,
  handoversModule,
  deliveryModule,
  supportModule,
] as const;

type Listed = (typeof MODULES)[number];

/** Each module's service by module name. */
export type Services = { [M in Listed as M["name"]]: ServiceOf<M> };

/** Names must be unique across modules: a second job or role of a name would replace the first. */
function byUniqueName<T extends { name: string }>(what: string, items: readonly T[]): ReadonlyMap<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.name)) throw new Error(`two modules declare the ${what} "${item.name}"`);
    map.set(item.name, item);
  }
  return map;
}

/** Every background job, run by the `worker` role. */
export const JOBS: readonly Job[] = [
  ...byUniqueName(
    "job",
    MODULES.flatMap((module: AnyModule) => module.jobs ?? []),
  ).values(),
];

/** Every process `mfd serve --roles` can run, by name. */
export const ROLES: ReadonlyMap<string, Role> = byUniqueName(
  "role",
  MODULES.flatMap((module: AnyModule) => module.roles ?? []),
);

/**
 * Builds every module's service from the same deps, each receiving the services it `uses`, then
 * registers the modules' lifecycle handlers.
 */
export function createServices(deps: Deps): Services {
  const lifecycle = new LifecycleHooks();
  attachLifecycle(deps, lifecycle);
  const services: Record<string, unknown> = {};
  for (const module of MODULES as readonly AnyModule[]) {
    const peers: Record<string, unknown> = {};
    for (const name of module.uses) {
      if (!(name in services))
        throw new Error(`module ${module.name} uses ${name}, which must come before it in src/modules.ts`);
      peers[name] = services[name];
    }
    services[module.name] = module.create(deps, peers, lifecycle);
  }
  for (const module of MODULES as readonly AnyModule[])
    if (module.hooks) lifecycle.register(module.hooks(services[module.name]));
  return services as Services;
}

/** Registers every module's routes, each with its own service. */
export async function registerRoutes(app: App, services: Services, context: RouteContext): Promise<void> {
  const byName = services as Record<string, unknown>;
  for (const module of MODULES as readonly AnyModule[])
    if (module.routes) await module.routes(app, byName[module.name], context);
}
