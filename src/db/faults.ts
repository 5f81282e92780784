import { AppError } from "../lib/errors.js";

/** Seconds a client is asked to wait (Retry-After) before trying again. */
const RETRY_AFTER = { busy: 1, unavailable: 5, full: 60 } as const;

/** Network failures of the socket to the database server (Node's error codes). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** What node-postgres says when the connection is lost or cannot be made in time (it sets no code). */
const PG_CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|is not queryable|Client was closed/i;

/** Opening a connection failed, whatever the server said (refused, not accepting, auth, timeout). */
export class ConnectFailed extends Error {
  constructor(readonly reason: unknown) {
    super(`cannot connect to the database: ${reason instanceof Error ? reason.message : String(reason)}`, {
      cause: reason,
    });
    this.name = "ConnectFailed";
  }
}

/**
 * A database failure that is the service's trouble rather than a bug: the server is away, slow,
 * locked by another writer or out of space. Such a failure answers 503 (or 507) with Retry-After,
 * and the request changed nothing (its transaction did not commit). Anything else stays an
 * internal error. Works on errors from better-sqlite3, node-postgres and the network.
 */
export function databaseFault(error: unknown): AppError | null {
  if (!error || typeof error !== "object") return null;
  if (error instanceof ConnectFailed)
    return databaseFault(error.reason)?.code === "STORAGE_FULL" ? full() : unavailable();
  const { code, message } = error as { code?: unknown; message?: unknown };
  const detail = typeof message === "string" ? message : undefined;
  if (typeof code === "string") {
    // SQLite (better-sqlite3): extended codes such as SQLITE_BUSY_SNAPSHOT or SQLITE_IOERR_WRITE.
    if (code === "SQLITE_FULL") return full();
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return busy();
    if (code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CANTOPEN")) return unavailable();
    // PostgreSQL SQLSTATE.
    if (code === "53100") return full(); // disk_full
    if (code === "57014" || code === "55P03") return busy(); // statement or lock timeout
    if (
      code.startsWith("08") || // connection_exception
      code === "53200" || // out_of_memory
      code === "53300" || // too_many_connections
      code === "57P01" || // admin_shutdown (terminated, server stopping)
      code === "57P02" || // crash_shutdown
      code === "57P03" || // cannot_connect_now (starting up, recovering)
      code === "3D000" // the database does not exist (dropped, not yet restored)
    )
      return unavailable();
    if (NETWORK_CODES.has(code)) return unavailable();
  }
  if (detail && PG_CONNECTION_MESSAGES.test(detail)) return unavailable();
  return null;
}

const unavailable = () =>
  new AppError("DATABASE_UNAVAILABLE", undefined, { retryAfter: RETRY_AFTER.unavailable });
const busy = () => new AppError("DATABASE_BUSY", undefined, { retryAfter: RETRY_AFTER.busy });
const full = () => new AppError("STORAGE_FULL", undefined, { retryAfter: RETRY_AFTER.full });

/** The same answer for a request that ran past its deadline (the database being the usual cause). */
export const requestTimedOut = () =>
  new AppError("REQUEST_TIMEOUT", undefined, { retryAfter: RETRY_AFTER.unavailable });
