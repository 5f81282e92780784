#!/usr/bin/env node
// The installed CLI runs the compiled code (`npm run build`, part of `npm start`). In a checkout
// that has not been built yet it runs the TypeScript sources through tsx, so `npx mfd` works
// right after `npm install`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

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
