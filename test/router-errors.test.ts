import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createTestApp } from "./helpers/app.js";

/**
 * What the router answers before any route runs — malformed, overlong or unknown URLs, wrong
 * methods, oversized bodies — is a problem document with a stable code, like every other error.
 */
const t = await createTestApp();

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json: () => { code: string } },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers["content-type"])).toContain("application/problem+json");
  expect(response.json().code).toBe(code);
}

describe("router-level errors", () => {
  it("a URL with broken percent-encoding is 400 MALFORMED_URL", async () => {
    expectProblem(await t.app.inject({ url: "/api/v1/domains/%E0%A4%A" }), 400, "MALFORMED_URL");
    expectProblem(await t.app.inject({ url: "/api/v1/domains/%" }), 400, "MALFORMED_URL");
  });

  it("an overlong path segment or URL is 414 URI_TOO_LONG", async () => {
    expectProblem(await t.app.inject({ url: `/api/v1/domains/${"a".repeat(300)}` }), 414, "URI_TOO_LONG");
    expectProblem(await t.app.inject({ url: `/api/v1/domains?q=${"a".repeat(9000)}` }), 414, "URI_TOO_LONG");
  });

  it("an unknown route is 404 ROUTE_NOT_FOUND", async () => {
    expectProblem(await t.app.inject({ url: "/api/v1/nothing-here" }), 404, "ROUTE_NOT_FOUND");
  });

  it("a known path with a method it does not take is 405 METHOD_NOT_ALLOWED with Allow", async () => {
    const put = await t.app.inject({ method: "PUT", url: "/api/v1/domains" });
    expectProblem(put, 405, "METHOD_NOT_ALLOWED");
    expect(String(put.headers.allow).split(/,\s*/).sort()).toEqual(["GET", "HEAD", "POST"]);
    expectProblem(await t.app.inject({ method: "DELETE", url: "/healthz" }), 405, "METHOD_NOT_ALLOWED");
    expectProblem(
      await t.app.inject({ method: "PATCH", url: "/api/v1/domains/example.org/mailboxes" }),
      405,
      "METHOD_NOT_ALLOWED",
    );
  });

  it("an oversized body is 413 BODY_TOO_LARGE, on a route or not", async () => {
    for (const url of ["/api/v1/session", "/api/v1/nothing-here"]) {
      const response = await t.app.inject({
        method: "POST",
        url,
        payload: JSON.stringify({ x: "y".repeat(100_000) }),
        headers: { "content-type": "application/json" },
      });
      expectProblem(response, 413, "BODY_TOO_LARGE");
    }
  });

  it("on a real socket, a request line or headers past Node's limit are 431 problem documents", async () => {
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    afterAll(() => t.app.close());
    const { port } = t.app.server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/domains?q=${"a".repeat(20_000)}`);
    expect(response.status).toBe(431);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(((await response.json()) as { code: string }).code).toBe("HEADERS_TOO_LARGE");
  });
});

describe("the API documentation page", () => {
  it("may not be framed by another site", async () => {
    for (const url of ["/api/docs", "/api/docs/"]) {
      const response = await t.app.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(response.headers["content-security-policy"]).not.toContain("frame-ancestors 'self'");
    }
  });
});

describe("/metrics", () => {
  it("is open in development mode", async () => {
    expect((await t.app.inject({ url: "/metrics" })).statusCode).toBe(200);
  });

  it("is not served in production without MFD_METRICS_TOKEN", async () => {
    const production = await createTestApp({ MFD_DEV: "0" });
    expectProblem(await production.app.inject({ url: "/metrics" }), 404, "ROUTE_NOT_FOUND");
  });

  it("needs the bearer secret when MFD_METRICS_TOKEN is set", async () => {
    const secret = "metrics-secret-of-at-least-some-length";
    const production = await createTestApp({ MFD_DEV: "0", MFD_METRICS_TOKEN: secret });
    expectProblem(await production.app.inject({ url: "/metrics" }), 401, "UNAUTHENTICATED");
    expectProblem(
      await production.app.inject({ url: "/metrics", headers: { authorization: "Bearer wrong" } }),
      401,
      "UNAUTHENTICATED",
    );
    const allowed = await production.app.inject({
      url: "/metrics",
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain("mfd_http_requests_total");
  });
});
