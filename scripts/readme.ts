// Writes README's configuration table from src/config.ts (CONFIG_VARIABLES). test/readme.test.ts
// fails when it is stale: run `npm run readme` after adding or changing a variable.
import { readFileSync, writeFileSync } from "node:fs";
import { configurationTable } from "../src/config.js";

export const TABLE_START = "<!-- configuration table: written by `npm run readme` from src/config.ts -->";
export const TABLE_END = "<!-- end of configuration table -->";

/** The README with its configuration table replaced by the current one. */
export function withCurrentTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start) throw new Error("README.md lacks the configuration table's markers");
  return `${readme.slice(0, start + TABLE_START.length)}\n${configurationTable()}\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL("../README.md", import.meta.url);
  writeFileSync(path, withCurrentTable(readFileSync(path, "utf8")));
  console.log("README.md's configuration table written");
}
