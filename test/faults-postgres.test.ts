import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomSecret } from "../src/lib/random.js";
import { GOOD_PASSWORD } from "./helpers/app.js";
import { TEST_DATABASE_URL, testDialect } from "./helpers/database.js";
import { call, type MfdProcess, startMfdProcess, waitFor } from "./helpers/mfd-fault-process.js";
import { startTcpProxy, type TcpProxy } from "./helpers/tcp-proxy.js";

/**
 * A real `mfd serve` on PostgreSQL whose database misbehaves: connections killed, refused,
 * stalled, statements stuck behind a lock. The process gets a database and a role of its own on
 * the shared server, reached through a proxy in this process, so every fault is aimed at it alone.
 */
describe.runIf(testDialect === "postgres")("mfd serve when PostgreSQL misbehaves", () => {
  const name = `mfd_fault_${randomSecret(8)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "x")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  let proxy: TcpProxy;
  let mfd: MfdProcess;
  let cookie = "";
  let registered = 0;

  /** mfd's own sessions on the server: its database and role only, never another test's. */
  const mfdSessions = async () =>
    (
      await admin.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where datname = $1 and usename = $1",
        [name],
      )
    ).rows[0]?.n ?? 0;
  const terminateMfdSessions = async () => {
    await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and usename = $1",
      [name],
    );
    await waitFor("mfd's sessions to end", async () => (await mfdSessions()) === 0);
  };
  const register = () =>
    call(mfd.url, "POST", "/api/v1/accounts", {
      body: {
        login: `fault${++registered}x${randomSecret(4)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, "")}`,
        password: GOOD_PASSWORD,
        firstName: "F",
        lastName: "T",
      },
    });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`create role ${name} login`);
    await admin.query(`create database ${name} owner ${name}`);
    const server = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    mfd = await startMfdProcess({
      MFD_DATABASE_URL: `postgres://${name}@127.0.0.1:${proxy.port}/${name}`,
      MFD_DB_CONNECT_TIMEOUT_MS: "2000",
      MFD_DB_STATEMENT_TIMEOUT_MS: "1500",
      MFD_REQUEST_TIMEOUT_MS: "20000",
    });
    const first = await register();
    expect(first.status).toBe(201);
    cookie = first.cookie ?? "";
  });

  afterAll(async () => {
    await mfd?.stop();
    await proxy?.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`drop role if exists ${name}`);
    await admin.end();
  });

  it("survives its idle connections being terminated, and the next request succeeds", async () => {
    await waitFor("idle connections in mfd's pool", async () => (await mfdSessions()) > 0);
    await terminateMfdSessions();
    expect((await call(mfd.url, "GET", "/api/v1/account", { cookie })).status).toBe(200);
    expect((await register()).status).toBe(201);
    expect(mfd.alive(), mfd.output()).toBe(true);
    expect(mfd.output()).not.toContain("Unhandled");
  });

  it("survives a network reset of its connections", async () => {
    expect((await call(mfd.url, "GET", "/readyz")).status).toBe(200);
    proxy.cut();
    expect((await call(mfd.url, "GET", "/api/v1/account", { cookie })).status).toBe(200);
    expect((await register()).status).toBe(201);
    expect(mfd.alive(), mfd.output()).toBe(true);
  });

  it("answers 503 with Retry-After while the database refuses it, reports not ready steadily, and is ready at once when it returns", async () => {
    await admin.query(`alter role ${name} connection limit 0`);
    try {
      await terminateMfdSessions();
      const refused = await register();
      expect(refused.status).toBe(503);
      expect(refused.headers.get("content-type")).toContain("application/problem+json");
      expect(refused.body.code).toBe("DATABASE_UNAVAILABLE");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      const read = await call(mfd.url, "GET", "/api/v1/account", { cookie });
      expect([read.status, read.body.code]).toEqual([503, "DATABASE_UNAVAILABLE"]);
      for (let i = 0; i < 5; i++) expect((await call(mfd.url, "GET", "/readyz")).status).toBe(503);
      expect((await call(mfd.url, "GET", "/healthz")).status).toBe(200);
    } finally {
      await admin.query(`alter role ${name} connection limit -1`);
    }
    expect((await call(mfd.url, "GET", "/readyz")).status).toBe(200);
    expect((await register()).status).toBe(201);
    expect(mfd.alive(), mfd.output()).toBe(true);
  });

  it("cancels a statement stuck behind a lock at the statement timeout: 503 DATABASE_BUSY, and writes go through once the lock is gone", async () => {
    const holder = new pg.Client({ connectionString: TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${name}`) });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("lock table accounts in access exclusive mode");
      const stuck = await register();
      expect(stuck.status).toBe(503);
      expect(stuck.body.code).toBe("DATABASE_BUSY");
      expect(Number(stuck.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await call(mfd.url, "GET", "/healthz")).status).toBe(200);
      await holder.query("commit");
      expect((await register()).status).toBe(201);
    } finally {
      await holder.end();
    }
  });

  it("answers 503 instead of hanging while the database stalls, says not ready, and is ready at once when it answers again", async () => {
    expect((await call(mfd.url, "GET", "/readyz")).status).toBe(200);
    proxy.pause();
    try {
      expect((await call(mfd.url, "GET", "/readyz")).status).toBe(503);
      const read = await call(mfd.url, "GET", "/api/v1/account", { cookie });
      expect(read.status).toBe(503);
      expect(read.body.code).toBe("DATABASE_UNAVAILABLE");
      expect(Number(read.headers.get("retry-after"))).toBeGreaterThan(0);
      for (let i = 0; i < 3; i++) expect((await call(mfd.url, "GET", "/readyz")).status).toBe(503);
    } finally {
      proxy.resume();
    }
    expect((await call(mfd.url, "GET", "/readyz")).status).toBe(200);
    expect((await call(mfd.url, "GET", "/api/v1/account", { cookie })).status).toBe(200);
    expect(mfd.alive(), mfd.output()).toBe(true);
  });
});
