import type { BuiltApp } from "../app.js";
import type { Database } from "../db/database.js";
import type { Worker } from "../jobs/worker.js";
import type { RoleHandle } from "../module.js";

/** True when `work` settles within `ms`; false when the time runs out first (the work goes on). */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = work.then(
    () => true,
    () => true,
  );
  const settled = await Promise.race([done, timeout]);
  clearTimeout(timer);
  return settled;
}

/**
 * Stops a serving process in the order a balancer and the users in flight need: first refuse new
 * connections and report not ready, then let the requests in flight finish, then stop the worker
 * (its current message finishes or is left to its lease), then close the database — all within
 * `timeoutMs` (MFD_SHUTDOWN_TIMEOUT), whatever a relay or a client does. Says what it does on
 * stdout, whatever the log level.
 */
export async function shutDown(options: {
  built: BuiltApp;
  worker: Worker;
  /** Roles started besides the web server and the worker, stopped after them. */
  roles?: readonly RoleHandle[];
  database: Database;
  timeoutMs: number;
  say?: (line: string) => void;
}): Promise<void> {
  const { built, worker, database, timeoutMs } = options;
  const say = options.say ?? ((line: string) => console.log(line));
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(0, deadline - Date.now());

  built.lifecycle.draining = true;
  // Fastify's close refuses new connections at once (it closes the listener before anything
  // else), answers 503 to a new request on a kept-alive connection, and waits for the requests in
  // flight.
  const closing = built.app.close();
  while (built.app.server.listening && left() > 0) await new Promise((resolve) => setImmediate(resolve));
  say(`mfd: shutting down (waiting up to ${Math.round(timeoutMs / 1000)} s for requests in flight)`);

  if (!(await within(closing, left()))) {
    say("mfd: requests still in flight at the shutdown deadline: closing their connections");
    built.app.server.closeAllConnections();
  }
  const unfinished = await worker.stop(left());
  for (const role of options.roles ?? []) unfinished.push(...(await role.stop(left())));
  if (unfinished.length > 0)
    say(
      `mfd: left running at the shutdown deadline: ${unfinished.join(", ")} (their messages are retried when their leases run out)`,
    );
  await within(database.destroy(), Math.max(left(), 1_000));
  say("mfd: stopped");
}
