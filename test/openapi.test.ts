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

it("describes every parameter of every endpoint", () => {
  const document = JSON.parse(readFileSync(new URL("../docs/openapi.json", import.meta.url), "utf8")) as {
    paths: Record<
      string,
      Record<string, { parameters?: Array<{ in: string; name: string; description?: string }> }>
    >;
  };
  const undescribed: string[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const parameter of operation.parameters ?? []) {
        if (!parameter.description?.trim())
          undescribed.push(`${method.toUpperCase()} ${path} ${parameter.in} ${parameter.name}`);
      }
    }
  }
  expect(undescribed).toEqual([]);
});

it("walks through both ways of authenticating, with examples", () => {
  const document = JSON.parse(readFileSync(new URL("../docs/openapi.json", import.meta.url), "utf8"));
  const description: string = document.info.description;
  expect(description).toContain("Authorization: Bearer mfd_");
  expect(description).toContain("X-CSRF-Token");
  expect(description).toContain("POST /api/v1/session");
  expect(description).toContain("REAUTH_REQUIRED");
  expect(description.match(/```sh/g)?.length).toBeGreaterThanOrEqual(2);
});

it("serves the docs page at /docs too, branded as mfd, with a way back to the console", async () => {
  const t = await createTestApp();
  const short = await t.app.inject({ url: "/docs" });
  expect(short.statusCode).toBe(302);
  expect(short.headers.location).toBe("/api/docs/");
  const page = await t.app.inject({ url: "/api/docs/" });
  expect(page.body).toContain("<title>API documentation — mfd</title>");
  const script = await t.app.inject({ url: "/api/docs/static/theme/mfd.js" });
  expect(script.statusCode).toBe(200);
  expect(script.body).toContain("Back to the console");
  const mark = await t.app.inject({ url: "/api/docs/static/theme/mfd.svg" });
  expect(mark.statusCode).toBe(200);
  expect(mark.headers["content-type"]).toBe("image/svg+xml");
});
