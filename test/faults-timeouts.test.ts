import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOD_PASSWORD } from "./helpers/app.js";
import { testDialect } from "./helpers/database.js";
import { call } from "./helpers/mfd-fault-process.js";
import { startTestServer, type TestServer } from "./helpers/server.js";

/**
 * A request that waits on the database past MFD_REQUEST_TIMEOUT_MS answers 503 REQUEST_TIMEOUT
 * with Retry-After instead of hanging: here a transaction of the test holds what the request
 * needs (PostgreSQL: a table lock; SQLite: the one connection).
 */
describe("the request deadline", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ MFD_REQUEST_TIMEOUT_MS: "3000" });
  });
  afterAll(() => server.close());

  it("answers 503 REQUEST_TIMEOUT with Retry-After when the database keeps a request waiting, and serves it again afterwards", async () => {
    const registered = await call(server.url, "POST", "/api/v1/accounts", {
      body: { login: "deadline", password: GOOD_PASSWORD, firstName: "D", lastName: "L" },
    });
    expect(registered.status).toBe(201);
    const cookie = registered.cookie ?? "";

    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = () => {};
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const transaction = server.db.transaction().execute(async (tx) => {
      if (testDialect === "postgres") await sql`lock table accounts in access exclusive mode`.execute(tx);
      else await sql`select 1`.execute(tx);
      holding();
      await released;
    });
    await held;
    try {
      const waited = await call(server.url, "GET", "/api/v1/account", { cookie });
      expect(waited.status).toBe(503);
      expect(waited.headers.get("content-type")).toContain("application/problem+json");
      expect(waited.body.code).toBe("REQUEST_TIMEOUT");
      expect(Number(waited.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      release();
      await transaction;
    }
    expect((await call(server.url, "GET", "/api/v1/account", { cookie })).status).toBe(200);
  });
});
