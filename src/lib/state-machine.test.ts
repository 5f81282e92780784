import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, testDialect } from "../../test/helpers/database.js";
import type { Database } from "../db/database.js";
import { AppError } from "./errors.js";
import { defineStateMachine } from "./state-machine.js";

// A scratch table of this test only: the machine works on any table with an id and a state column.
const orders = defineStateMachine({
  table: "smOrders",
  states: ["open", "paid", "shipped", "cancelled"],
  transitions: {
    pay: { from: ["open"], to: "paid" },
    ship: { from: ["paid"], to: "shipped" },
    cancel: { from: ["open", "paid"], to: "cancelled" },
    expire: { from: ["open"], to: "cancelled" },
  },
});

let database: Database;
let next = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  await sql`create table sm_orders (id varchar(40) primary key, state varchar(20) not null, changed_at bigint)`.execute(
    database.db,
  );
});
afterAll(async () => {
  await database?.destroy();
});

let id: string;
beforeEach(async () => {
  id = `order-${++next}`;
  await sql`insert into sm_orders (id, state) values (${id}, 'open')`.execute(database.db);
});

const stateOf = async (row: string) => {
  const { rows } = await sql<{ state: string; changedAt: number | null }>`
    select state, changed_at from sm_orders where id = ${row}`.execute(database.db);
  return rows[0];
};

const stateChanged = (error: unknown) => error instanceof AppError && error.code === "STATE_CHANGED";

describe(`state machine (${testDialect})`, () => {
  it("knows which events may happen in which state", () => {
    expect(orders.can("open", "pay")).toBe(true);
    expect(orders.can("open", "ship")).toBe(false);
    expect(orders.next("paid", "cancel")).toBe("cancelled");
    expect(orders.next("shipped", "cancel")).toBeNull();
  });

  it("compiles an event to one UPDATE conditional on the row's current state", () => {
    const { sql: text, parameters } = orders.update(database.db, "cancel", "x").compile();
    expect(text).toMatch(
      /^update "sm_orders" set "state" = \S+ where "id" = \S+ and "state" in \(\S+, \S+\)$/,
    );
    expect(parameters).toEqual(["cancelled", "x", "open", "paid"]);
  });

  it("moves a row along its transitions and sets the change's other columns with it", async () => {
    expect(await orders.apply(database.db, "pay", id, { changedAt: 5 })).toBe("paid");
    expect(await stateOf(id)).toEqual({ state: "paid", changedAt: 5 });
    expect(await orders.apply(database.db, "ship", id)).toBe("shipped");
    expect((await stateOf(id))?.state).toBe("shipped");
  });

  it("refuses an event the row's state does not allow with STATE_CHANGED (409) and changes nothing", async () => {
    const error = await orders.apply(database.db, "ship", id, { changedAt: 9 }).catch((e: unknown) => e);
    expect(stateChanged(error)).toBe(true);
    expect((error as AppError).status).toBe(409);
    expect(await stateOf(id)).toEqual({ state: "open", changedAt: null });
    await expect(orders.apply(database.db, "pay", "no-such-order")).rejects.toSatisfy(stateChanged);
  });

  it("of two transitions racing on one row, exactly one wins", async () => {
    const results = await Promise.allSettled([
      database.db.transaction().execute((trx) => orders.apply(trx, "pay", id)),
      database.db.transaction().execute((trx) => orders.apply(trx, "expire", id)),
      orders.apply(database.db, "pay", id),
    ]);
    const won = results.filter((result) => result.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const result of results)
      if (result.status === "rejected") expect(stateChanged(result.reason)).toBe(true);
    expect((await stateOf(id))?.state).toBe((won[0] as PromiseFulfilledResult<string>).value);
  });

  // PostgreSQL runs the two transactions at once: both read "open", the second UPDATE waits for
  // the first's row lock and then finds the state changed. (SQLite runs one writer at a time.)
  it.runIf(testDialect === "postgres")(
    "of two transactions that both saw the row open, the second to write gets STATE_CHANGED",
    async () => {
      let release!: () => void;
      const bothRead = new Promise<void>((resolve) => {
        release = resolve;
      });
      let reads = 0;
      const race = (event: "pay" | "expire") =>
        database.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ state: string }>`select state from sm_orders where id = ${id}`.execute(
            trx,
          );
          expect(rows[0]?.state).toBe("open");
          if (++reads === 2) release();
          await bothRead;
          return orders.apply(trx, event, id);
        });
      const results = await Promise.allSettled([race("pay"), race("expire")]);
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      const lost = results.find((result) => result.status === "rejected");
      expect(stateChanged(lost?.reason)).toBe(true);
    },
  );
});
