import { Type } from "@sinclair/typebox";
import { accountIdOf } from "../access/actor.js";
import type { Config } from "../config.js";
import { SECURITY_QUESTIONS } from "../credentials/security-questions.js";
import { errors } from "../http/schemas.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import {
  Profile,
  ReauthenticateBody,
  RegisterBody,
  SecurityQuestion,
  SessionInfo,
  SignedInInfo,
  SignInBody,
} from "./accounts.schemas.js";
import type { AccountsFace } from "./face.js";
import { clearSessionCookie, setDeviceCookie, setSessionCookie } from "./session-cookie.js";

const tags = ["accounts"];

/** Registration, sign-in and the signed-in account's profile. */
export async function accountsRoutes(
  app: App,
  { accounts, sessions }: AccountsFace,
  config: Config,
): Promise<void> {
  app.get(
    "/api/v1/security-questions",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "The security questions an account can choose from",
        response: { 200: Type.Array(SecurityQuestion) },
      },
    },
    async () => Object.entries(SECURITY_QUESTIONS).map(([id, text]) => ({ id, text })),
  );

  app.post(
    "/api/v1/accounts",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "Register a service account and sign in",
        body: RegisterBody,
        response: { 201: SessionInfo, ...errors(400, 409, 429) },
      },
    },
    async (request, reply) => {
      const signedIn = await accounts.register(request.ctx, request.body);
      setSessionCookie(reply, config, signedIn.sessionToken);
      if (signedIn.deviceToken) setDeviceCookie(reply, config, signedIn.deviceToken);
      return reply.status(201).send({
        accountId: signedIn.accountId,
        csrfToken: signedIn.csrfToken,
        reauthenticatedAt: new Date(request.ctx.now).toISOString(),
      });
    },
  );

  app.post(
    "/api/v1/session",
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "Sign in with login or login@<service domain>",
        description:
          "Sets the session cookie and a long-lived device cookie. After 10 consecutive failures a login " +
          "(known or not) answers 429 SIGN_IN_THROTTLED with retryAfter, without checking the password, " +
          "except from a browser that signed in to the account before (it sends its device cookie); " +
          "such a browser's failures count on itself. `failedSignIns` tells how many sign-ins failed or " +
          "were refused since the previous successful one.",
        body: SignInBody,
        response: { 200: SignedInInfo, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const signedIn = await accounts.signIn(request.ctx, request.body);
      setSessionCookie(reply, config, signedIn.sessionToken);
      if (signedIn.deviceToken) setDeviceCookie(reply, config, signedIn.deviceToken);
      return {
        accountId: signedIn.accountId,
        csrfToken: signedIn.csrfToken,
        reauthenticatedAt: new Date(request.ctx.now).toISOString(),
        failedSignIns: signedIn.failedSignIns,
      };
    },
  );

  app.get(
    "/api/v1/session",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "The current browser session and its anti-CSRF token",
        response: { 200: SessionInfo, ...errors(401) },
      },
    },
    async (request) => {
      const session = request.session;
      if (!session) throw new AppError("UNAUTHENTICATED");
      return {
        accountId: session.accountId,
        csrfToken: session.csrfToken,
        reauthenticatedAt: new Date(session.reauthAt).toISOString(),
      };
    },
  );

  app.post(
    "/api/v1/session/reauthenticate",
    {
      config: { access: { permission: "account:credentials" } },
      schema: {
        tags,
        summary: "Confirm the password (and two-factor code) before a sensitive change",
        description:
          "Opens the 10-minute window for changes that answer 403 REAUTH_REQUIRED, and replaces the " +
          "session cookie (same session, new secret). A wrong password counts as a failed sign-in.",
        body: ReauthenticateBody,
        response: { 200: SessionInfo, ...errors(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const session = request.session;
      if (!session) throw new AppError("UNAUTHENTICATED");
      const token = await accounts.reauthenticate(request.ctx, request.body);
      setSessionCookie(reply, config, token);
      return {
        accountId: session.accountId,
        csrfToken: session.csrfToken,
        reauthenticatedAt: new Date(request.ctx.now).toISOString(),
      };
    },
  );

  app.delete(
    "/api/v1/session",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "Sign out (the session cannot be replayed)",
        response: { 204: Type.Null(), ...errors(401) },
      },
    },
    async (request, reply) => {
      const session = request.session;
      if (!session) throw new AppError("UNAUTHENTICATED");
      await sessions.end(request.ctx, session.accountId, session.id, "sign-out");
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/api/v1/account",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "The signed-in account's profile and what it still lacks",
        response: { 200: Profile, ...errors(401) },
      },
    },
    async (request) => accounts.profile(request.ctx, accountIdOf(request.ctx.actor) as string),
  );
}
