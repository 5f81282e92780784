import type { Static } from "@sinclair/typebox";
import QRCode from "qrcode";
import type { RequestContext } from "../access/actor.js";
import { recordEvent } from "../audit/audit.service.js";
import { consumeCode } from "../credentials/codes.js";
import { maskEmail, maskPhone, normaliseEmail, normalisePhone } from "../credentials/contacts.js";
import {
  checkPasswordPolicy,
  hashPassword,
  normalisePassword,
  PASSWORD_MIN,
  PASSWORD_MIN_WITH_TWO_FACTOR,
} from "../credentials/passwords.js";
import { deleteRecoveryCodes, issueRecoveryCodes } from "../credentials/recovery-codes.js";
import { managedDomainNames } from "../credentials/recovery-email.js";
import { matchSecondFactor } from "../credentials/second-factor.js";
import { checkSecurityQuestion } from "../credentials/security-questions.js";
import { matchTotp, newTotpSecret, otpauthUri } from "../credentials/totp.js";
import type { Executor } from "../db/database.js";
import { hitLimits } from "../db/rate-limit.js";
import { inDomainTransaction } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { MINUTE } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { openSecret, sealSecret } from "../lib/secret-box.js";
import { notifySecurityChange } from "../notify/account-notices.js";
import type { TwoFactorSetup as TwoFactorSetupSchema } from "./accounts.schemas.js";
import type { AccountsService, ProfileView } from "./accounts.service.js";
import type { SessionsService } from "./sessions.service.js";

export type ContactKind = "phone" | "email";

interface ContactColumns {
  phone: string | null;
  phoneConfirmedAt: number | null;
  recoveryEmail: string | null;
  emailConfirmedAt: number | null;
}

const CONTACTS = {
  phone: {
    purpose: "confirm_phone",
    label: "phone number",
    mask: maskPhone,
    current: (a: ContactColumns) => ({ value: a.phone, confirmed: a.phoneConfirmedAt !== null }),
    set: (value: string | null, at: number | null) => ({ phone: value, phoneConfirmedAt: at }),
  },
  email: {
    purpose: "confirm_email",
    label: "recovery e-mail",
    mask: maskEmail,
    current: (a: ContactColumns) => ({ value: a.recoveryEmail, confirmed: a.emailConfirmedAt !== null }),
    set: (value: string | null, at: number | null) => ({ recoveryEmail: value, emailConfirmedAt: at }),
  },
} as const;

const CONTACT_COLUMNS = ["phone", "phoneConfirmedAt", "recoveryEmail", "emailConfirmedAt"] as const;

/** The contact as stored now, confirmed or not, read inside the caller's transaction. */
async function storedContact(db: Executor, accountId: string, kind: ContactKind): Promise<string | null> {
  const row = await db
    .selectFrom("accounts")
    .select(CONTACT_COLUMNS)
    .where("id", "=", accountId)
    .executeTakeFirstOrThrow();
  return CONTACTS[kind].current(row).value;
}

/** TOTP checks outside sign-in (enable, disable): 3 codes in a million match, so few tries. */
const TOTP_CHECKS = { max: 10, windowMs: 10 * MINUTE };

export type TwoFactorSetup = Static<typeof TwoFactorSetupSchema>;

/**
 * The signed-in account changing its own settings: password, names, security question,
 * contacts and two-factor (docs/SECURITY.md §1, §6, §10, §12, §15). Every method acts on the
 * actor's own account; re-authentication is required by the routes, the rest is decided here.
 * Security changes notify every confirmed contact in the transaction that makes them.
 */
