import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomSecret } from "../src/lib/random.js";
import { GOOD_PASSWORD } from "./helpers/app.js";
import { testDialect } from "./helpers/database.js";
import { call, type MfdProcess, startMfdProcess } from "./helpers/mfd-fault-process.js";

/**
 * A real `mfd serve` on a SQLite file while another process (here: a second connection in the
 * test) holds the file's write lock, as `mfd mailboxes import`, a backup or a second mfd would.
 */
describe.runIf(testDialect === "sqlite")("mfd serve when another process holds SQLite's write lock", () => {
  let mfd: MfdProcess;
  let holder: SQLite.Database;
  let cookie = "";
  const newLogin = () =>
    `locked${randomSecret(6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "")}`;
  const register = (login: string) =>
    call(mfd.url, "POST", "/api/v1/accounts", {
      body: { login, password: GOOD_PASSWORD, firstName: "L", lastName: "W" },
    });

  beforeAll(async () => {
    mfd = await startMfdProcess({ MFD_DB_LOCK_WAIT_MS: "3000" });
    const first = await register(newLogin());
    expect(first.status).toBe(201);
    cookie = first.cookie ?? "";
    holder = new SQLite(join(mfd.dataDir, "mfd.sqlite"));
  });

  afterAll(async () => {
    if (holder?.inTransaction) holder.exec("rollback");
    holder?.close();
    await mfd?.stop();
  });

  it("keeps health and reads answering while a write waits, and answers that write 503 DATABASE_BUSY with Retry-After when the lock outlasts the wait", async () => {
    const login = newLogin();
    holder.exec("begin immediate");
    let settled = false;
    const write = register(login).finally(() => {
      settled = true;
    });
    // Meanwhile health and a signed-in read answer at once, again and again, until the write gives up.
    let slowest = 0;
    let answered = 0;
    while (!settled) {
      const started = Date.now();
      const [health, account] = await Promise.all([
        call(mfd.url, "GET", "/healthz"),
        call(mfd.url, "GET", "/api/v1/account", { cookie }),
      ]);
      slowest = Math.max(slowest, Date.now() - started);
      expect(health.status).toBe(200);
      expect(account.status).toBe(200);
      answered++;
    }
    const refused = await write;
    holder.exec("rollback");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(refused.body.code).toBe("DATABASE_BUSY");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // A frozen process would answer nothing until the write gave up (SQLite's busy_timeout).
    expect(answered).toBeGreaterThan(1);
    expect(slowest).toBeLessThan(2500);
    // The refused write left nothing behind, and the same login can register now.
    expect((await register(login)).status).toBe(201);
  });

  it("lets a write through once the lock is released within the wait", async () => {
    const login = newLogin();
    holder.exec("begin immediate");
    const write = register(login);
    expect((await call(mfd.url, "GET", "/healthz")).status).toBe(200);
    holder.exec("commit");
    expect((await write).status).toBe(201);
    expect(holder.prepare("select count(*) as n from accounts where login = ?").get(login)).toEqual({ n: 1 });
    expect(mfd.alive()).toBe(true);
  });
});
