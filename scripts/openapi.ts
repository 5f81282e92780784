// Writes docs/openapi.json from the routes' own schemas. A test fails when the file is stale:
// run `npm run openapi` after changing an endpoint.
import { writeFileSync } from "node:fs";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { ManualClock } from "../src/lib/clock.js";
import { Outbox } from "../src/notify/outbox.js";

export async function generateOpenApi(): Promise<string> {
  const config = loadConfig({
    MFD_SERVICE_DOMAIN: "mfd.example",
    MFD_PUBLIC_URL: "https://mfd.example",
    MFD_DEV: "0",
  });
  const database = openDatabase("sqlite::memory:");
  const { app } = await buildApp({ config, database, clock: new ManualClock(), outbox: new Outbox() });
  await app.ready();
  const document = `${JSON.stringify(app.swagger(), null, 2)}\n`;
  await app.close();
  await database.destroy();
  return document;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL("../docs/openapi.json", import.meta.url), await generateOpenApi());
  console.log("docs/openapi.json written");
}
