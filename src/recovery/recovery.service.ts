import type { Static } from "@sinclair/typebox";
import type { RequestContext } from "../access/actor.js";
import type { AccountsService } from "../accounts/index.js";
import { recordEvent, recordRefusals } from "../audit/audit.service.js";
import {
  CODE_TTL_MS,
  type CodePurpose,
  consumeCode,
  issueCode,
  MAX_CODE_FAILURES,
} from "../credentials/codes.js";
import { normaliseEmail, normalisePhone } from "../credentials/contacts.js";
import { checkPasswordPolicy, hashPassword, verifyPassword } from "../credentials/passwords.js";
import { managedDomainNames, recoveryEmailBlockedBy } from "../credentials/recovery-email.js";
import { matchSecondFactor, type SecondFactorMatch } from "../credentials/second-factor.js";
import {
  isSecurityQuestion,
  normaliseAnswer,
  SECURITY_QUESTIONS,
  type SecurityQuestionId,
} from "../credentials/security-questions.js";
import { appSecret, keyedHash } from "../db/app-secrets.js";
import type { Executor } from "../db/database.js";
import { hitLimits, type Limit } from "../db/rate-limit.js";
import { inDomainTransaction, type RowLocks } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { DAY, HOUR, MINUTE } from "../lib/clock.js";
import { AppError } from "../lib/errors.js";
import { randomSecret, sha256 } from "../lib/random.js";
import type { LifecycleHooks } from "../lifecycle.js";
import type * as schemas from "./recovery.schemas.js";

/** How long a reset grant (the token a verified flow hands out) stays usable. */
export const RESET_GRANT_TTL_MS = 10 * MINUTE;
/** docs/SECURITY.md §7: at most this many codes are sent to one account per hour. */
export const SENDS_PER_ACCOUNT_PER_HOUR = 5;
/** Security-question answers one account accepts a day, whatever the number of flows. */
export const QUESTION_ANSWERS_PER_DAY = 10;

export type RecoveryChannel = "phone" | "email";

const CODE_PURPOSE: Record<RecoveryChannel, CodePurpose> = {
  phone: "recovery_phone",
  email: "recovery_email",
};
const CODE_PURPOSES: CodePurpose[] = ["recovery_phone", "recovery_email"];
const ALL_PURPOSES: CodePurpose[] = [...CODE_PURPOSES, "recovery_question"];
const VIA: Record<string, "phone" | "email" | "question"> = {
  recovery_phone: "phone",
  recovery_email: "email",
  recovery_question: "question",
};

// One sentence for every case, so it says nothing about the account (docs/SECURITY.md §8).
const CODE_SENT_MESSAGE =
  "If the login and the contact belong to an account, a code has been sent there. It is valid for 10 minutes.";

const QUESTION_IDS = Object.keys(SECURITY_QUESTIONS) as SecurityQuestionId[];

// Inputs and answers are the routes' schemas (recovery.schemas.ts), so the two cannot drift apart.
export type CodeRequest = Static<typeof schemas.CodeRequestBody>;
export type FlowStarted = Static<typeof schemas.CodeRequested>;
export type QuestionOffered = Static<typeof schemas.QuestionOffered>;
export type VerifyInput = Static<typeof schemas.VerifyBody>;
export type ResetGrant = Static<typeof schemas.ResetGrant>;
export type ResetInput = Static<typeof schemas.ResetBody>;

interface ContactColumns {
  phone: string | null;
  phoneConfirmedAt: number | null;
  recoveryEmail: string | null;
  emailConfirmedAt: number | null;
}

const confirmedPhone = (a: ContactColumns) => (a.phoneConfirmedAt !== null ? a.phone : null);
const confirmedEmail = (a: ContactColumns) => (a.emailConfirmedAt !== null ? a.recoveryEmail : null);

