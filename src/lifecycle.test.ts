import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../test/helpers/database.js";
import { systemContext } from "./access/actor.js";
import { LifecycleHooks } from "./lifecycle.js";
import { JOBS, MODULES, ROLES } from "./modules.js";

const database = await createTestDatabase();
afterAll(() => database.destroy());
const ctx = systemContext(0);

describe("lifecycle hooks", () => {
  it("run every handler of an event in registration order and sum their counts by name", async () => {
    const hooks = new LifecycleHooks();
    const seen: string[] = [];
    hooks.register({
      "deputy.removed": async (_tx, _ctx, event) => {
        seen.push(`first ${event.accountId}`);
        return { tokens: 2 };
      },
    });
    hooks.register({
      "deputy.removed": async () => {
        seen.push("second");
        return { tokens: 1, other: 5 };
      },
      "account.recovered": async () => {
        seen.push("not this one");
        return undefined;
      },
    });
    const outcome = await hooks.emit(database.db, ctx, "deputy.removed", { domainId: "d", accountId: "a" });
    expect(seen).toEqual(["first a", "second"]);
    expect(outcome).toEqual({ tokens: 3, other: 5 });
    expect(
      await hooks.emit(database.db, ctx, "domain.released", { domainId: "d", reason: "support" }),
    ).toEqual({});
  });

  it("run inside the emitter's transaction: a failing handler undoes the change with theirs", async () => {
    const hooks = new LifecycleHooks();
    hooks.register({
      "account.recovered": async (tx, _ctx, { accountId }) => {
        await tx.deleteFrom("rateLimits").where("key", "=", accountId).execute();
        throw new Error("handler failed");
      },
    });
    await database.db.insertInto("rateLimits").values({ key: "k1", windowStart: 0, count: 1 }).execute();
    await expect(
      database.db.transaction().execute(async (tx) => {
        await tx.updateTable("rateLimits").set({ count: 9 }).where("key", "=", "k1").execute();
        await hooks.emit(tx, ctx, "account.recovered", { accountId: "k1" });
      }),
    ).rejects.toThrow("handler failed");
    const row = await database.db
      .selectFrom("rateLimits")
      .select("count")
      .where("key", "=", "k1")
      .executeTakeFirst();
    expect(row?.count).toBe(1);
  });
});

describe("the module list", () => {
  it("names each module, job and role once, and every module's peers come before it", () => {
    const names: string[] = MODULES.map((module) => module.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [index, module] of MODULES.entries())
      for (const peer of module.uses as readonly string[]) expect(names.indexOf(peer)).toBeLessThan(index);
    expect(new Set(JOBS.map((job) => job.name)).size).toBe(JOBS.length);
    expect([...ROLES.keys()]).toEqual(["web", "worker", "dns", "inbound"]);
  });
});
