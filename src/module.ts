import type { Config } from "./config.js";
import type { Deps } from "./deps.js";
import type { App } from "./http/types.js";
import type { Job, Worker } from "./jobs/worker.js";
import type { LifecycleHandlers, LifecycleHooks } from "./lifecycle.js";

/**
 * The module contract (docs/ARCHITECTURE.md): what one capability brings to mfd. Each capability
 * folder has an `index.ts` exporting its module and the public face other capabilities may use;
 * src/modules.ts lists the modules, and the app, the worker and `mfd serve` only iterate that list.
 */
export interface Module<Name extends string, Service, Peers extends object = Record<never, never>> {
  name: Name;
  /** The modules whose services `create` receives as `peers`; they come earlier in the list. */
  uses: ReadonlyArray<keyof Peers & string>;
  /** Builds the module's service: its public face, and what its routes, jobs and hooks use. */
  create(deps: Deps, peers: Peers, lifecycle: LifecycleHooks): Service;
  /** Registers the module's HTTP routes; they see their own service, never another module's. */
  routes?(app: App, service: Service, context: RouteContext): Promise<void>;
  /** Background jobs, run by the `worker` role. */
  jobs?: readonly Job[];
  /** Processes `mfd serve --roles` can run (web, worker…). */
  roles?: readonly Role[];
  /** Handlers of lifecycle events (src/lifecycle.ts), run inside the transaction of the change. */
  hooks?(service: Service): LifecycleHandlers;
}

/** A module of any name, service and peers: what the list holds. */
// biome-ignore lint/suspicious/noExplicitAny: the list holds modules of every service type.
export type AnyModule = Module<string, any, any>;

/** The service type a module creates. */
export type ServiceOf<M> = M extends Module<string, infer S, infer _P> ? S : never;

/** Declares a module with its types inferred from `create`. */
export const defineModule = <Name extends string, Service, Peers extends object = Record<never, never>>(
  module: Module<Name, Service, Peers>,
): Module<Name, Service, Peers> => module;

/** Set when the process shuts down: /readyz then answers 503 so balancers stop sending. */
export interface ServingState {
  draining: boolean;
}

/** What route registration may read besides the module's own service. */
export interface RouteContext {
  config: Config;
  serving: ServingState;
}

/**
 * One process `mfd serve` can run. `web` and `worker` come from the platform modules; a new one
 * (DNS) is a role of its module, not an edit of `serve`.
 */
export interface Role {
  name: string;
  description: string;
  /** Starts the role; what it returns is stopped at shutdown, after the web server and the worker. */
  start(running: RunningProcess): Promise<RoleHandle | undefined>;
}

export interface RoleHandle {
  /** Stops within `timeoutMs`; returns what was still running at the deadline. */
  stop(timeoutMs: number): Promise<string[]>;
}

/** The serving process every role starts in. */
export interface RunningProcess {
  deps: Deps;
  app: App;
  worker: Worker;
}