/** True when the typed contact is the account's confirmed one for the channel. */
function contactMatches(account: ContactColumns, channel: RecoveryChannel, typed: string): boolean {
  if (channel === "phone") return confirmedPhone(account) === typed;
  // Local parts are case-insensitive at every real mail provider, and people do not remember case.
  return confirmedEmail(account)?.toLowerCase() === typed.toLowerCase();
}

/**
 * Restore access has no global ceiling: a flood of made-up logins from many addresses would spend
 * it and lock every real user out. What an attacker cannot fake cheaply carries the limits
 * instead: the client address (here), and the account — its sends per hour, the failures of its
 * codes and flows, and its daily budget of security-question answers.
 */
const perAddress = (name: string, ip: string | undefined, max: number): Limit[] => [
  { key: `${name}:ip:${ip}`, max, windowMs: HOUR },
];

/** Counts a hit and says whether it stayed within the limit, instead of answering 429. */
async function underLimit(db: Executor, now: number, limit: Limit): Promise<boolean> {
  try {
    await hitLimits(db, now, [limit]);
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === "RATE_LIMITED") return false;
    throw error;
  }
}

/**
 * Restore access to a service account (docs/SECURITY.md §7–12).
 *
 * A flow is a `verification_codes` row: a code sent to a confirmed contact, or a security
 * question. Whatever the login, the first step answers the same way and creates a row; rows that
 * belong to no account (accountId null) can never be verified. A verified flow carries a reset
 * grant (grant_hash), spent by `reset`.
 */
