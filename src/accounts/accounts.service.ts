import type { Static } from "@sinclair/typebox";
import type { RequestContext } from "../access/actor.js";
import { recordEvent, recordRefusals } from "../audit/audit.service.js";
import { CODE_TTL_MS, issueCode, MAX_CODE_FAILURES } from "../credentials/codes.js";
import { normaliseEmail, normalisePhone } from "../credentials/contacts.js";
import { checkPasswordPolicy, hashPassword, needsRehash, verifyPassword } from "../credentials/passwords.js";
import { recoveryCodesLeft } from "../credentials/recovery-codes.js";
import {
  managedDomainNames,
  recoveryEmailBlockedBy,
  UNUSABLE_REASON,
} from "../credentials/recovery-email.js";
import {
  matchSecondFactor,
  type SecondFactorInput,
  type SecondFactorMatch,
  spendSecondFactor,
} from "../credentials/second-factor.js";
import {
  checkSecurityQuestion,
  isSecurityQuestion,
  SECURITY_QUESTIONS,
} from "../credentials/security-questions.js";
import type { Executor } from "../db/database.js";
import { preparedQuery } from "../db/prepared.js";
import { hitLimits } from "../db/rate-limit.js";
import { isUniqueViolation } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { isAddressOnConnectedDomain } from "../domains/index.js";
import { HOUR, isoTime, MINUTE } from "../lib/clock.js";
import { AppError, FieldChecks } from "../lib/errors.js";
import { newId, sha256 } from "../lib/random.js";
import { notifySecurityChange } from "../notify/account-notices.js";
import type { Profile, RegisterBody, SignInBody } from "./accounts.schemas.js";
import type { SessionsService } from "./sessions.service.js";
import {
  countFailure,
  type FailureSubject,
  recognisedDevice,
  rememberDevice,
  throttledError,
  throttledUntil,
} from "./sign-in-throttle.js";

export { THROTTLE_AFTER_FAILURES } from "./sign-in-throttle.js";

const LOGIN = /^[a-z][a-z0-9._-]{0,29}$/;
const RESERVED_LOGINS = new Set([
  "admin",
  "administrator",
  "root",
  "postmaster",
  "abuse",
  "hostmaster",
  "webmaster",
  "support",
  "security",
  "noreply",
  "no-reply",
  "mailer-daemon",
  "mfd",
  "system",
  "operator",
  "info",
  "help",
]);

/**
 * Failed sign-ins (wrong passwords or codes, and tries refused while throttled) of the account
 * since its last successful sign-in, read from its audit events before the new one is written.
 */
async function failuresSinceLastSignIn(db: Executor, accountId: string): Promise<number> {
  const last = await db
    .selectFrom("auditEvents")
    .select((eb) => eb.fn.max("id").as("id"))
    .where("accountId", "=", accountId)
    .where("action", "=", "sign-in")
    .executeTakeFirst();
  let query = db
    .selectFrom("auditEvents")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("accountId", "=", accountId)
    .where("action", "in", ["sign-in.failure", "reauth.failure", "sign-in.throttled"]);
  if (last?.id) query = query.where("id", ">", last.id);
  const row = await query.executeTakeFirst();
  return Number(row?.n ?? 0);
}

export type RegisterInput = Static<typeof RegisterBody>;
export type SignInInput = Static<typeof SignInBody>;
/** recoveryEmail.usableForRestore is false when restore codes are never sent there (see recovery-email.ts). */
export type ProfileView = Static<typeof Profile>;

// `profile` (GET /api/v1/account) runs these on every read: built once (src/db/prepared.ts).
const profileRow = preparedQuery((db, p: { accountId: string }) =>
  db
    .selectFrom("accounts")
    .select([
      "id",
      "login",
      "firstName",
      "lastName",
      "securityQuestion",
      "securityAnswerHash",
      "phone",
      "phoneConfirmedAt",
      "recoveryEmail",
      "emailConfirmedAt",
      "totpEnabledAt",
      "isSupportAgent",
      "createdAt",
    ])
    .where("id", "=", p.accountId),
);
const pendingConfirmations = preparedQuery((db, p: { accountId: string; now: number }) =>
  db
    .selectFrom("verificationCodes")
    .select(["purpose", "target"])
    .where("accountId", "=", p.accountId)
    .where("purpose", "in", ["confirm_phone", "confirm_email"])
    .where("consumedAt", "is", null)
    .where("expiresAt", ">", p.now)
    .where("failures", "<", MAX_CODE_FAILURES),
);

