import { expect, it } from "vitest";
import { createTestApp } from "./helpers/app.js";

/**
 * Every route declares who may call it (the app refuses to start otherwise). This walks them all:
 * the public ones are exactly the reviewed list below, and every other one refuses a visitor.
 * A new public route must be added here on purpose.
 */
const PUBLIC = new Set([
  "GET /healthz",
  "GET /readyz",
  "GET /metrics",
  "GET /api/v1/openapi.json",
  "GET /api/v1/security-questions",
  "POST /api/v1/accounts",
  "POST /api/v1/session",
  "POST /api/v1/recovery/code",
  "POST /api/v1/recovery/question",
  "POST /api/v1/recovery/verify",
  "POST /api/v1/recovery/reset",
  // The support form and the requester's page: anyone; the page checks the session or the link's key.
  "POST /api/v1/support/tickets",
  "POST /api/v1/support/tickets/:id/access",
  "GET /api/v1/support/tickets/:id",
  "POST /api/v1/support/tickets/:id/messages",
  // The current owner's one-click cancel of a hand-over from a notice: the link's secret is the authority.
  "POST /api/v1/transfers/cancel",
  "GET /dev/outbox",
  "GET /dev/outbox.json",
]);

const t = await createTestApp();

it("public routes are exactly the reviewed list", () => {
  const declared = t.routes
    .filter(
      (r) =>
        "public" in (r.access as object) && !r.url.startsWith("/api/docs") && !r.url.startsWith("/assets/"),
    )
    .map((r) => `${r.method} ${r.url}`);
  for (const route of declared)
    expect(PUBLIC, `${route} is public but not in the reviewed list`).toContain(route);
});

it("every other route refuses a visitor with 401 UNAUTHENTICATED", async () => {
  const guarded = t.routes.filter((r) => !("public" in (r.access as object)));
  expect(guarded.length).toBeGreaterThan(0);
  for (const route of guarded) {
    const response = await t.app.inject({
      method: route.method as "GET",
      url: route.url.replace(/:[a-zA-Z]+/g, "example.org"),
      ...(route.method === "GET" ? {} : { payload: {} }),
    });
    expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
    expect(response.json().code, `${route.method} ${route.url}`).toBe("UNAUTHENTICATED");
  }
});
