import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { systemClock } from "../src/lib/clock.js";
import { Outbox } from "../src/notify/outbox.js";
import { GOOD_PASSWORD } from "./helpers/app.js";
import { createTestDatabase, testDialect } from "./helpers/database.js";
import { call } from "./helpers/mfd-fault-process.js";
import { freePort, SERVICE_DOMAIN } from "./helpers/server.js";

/**
 * The database runs out of space under a real server on a real socket. SQLite's max_page_count
 * caps the file where it stands, so the next page it needs fails with a real SQLITE_FULL, as on a
 * full disk. (PostgreSQL's disk_full is mapped the same way; src/db/faults.test.ts.)
 */
describe.runIf(testDialect === "sqlite")("a full database", () => {
  const logs: string[] = [];
  let url = "";
  let close = async () => {};
  let db: Awaited<ReturnType<typeof createTestDatabase>>["db"];

  beforeAll(async () => {
    const database = await createTestDatabase();
    db = database.db;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      MFD_SERVICE_DOMAIN: SERVICE_DOMAIN,
      MFD_PUBLIC_URL: url,
      MFD_DEV: "1",
      MFD_TRUSTED_PROXY: "127.0.0.1",
    });
    const { app } = await buildApp(
      { config, database, clock: systemClock, outbox: new Outbox() },
      { logger: { level: "error", stream: { write: (line: string) => logs.push(line) } } },
    );
    await app.listen({ port, host: "127.0.0.1" });
    close = async () => {
      await app.close();
      await database.destroy();
    };
  });
  afterAll(() => close());

  let n = 0;
  const register = () => {
    n++;
    return call(url, "POST", "/api/v1/accounts", {
      body: { login: `full${n}`, password: GOOD_PASSWORD, firstName: "F", lastName: "D" },
      headers: { "x-forwarded-for": `198.51.100.${n}` },
    });
  };
  const capAt = async (pages: number) => {
    await sql.raw(`pragma max_page_count = ${pages}`).execute(db);
  };

  it("answers writes 507 STORAGE_FULL with Retry-After, logs the real error, keeps reading, and writes again once there is room", async () => {
    const first = await register();
    expect(first.status).toBe(201);
    const { rows } = await sql<{ pageCount: number }>`pragma page_count`.execute(db);
    const pages = Number(rows[0]?.pageCount);
    expect(pages).toBeGreaterThan(0);
    await capAt(pages);

    let full = first;
    for (let i = 0; i < 100 && full.status === 201; i++) full = await register();
    expect(full.status).toBe(507);
    expect(full.headers.get("content-type")).toContain("application/problem+json");
    expect(full.body.code).toBe("STORAGE_FULL");
    expect(Number(full.headers.get("retry-after"))).toBeGreaterThan(0);
    const logged = logs.join("\n");
    expect(logged).toContain("database or disk is full");
    expect(logged).not.toContain("cannot rollback");

    // Reading goes on: health, readiness and a signed-in read.
    expect((await call(url, "GET", "/healthz")).status).toBe(200);
    expect((await call(url, "GET", "/readyz")).status).toBe(200);
    expect((await call(url, "GET", "/api/v1/account", { cookie: first.cookie ?? "" })).status).toBe(200);
    // The refused registration left nothing half-written.
    const refusedLogin = `full${n}`;
    expect(
      await db.selectFrom("accounts").select("id").where("login", "=", refusedLogin).executeTakeFirst(),
    ).toBe(undefined);

    await capAt(pages + 1000);
    expect((await register()).status).toBe(201);
  });
});
