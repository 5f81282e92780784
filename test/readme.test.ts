import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { VARIABLES } from "../src/config.js";

it("the README's configuration table lists every variable the code reads", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  for (const variable of VARIABLES)
    expect(readme, variable.name).toMatch(new RegExp(`\\|\\s*\`${variable.name}\`\\s*\\|`));
});
