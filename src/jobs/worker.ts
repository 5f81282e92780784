import type { Deps } from "../deps.js";

/** A periodic background job. `run` does one bounded batch and says how much it did. */
export interface Job {
  name: string;
  everyMs: number;
  run(deps: Deps): Promise<number>;
}

/**
 * Runs jobs on their intervals in the serving process. Several processes may run workers against
 * one PostgreSQL: each job must claim its rows safely (conditional updates), never assume it is alone.
 * Tests do not start the loop: they call `runJob` with a manual clock.
 */
export class Worker {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<string>();

  constructor(
    private readonly deps: Deps,
    readonly jobs: Job[],
    private readonly log: (message: string, error?: unknown) => void = () => {},
  ) {}

  start(): void {
    for (const job of this.jobs) {
      const tick = async () => {
        if (this.running.has(job.name)) return;
        this.running.add(job.name);
        try {
          await job.run(this.deps);
        } catch (error) {
          this.log(`job ${job.name} failed`, error);
        } finally {
          this.running.delete(job.name);
        }
      };
      this.timers.push(setInterval(tick, job.everyMs));
      void tick();
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    while (this.running.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function runJob(deps: Deps, jobs: Job[], name: string): Promise<number> {
  const job = jobs.find((j) => j.name === name);
  if (!job) throw new Error(`no job ${name}`);
  return job.run(deps);
}
