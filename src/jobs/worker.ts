import type { Deps } from "../deps.js";

/**
 * A periodic background job. `run` does one bounded batch and says how much it did; it stops
 * early (between items) once `signal` is aborted, when the process shuts down.
 */
export interface Job {
  name: string;
  everyMs: number;
  run(deps: Deps, signal?: AbortSignal): Promise<number>;
}

/**
 * Runs jobs on their intervals in the serving process. Several processes may run workers against
 * one PostgreSQL: each job must claim its rows safely (conditional updates), never assume it is alone.
 * Tests do not start the loop: they call `runJob` with a manual clock.
 */
export class Worker {
  private timers: NodeJS.Timeout[] = [];
  private running = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly deps: Deps,
    readonly jobs: readonly Job[],
    private readonly log: (message: string, error?: unknown) => void = () => {},
  ) {}

  start(): void {
    for (const job of this.jobs) {
      const tick = () => {
        if (this.running.has(job.name) || this.stopping.signal.aborted) return;
        const run = job
          .run(this.deps, this.stopping.signal)
          .then(
            () => {},
            (error) => this.log(`job ${job.name} failed`, error),
          )
          .finally(() => this.running.delete(job.name));
        this.running.set(job.name, run);
      };
      this.timers.push(setInterval(tick, job.everyMs));
      tick();
    }
  }

  /**
   * Starts no more runs, asks the running ones to stop after their current item, and waits for
   * them at most `timeoutMs`. Returns the names of the jobs still running then: their claimed
   * rows are retried by whichever worker runs next, once their leases run out.
   */
  async stop(timeoutMs = Number.POSITIVE_INFINITY): Promise<string[]> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.stopping.abort();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(resolve, Math.max(0, timeoutMs));
    });
    await Promise.race([Promise.all(this.running.values()), deadline]);
    clearTimeout(timer);
    return [...this.running.keys()];
  }
}

export async function runJob(deps: Deps, jobs: readonly Job[], name: string): Promise<number> {
  const job = jobs.find((j) => j.name === name);
  if (!job) throw new Error(`no job ${name}`);
  return job.run(deps);
}
