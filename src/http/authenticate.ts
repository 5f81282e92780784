import type { FastifyReply, FastifyRequest } from "fastify";
import { authorizeRoute } from "../access/access.js";
import type { Actor, RequestContext } from "../access/actor.js";
import type { Config } from "../config.js";
import { clientLimitKey } from "../lib/client-address.js";
import type { Clock } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { publicAddress } from "./public-address.js";
import { MAX_URL_LENGTH } from "./router-errors.js";
import { CSRF_HEADER, DEVICE_COOKIE, type RequestSession, SESSION_COOKIE } from "./types.js";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Who a request's credentials belong to: app.ts wires these to the accounts and tokens modules. */
export interface Resolvers {
  /** The session of a session cookie; null when unknown or expired. */
  resolveSession(cookie: string, now: number): Promise<RequestSession | null>;
  /** The actor of an `Authorization: Bearer` token; null when unknown, revoked or expired. */
  resolveBearer(token: string, now: number, ip: string | null): Promise<Actor | null>;
  /** API token secrets written into a text (a URL). */
  tokenSecretsIn(text: string): string[];
  /** Revokes a token whose secret appeared in a URL. */
  revokeExposed(ctx: RequestContext, secret: string): Promise<void>;
}

/**
 * Runs first on every request: who is calling (cookie session or bearer token), may they call
 * this route, and does a state-changing browser request really come from our console.
 */
export function authenticationHook(config: Config, clock: Clock, resolvers: Resolvers) {
  // The public URL's origin; in development on loopback also its other loopback spellings.
  const { origins } = publicAddress(config);
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const now = clock.now();
    let actor: Actor = { kind: "visitor" };
    request.session = null;
    const where = {
      ip: request.ip ?? null,
      limitKey: clientLimitKey(request.ip, config.ipv6Prefix),
      userAgent: typeof request.headers["user-agent"] === "string" ? request.headers["user-agent"] : null,
      now,
      device: request.cookies[DEVICE_COOKIE] ?? null,
    };

    // A token in a URL has leaked (logs, history, Referer): it stops working and the request is refused.
    const exposed = resolvers.tokenSecretsIn(request.url);
    if (exposed.length > 0) {
      request.ctx = { actor, ...where };
      for (const secret of exposed) await resolvers.revokeExposed(request.ctx, secret);
      throw new AppError("TOKEN_IN_URL");
    }
    if (request.url.length > MAX_URL_LENGTH) throw new AppError("URI_TOO_LONG");

    // A route that checks the Authorization header itself (the metrics secret) is no API token's.
    const authorization = request.routeOptions.config.ownAuthorization
      ? undefined
      : request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const tokenActor = match ? await resolvers.resolveBearer(match[1] as string, now, request.ip) : null;
      if (!tokenActor)
        throw new AppError("UNAUTHENTICATED", "The API token is missing, unknown, expired or revoked.");
      actor = tokenActor;
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) {
        const session = await resolvers.resolveSession(cookie, now);
        if (session) {
          request.session = session;
          actor = {
            kind: "account",
            accountId: session.accountId,
            sessionId: session.id,
            reauthAt: session.reauthAt,
            isSupportAgent: session.isSupportAgent,
            twoFactor: session.twoFactor,
          };
        } else {
          reply.clearCookie(SESSION_COOKIE, { path: "/" });
        }
      }
    }

    request.ctx = { actor, ...where };

    // Cross-site checks apply to every unsafe browser request, signed in or not (login CSRF too).
    if (UNSAFE.has(request.method) && authorization === undefined) {
      const origin = request.headers.origin;
      if (origin !== undefined && !origins.has(origin))
        throw new AppError("CSRF_REJECTED", "The request came from another site.");
      if (request.headers["sec-fetch-site"] === "cross-site")
        throw new AppError("CSRF_REJECTED", "The request came from another site.");
      if (request.session && request.headers[CSRF_HEADER] !== request.session.csrfToken) {
        throw new AppError("CSRF_REJECTED", "The anti-CSRF token is missing or wrong; reload the console.");
      }
    }

    const access = request.routeOptions.config.access;
    if (access) authorizeRoute(actor, access, now);
  };
}
