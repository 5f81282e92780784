#!/usr/bin/env node
// The installed CLI runs the compiled code (`npm run build`, part of `npm start`). In a checkout
// that has not been built yet it runs the TypeScript sources through tsx, so `npx mfd` works
// right after `npm install`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";

// V8's allocation-site pretenuring can decide, under load, to allocate a hot site's objects
// straight into the old generation. Dead pretenured objects then keep the young objects they point
// to alive through every scavenge until the next full collection, and the process stays in that
// state: a quarter of everything a request allocates is copied and promoted (≈ 3 MB per scavenge,
// 10–20 ms pauses, ≈ 20 µs of GC per request; 13 of 34 starts measured). Without pretenuring none
// of 18 starts did (docs/operations.md, "Memory and garbage collection"). Set before any of mfd is
// loaded, so no allocation site is tracked yet.
setFlagsFromString("--no-allocation-site-pretenuring");

const compiled = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const source = fileURLToPath(new URL("../src/main.ts", import.meta.url));
if (existsSync(compiled)) {
  await import(compiled);
} else if (existsSync(source)) {
  try {
    const { register } = await import("tsx/esm/api");
    register();
  } catch {
    console.error("mfd is not built yet: run `npm run build` (or `npm start`) first.");
    process.exit(1);
  }
  await import(source);
} else {
  console.error("mfd is not built yet: run `npm run build` (or `npm start`) first.");
  process.exit(1);
}
