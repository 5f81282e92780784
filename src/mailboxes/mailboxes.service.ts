import type { Static } from "@sinclair/typebox";
import type { RequestContext } from "../access/actor.js";
import { authorizeDomain, type DomainGrant } from "../access/domain-access.js";
import { recordEvent } from "../audit/audit.service.js";
import { checkMailboxPassword, hashMailboxPassword } from "../credentials/mailbox-passwords.js";
import type { Executor } from "../db/database.js";
import type { Deps } from "../deps.js";
import { AppError, FieldChecks } from "../lib/errors.js";
import { newId } from "../lib/random.js";
import {
  type BatchOptions,
  type BatchResult,
  type BatchRow,
  createMailboxes,
  deleteAllMailboxes,
  deleteMailboxes,
  setMailboxesEnabled,
} from "./batch.js";
import { loginOrNull, nameKeys, RESERVED_LOGINS } from "./logins.js";
import type * as schemas from "./mailboxes.schemas.js";
import {
  aliasesOf,
  domainName,
  findMailbox,
  getMailbox,
  type ListQuery,
  listMailboxes,
  type MailboxPage,
  type MailboxView,
  view,
} from "./queries.js";
import {
  assertAddressFree,
  cleanNames,
  limitError,
  newAddress,
  ownerContactError,
  ownerOnly,
  roomLeft,
  writeAccess,
  writeMailboxes,
} from "./rules.js";
import { type CsvImportView, importCsvText } from "./upload.js";

export type CreateMailboxInput = Static<typeof schemas.CreateMailboxBody>;

export type UpdateMailboxInput = Static<typeof schemas.UpdateMailboxBody>;

/** Aliases one mailbox may have: enough for every real use, a bound on what a leaked token can add. */
export const ALIAS_LIMIT = 100;

/**
 * Mailboxes and aliases of a confirmed domain, for its owner and deputies and for
 * tokens with mailboxes:read / mailboxes:write. Every operation starts with `authorizeDomain`, so
 * a stranger gets NOT_FOUND and nothing else; every change runs in one transaction with its audit
 * event (domain set, target = the mailbox address) after taking the domain's write lock, so the
 * per-domain limit and the shared address space of mailboxes and aliases hold under concurrency.
 * Passwords are hashed before the transaction (argon2 takes tens of milliseconds, the lock must
 * not), which is why the checks that can be made early are made twice. Reads are in queries.ts,
 * many mailboxes at once in batch.ts, the rules all changes apply in rules.ts.
 */
export class MailboxesService {
  constructor(private readonly deps: Deps) {}

  private get db() {
    return this.deps.database.db;
  }

  /** Throws what any operation of this kind would (NOT_FOUND, FORBIDDEN); for the CLI's early check. */
  async checkAccess(
    ctx: RequestContext,
    rawDomain: string,
    action: "mailboxes:read" | "mailboxes:write",
  ): Promise<void> {
    await authorizeDomain(this.db, ctx.actor, domainName(rawDomain), action);
  }

