import type { Executor } from "../db/database.js";
import { AppError } from "../lib/errors.js";
import { openSecret, type SecretKeySource } from "../lib/secret-box.js";
import { matchRecoveryCode, spendRecoveryCode } from "./recovery-codes.js";
import { claimTotpStep, matchTotp } from "./totp.js";

/** What a person typed as their second factor: an authenticator code or a recovery code. */
export interface SecondFactorInput {
  totpCode?: string | undefined;
  recoveryCode?: string | undefined;
}

/** A second factor that matched, not yet spent: spend it with `spendSecondFactor` in the change's transaction. */
export type SecondFactorMatch = { kind: "totp"; step: number } | { kind: "recovery-code"; id: string };

/**
 * Checks the second factor of an account with two-factor on: a TOTP code (±1 step, unused step)
 * or, for a lost authenticator, one of its unused recovery codes. TWO_FACTOR_REQUIRED when neither
 * was given; null when the one given is wrong (the caller counts the failure and answers
 * INVALID_TWO_FACTOR_CODE, so that the count is written outside the failing request).
 */
export async function matchSecondFactor(
  db: Executor,
  config: SecretKeySource,
  account: { id: string; totpSecret: string; totpLastStep: number | null },
  input: SecondFactorInput,
  now: number,
): Promise<SecondFactorMatch | null> {
  if (input.totpCode) {
    const step = matchTotp(openSecret(config, account.totpSecret), input.totpCode, now, account.totpLastStep);
    return step === null ? null : { kind: "totp", step };
  }
  if (input.recoveryCode) {
    const id = await matchRecoveryCode(db, config, account.id, input.recoveryCode);
    return id === null ? null : { kind: "recovery-code", id };
  }
  throw new AppError("TWO_FACTOR_REQUIRED");
}

/**
 * Spends a matched second factor in the transaction that acts on it; of parallel requests with
 * one code exactly one gets through, the others get INVALID_TWO_FACTOR_CODE.
 */
export async function spendSecondFactor(
  db: Executor,
  accountId: string,
  match: SecondFactorMatch,
  now: number,
): Promise<void> {
  const spent =
    match.kind === "totp"
      ? await claimTotpStep(db, accountId, match.step)
      : await spendRecoveryCode(db, match.id, now);
  if (!spent) throw new AppError("INVALID_TWO_FACTOR_CODE");
}
