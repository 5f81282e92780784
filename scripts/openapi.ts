// Writes docs/openapi.json from the routes' own schemas, and the console's types generated from it
// (web/src/api/openapi.d.ts). A test fails when either is stale: run `npm run openapi` after
// changing an endpoint.
import { writeFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { ManualClock } from "../src/lib/clock.js";
import { Outbox } from "../src/notify/outbox.js";

export const CONSOLE_TYPES = new URL("../web/src/api/openapi.d.ts", import.meta.url);

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

/** The console's types of every path and named shape of `document` (openapi-typescript). */
export async function generateConsoleTypes(document: string): Promise<string> {
  const ast = await openapiTS(JSON.parse(document));
  return `// Generated from docs/openapi.json by \`npm run openapi\`: do not edit.\n\n${astToString(ast)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const document = await generateOpenApi();
  writeFileSync(new URL("../docs/openapi.json", import.meta.url), document);
  writeFileSync(CONSOLE_TYPES, await generateConsoleTypes(document));
  console.log("docs/openapi.json and web/src/api/openapi.d.ts written");
}
