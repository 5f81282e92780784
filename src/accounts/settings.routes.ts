import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import { errors, NoContent } from "../http/schemas.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import {
  ChangePasswordBody,
  ConfirmBody,
  EndedSessions,
  PendingContact,
  PhoneBody,
  Profile,
  ProfileBody,
  RecoveryCodes,
  RecoveryEmailBody,
  SecurityQuestionBody,
  SessionIdParams,
  SessionView,
  TwoFactorCodeBody,
  TwoFactorDisableBody,
  TwoFactorSetup,
} from "./accounts.schemas.js";
import type { AccountsFace } from "./face.js";
import { clearSessionCookie } from "./session-cookie.js";

const tags = ["account settings"];

/** The browser session behind a request; `account:*` routes are never reached by tokens. */
const sessionOf = (request: FastifyRequest) => {
  if (!request.session) throw new AppError("UNAUTHENTICATED");
  return request.session;
};

/**
 * The signed-in account's own settings: sessions, password, names, security question, contacts
 * and two-factor. Changes to credentials and contacts need a re-authentication within 10 minutes
 * (`reauth: true`; a password change proves the current password instead).
 */
export async function settingsRoutes(app: App, { settings, sessions }: AccountsFace): Promise<void> {
  app.get(
    "/api/v1/account/sessions",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "The account's live sessions, newest first",
        response: { 200: Type.Array(SessionView), ...errors(401) },
      },
    },
    async (request) => {
      const session = sessionOf(request);
      return sessions.list(request.ctx, session.accountId, session.id);
    },
  );

  app.delete(
    "/api/v1/account/sessions/:id",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "End one of the account's sessions (ending the current one signs out)",
        params: SessionIdParams,
        response: { 204: NoContent, ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const session = sessionOf(request);
      await sessions.end(request.ctx, session.accountId, request.params.id, "ended");
      if (request.params.id === session.id) clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/api/v1/account/sessions/end-others",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "End every session except this one",
        response: { 200: EndedSessions, ...errors(401) },
      },
    },
    async (request) => {
      const session = sessionOf(request);
      return { ended: await sessions.endOthers(request.ctx, session.accountId, session.id) };
    },
  );

  app.put(
    "/api/v1/account/password",
    {
      config: { access: { permission: "account:credentials" } },
      schema: {
        tags,
        summary: "Change the password (needs the current one); ends every other session",
        body: ChangePasswordBody,
        response: { 204: NoContent, ...errors(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      await settings.changePassword(request.ctx, request.body);
      return reply.status(204).send(null);
    },
  );

  app.patch(
    "/api/v1/account/profile",
    {
      config: { access: { permission: "account:self" } },
      schema: {
        tags,
        summary: "Change first or last name",
        body: ProfileBody,
        response: { 200: Profile, ...errors(400, 401) },
      },
    },
    async (request) => settings.updateProfile(request.ctx, request.body),
  );

  app.put(
    "/api/v1/account/security-question",
    {
      config: { access: { permission: "account:credentials", reauth: true } },
      schema: {
        tags,
        summary: "Set the security question and its answer",
        body: SecurityQuestionBody,
        response: { 200: Profile, ...errors(400, 401, 403) },
      },
    },
    async (request) => settings.setSecurityQuestion(request.ctx, request.body),
  );

  for (const contact of [
    { kind: "phone", path: "phone", body: PhoneBody, name: "phone number" },
    { kind: "email", path: "recovery-email", body: RecoveryEmailBody, name: "recovery e-mail" },
  ] as const) {
    app.post(
      `/api/v1/account/${contact.path}`,
      {
        config: { access: { permission: "account:credentials", reauth: true } },
        schema: {
          tags,
          summary: `Send a confirmation code to a new ${contact.name}; nothing changes until it is confirmed`,
          body: contact.body,
          response: { 202: PendingContact, ...errors(400, 401, 403, 429) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const value = "phone" in body ? body.phone : body.email;
        return reply.status(202).send(await settings.startContactChange(request.ctx, contact.kind, value));
      },
    );

    app.post(
      `/api/v1/account/${contact.path}/confirm`,
      {
        config: { access: { permission: "account:credentials" } },
        schema: {
          tags,
          summary: `Confirm the pending ${contact.name} with the code sent to it`,
          body: ConfirmBody,
          response: { 200: Profile, ...errors(400, 401, 409) },
        },
      },
      async (request) => settings.confirmContact(request.ctx, contact.kind, request.body.code),
    );

    app.delete(
      `/api/v1/account/${contact.path}`,
      {
        config: { access: { permission: "account:credentials", reauth: true } },
        schema: {
          tags,
          summary: `Remove the ${contact.name}`,
          response: { 204: NoContent, ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        await settings.removeContact(request.ctx, contact.kind);
        return reply.status(204).send(null);
      },
    );
  }

  app.post(
    "/api/v1/account/two-factor/setup",
    {
      config: { access: { permission: "account:credentials", reauth: true } },
      schema: {
        tags,
        summary: "Start two-factor setup: a new secret to scan into an authenticator app",
        response: { 200: TwoFactorSetup, ...errors(401, 403, 409) },
      },
    },
    async (request) => settings.setupTwoFactor(request.ctx),
  );

  app.post(
    "/api/v1/account/two-factor/enable",
    {
      config: { access: { permission: "account:credentials" } },
      schema: {
        tags,
        summary: "Turn two-factor on with a code from the new secret",
        description:
          "Answers the account's ten recovery codes, shown this once: each signs in once without the " +
          "authenticator app (`recoveryCode` at sign-in, re-authentication and restore access).",
        body: TwoFactorCodeBody,
        response: { 200: RecoveryCodes, ...errors(400, 401, 409, 429) },
      },
    },
    async (request) => ({ recoveryCodes: await settings.enableTwoFactor(request.ctx, request.body.code) }),
  );

  app.post(
    "/api/v1/account/two-factor/recovery-codes",
    {
      config: { access: { permission: "account:credentials", reauth: true } },
      schema: {
        tags,
        summary: "Make new two-factor recovery codes; the earlier ones stop working",
        description: "Answers ten new codes, shown this once. The account's contacts are told.",
        response: { 200: RecoveryCodes, ...errors(401, 403, 409) },
      },
    },
    async (request) => ({ recoveryCodes: await settings.regenerateRecoveryCodes(request.ctx) }),
  );

  app.post(
    "/api/v1/account/two-factor/disable",
    {
      config: { access: { permission: "account:credentials", reauth: true } },
      schema: {
        tags,
        summary: "Turn two-factor off (support agents cannot)",
        description:
          "Needs the current password besides the code (`code`, or a `recoveryCode` when the authenticator is lost): without two-factor a password needs at least 10 " +
          "characters, so a shorter one answers 409 PASSWORD_TOO_SHORT_WITHOUT_TWO_FACTOR until it is changed. " +
          "A wrong password answers 403 PASSWORD_WRONG and counts as a failed sign-in.",
        body: TwoFactorDisableBody,
        response: { 204: NoContent, ...errors(400, 401, 403, 409, 429) },
      },
    },
    async (request, reply) => {
      await settings.disableTwoFactor(request.ctx, request.body);
      return reply.status(204).send(null);
    },
  );
}
