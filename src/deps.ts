import type { Config } from "./config.js";
import type { Database } from "./db/database.js";
import type { Clock } from "./lib/clock.js";
import type { Outbox } from "./notify/outbox.js";

/** What every service is built from. Tests build it with a ManualClock and a fresh database. */
export interface Deps {
  config: Config;
  database: Database;
  clock: Clock;
  outbox: Outbox;
}
