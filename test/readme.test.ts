import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { withCurrentTable } from "../scripts/readme.js";
import { VARIABLES } from "../src/config.js";

const readme = () => readFileSync(new URL("../README.md", import.meta.url), "utf8");

it("the README's configuration table lists every variable the code reads", () => {
  for (const variable of VARIABLES)
    expect(readme(), variable.name).toMatch(new RegExp(`\\|\\s*\`${variable.name}\`\\s*\\|`));
});

it("the README's configuration table is the one src/config.ts prints (run `npm run readme` after a change)", () => {
  expect(readme()).toBe(withCurrentTable(readme()));
});
