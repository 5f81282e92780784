#!/usr/bin/env node
// The installed CLI runs the compiled code; `npm run build` (part of `npm start`) produces it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = fileURLToPath(new URL("../dist/main.js", import.meta.url));
if (!existsSync(compiled)) {
  console.error("mfd is not built yet: run `npm run build` (or `npm start`) first.");
  process.exit(1);
}
await import(compiled);
