import type { FastifyReply } from "fastify";
import type { Config } from "../config.js";
import { SESSION_COOKIE } from "./types.js";

/** security.md 13: HttpOnly, SameSite=Lax, Secure except in plain local development. */
export function setSessionCookie(reply: FastifyReply, config: Config, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: !config.dev || config.publicUrl.startsWith("https://"),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/" });
}
