import { appSecret, keyedHash } from "../db/app-secrets.js";
import type { Executor } from "../db/database.js";
import { MINUTE } from "../lib/clock.js";
import { constantTimeEqual, newId, numericCode } from "../lib/random.js";

/** One-time codes for confirming contacts and restoring access. */
export const CODE_TTL_MS = 10 * MINUTE;
export const CODE_DIGITS = 6;
export const MAX_CODE_FAILURES = 5;

export type CodePurpose =
  | "confirm_phone"
  | "confirm_email"
  | "recovery_phone"
  | "recovery_email"
  | "recovery_question";

export interface IssuedCode {
  id: string;
  code: string;
}

async function pepper(db: Executor): Promise<string> {
  return appSecret(db, "code_pepper");
}

const hashCode = (key: string, id: string, code: string) => keyedHash(key, `${id}:${code}`);

/**
 * Issues a code for (account, purpose). A previous live code for the same purpose is replaced,
 * but its failure count carries over, so resending never buys more guesses.
 */
export async function issueCode(
  db: Executor,
  now: number,
  input: { accountId: string | null; purpose: CodePurpose; target: string | null },
): Promise<IssuedCode> {
  const key = await pepper(db);
  // Looked up for rows of no account too (no account has the id ""), so a decoy flow costs the
  // same reads as a real one.
  const previous = await db
    .selectFrom("verificationCodes")
    .select(["id", "failures", "sends"])
    .where("accountId", "=", input.accountId ?? "")
    .where("purpose", "=", input.purpose)
    .where("consumedAt", "is", null)
    .where("expiresAt", ">", now)
    .execute();
  let carriedFailures = 0;
  let carriedSends = 0;
  for (const p of previous) {
    carriedFailures = Math.max(carriedFailures, p.failures);
    carriedSends = Math.max(carriedSends, p.sends);
  }
  if (previous.length > 0) {
    await db
      .updateTable("verificationCodes")
      .set({ consumedAt: now })
      .where(
        "id",
        "in",
        previous.map((p) => p.id),
      )
      .execute();
  }
  const id = newId();
  const code = numericCode(CODE_DIGITS);
  await db
    .insertInto("verificationCodes")
    .values({
      id,
      accountId: input.accountId,
      purpose: input.purpose,
      target: input.target,
      // A code that can never match (for flows with no real account) still gets a row, so the
      // answer and the work done are the same either way.
      codeHash: hashCode(key, id, code),
      expiresAt: now + CODE_TTL_MS,
      failures: carriedFailures,
      sends: carriedSends + 1,
      createdAt: now,
    })
    .execute();
  return { id, code };
}

export interface CodeRow {
  id: string;
  accountId: string | null;
  target: string | null;
}

/**
 * Checks a code by its row id (flows) or by (account, purpose). A wrong code counts a failure;
 * the fifth failure kills it. Success consumes it. Failure returns null rather than throwing, so
 * a caller's transaction commits the counted failure; the caller then answers INVALID_CODE.
 */
export async function consumeCode(
  db: Executor,
  now: number,
  where: { id: string; purposes: CodePurpose[] } | { accountId: string; purpose: CodePurpose },
  code: string,
): Promise<CodeRow | null> {
  const key = await pepper(db);
  let query = db
    .selectFrom("verificationCodes")
    .select(["id", "accountId", "target", "codeHash", "failures", "expiresAt", "consumedAt"])
    .where("consumedAt", "is", null)
    .where("expiresAt", ">", now)
    .where("failures", "<", MAX_CODE_FAILURES);
  query =
    "id" in where
      ? query.where("id", "=", where.id).where("purpose", "in", where.purposes)
      : query.where("accountId", "=", where.accountId).where("purpose", "=", where.purpose);
  const row = await query.orderBy("createdAt", "desc").executeTakeFirst();
  if (!row?.codeHash) return null;
  if (
    !/^\d{6,8}$/.test(code) ||
    !constantTimeEqual(row.codeHash, hashCode(key, row.id, code)) ||
    !row.accountId
  ) {
    // Conditional, so a failure is never counted on a code that is already dead.
    await db
      .updateTable("verificationCodes")
      .set((eb) => ({ failures: eb("failures", "+", 1) }))
      .where("id", "=", row.id)
      .where("consumedAt", "is", null)
      .where("failures", "<", MAX_CODE_FAILURES)
      .execute();
    return null;
  }
  // Conditional too: a code killed or used by a parallel check since it was read does not work.
  const spent = await db
    .updateTable("verificationCodes")
    .set({ consumedAt: now })
    .where("id", "=", row.id)
    .where("consumedAt", "is", null)
    .where("failures", "<", MAX_CODE_FAILURES)
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) return null;
  return { id: row.id, accountId: row.accountId, target: row.target };
}