export interface SignedIn {
  accountId: string;
  sessionToken: string;
  csrfToken: string;
  /** A new device cookie value when this browser was not recognised yet. */
  deviceToken: string | null;
  /** Failed sign-ins since the previous successful one. */
  failedSignIns: number;
}

export class AccountsService {
  constructor(
    private readonly deps: Deps,
    private readonly sessions: SessionsService,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * `alice` or `alice@<service domain>` → `alice`; any other address is refused with a reason
   * (`hostedHere`: the address is on a domain connected to mfd, so it is one of its mailboxes).
   */
  loginFromIdentifier(identifier: string, hostedHere = false): string {
    const value = identifier.trim().toLowerCase();
    const at = value.lastIndexOf("@");
    if (at === -1) return value;
    const domain = value.slice(at + 1);
    if (domain === this.deps.config.serviceDomain) return value.slice(0, at);
    if (hostedHere) {
      throw new AppError(
        "MAILBOX_ADDRESS_NOT_ACCOUNT",
        `${value} looks like a mailbox of a domain hosted here, not a service account. Domain management needs a service account (login@${this.deps.config.serviceDomain}): ` +
          "sign in with the account the domain is connected to, or register one on the sign-up page. Mailbox users read mail in their mail program.",
        { serviceDomain: this.deps.config.serviceDomain },
      );
    }
    throw new AppError(
      "MAILBOX_ADDRESS_NOT_ACCOUNT",
      `${value} is not a service account. Domain management needs a service account (login@${this.deps.config.serviceDomain}); ` +
        "register one on the sign-up page, then connect your domain to it. Mailbox users read mail in their mail program.",
      { serviceDomain: this.deps.config.serviceDomain },
    );
  }

  validateLogin(login: string): string {
    const value = login.trim().toLowerCase();
    if (!LOGIN.test(value) || /[._-]$/.test(value) || /[._-]{2}/.test(value)) {
      throw new AppError(
        "LOGIN_INVALID",
        "Use up to 30 Latin letters, digits, dots, hyphens or underscores, starting with a letter and ending with a letter or digit.",
      );
    }
    if (RESERVED_LOGINS.has(value)) throw new AppError("LOGIN_RESERVED");
    return value;
  }

  async register(ctx: RequestContext, input: RegisterInput): Promise<SignedIn> {
    // Every field is checked before any fails, so the form learns of all its mistakes at once.
    const fields = new FieldChecks();
    const login = fields.check("login", () => this.validateLogin(input.login));
    const firstName = input.firstName.trim();
    const lastName = input.lastName.trim();
    for (const [field, value, label] of [
      ["firstName", firstName, "First name"],
      ["lastName", lastName, "Last name"],
    ] as const) {
      if (!value) fields.fail(field, new AppError("VALIDATION_FAILED", `${label} is required.`, { field }));
    }
    fields.check("password", () =>
      checkPasswordPolicy(input.password, {
        login: login ?? input.login.trim().toLowerCase(),
        serviceDomain: this.deps.config.serviceDomain,
      }),
    );
    const phone = input.phone
      ? (fields.check("phone", () => normalisePhone(input.phone as string)) ?? null)
      : null;
    const email = input.recoveryEmail
      ? (fields.check("recoveryEmail", () =>
          this.checkRecoveryEmail(normaliseEmail(input.recoveryEmail as string)),
        ) ?? null)
      : null;
    let answer: string | null = null;
    if ((input.securityQuestion === undefined) !== (input.securityAnswer === undefined)) {
      fields.fail(
        input.securityQuestion === undefined ? "securityQuestion" : "securityAnswer",
        new AppError("SECURITY_QUESTION_INVALID", "Give both a question and its answer, or neither."),
      );
    } else if (input.securityQuestion !== undefined && input.securityAnswer !== undefined) {
      const question = input.securityQuestion;
      const given = input.securityAnswer;
      answer =
        fields.check(isSecurityQuestion(question) ? "securityAnswer" : "securityQuestion", () =>
          checkSecurityQuestion(question, given),
        ) ?? null;
    }
    fields.done();
    if (login === undefined) throw new AppError("LOGIN_INVALID");

    const now = ctx.now;
    await hitLimits(
      this.db,
      now,
      [
        { key: `register:ip:${ctx.limitKey}`, max: 20, windowMs: HOUR },
        { key: "register:global", max: 2000, windowMs: HOUR },
      ],
      recordRefusals(this.db, ctx, "register"),
    );

    const [passwordHash, answerHash] = await Promise.all([
      hashPassword(input.password),
      answer !== null ? hashPassword(answer) : Promise.resolve(null),
    ]);
    const id = newId();
    return this.db.transaction().execute(async (tx) => {
      const taken = await tx
        .selectFrom("accounts")
        .select("id")
        .where("login", "=", login)
        .executeTakeFirst();
      if (taken) throw new AppError("LOGIN_TAKEN");
      try {
        await tx
          .insertInto("accounts")
          .values({
            id,
            login,
            passwordHash,
            firstName,
            lastName,
            securityQuestion: input.securityQuestion ?? null,
            securityAnswerHash: answerHash,
            createdAt: now,
            passwordChangedAt: now,
          })
          .execute();
      } catch (error) {
        // A parallel registration of the same login committed after the check above.
        if (isUniqueViolation(error)) throw new AppError("LOGIN_TAKEN");
        throw error;
      }
      const actorCtx: RequestContext = {
        ...ctx,
        actor: { kind: "account", accountId: id, sessionId: "", reauthAt: now, isSupportAgent: false },
      };
      await recordEvent(tx, actorCtx, { action: "account.register", accountId: id, target: login });
      // Contacts given at registration become pending until their codes are typed back.
      if (phone) await this.sendContactCode(tx, now, id, "phone", phone);
      if (email) await this.sendContactCode(tx, now, id, "email", email);
      const session = await this.sessions.create(tx, actorCtx, id);
      const deviceToken = await rememberDevice(tx, id, null, now);
      await recordEvent(
        tx,
        { ...actorCtx, actor: { ...actorCtx.actor, sessionId: session.id } as never },
        { action: "sign-in", accountId: id, target: session.id },
      );
      return {
        accountId: id,
        sessionToken: session.token,
        csrfToken: session.csrfToken,
        deviceToken,
        failedSignIns: 0,
      };
    });
  }

  /** Sends a confirmation code for a new phone or e-mail; the contact is set when the code comes back. */
  async sendContactCode(
    db: Executor,
    now: number,
    accountId: string,
    kind: "phone" | "email",
    value: string,
  ): Promise<void> {
    await hitLimits(db, now, [{ key: `send:account:${accountId}`, max: 5, windowMs: HOUR }]);
    const { code } = await issueCode(db, now, {
      accountId,
      purpose: kind === "phone" ? "confirm_phone" : "confirm_email",
      target: value,
    });
    const text = `Your mfd confirmation code is ${code}. It is valid for 10 minutes. If you did not ask for it, ignore this message.`;
    await this.deps.outbox.enqueue(db, now, {
      channel: kind === "phone" ? "sms" : "email",
      recipient: value,
      subject: "Confirm your contact for mfd",
      body: text,
      accountId,
      expiresAt: now + CODE_TTL_MS,
    });
  }

  /** docs/SECURITY.md §12: never on the service's own domain (nor a subdomain of it). */
  checkRecoveryEmail(email: string): string {
    const domain = email.slice(email.lastIndexOf("@") + 1);
    if (domain === this.deps.config.serviceDomain || domain.endsWith(`.${this.deps.config.serviceDomain}`)) {
      throw new AppError("EMAIL_ON_SERVICE_DOMAIN");
    }
    return email;
  }

  /**
   * docs/SECURITY.md §12: nor on a domain the account manages (owns or administers as a deputy), nor a
   * subdomain of one: whoever holds the account could create that mailbox and read the codes.
   */
  async checkRecoveryEmailFor(db: Executor, accountId: string, email: string): Promise<string> {
    this.checkRecoveryEmail(email);
    const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
    for (const managed of await managedDomainNames(db, accountId)) {
      if (domain === managed || domain.endsWith(`.${managed}`)) {
        throw new AppError("EMAIL_ON_MANAGED_DOMAIN", undefined, { domain: managed });
      }
    }
    return email;
  }

  async signIn(ctx: RequestContext, input: SignInInput): Promise<SignedIn> {
    const now = ctx.now;
    // The limit comes first: a caller over it learns nothing, not even whether an address is on
    // a domain hosted here.
    const perIp = `sign-in:ip:${ctx.limitKey}`;
    await hitLimits(
      this.db,
      now,
      [
        { key: perIp, max: 60, windowMs: MINUTE },
        // Above what two cores can hash (≈170/s, bench/README.md): a ceiling on floods, not on real use.
        { key: "sign-in:global", max: 20_000, windowMs: MINUTE },
      ],
      async (limit, first) => {
        if (!first) return;
        await recordEvent(this.db, ctx, {
          action: "sign-in.rate-limited",
          details: { limit: limit.key === perIp ? "ip" : "global" },
        });
      },
    );
    const login = this.loginFromIdentifier(
      input.login,
      await isAddressOnConnectedDomain(this.db, input.login.trim()),
    );
    const account = await this.db
      .selectFrom("accounts")
      .select(["id", "passwordHash", "totpSecret", "totpEnabledAt", "totpLastStep"])
      .where("login", "=", login)
      .executeTakeFirst();
    const device = account ? await recognisedDevice(this.db, ctx.device, account.id, now) : null;
    // Failures count against a browser that signed in before, else the account, else (no account)
    // the login string: an unknown login is throttled exactly like a known one (docs/SECURITY.md §3).
    const subject: FailureSubject = device
      ? { kind: "device", deviceId: device.id }
      : account
        ? { kind: "account", accountId: account.id }
        : { kind: "login", login };
    // Unknown logins are filed under the login's SHA-256, never what was typed (it may be a password).
    const unknown = account ? {} : { loginSha256: sha256(login) };
    // The hash is computed whether or not the account exists or is throttled (docs/SECURITY.md §3).
    const passwordOk = await verifyPassword(account?.passwordHash, input.password);

    const until = await throttledUntil(this.db, subject, now);
    if (until !== null) {
      await recordEvent(this.db, ctx, {
        action: "sign-in.throttled",
        accountId: account?.id ?? null,
        details: { ...unknown, ...(device ? { device: true } : {}) },
      });
      throw throttledError(until, now);
    }
    if (!account || !passwordOk) {
      await this.recordFailure(
        ctx,
        subject,
        account?.id ?? null,
        account ? "password" : "unknown-login",
        unknown,
      );
      throw new AppError("INVALID_CREDENTIALS");
    }
    let secondFactor: SecondFactorMatch | null = null;
    if (account.totpEnabledAt !== null && account.totpSecret) {
      secondFactor = await matchSecondFactor(
        this.db,
        this.deps.config,
        { id: account.id, totpSecret: account.totpSecret, totpLastStep: account.totpLastStep },
        input,
        now,
      );
      if (secondFactor === null) {
        await this.recordFailure(ctx, subject, account.id, "two-factor", {});
        throw new AppError("INVALID_TWO_FACTOR_CODE");
      }
    }
    const rehash = needsRehash(account.passwordHash) ? await hashPassword(input.password) : null;
    return this.db.transaction().execute(async (tx) => {
      // Parallel sign-ins with one code all matched it; only the first to spend it goes on.
      if (secondFactor !== null) await this.spendSecondFactor(tx, ctx, account.id, secondFactor, "sign-in");
      await this.endFailureRun(tx, account.id, now);
      if (rehash) {
        await tx.updateTable("accounts").set({ passwordHash: rehash }).where("id", "=", account.id).execute();
      }
      const failedSignIns = await failuresSinceLastSignIn(tx, account.id);
      const deviceToken = await rememberDevice(tx, account.id, device, now);
      const session = await this.sessions.create(tx, ctx, account.id, { twoFactor: secondFactor !== null });
      await recordEvent(tx, ctx, {
        action: "sign-in",
        accountId: account.id,
        target: session.id,
        details: rehash ? { rehashed: true } : undefined,
      });
      return {
        accountId: account.id,
        sessionToken: session.token,
        csrfToken: session.csrfToken,
        deviceToken,
        failedSignIns,
      };
    });
  }

  /**
   * Checks the signed-in account's own password (and its TOTP code when `totp.required` and
   * two-factor is on) under the same throttle and failure count as sign-in, so a stolen session
   * is no oracle for the password: a throttled account answers SIGN_IN_THROTTLED without a check
   * unless the browser signed in before. On success the caller ends the failure run and spends the
   * TOTP step in its transaction with `markVerified`.
   */
  async verifyOwnPassword(
    ctx: RequestContext,
    accountId: string,
    password: string,
    totp: { required: boolean } & SecondFactorInput,
  ): Promise<{ secondFactor: SecondFactorMatch | null }> {
    const account = await this.db
      .selectFrom("accounts")
      .select(["passwordHash", "totpSecret", "totpEnabledAt", "totpLastStep"])
      .where("id", "=", accountId)
      .executeTakeFirst();
    if (!account) throw new AppError("UNAUTHENTICATED");
    const device = await recognisedDevice(this.db, ctx.device, accountId, ctx.now);
    const subject: FailureSubject = device
      ? { kind: "device", deviceId: device.id }
      : { kind: "account", accountId };
    const passwordOk = await verifyPassword(account.passwordHash, password);
    const until = await throttledUntil(this.db, subject, ctx.now);
    if (until !== null) {
      await recordEvent(this.db, ctx, {
        action: "sign-in.throttled",
        accountId,
        details: device ? { device: true } : undefined,
      });
      throw throttledError(until, ctx.now);
    }
    // Signed in already: a wrong password here is not a failed sign-in, though it counts as one.
    if (!passwordOk) {
      await this.recordFailure(ctx, subject, accountId, "password", {}, "reauth.failure");
      throw new AppError("PASSWORD_WRONG");
    }
    if (!totp.required || account.totpEnabledAt === null || !account.totpSecret)
      return { secondFactor: null };
    const secondFactor = await matchSecondFactor(
      this.db,
      this.deps.config,
      { id: accountId, totpSecret: account.totpSecret, totpLastStep: account.totpLastStep },
      totp,
      ctx.now,
    );
    if (secondFactor === null) {
      await this.recordFailure(ctx, subject, accountId, "two-factor", {}, "reauth.failure");
      throw new AppError("INVALID_TWO_FACTOR_CODE");
    }
    return { secondFactor };
  }

  /**
   * Spends a matched second factor in the transaction of the change it allows. A recovery code
   * used is an audit event and a notice to every contact, with how many codes are left.
   */
  async spendSecondFactor(
    db: Executor,
    ctx: RequestContext,
    accountId: string,
    match: SecondFactorMatch,
    purpose: "sign-in" | "re-authentication" | "restore-access" | "two-factor-off",
  ): Promise<void> {
    await spendSecondFactor(db, accountId, match, ctx.now);
    if (match.kind !== "recovery-code") return;
    const left = await recoveryCodesLeft(db, accountId);
    await recordEvent(db, ctx, {
      action: "two-factor.recovery-code-used",
      accountId,
      details: { purpose, left },
    });
    await notifySecurityChange(
      db,
      this.deps,
      ctx.now,
      accountId,
      `A two-factor recovery code was used (${purpose.replaceAll("-", " ")}); ${left} of them ${left === 1 ? "is" : "are"} left`,
    );
  }

  /**
   * After a successful `verifyOwnPassword`: the failure run ends and the TOTP step is spent, or
   * INVALID_TWO_FACTOR_CODE when a parallel request spent it first.
   */
  async markVerified(
    db: Executor,
    ctx: RequestContext,
    accountId: string,
    secondFactor: SecondFactorMatch | null,
    purpose: "re-authentication" | "two-factor-off" = "re-authentication",
  ): Promise<void> {
    if (secondFactor !== null) await this.spendSecondFactor(db, ctx, accountId, secondFactor, purpose);
    await this.endFailureRun(db, accountId, ctx.now);
    const device = await recognisedDevice(db, ctx.device, accountId, ctx.now);
    if (device) {
      await db.updateTable("signInDevices").set({ failedSignIns: 0 }).where("id", "=", device.id).execute();
    }
  }

  /**
   * Re-authentication (docs/SECURITY.md §15) of the current session: password and, when on, a TOTP
   * code. Rotates the session secret (docs/SECURITY.md §13) and returns the new cookie value.
   */
  async reauthenticate(
    ctx: RequestContext,
    input: { password: string; totpCode?: string; recoveryCode?: string },
  ): Promise<string> {
    const actor = ctx.actor;
    if (actor.kind !== "account") throw new AppError("UNAUTHENTICATED");
    const { secondFactor } = await this.verifyOwnPassword(ctx, actor.accountId, input.password, {
      required: true,
      totpCode: input.totpCode,
      recoveryCode: input.recoveryCode,
    });
    return this.db.transaction().execute(async (tx) => {
      await this.markVerified(tx, ctx, actor.accountId, secondFactor);
      const token = await this.sessions.rotateAfterReauth(tx, actor.sessionId, ctx.now, {
        twoFactor: secondFactor !== null,
      });
      await recordEvent(tx, ctx, {
        action: "session.reauthenticate",
        accountId: actor.accountId,
        target: actor.sessionId,
      });
      return token;
    });
  }

  /**
   * A success ends the account's failure run, except while the account is throttled: then the
   * success came from a recognised browser, and the throttle stays for everyone else.
   */
  private async endFailureRun(db: Executor, accountId: string, now: number): Promise<void> {
    await db
      .updateTable("accounts")
      .set({ failedSignIns: 0 })
      .where("id", "=", accountId)
      .where((eb) => eb.or([eb("throttledUntil", "is", null), eb("throttledUntil", "<=", now)]))
      .execute();
  }

  /** One failure of the account (e.g. a wrong security answer) toward its sign-in throttle. */
  async countFailure(accountId: string, ctx: RequestContext, reason: string): Promise<void> {
    await this.recordFailure(ctx, { kind: "account", accountId }, accountId, reason, {});
  }

  /**
   * Counts a failure against its subject (outside the failing request's work) with its audit events:
   * `sign-in.failure` at sign-in, `reauth.failure` for a signed-in account's wrong password or code
   * (re-authentication, password change): the same throttle, but not a "failed sign-in" in its log.
   */
  private async recordFailure(
    ctx: RequestContext,
    subject: FailureSubject,
    accountId: string | null,
    reason: string,
    details: Record<string, unknown>,
    action: "sign-in.failure" | "reauth.failure" = "sign-in.failure",
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const { failures, throttledUntil: until } = await countFailure(tx, subject, ctx.now);
      await recordEvent(tx, ctx, {
        action,
        accountId,
        details: {
          reason,
          ...details,
          ...(accountId ? { consecutive: failures } : {}),
          ...(subject.kind === "device" ? { device: true } : {}),
        },
      });
      if (until !== null) {
        await recordEvent(tx, ctx, {
          action: "sign-in.throttle",
          accountId,
          details: {
            ...details,
            until: new Date(until).toISOString(),
            ...(subject.kind === "device" ? { device: true } : {}),
          },
        });
      }
    });
  }

  async profile(ctx: RequestContext, accountId: string): Promise<ProfileView> {
    const a = await profileRow.first(this.db, { accountId });
    if (!a) throw new AppError("NOT_FOUND");
    const pending = await pendingConfirmations.all(this.db, { accountId, now: ctx.now });
    const missing: string[] = [];
    if (!a.firstName || !a.lastName) missing.push("names");
    if (!a.securityQuestion || !a.securityAnswerHash) missing.push("securityQuestion");
    if (!a.phone || a.phoneConfirmedAt === null) missing.push("confirmedPhone");
    const blockedBy = await recoveryEmailBlockedBy(this.db, a.id, a.recoveryEmail);
    return {
      id: a.id,
      login: a.login,
      address: `${a.login}@${this.deps.config.serviceDomain}`,
      firstName: a.firstName,
      lastName: a.lastName,
      securityQuestion:
        a.securityQuestion && isSecurityQuestion(a.securityQuestion)
          ? { id: a.securityQuestion, text: SECURITY_QUESTIONS[a.securityQuestion] }
          : null,
      phone: a.phone ? { number: a.phone, confirmed: a.phoneConfirmedAt !== null } : null,
      recoveryEmail: a.recoveryEmail
        ? {
            address: a.recoveryEmail,
            confirmed: a.emailConfirmedAt !== null,
            usableForRestore: blockedBy === null,
            unusableReason: blockedBy === null ? null : UNUSABLE_REASON,
            managedDomain: blockedBy,
          }
        : null,
      pendingPhone: pending.find((p) => p.purpose === "confirm_phone")?.target ?? null,
      pendingEmail: pending.find((p) => p.purpose === "confirm_email")?.target ?? null,
      twoFactor: a.totpEnabledAt !== null,
      recoveryCodesLeft: a.totpEnabledAt !== null ? await recoveryCodesLeft(this.db, a.id) : 0,
      isSupportAgent: a.isSupportAgent === 1,
      complete: missing.length === 0,
      missing,
      createdAt: isoTime(a.createdAt),
    };
  }
}