  async create(ctx: RequestContext, rawDomain: string, input: CreateMailboxInput): Promise<MailboxView> {
    const domain = domainName(rawDomain);
    const check = async (db: Executor, grant: DomainGrant) => {
      const login = newAddress(grant, input.login, "login", await ownerOnly(db, grant));
      await assertAddressFree(db, grant, login);
      await this.assertRoom(db, grant, 1);
      return { grant, login };
    };
    // Every field first, so the form learns of all its mistakes at once; then the checks again
    // in the writing transaction.
    const grant = await authorizeDomain(this.db, ctx.actor, domain, "mailboxes:write");
    const fields = new FieldChecks();
    const reserved = await ownerOnly(this.db, grant);
    const login = fields.check("login", () => newAddress(grant, input.login, "login", reserved));
    if (login !== undefined) await fields.checkAsync("login", () => assertAddressFree(this.db, grant, login));
    fields.check("password", () =>
      checkMailboxPassword(input.password, login ?? input.login, grant.name, this.deps.config.serviceDomain),
    );
    const names = {
      ...fields.check("firstName", () => cleanNames({ firstName: input.firstName })),
      ...fields.check("lastName", () => cleanNames({ lastName: input.lastName })),
    };
    fields.done();
    await this.assertRoom(this.db, grant, 1);
    const passwordHash = await hashMailboxPassword(input.password);

    return writeMailboxes(this.deps, async (tx, locks) => {
      const { grant, login } = await check(tx, await writeAccess(tx, locks, ctx, domain));
      const row = {
        id: newId(),
        domainId: grant.domainId,
        login,
        passwordHash,
        firstName: names.firstName ?? "",
        lastName: names.lastName ?? "",
        ...nameKeys(names.firstName ?? "", names.lastName ?? ""),
        enabled: input.enabled === false ? 0 : 1,
        quotaMb: input.quotaMb ?? 0,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      };
      await tx.insertInto("mailboxes").values(row).execute();
      await recordEvent(tx, ctx, {
        action: "mailbox.create",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${login}@${grant.name}`,
        details: { enabled: row.enabled === 1, quotaMb: row.quotaMb },
      });
      return view(grant.name, row, []);
    });
  }

  async list(ctx: RequestContext, rawDomain: string, query: ListQuery): Promise<MailboxPage> {
    return listMailboxes(this.db, ctx, rawDomain, query);
  }

  async get(ctx: RequestContext, rawDomain: string, rawLogin: string): Promise<MailboxView> {
    return getMailbox(this.db, ctx, rawDomain, rawLogin);
  }

  async update(
    ctx: RequestContext,
    rawDomain: string,
    rawLogin: string,
    input: UpdateMailboxInput,
  ): Promise<MailboxView> {
    const domain = domainName(rawDomain);
    const check = async (db: Executor, grant: DomainGrant) => {
      const row = await findMailbox(db, grant, rawLogin);
      // Setting the password of postmaster@ or admin@, or of the owner's own address, is taking
      // them over: the owner's alone, as creating them is.
      if (input.password !== undefined && grant.role !== "owner") {
        if (RESERVED_LOGINS.has(row.login))
          throw new AppError(
            "LOGIN_RESERVED",
            `Only the domain's owner may set the password of ${row.login}@${grant.name}.`,
            { field: "password" },
          );
        if ((await ownerOnly(db, grant)).has(row.login))
          throw ownerContactError(grant, row.login, "password");
      }
      return { grant, row };
    };
    const { grant, row } = await check(
      this.db,
      await authorizeDomain(this.db, ctx.actor, domain, "mailboxes:write"),
    );
    const changed = (Object.keys(input) as Array<keyof UpdateMailboxInput>)
      .filter((k) => input[k] !== undefined)
      .sort();
    if (changed.length === 0) throw new AppError("VALIDATION_FAILED", "Give at least one field to change.");
    const fields = new FieldChecks();
    if (input.password !== undefined) {
      const password = input.password;
      fields.check("password", () =>
        checkMailboxPassword(password, row.login, grant.name, this.deps.config.serviceDomain),
      );
    }
    const names = {
      ...fields.check("firstName", () => cleanNames({ firstName: input.firstName })),
      ...fields.check("lastName", () => cleanNames({ lastName: input.lastName })),
    };
    fields.done();
    const passwordHash = input.password === undefined ? undefined : await hashMailboxPassword(input.password);

    return writeMailboxes(this.deps, async (tx, locks) => {
      const { grant, row } = await check(tx, await writeAccess(tx, locks, ctx, domain));
      const firstName = names.firstName ?? row.firstName;
      const lastName = names.lastName ?? row.lastName;
      const set = {
        firstName,
        lastName,
        ...nameKeys(firstName, lastName),
        ...(passwordHash !== undefined ? { passwordHash } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
        ...(input.quotaMb !== undefined ? { quotaMb: input.quotaMb } : {}),
        updatedAt: ctx.now,
      };
      await tx.updateTable("mailboxes").set(set).where("id", "=", row.id).execute();
      await recordEvent(tx, ctx, {
        action: "mailbox.update",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${row.login}@${grant.name}`,
        details: {
          changed,
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
          ...(input.quotaMb !== undefined ? { quotaMb: input.quotaMb } : {}),
        },
      });
      return view(grant.name, { ...row, ...set }, (await aliasesOf(tx, [row.id])).get(row.id) ?? []);
    });
  }

  /** Deletes a mailbox and its aliases; its mail is gone (re-authentication of sessions: the route). */
  async remove(ctx: RequestContext, rawDomain: string, rawLogin: string): Promise<void> {
    const domain = domainName(rawDomain);
    await writeMailboxes(this.deps, async (tx, locks) => {
      const grant = await writeAccess(tx, locks, ctx, domain);
      const row = await findMailbox(tx, grant, rawLogin);
      const aliases = (await aliasesOf(tx, [row.id])).get(row.id) ?? [];
      await tx.deleteFrom("mailboxAliases").where("mailboxId", "=", row.id).execute();
      await tx.deleteFrom("mailboxes").where("id", "=", row.id).execute();
      await recordEvent(tx, ctx, {
        action: "mailbox.delete",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${row.login}@${grant.name}`,
        details: { aliases },
      });
    });
  }

  /** Deletes every mailbox of the domain once its name is typed again (re-authentication: the route). */
  async removeAll(ctx: RequestContext, rawDomain: string, typed: string): Promise<{ deleted: number }> {
    return deleteAllMailboxes(this.deps, ctx, rawDomain, typed);
  }

  async addAlias(
    ctx: RequestContext,
    rawDomain: string,
    rawLogin: string,
    rawAlias: string,
  ): Promise<MailboxView> {
    const domain = domainName(rawDomain);
    return writeMailboxes(this.deps, async (tx, locks) => {
      const grant = await writeAccess(tx, locks, ctx, domain);
      const row = await findMailbox(tx, grant, rawLogin);
      const alias = newAddress(grant, rawAlias, "alias", await ownerOnly(tx, grant));
      await assertAddressFree(tx, grant, alias);
      const aliases = (await aliasesOf(tx, [row.id])).get(row.id) ?? [];
      if (aliases.length >= ALIAS_LIMIT)
        throw new AppError("ALIAS_LIMIT_REACHED", `A mailbox has at most ${ALIAS_LIMIT} aliases.`, {
          limit: ALIAS_LIMIT,
        });
      await tx
        .insertInto("mailboxAliases")
        .values({ id: newId(), domainId: grant.domainId, mailboxId: row.id, alias, createdAt: ctx.now })
        .execute();
      await recordEvent(tx, ctx, {
        action: "mailbox.alias.add",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${row.login}@${grant.name}`,
        details: { alias: `${alias}@${grant.name}` },
      });
      return view(grant.name, row, [...aliases, alias].sort());
    });
  }

  async removeAlias(
    ctx: RequestContext,
    rawDomain: string,
    rawLogin: string,
    rawAlias: string,
  ): Promise<MailboxView> {
    const domain = domainName(rawDomain);
    return writeMailboxes(this.deps, async (tx, locks) => {
      const grant = await writeAccess(tx, locks, ctx, domain);
      const row = await findMailbox(tx, grant, rawLogin);
      const alias = loginOrNull(rawAlias, grant.name);
      const deleted =
        alias === null
          ? 0
          : Number(
              (
                await tx
                  .deleteFrom("mailboxAliases")
                  .where("mailboxId", "=", row.id)
                  .where("alias", "=", alias)
                  .executeTakeFirst()
              ).numDeletedRows,
            );
      if (deleted === 0) throw new AppError("NOT_FOUND", `${row.login}@${grant.name} has no such alias.`);
      await recordEvent(tx, ctx, {
        action: "mailbox.alias.remove",
        domain: grant.name,
        domainId: grant.domainId,
        target: `${row.login}@${grant.name}`,
        details: { alias: `${alias}@${grant.name}` },
      });
      return view(grant.name, row, (await aliasesOf(tx, [row.id])).get(row.id) ?? []);
    });
  }

  /** Many mailboxes at once, each row on its own (see createMailboxes). */
  async createMany(
    ctx: RequestContext,
    rawDomain: string,
    rows: readonly BatchRow[],
    options: BatchOptions,
  ): Promise<BatchResult> {
    return createMailboxes(this.deps, ctx, rawDomain, rows, options);
  }

  /** Blocks or unblocks several mailboxes, all or nothing (see setMailboxesEnabled). */
  async setEnabled(
    ctx: RequestContext,
    rawDomain: string,
    logins: readonly string[],
    enabled: boolean,
  ): Promise<{ changed: number; unchanged: number }> {
    return setMailboxesEnabled(this.deps, ctx, rawDomain, logins, enabled);
  }

  /** Deletes several mailboxes, all or nothing (re-authentication of sessions: the route). */
  async removeMany(
    ctx: RequestContext,
    rawDomain: string,
    logins: readonly string[],
  ): Promise<{ deleted: number }> {
    return deleteMailboxes(this.deps, ctx, rawDomain, logins);
  }

  /** A CSV file's text: checked (dry run) or imported (see upload.ts). */
  async importCsv(
    ctx: RequestContext,
    rawDomain: string,
    text: string,
    options: { dryRun: boolean },
  ): Promise<CsvImportView> {
    return importCsvText(this.deps, ctx, rawDomain, text, options);
  }

  private async assertRoom(db: Executor, grant: DomainGrant, wanted: number): Promise<void> {
    if ((await roomLeft(db, grant, this.deps.config.mailboxLimit)) < wanted)
      throw limitError(this.deps.config.mailboxLimit);
  }
}
