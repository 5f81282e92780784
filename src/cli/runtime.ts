import { type Config, loadConfig } from "../config.js";
import { type Database, openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import type { Deps } from "../deps.js";
import { systemClock } from "../lib/clock.js";
import { Outbox } from "../notify/outbox.js";

/** Opens the configured database (migrating it) and builds the deps every command needs. */
export async function openRuntime(
  overrides: Record<string, string> = {},
): Promise<{ deps: Deps; config: Config; database: Database }> {
  const config = loadConfig({ ...process.env, ...overrides });
  const database = openDatabase(config.databaseUrl);
  await migrate(database);
  return { deps: { config, database, clock: systemClock, outbox: new Outbox() }, config, database };
}
