import type { FastifyReply } from "fastify";
import type { Config } from "../config.js";
import { DEVICE_COOKIE, SESSION_COOKIE, SESSION_HINT_COOKIE } from "../http/types.js";
import { DEVICE_LIFETIME_MS } from "./sign-in-throttle.js";

/** docs/SECURITY.md §13: HttpOnly, SameSite=Lax, Secure except in plain local development. */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: !config.dev || config.publicUrl.startsWith("https://"),
  });
  // Readable by the console: it asks for the session only when there is one (no 401 for visitors).
  reply.setCookie(SESSION_HINT_COOKIE, "1", {
    path: "/",
    sameSite: "lax",
    secure: !config.dev || config.publicUrl.startsWith("https://"),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/" });
  reply.clearCookie(SESSION_HINT_COOKIE, { path: "/" });
}

/**
 * The browser's device cookie, set at a successful sign-in: it lets this browser sign in while
 * its account is throttled by others' failures. Sent only to the API; same flags as the session.
 */
export function setDeviceCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(DEVICE_COOKIE, token, {
    path: "/api/v1",
    httpOnly: true,
    sameSite: "lax",
    secure: !config.dev || config.publicUrl.startsWith("https://"),
    maxAge: Math.floor(DEVICE_LIFETIME_MS / 1000),
  });
}