export class SettingsService {
  constructor(
    private readonly deps: Deps,
    private readonly sessions: SessionsService,
    private readonly accounts: AccountsService,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  private self(ctx: RequestContext): { accountId: string; sessionId: string } {
    if (ctx.actor.kind !== "account") throw new AppError("UNAUTHENTICATED");
    return { accountId: ctx.actor.accountId, sessionId: ctx.actor.sessionId };
  }

  private async account(accountId: string) {
    const account = await this.db
      .selectFrom("accounts")
      .selectAll()
      .where("id", "=", accountId)
      .executeTakeFirst();
    if (!account) throw new AppError("UNAUTHENTICATED");
    return account;
  }

  /** The current password stands in for re-authentication; every other session ends. */
  async changePassword(
    ctx: RequestContext,
    input: { currentPassword: string; newPassword: string },
  ): Promise<{ endedSessions: number }> {
    const { accountId, sessionId } = this.self(ctx);
    const account = await this.account(accountId);
    checkPasswordPolicy(
      input.newPassword,
      {
        login: account.login,
        serviceDomain: this.deps.config.serviceDomain,
        domains: await managedDomainNames(this.db, accountId),
      },
      account.totpEnabledAt !== null ? PASSWORD_MIN_WITH_TWO_FACTOR : PASSWORD_MIN,
    );
    await this.accounts.verifyOwnPassword(ctx, accountId, input.currentPassword, { required: false });
    const passwordHash = await hashPassword(input.newPassword);
    return this.db.transaction().execute(async (tx) => {
      await this.accounts.markVerified(tx, ctx, accountId, null);
      await tx
        .updateTable("accounts")
        .set({ passwordHash, passwordChangedAt: ctx.now })
        .where("id", "=", accountId)
        .execute();
      const endedSessions = await this.sessions.endOthersIn(tx, ctx, accountId, sessionId, "password-change");
      await recordEvent(tx, ctx, { action: "password.change", accountId, details: { endedSessions } });
      await notifySecurityChange(tx, this.deps, ctx.now, accountId, "The password was changed");
      return { endedSessions };
    });
  }

  async updateProfile(
    ctx: RequestContext,
    input: { firstName?: string; lastName?: string },
  ): Promise<ProfileView> {
    const { accountId } = this.self(ctx);
    const changes: { firstName?: string; lastName?: string } = {};
    for (const field of ["firstName", "lastName"] as const) {
      const value = input[field]?.trim();
      if (value === undefined) continue;
      if (!value) throw new AppError("VALIDATION_FAILED", "Names cannot be blank.", { field });
      changes[field] = value;
    }
    if (Object.keys(changes).length > 0) {
      await this.db.transaction().execute(async (tx) => {
        await tx.updateTable("accounts").set(changes).where("id", "=", accountId).execute();
        await recordEvent(tx, ctx, {
          action: "profile.update",
          accountId,
          details: { fields: Object.keys(changes) },
        });
      });
    }
    return this.accounts.profile(ctx, accountId);
  }

  async setSecurityQuestion(
    ctx: RequestContext,
    input: { question: string; answer: string },
  ): Promise<ProfileView> {
    const { accountId } = this.self(ctx);
    const answer = checkSecurityQuestion(input.question, input.answer);
    const securityAnswerHash = await hashPassword(answer);
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("accounts")
        .set({ securityQuestion: input.question, securityAnswerHash })
        .where("id", "=", accountId)
        .execute();
      await recordEvent(tx, ctx, {
        action: "security-question.change",
        accountId,
        details: { question: input.question },
      });
      await notifySecurityChange(tx, this.deps, ctx.now, accountId, "The security question was changed");
    });
    return this.accounts.profile(ctx, accountId);
  }

  /**
   * Sends a code to a new phone or recovery e-mail; nothing changes until the code comes back
   * (docs/SECURITY.md §9, §12). Asking again replaces the code and keeps its failure count.
   */
  async startContactChange(
    ctx: RequestContext,
    kind: ContactKind,
    input: string,
  ): Promise<{ pending: string }> {
    const { accountId } = this.self(ctx);
    const spec = CONTACTS[kind];
    const value =
      kind === "phone"
        ? normalisePhone(input)
        : await this.accounts.checkRecoveryEmailFor(this.db, accountId, normaliseEmail(input));
    const current = spec.current(await this.account(accountId));
    if (current.value === value && current.confirmed) {
      throw new AppError("VALIDATION_FAILED", `This is already your confirmed ${spec.label}.`, {
        field: kind === "phone" ? "phone" : "email",
      });
    }
    // The send limit is counted in this transaction: a refused send rolls its own hit back, which
    // leaves the window's count at the maximum, so the limit keeps holding.
    await this.db
      .transaction()
      .execute((tx) => this.accounts.sendContactCode(tx, ctx.now, accountId, kind, value));
    return { pending: value };
  }

  /**
   * Confirms the pending contact with its code: it replaces the old one, which is told (with the
   * other confirmed contacts). Also confirms the contacts given at registration.
   */
  async confirmContact(ctx: RequestContext, kind: ContactKind, code: string): Promise<ProfileView> {
    const { accountId } = this.self(ctx);
    const spec = CONTACTS[kind];
    const confirmed = await inDomainTransaction(this.deps.database, async (tx, locks) => {
      const pending = await locks
        .query(
          tx
            .selectFrom("verificationCodes")
            .select("id")
            .where("accountId", "=", accountId)
            .where("purpose", "=", spec.purpose)
            .where("consumedAt", "is", null)
            .where("expiresAt", ">", ctx.now),
        )
        // Parallel guesses take turns, so each reads the failures counted before it and the fifth
        // wrong one kills the code for the rest.
        .executeTakeFirst();
      if (!pending) throw new AppError("NOTHING_TO_CONFIRM");
      const row = await consumeCode(tx, ctx.now, { accountId, purpose: spec.purpose }, code);
      if (!row?.target) {
        // Returned, not thrown, so the counted failure and its event commit (docs/SECURITY.md §7).
        await recordEvent(tx, ctx, { action: "contact.code-failure", accountId, details: { contact: kind } });
        return false;
      }
      // Checked again: the account may have come to manage the e-mail's domain since the code went out.
      const value =
        kind === "email" ? await this.accounts.checkRecoveryEmailFor(tx, accountId, row.target) : row.target;
      const previous = await storedContact(tx, accountId, kind);
      const what = previous
        ? `The ${spec.label} ${spec.mask(previous)} was replaced by ${spec.mask(value)}`
        : `The ${spec.label} ${spec.mask(value)} was added`;
      // Before the change, so the old contact is among those told; the new one just proved itself.
      await notifySecurityChange(tx, this.deps, ctx.now, accountId, what, { except: value });
      await tx.updateTable("accounts").set(spec.set(value, ctx.now)).where("id", "=", accountId).execute();
      await recordEvent(tx, ctx, {
        action: "contact.change",
        accountId,
        details: {
          contact: kind,
          value: spec.mask(value),
          ...(previous ? { previous: spec.mask(previous) } : {}),
        },
      });
      return true;
    });
    if (!confirmed) throw new AppError("INVALID_CODE");
    return this.accounts.profile(ctx, accountId);
  }

  async removeContact(ctx: RequestContext, kind: ContactKind): Promise<void> {
    const { accountId } = this.self(ctx);
    const spec = CONTACTS[kind];
    await this.db.transaction().execute(async (tx) => {
      const current = await storedContact(tx, accountId, kind);
      if (!current) throw new AppError("NOT_FOUND", `There is no ${spec.label} on this account.`);
      // Before the change, so the removed contact itself hears of it.
      await notifySecurityChange(
        tx,
        this.deps,
        ctx.now,
        accountId,
        `The ${spec.label} ${spec.mask(current)} was removed`,
      );
      await tx.updateTable("accounts").set(spec.set(null, null)).where("id", "=", accountId).execute();
      await recordEvent(tx, ctx, {
        action: "contact.remove",
        accountId,
        details: { contact: kind, value: spec.mask(current) },
      });
    });
  }

  /** Starts TOTP setup: a new secret waits until a code from it comes back (`enableTwoFactor`). */
  async setupTwoFactor(ctx: RequestContext): Promise<TwoFactorSetup> {
    const { accountId } = this.self(ctx);
    const account = await this.account(accountId);
    if (account.totpEnabledAt !== null) throw new AppError("TWO_FACTOR_ALREADY_ENABLED");
    const secret = newTotpSecret();
    await this.db
      .updateTable("accounts")
      .set({ totpPendingSecret: sealSecret(this.deps.config, secret) })
      .where("id", "=", accountId)
      .execute();
    const { serviceDomain } = this.deps.config;
    const uri = otpauthUri(`${account.login}@${serviceDomain}`, serviceDomain, secret);
    return { secret, otpauthUri: uri, qrSvg: await QRCode.toString(uri, { type: "svg" }) };
  }

  /** Turns two-factor on and returns its first recovery codes, shown to the person this once. */
  async enableTwoFactor(ctx: RequestContext, code: string): Promise<string[]> {
    const { accountId } = this.self(ctx);
    const account = await this.account(accountId);
    if (account.totpEnabledAt !== null) throw new AppError("TWO_FACTOR_ALREADY_ENABLED");
    const pending = account.totpPendingSecret;
    if (!pending) throw new AppError("TWO_FACTOR_NOT_STARTED");
    const secret = openSecret(this.deps.config, pending);
    await hitLimits(this.db, ctx.now, [{ key: `totp-check:account:${accountId}`, ...TOTP_CHECKS }]);
    // A fresh secret has no used step yet; the matched one is recorded so the code cannot sign in.
    const step = matchTotp(secret, code, ctx.now, null);
    if (step === null) throw new AppError("INVALID_TWO_FACTOR_CODE");
    return this.db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable("accounts")
        .set({ totpSecret: pending, totpPendingSecret: null, totpEnabledAt: ctx.now, totpLastStep: step })
        .where("id", "=", accountId)
        .where("totpEnabledAt", "is", null)
        .where("totpPendingSecret", "=", pending)
        .executeTakeFirst();
      // A concurrent setup or enable got there first.
      if (Number(updated.numUpdatedRows) === 0) throw new AppError("TWO_FACTOR_NOT_STARTED");
      const codes = await issueRecoveryCodes(tx, this.deps.config, accountId, ctx.now);
      await recordEvent(tx, ctx, {
        action: "two-factor.enable",
        accountId,
        details: { recoveryCodes: codes.length },
      });
      await notifySecurityChange(
        tx,
        this.deps,
        ctx.now,
        accountId,
        "Two-factor authentication was turned on",
      );
      return codes;
    });
  }

  /**
   * New recovery codes after re-authentication (the route asks for it): the old ones stop
   * working at once, and every contact hears of it.
   */
  async regenerateRecoveryCodes(ctx: RequestContext): Promise<string[]> {
    const { accountId } = this.self(ctx);
    return this.db.transaction().execute(async (tx) => {
      const account = await tx
        .selectFrom("accounts")
        .select("totpEnabledAt")
        .where("id", "=", accountId)
        .executeTakeFirst();
      if (!account || account.totpEnabledAt === null) throw new AppError("TWO_FACTOR_NOT_ENABLED");
      const codes = await issueRecoveryCodes(tx, this.deps.config, accountId, ctx.now);
      await recordEvent(tx, ctx, {
        action: "two-factor.recovery-codes-regenerate",
        accountId,
        details: { recoveryCodes: codes.length },
      });
      await notifySecurityChange(
        tx,
        this.deps,
        ctx.now,
        accountId,
        "New two-factor recovery codes were made; the earlier ones no longer work",
      );
      return codes;
    });
  }

  /**
   * Turns two-factor off. Without it a password needs at least PASSWORD_MIN characters, and an
   * account with two-factor may have a shorter one, so the current password is asked for and
   * checked (counted like a sign-in): a short one is refused until it is changed.
   */
  async disableTwoFactor(
    ctx: RequestContext,
    input: { code?: string | undefined; recoveryCode?: string | undefined; password: string },
  ): Promise<void> {
    const { accountId } = this.self(ctx);
    const account = await this.account(accountId);
    if (account.totpEnabledAt === null || !account.totpSecret) throw new AppError("TWO_FACTOR_NOT_ENABLED");
    if (account.isSupportAgent === 1) throw new AppError("TWO_FACTOR_REQUIRED_FOR_ROLE");
    await hitLimits(this.db, ctx.now, [{ key: `totp-check:account:${accountId}`, ...TOTP_CHECKS }]);
    await this.accounts.verifyOwnPassword(ctx, accountId, input.password, { required: false });
    if ([...normalisePassword(input.password)].length < PASSWORD_MIN) {
      throw new AppError(
        "PASSWORD_TOO_SHORT_WITHOUT_TWO_FACTOR",
        `Without two-factor a password needs at least ${PASSWORD_MIN} characters. Change your password to a longer one, then turn two-factor off.`,
        { min: PASSWORD_MIN },
      );
    }
    // A recovery code also works: whoever lost the authenticator turns two-factor off to set it up anew.
    const secondFactor = await matchSecondFactor(
      this.db,
      this.deps.config,
      { id: accountId, totpSecret: account.totpSecret, totpLastStep: account.totpLastStep },
      { totpCode: input.code, recoveryCode: input.recoveryCode },
      ctx.now,
    );
    if (secondFactor === null) throw new AppError("INVALID_TWO_FACTOR_CODE");
    await this.db.transaction().execute(async (tx) => {
      await this.accounts.markVerified(tx, ctx, accountId, secondFactor, "two-factor-off");
      await tx
        .updateTable("accounts")
        .set({ totpSecret: null, totpPendingSecret: null, totpEnabledAt: null, totpLastStep: null })
        .where("id", "=", accountId)
        .execute();
      await deleteRecoveryCodes(tx, accountId);
      await recordEvent(tx, ctx, { action: "two-factor.disable", accountId });
      await notifySecurityChange(
        tx,
        this.deps,
        ctx.now,
        accountId,
        "Two-factor authentication was turned off",
      );
    });
  }
}