export class RecoveryService {
  constructor(
    readonly deps: Deps,
    private readonly accounts: AccountsService,
    private readonly lifecycle: LifecycleHooks,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * Step 1, code channels: send a code if the contact is the account's confirmed one — and, for
   * the recovery e-mail, not on a domain the account manages, where others could read it.
   */
  async requestCode(ctx: RequestContext, input: CodeRequest): Promise<FlowStarted> {
    const login = this.accounts.loginFromIdentifier(input.login);
    const contact = input.channel === "phone" ? normalisePhone(input.contact) : normaliseEmail(input.contact);
    const now = ctx.now;
    await hitLimits(
      this.db,
      now,
      perAddress("recovery-code", ctx.limitKey, 20),
      recordRefusals(this.db, ctx, "recovery-code"),
    );

    const account = await this.db
      .selectFrom("accounts")
      .select(["id", "login", "phone", "phoneConfirmedAt", "recoveryEmail", "emailConfirmedAt"])
      .where("login", "=", login)
      .executeTakeFirst();
    // Read on every path (for no account too), so they all do the same work.
    const blockedBy = await recoveryEmailBlockedBy(
      this.db,
      account?.id ?? "",
      account?.recoveryEmail ?? null,
    );
    const refusal = !account
      ? "unknown-login"
      : !contactMatches(account, input.channel, contact)
        ? "contact-mismatch"
        : input.channel === "email" && blockedBy !== null
          ? "email-on-managed-domain"
          : null;
    const purpose = CODE_PURPOSE[input.channel];

    const flowId = await this.db.transaction().execute(async (tx) => {
      // Every path makes the same writes in this one transaction — a send counter, a flow row, an
      // outbox row or its stand-in, an audit event — so the answer's timing does not tell whether
      // the login and the contact match (docs/SECURITY.md §8). Over the send limit the
      // answer stays the same too: a 429 there would confirm the contact.
      const sendAllowed = await underLimit(
        tx,
        now,
        account && refusal === null
          ? { key: `send:account:${account.id}`, max: SENDS_PER_ACCOUNT_PER_HOUR, windowMs: HOUR }
          : { key: `recovery-decoy:login:${login}`, max: Number.POSITIVE_INFINITY, windowMs: HOUR },
      );
      const reason = refusal ?? (sendAllowed ? null : "send-limit");
      if (!account || reason !== null) {
        // A row that belongs to no account: its code is never sent and can never be verified,
        // and a live code the owner already has is left alone (docs/SECURITY.md §9).
        const decoy = await issueCode(tx, now, { accountId: null, purpose, target: null });
        // In place of the code's outbox row, one row written all the same (a counter of the typed
        // contact, limiting nothing), so a sent code does not show in the answer's timing either.
        await hitLimits(tx, now, [
          {
            key: `recovery-decoy:contact:${sha256(contact)}`,
            max: Number.POSITIVE_INFINITY,
            windowMs: HOUR,
          },
        ]);
        await recordEvent(tx, ctx, {
          action: "recovery.code-requested",
          accountId: account?.id ?? null,
          ...(account ? {} : { target: login }),
          details: { channel: input.channel, sent: false, reason },
        });
        return decoy.id;
      }
      // Sent to the contact as the account holds it, not as typed (case may differ in e-mail).
      const recipient = (input.channel === "phone" ? account.phone : account.recoveryEmail) as string;
      const issued = await issueCode(tx, now, { accountId: account.id, purpose, target: recipient });
      const address = `${account.login}@${this.deps.config.serviceDomain}`;
      await this.deps.outbox.enqueue(tx, now, {
        channel: input.channel === "phone" ? "sms" : "email",
        recipient,
        subject: "Your code to restore access to mfd",
        body:
          `${issued.code} is your code to restore access to ${address}. It is valid for 10 minutes. ` +
          "If you did not ask for it, ignore this message: nothing changes without the code.",
        accountId: account.id,
        expiresAt: now + CODE_TTL_MS,
      });
      await recordEvent(tx, ctx, {
        action: "recovery.code-requested",
        accountId: account.id,
        details: { channel: input.channel, sent: true },
      });
      return issued.id;
    });
    return { flowId, expiresAt: new Date(now + CODE_TTL_MS).toISOString(), message: CODE_SENT_MESSAGE };
  }

  /**
   * Step 1, question channel (docs/SECURITY.md §10): the account's own question only when it has no
   * confirmed phone or e-mail; otherwise, and for unknown logins, a decoy question that stays
   * the same for the login and whose flow never verifies.
   */
  async requestQuestion(ctx: RequestContext, input: { login: string }): Promise<QuestionOffered> {
    const login = this.accounts.loginFromIdentifier(input.login);
    const now = ctx.now;
    await hitLimits(
      this.db,
      now,
      perAddress("recovery-question", ctx.limitKey, 20),
      recordRefusals(this.db, ctx, "recovery-question"),
    );

    const account = await this.db
      .selectFrom("accounts")
      .select([
        "id",
        "phone",
        "phoneConfirmedAt",
        "recoveryEmail",
        "emailConfirmedAt",
        "securityQuestion",
        "securityAnswerHash",
      ])
      .where("login", "=", login)
      .executeTakeFirst();
    // Computed in every case, so the real and the decoy path do the same work.
    const decoy = await this.decoyQuestion(login);
    const own =
      account && offersQuestion(account) && isSecurityQuestion(account.securityQuestion ?? "")
        ? (account.securityQuestion as SecurityQuestionId)
        : null;
    const questionId = own ?? decoy;
    const flow = await this.db.transaction().execute((tx) =>
      // The row's code is never sent: a question flow is verified by its answer. issueCode is
      // used for what it guarantees: a repeated request replaces the flow and keeps its failures.
      issueCode(tx, now, {
        accountId: own && account ? account.id : null,
        purpose: "recovery_question",
        target: questionId,
      }),
    );
    return { flowId: flow.id, question: { id: questionId, text: SECURITY_QUESTIONS[questionId] } };
  }

  private async decoyQuestion(login: string): Promise<SecurityQuestionId> {
    const digest = keyedHash(await appSecret(this.db, "recovery_decoy"), login);
    return QUESTION_IDS[Number.parseInt(digest.slice(0, 8), 16) % QUESTION_IDS.length] as SecurityQuestionId;
  }

  /** Step 2: the code or the answer; success hands out a single-use reset grant. */
  async verify(ctx: RequestContext, input: VerifyInput): Promise<ResetGrant> {
    if ((input.code === undefined) === (input.answer === undefined)) {
      throw new AppError("VALIDATION_FAILED", "Send either the code or the answer.", {
        field: input.code === undefined ? "code" : "answer",
      });
    }
    await hitLimits(
      this.db,
      ctx.now,
      perAddress("recovery-verify", ctx.limitKey, 30),
      recordRefusals(this.db, ctx, "recovery-verify"),
    );
    return input.code !== undefined
      ? this.verifyCode(ctx, input.flowId, input.code)
      : this.verifyAnswer(ctx, input.flowId, input.answer as string);
  }

  private async verifyCode(ctx: RequestContext, flowId: string, code: string): Promise<ResetGrant> {
    const now = ctx.now;
    const grant = newGrant(now);
    const granted = await inDomainTransaction(this.deps.database, async (tx, locks) => {
      const flow = await this.lockFlow(tx, locks, flowId);
      const row = await consumeCode(tx, now, { id: flowId, purposes: CODE_PURPOSES }, code);
      if (!row) {
        if (flow?.accountId && CODE_PURPOSES.includes(flow.purpose as CodePurpose)) {
          await recordEvent(tx, ctx, {
            action: "recovery.code-failure",
            accountId: flow.accountId,
            details: { channel: VIA[flow.purpose] },
          });
        }
        // Returning (not throwing) commits the failure consumeCode counted.
        return false;
      }
      await this.attachGrant(tx, row.id, grant);
      return true;
    });
    if (!granted) throw new AppError("INVALID_CODE");
    return grant.view;
  }

  private async verifyAnswer(ctx: RequestContext, flowId: string, answer: string): Promise<ResetGrant> {
    const now = ctx.now;
    // The try is counted before the slow hash check, so parallel guesses cannot outrun the limit
    // of 5; a right answer resets the count when the grant is attached.
    const charged = await this.db
      .updateTable("verificationCodes")
      .set((eb) => ({ failures: eb("failures", "+", 1) }))
      .where("id", "=", flowId)
      .where("purpose", "=", "recovery_question")
      .where("consumedAt", "is", null)
      .where("expiresAt", ">", now)
      .where("failures", "<", MAX_CODE_FAILURES)
      .returning(["id", "accountId"])
      .executeTakeFirst();
    // The account's answers a day, across all its flows: starting a new flow (or waiting for one
    // to expire) restores a flow's 5 tries but never this budget.
    const withinBudget = charged?.accountId
      ? await underLimit(this.db, now, {
          key: `recovery-answer:account:${charged.accountId}`,
          max: QUESTION_ANSWERS_PER_DAY,
          windowMs: DAY,
        })
      : false;
    const account =
      charged?.accountId && withinBudget
        ? await this.db
            .selectFrom("accounts")
            .select(["securityAnswerHash", "phone", "phoneConfirmedAt", "recoveryEmail", "emailConfirmedAt"])
            .where("id", "=", charged.accountId)
            .executeTakeFirst()
        : undefined;
    // A contact confirmed since the flow started closes the question channel.
    const stored = account && offersQuestion(account) ? account.securityAnswerHash : null;
    // The hash is computed for decoy and dead flows too (verifyPassword uses a dummy hash).
    const ok = await verifyPassword(stored, normaliseAnswer(answer));
    if (!charged || !ok) {
      if (charged?.accountId) {
        await recordEvent(this.db, ctx, {
          action: "recovery.question-failure",
          accountId: charged.accountId,
          ...(withinBudget ? {} : { details: { reason: "daily-budget-spent" } }),
        });
        // A wrong answer is a failure of the account like a wrong password: it counts toward the
        // sign-in throttle, so guesses split between the two are bounded together.
        await this.accounts.countFailure(charged.accountId, ctx, "security-question");
      }
      throw new AppError("RECOVERY_INVALID");
    }
    const grant = newGrant(now);
    const attached = await this.db.transaction().execute(async (tx) => {
      const spent = await tx
        .updateTable("verificationCodes")
        .set({ consumedAt: now })
        .where("id", "=", charged.id)
        .where("consumedAt", "is", null)
        .executeTakeFirst();
      if (Number(spent.numUpdatedRows) !== 1) return false;
      await this.attachGrant(tx, charged.id, grant);
      return true;
    });
    if (!attached) throw new AppError("RECOVERY_INVALID");
    return grant.view;
  }

  /** Serialises verifications of one flow. */
  private async lockFlow(tx: Executor, locks: RowLocks, flowId: string) {
    return locks
      .query(
        tx.selectFrom("verificationCodes").select(["id", "accountId", "purpose"]).where("id", "=", flowId),
      )
      .executeTakeFirst();
  }

  private async attachGrant(tx: Executor, rowId: string, grant: Grant): Promise<void> {
    // From here on `failures` counts wrong two-factor codes given with the grant (see `reset`).
    await tx
      .updateTable("verificationCodes")
      .set({ grantHash: grant.hash, grantExpiresAt: grant.expiresAt, failures: 0 })
      .where("id", "=", rowId)
      .execute();
  }

  /**
   * Step 3: a new password. Ends every session, lifts the sign-in throttle, notifies every
   * confirmed contact, and does not sign in (docs/SECURITY.md §11). Two-factor is never bypassed.
   */
  async reset(ctx: RequestContext, input: ResetInput): Promise<void> {
    const now = ctx.now;
    await hitLimits(
      this.db,
      now,
      perAddress("recovery-reset", ctx.limitKey, 30),
      recordRefusals(this.db, ctx, "recovery-reset"),
    );
    const grantHash = sha256(input.resetToken);
    const flow = await this.db
      .selectFrom("verificationCodes")
      .select(["id", "accountId", "purpose"])
      .where("grantHash", "=", grantHash)
      .where("grantExpiresAt", ">", now)
      .where("failures", "<", MAX_CODE_FAILURES)
      .executeTakeFirst();
    const account = flow?.accountId
      ? await this.db
          .selectFrom("accounts")
          .select([
            "id",
            "login",
            "phone",
            "phoneConfirmedAt",
            "recoveryEmail",
            "emailConfirmedAt",
            "totpSecret",
            "totpEnabledAt",
            "totpLastStep",
          ])
          .where("id", "=", flow.accountId)
          .executeTakeFirst()
      : undefined;
    if (!flow || !account) throw new AppError("RECOVERY_INVALID");

    checkPasswordPolicy(input.newPassword, {
      login: account.login,
      serviceDomain: this.deps.config.serviceDomain,
      domains: await managedDomainNames(this.db, account.id),
    });
    let secondFactor: SecondFactorMatch | null = null;
    if (account.totpEnabledAt !== null && account.totpSecret) {
      // An authenticator code, or a recovery code for a lost authenticator.
      secondFactor = await matchSecondFactor(
        this.db,
        this.deps.config,
        { id: account.id, totpSecret: account.totpSecret, totpLastStep: account.totpLastStep },
        input,
        now,
      );
      if (secondFactor === null) {
        // Five wrong codes spend the grant, so it cannot be used to guess the authenticator.
        await this.db.transaction().execute(async (tx) => {
          await tx
            .updateTable("verificationCodes")
            .set((eb) => ({ failures: eb("failures", "+", 1) }))
            .where("id", "=", flow.id)
            .execute();
          await recordEvent(tx, ctx, { action: "recovery.two-factor-failure", accountId: account.id });
        });
        throw new AppError("INVALID_TWO_FACTOR_CODE");
      }
    }

    const passwordHash = await hashPassword(input.newPassword);
    await this.db.transaction().execute(async (tx) => {
      // Spending the grant is the gate: of two concurrent resets with one token, one wins.
      const spent = await tx
        .updateTable("verificationCodes")
        .set({ grantExpiresAt: now })
        .where("id", "=", flow.id)
        .where("grantHash", "=", grantHash)
        .where("grantExpiresAt", ">", now)
        .where("failures", "<", MAX_CODE_FAILURES)
        .executeTakeFirst();
      if (Number(spent.numUpdatedRows) !== 1) throw new AppError("RECOVERY_INVALID");
      // The two-factor code given with the grant works once, however many resets race with it.
      if (secondFactor !== null)
        await this.accounts.spendSecondFactor(tx, ctx, account.id, secondFactor, "restore-access");
      // No other code, question or grant of this account outlives the reset.
      await tx
        .updateTable("verificationCodes")
        .set({ consumedAt: now })
        .where("accountId", "=", account.id)
        .where("purpose", "in", ALL_PURPOSES)
        .where("consumedAt", "is", null)
        .execute();
      await tx
        .updateTable("verificationCodes")
        .set({ grantExpiresAt: now })
        .where("accountId", "=", account.id)
        .where("grantExpiresAt", ">", now)
        .execute();
      await tx
        .updateTable("accounts")
        .set({
          passwordHash,
          passwordChangedAt: now,
          failedSignIns: 0,
          throttledUntil: null,
        })
        .where("id", "=", account.id)
        .execute();
      // Sessions end and API tokens are revoked by their modules' handlers.
      const { sessionsEnded = 0, tokensRevoked = 0 } = await this.lifecycle.emit(
        tx,
        ctx,
        "account.recovered",
        {
          accountId: account.id,
        },
      );
      await this.notifyContacts(tx, now, account);
      await recordEvent(tx, ctx, {
        action: "password.reset",
        accountId: account.id,
        details: { via: VIA[flow.purpose] ?? "unknown", sessionsEnded, tokensRevoked },
      });
    });
  }

  private async notifyContacts(
    tx: Executor,
    now: number,
    account: ContactColumns & { id: string; login: string },
  ): Promise<void> {
    const address = `${account.login}@${this.deps.config.serviceDomain}`;
    const when = new Date(now).toISOString().replace("T", " ").slice(0, 16);
    const text =
      `The password of ${address} was reset at ${when} UTC through restore access; every session was signed out and every API token revoked. ` +
      `If this was not you, restore access again at ${this.deps.config.publicUrl} and secure this contact.`;
    const subject = "Your mfd password was reset";
    const phone = confirmedPhone(account);
    const email = confirmedEmail(account);
    if (phone) {
      await this.deps.outbox.enqueue(tx, now, {
        channel: "sms",
        recipient: phone,
        subject,
        body: text,
        accountId: account.id,
      });
    }
    if (email) {
      await this.deps.outbox.enqueue(tx, now, {
        channel: "email",
        recipient: email,
        subject,
        body: text,
        accountId: account.id,
      });
    }
  }
}

/** The question is the account's to offer only while it has no confirmed contact (docs/SECURITY.md §10). */
function offersQuestion(
  account: ContactColumns & { securityQuestion?: string | null; securityAnswerHash: string | null },
): boolean {
  return (
    confirmedPhone(account) === null &&
    confirmedEmail(account) === null &&
    account.securityAnswerHash !== null
  );
}

interface Grant {
  hash: string;
  expiresAt: number;
  view: ResetGrant;
}

/** A 256-bit reset grant; only its hash is stored. */
function newGrant(now: number): Grant {
  const token = randomSecret(32);
  const expiresAt = now + RESET_GRANT_TTL_MS;
  return {
    hash: sha256(token),
    expiresAt,
    view: { resetToken: token, expiresAt: new Date(expiresAt).toISOString() },
  };
}
