import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { RouteAccess } from "../access/access.js";
import type { RequestContext } from "../access/actor.js";

/** The browser session behind a request, as the accounts module resolves it from the cookie. */
export interface RequestSession {
  id: string;
  accountId: string;
  reauthAt: number;
  csrfToken: string;
  isSupportAgent: boolean;
  /** The session passed a two-factor code (the agent desk requires it). */
  twoFactor: boolean;
}

/** The Fastify instance with TypeBox types: route files take this. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module "fastify" {
  interface FastifyRequest {
    ctx: RequestContext;
    session: RequestSession | null;
    /** The timer of the request's deadline until it is answered (src/http/request-deadline.ts). */
    deadline: NodeJS.Timeout | null;
  }
  interface FastifyContextConfig {
    /** Every route says who may call it; registration without it fails at start (see app.ts). */
    access?: RouteAccess;
    /** The route checks `Authorization` itself (not an API token): authentication leaves it alone. */
    ownAuthorization?: boolean;
  }
}

export const SESSION_COOKIE = "mfd_session";
/**
 * Set beside the session cookie and readable by the console's script (the session cookie is
 * HttpOnly): "1" while the browser has a session. Without it the console knows a visitor without
 * asking the server (and seeing a 401). It carries no secret; the session cookie alone signs in.
 */
export const SESSION_HINT_COOKIE = "mfd_signed_in";
/** The long-lived cookie of a browser that signed in before (see src/accounts/sign-in-throttle.ts). */
export const DEVICE_COOKIE = "mfd_device";
export const CSRF_HEADER = "x-csrf-token";
