import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../lib/errors.js";
import { problemOf, sendProblem } from "./problem.js";

/** Longer URLs are no request of ours (the longest is a few hundred characters). */
export const MAX_URL_LENGTH = 8192;

/** What the router itself refuses before any route runs (Fastify's `frameworkErrors`). */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(
    reply,
    error.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? new AppError("URI_TOO_LONG", "A part of the URL is too long.")
      : new AppError("MALFORMED_URL"),
  );
}

/**
 * Requests Node's HTTP parser refuses (headers or request line over its limit, broken HTTP) get a
 * problem document on the raw socket, like every other error.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const appError =
    error.code === "HPE_HEADER_OVERFLOW"
      ? new AppError("HEADERS_TOO_LARGE")
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? new AppError("CLIENT_TIMEOUT")
        : new AppError("MALFORMED_REQUEST");
  const body = JSON.stringify(problemOf(appError));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status]}\r\nConnection: close\r\n` +
        `Content-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The methods registered for a path (for 405 and its Allow header); empty when no route matches it. */
export function allowedMethods(
  routes: ReadonlyArray<{ method: string; url: string }>,
  path: string,
): string[] {
  const methods = new Set<string>();
  for (const route of routes) if (patternOf(route.url).test(path)) methods.add(route.method);
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

const patterns = new Map<string, RegExp>();
function patternOf(url: string): RegExp {
  let pattern = patterns.get(url);
  if (!pattern) {
    const source = url
      .split("/")
      .map((part) =>
        part === "*" ? ".*" : part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/");
    pattern = new RegExp(`^${source}/?$`);
    patterns.set(url, pattern);
  }
  return pattern;
}
