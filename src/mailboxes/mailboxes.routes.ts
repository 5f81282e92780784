import { errors, NoContent } from "../http/schemas.js";
import type { App } from "../http/types.js";
import {
  AliasBody,
  AliasParams,
  BATCH_BODY_LIMIT,
  BatchBody,
  BatchResult,
  CreateMailboxBody,
  CsvImportBody,
  CsvImportResult,
  DeleteAllBody,
  Deleted,
  DeleteManyBody,
  DomainParams,
  IMPORT_BODY_LIMIT,
  ListQuery,
  Mailbox,
  MailboxPage,
  MailboxParams,
  SetEnabledBody,
  SetEnabledResult,
  UpdateMailboxBody,
} from "./mailboxes.schemas.js";
import type { MailboxesService } from "./mailboxes.service.js";

const tags = ["mailboxes"];
const BASE = "/api/v1/domains/:domain/mailboxes";

/**
 * Mailboxes of a confirmed domain: owner and deputies, or tokens with
 * mailboxes:read / mailboxes:write. Thin: schema → service → answer; the service decides who may
 * act on which domain.
 */
export async function mailboxesRoutes(app: App, mailboxes: MailboxesService): Promise<void> {
  const read = { access: { permission: "mailboxes:read" as const } };
  const write = { access: { permission: "mailboxes:write" as const } };

  app.get(
    BASE,
    {
      config: read,
      schema: {
        tags,
        summary: "The domain's mailboxes by login, 50 a page; `q` searches login and names",
        params: DomainParams,
        querystring: ListQuery,
        response: { 200: MailboxPage, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => mailboxes.list(request.ctx, request.params.domain, request.query),
  );

  app.post(
    BASE,
    {
      config: write,
      schema: {
        tags,
        summary: "Create a mailbox (postmaster, admin and the other reserved names: the owner only)",
        params: DomainParams,
        body: CreateMailboxBody,
        response: { 201: Mailbox, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await mailboxes.create(request.ctx, request.params.domain, request.body)),
  );

  app.post(
    `${BASE}/batch`,
    {
      config: write,
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        tags,
        summary:
          "Create up to 1000 mailboxes; existing ones are skipped, never changed, so a batch can be sent again",
        params: DomainParams,
        body: BatchBody,
        response: { 200: BatchResult, ...errors(400, 401, 403, 404, 413) },
      },
    },
    async (request) =>
      mailboxes.createMany(request.ctx, request.params.domain, request.body.mailboxes, { via: "batch" }),
  );

  app.post(
    `${BASE}/delete-all`,
    {
      config: { access: { permission: "mailboxes:write", reauth: true } },
      schema: {
        tags,
        summary: "Delete every mailbox of the domain and its mail (re-authenticated; type the domain name)",
        params: DomainParams,
        body: DeleteAllBody,
        response: { 200: Deleted, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => mailboxes.removeAll(request.ctx, request.params.domain, request.body.confirm),
  );

  app.post(
    `${BASE}/import`,
    {
      config: write,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        summary:
          "Import a CSV file's mailboxes (as `mfd mailboxes import` does), or only check it (`dryRun`): a row per line with what happens to it",
        params: DomainParams,
        body: CsvImportBody,
        response: { 200: CsvImportResult, ...errors(400, 401, 403, 404, 413) },
      },
    },
    async (request) =>
      mailboxes.importCsv(request.ctx, request.params.domain, request.body.csv, {
        dryRun: request.body.dryRun ?? false,
      }),
  );

  app.post(
    `${BASE}/set-enabled`,
    {
      config: write,
      schema: {
        tags,
        summary:
          "Block (enabled: false) or unblock several mailboxes: all of them or, if one is missing, none",
        params: DomainParams,
        body: SetEnabledBody,
        response: { 200: SetEnabledResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      mailboxes.setEnabled(request.ctx, request.params.domain, request.body.logins, request.body.enabled),
  );

  app.post(
    `${BASE}/delete-many`,
    {
      // As the single delete: irreversible, so a session must have re-authenticated lately.
      config: { access: { permission: "mailboxes:write", reauth: true } },
      schema: {
        tags,
        summary:
          "Delete several mailboxes and their mail, irreversibly: all of them or, if one is missing, none (sessions: re-authenticated)",
        params: DomainParams,
        body: DeleteManyBody,
        response: { 200: Deleted, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => mailboxes.removeMany(request.ctx, request.params.domain, request.body.logins),
  );

  app.get(
    `${BASE}/:login`,
    {
      config: read,
      schema: {
        tags,
        summary: "One mailbox",
        params: MailboxParams,
        response: { 200: Mailbox, ...errors(401, 403, 404) },
      },
    },
    async (request) => mailboxes.get(request.ctx, request.params.domain, request.params.login),
  );

  app.patch(
    `${BASE}/:login`,
    {
      config: write,
      schema: {
        tags,
        summary: "Change names, password, quota, or block (enabled: false) and unblock",
        params: MailboxParams,
        body: UpdateMailboxBody,
        response: { 200: Mailbox, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) =>
      mailboxes.update(request.ctx, request.params.domain, request.params.login, request.body),
  );

  app.delete(
    `${BASE}/:login`,
    {
      // Irreversible, so a browser session must have entered its password in the last 10 minutes
      // (the console asks again). API tokens pass (authorizeRoute): one with mailboxes:write was
      // issued by a re-authenticated account for exactly this and cannot re-authenticate anyway
      // (scripts, the PDD API's email/del).
      config: { access: { permission: "mailboxes:write", reauth: true } },
      schema: {
        tags,
        summary: "Delete a mailbox and its mail, irreversibly (sessions: re-authenticated)",
        params: MailboxParams,
        response: { 204: NoContent, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await mailboxes.remove(request.ctx, request.params.domain, request.params.login);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${BASE}/:login/aliases`,
    {
      config: write,
      schema: {
        tags,
        summary: "Add an alias: another address of the domain delivering to this mailbox",
        params: MailboxParams,
        body: AliasBody,
        response: { 200: Mailbox, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      mailboxes.addAlias(request.ctx, request.params.domain, request.params.login, request.body.alias),
  );

  app.delete(
    `${BASE}/:login/aliases/:alias`,
    {
      config: write,
      schema: {
        tags,
        summary: "Remove an alias",
        params: AliasParams,
        response: { 200: Mailbox, ...errors(401, 403, 404) },
      },
    },
    async (request) =>
      mailboxes.removeAlias(request.ctx, request.params.domain, request.params.login, request.params.alias),
  );
}
