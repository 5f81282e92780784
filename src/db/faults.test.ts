import { describe, expect, it } from "vitest";
import { ConnectFailed, databaseFault } from "./faults.js";

const withCode = (code: string, message = "failed") => Object.assign(new Error(message), { code });

describe("databaseFault", () => {
  it.each([
    // PostgreSQL SQLSTATE
    ["53100", "STORAGE_FULL", 507], // disk_full
    ["53200", "DATABASE_UNAVAILABLE", 503], // out_of_memory
    ["53300", "DATABASE_UNAVAILABLE", 503], // too_many_connections
    ["57P01", "DATABASE_UNAVAILABLE", 503], // terminated by an administrator, server stopping
    ["57P03", "DATABASE_UNAVAILABLE", 503], // server starting up
    ["08006", "DATABASE_UNAVAILABLE", 503], // connection failure
    ["57014", "DATABASE_BUSY", 503], // statement timeout
    ["55P03", "DATABASE_BUSY", 503], // lock timeout
    // SQLite
    ["SQLITE_FULL", "STORAGE_FULL", 507],
    ["SQLITE_BUSY", "DATABASE_BUSY", 503],
    ["SQLITE_BUSY_SNAPSHOT", "DATABASE_BUSY", 503],
    ["SQLITE_IOERR_WRITE", "DATABASE_UNAVAILABLE", 503],
    // the network
    ["ECONNREFUSED", "DATABASE_UNAVAILABLE", 503],
    ["ECONNRESET", "DATABASE_UNAVAILABLE", 503],
  ])("maps %s to %s (%i) with Retry-After", (code, expected, status) => {
    const fault = databaseFault(withCode(code));
    expect(fault?.code).toBe(expected);
    expect(fault?.status).toBe(status);
    expect(fault?.extra.retryAfter).toBeGreaterThan(0);
  });

  it.each([
    "Connection terminated unexpectedly",
    "timeout exceeded when trying to connect",
    "Query read timeout",
    "Client has encountered a connection error and is not queryable",
  ])("maps node-postgres's %j to DATABASE_UNAVAILABLE", (message) => {
    expect(databaseFault(new Error(message))?.code).toBe("DATABASE_UNAVAILABLE");
  });

  it("takes any failure to open a connection for an unavailable database", async () => {
    const notAccepting = withCode("55000", 'database "mfd" is not currently accepting connections');
    expect(databaseFault(new ConnectFailed(notAccepting))?.code).toBe("DATABASE_UNAVAILABLE");
    expect(databaseFault(new ConnectFailed(withCode("28P01", "password authentication failed")))?.code).toBe(
      "DATABASE_UNAVAILABLE",
    );
  });

  it("leaves bugs and rule violations alone: they stay internal errors", () => {
    expect(databaseFault(withCode("23505", "duplicate key value"))).toBe(null);
    expect(databaseFault(withCode("42P01", "relation does not exist"))).toBe(null);
    expect(databaseFault(withCode("SQLITE_CONSTRAINT_UNIQUE"))).toBe(null);
    expect(databaseFault(new TypeError("undefined is not a function"))).toBe(null);
    expect(databaseFault("text")).toBe(null);
    expect(databaseFault(null)).toBe(null);
  });
});
