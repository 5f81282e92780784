import type { RequestContext } from "./access/actor.js";
import type { Executor } from "./db/database.js";
import type { Deps } from "./deps.js";

/**
 * Changes one capability makes that others must follow, each announced inside the transaction of
 * the change, so what hangs off it goes in the same commit or not at all. The capability that
 * makes the change emits; the ones that keep something tied to it register a handler in their
 * module's `hooks` (docs/ARCHITECTURE.md, module contract). No capability calls into another's
 * service to clean up.
 */
export interface LifecycleEvents {
  /**
   * A claim's ownership was proved and its domain row created (the row exists when handlers run):
   * what a confirmed domain gets from the start (its DNS zone) is made in the same commit.
   */
  "domain.confirmed": { domainId: string; name: string; accountId: string };
  /**
   * A confirmed domain leaves its owner: disconnected by them, transferred to another account or
   * taken away by support. Emitted before the domain row is deleted or handed over.
   */
  "domain.released": { domainId: string; reason: "disconnect" | "transfer" | "support" };
  /**
   * A confirmed domain moved to another owner (src/handovers/): the domain row, its mailboxes,
   * aliases, zone and deputies stay; what the old owner held through ownership (API token scopes)
   * goes. Emitted after the row changed owner, in the move's transaction.
   */
  "domain.moved": {
    domainId: string;
    fromAccountId: string;
    toAccountId: string;
    reason: "transfer" | "support-transfer" | "restore";
  };
  /** An account's password was reset through restore access: whoever had it must lose it. */
  "account.recovered": { accountId: string };
  /** A deputy left a domain: what they held there through the membership goes too. */
  "deputy.removed": { domainId: string; accountId: string };
}

export type LifecycleEvent = keyof LifecycleEvents;

/**
 * What a handler did, counted by name (e.g. `{ tokens: 2 }`): the emitter puts the counts in its
 * audit event and notices, as it did when it made the change itself.
 */
export type HookOutcome = Record<string, number>;

export type LifecycleHandler<E extends LifecycleEvent> = (
  tx: Executor,
  ctx: RequestContext,
  event: LifecycleEvents[E],
) => Promise<HookOutcome | undefined>;

export type LifecycleHandlers = { [E in LifecycleEvent]?: LifecycleHandler<E> };

/** The handlers of every module, run in the order of the module list (src/modules.ts). */
export class LifecycleHooks {
  private readonly handlers: { [E in LifecycleEvent]: Array<LifecycleHandler<E>> } = {
    "domain.confirmed": [],
    "domain.released": [],
    "domain.moved": [],
    "account.recovered": [],
    "deputy.removed": [],
  };

  register(handlers: LifecycleHandlers): void {
    for (const event of Object.keys(handlers) as LifecycleEvent[]) {
      const handler = handlers[event];
      if (handler) (this.handlers[event] as Array<typeof handler>).push(handler);
    }
  }

  /** Runs every handler of `event` in `tx`, one after another; their counts are summed by name. */
  async emit<E extends LifecycleEvent>(
    tx: Executor,
    ctx: RequestContext,
    event: E,
    payload: LifecycleEvents[E],
  ): Promise<HookOutcome> {
    const outcome: HookOutcome = {};
    for (const handler of this.handlers[event] as Array<LifecycleHandler<E>>) {
      for (const [name, count] of Object.entries((await handler(tx, ctx, payload)) ?? {}))
        outcome[name] = (outcome[name] ?? 0) + count;
    }
    return outcome;
  }
}

const hooksByDeps = new WeakMap<Deps, LifecycleHooks>();

/** Remembers the hooks `createServices` built for `deps`, for code that runs from `deps` alone. */
export function attachLifecycle(deps: Deps, hooks: LifecycleHooks): void {
  hooksByDeps.set(deps, hooks);
}

/**
 * The hooks of the services built from `deps`. Background jobs get only `deps` (src/jobs/worker.ts),
 * yet a domain confirmed by the worker must emit `domain.confirmed` like one confirmed by "check now".
 */
export function lifecycleOf(deps: Deps): LifecycleHooks {
  const hooks = hooksByDeps.get(deps);
  if (!hooks) throw new Error("no services were built from these deps (createServices, src/modules.ts)");
  return hooks;
}
