import { authenticator } from "otplib";
import type { Executor } from "../db/database.js";

const STEP_MS = 30_000;

export const newTotpSecret = (): string => authenticator.generateSecret(20);

export const otpauthUri = (login: string, issuer: string, secret: string): string =>
  authenticator.keyuri(login, issuer, secret);

/**
 * Checks a TOTP code at `now` allowing ±1 step. Returns the matched time step so
 * the caller can refuse a step already used (a code works once), or null.
 */
export function matchTotp(secret: string, code: string, now: number, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const checker = authenticator.clone({ epoch: now, window: 1 });
  const delta = checker.checkDelta(code, secret);
  if (delta === null) return null;
  const step = Math.floor(now / STEP_MS) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}

/** The code an authenticator app shows at `now` (tests and the bench use it). */
export const totpAt = (secret: string, now: number): string =>
  authenticator.clone({ epoch: now }).generate(secret);

/**
 * Spends a matched step inside the transaction that acts on the code: the update succeeds only
 * while no equal or later step was used, so of parallel requests with one code exactly one gets
 * through (the others read the old step before the first committed). False: already used.
 */
export async function claimTotpStep(db: Executor, accountId: string, step: number): Promise<boolean> {
  const claimed = await db
    .updateTable("accounts")
    .set({ totpLastStep: step })
    .where("id", "=", accountId)
    .where((eb) => eb.or([eb("totpLastStep", "is", null), eb("totpLastStep", "<", step)]))
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}
