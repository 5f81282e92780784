import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { CONSOLE_TYPES, generateConsoleTypes, generateOpenApi } from "../scripts/openapi.js";
import { createTestApp } from "./helpers/app.js";

it("docs/openapi.json is current (run `npm run openapi` after changing an endpoint)", async () => {
  const committed = readFileSync(new URL("../docs/openapi.json", import.meta.url), "utf8");
  expect(await generateOpenApi()).toBe(committed);
});

it("the console's generated types are current (run `npm run openapi`)", async () => {
  const document = readFileSync(new URL("../docs/openapi.json", import.meta.url), "utf8");
  expect(await generateConsoleTypes(document)).toBe(readFileSync(CONSOLE_TYPES, "utf8"));
});

it("serves the OpenAPI 3.1 document and a docs page", async () => {
  const t = await createTestApp();
  const doc = await t.app.inject({ url: "/api/v1/openapi.json" });
  expect(doc.statusCode).toBe(200);
  expect(doc.json().openapi).toBe("3.1.0");
  expect(Object.keys(doc.json().paths)).toContain("/api/v1/session");
  const page = await t.app.inject({ url: "/api/docs/" });
  expect(page.statusCode).toBe(200);
  expect(page.headers["content-type"]).toContain("text/html");
});
