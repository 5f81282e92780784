import { describe, expect, it } from "vitest";
import { createTestApp, registerAccount } from "../../test/helpers/app.js";
import { holdTransaction } from "../../test/helpers/locks.js";
import { newId } from "../lib/random.js";
import { inDomainTransaction, isUniqueViolation, rowLocks } from "./transactions.js";

const t = await createTestApp();
const postgres = t.deps.database.dialect === "postgres";

const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => expect.fail("the statement was accepted"),
    (error: unknown) => error,
  );

describe("isUniqueViolation", () => {
  it("recognises a unique index and a primary key refusing a row, and nothing else", async () => {
    const { login, accountId } = await registerAccount(t);
    const row = { passwordHash: "x", firstName: "A", lastName: "B", createdAt: 1, passwordChangedAt: 1 };
    const sameLogin = await failureOf(
      t.db
        .insertInto("accounts")
        .values({ ...row, id: newId(), login })
        .execute(),
    );
    const sameId = await failureOf(
      t.db
        .insertInto("accounts")
        .values({ ...row, id: accountId, login: `${login}x` })
        .execute(),
    );
    const missingColumn = await failureOf(
      t.db
        .insertInto("accounts")
        .values({ ...row, id: newId(), login: `${login}y`, firstName: null as unknown as string })
        .execute(),
    );
    expect([isUniqueViolation(sameLogin), isUniqueViolation(sameId)]).toEqual([true, true]);
    expect(isUniqueViolation(missingColumn)).toBe(false);
    expect(isUniqueViolation(new Error("no code"))).toBe(false);
  });
});

describe("inDomainTransaction", () => {
  it("locks rows on PostgreSQL only, where a missing row is reported", async () => {
    const missing = await inDomainTransaction(t.deps.database, (_tx, locks) => locks.row("domains", newId()));
    expect(missing).toBe(!postgres);
    await inDomainTransaction(t.deps.database, async (_tx, locks) => expect(locks.taken).toBe(postgres));
  });

  it.runIf(postgres)(
    "makes a second transaction locking the same row first wait for the one holding it",
    async () => {
      const { accountId } = await registerAccount(t);
      const held = await holdTransaction(t.deps.database, async (tx) => {
        await rowLocks(tx, "postgres").row("accounts", accountId);
      });
      const order: string[] = [];
      const second = inDomainTransaction(t.deps.database, async () => order.push("second"), {
        lock: { table: "accounts", id: accountId },
      });
      try {
        await held.waitedOn();
        order.push("first committed");
      } finally {
        // Also when nothing waited, so the test fails rather than hangs on the open transaction.
        await held.commit();
      }
      await second;
      expect(order).toEqual(["first committed", "second"]);
    },
  );
});
