import { existsSync } from "node:fs";
import { type Config, loadConfig } from "../config.js";
import { sealPlaintextSecrets } from "../credentials/totp-sealing.js";
import { type Database, databaseOptions, openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import type { Deps } from "../deps.js";
import { systemClock } from "../lib/clock.js";
import { secretKeyFor, secureDataDir } from "../lib/secret-box.js";
import { Outbox } from "../notify/outbox.js";

/** Opens the configured database (migrating it) and builds the deps every command needs. */
export async function openRuntime(
  overrides: Record<string, string> = {},
): Promise<{ deps: Deps; config: Config; database: Database }> {
  const config = loadConfig({ ...process.env, ...overrides });
  // The data directory is mfd's own: readable by its user only, whatever an older mfd left.
  if (existsSync(config.dataDir) || config.databaseUrl.startsWith("sqlite:")) secureDataDir(config.dataDir);
  // Read (or created) before anything else, so a missing or wrong key stops the start, not a sign-in.
  secretKeyFor(config);
  const database = openDatabase(config.databaseUrl, databaseOptions(config));
  if (database.dialect === "postgres") {
    // Migrations may rightly run long (an index on a big table): on PostgreSQL they get a
    // connection of their own without the statement timeout that protects requests.
    const migrating = openDatabase(config.databaseUrl, { poolSize: 1 });
    try {
      await migrate(migrating);
    } finally {
      await migrating.destroy();
    }
  } else {
    await migrate(database);
  }
  const deps: Deps = { config, database, clock: systemClock, outbox: new Outbox() };
  await sealPlaintextSecrets(deps);
  return { deps, config, database };
}
