import { v7 as uuidv7, validate, version } from "uuid";
import { describe, expect, it } from "vitest";
import { newId } from "./random.js";

describe("newId", () => {
  it("makes UUIDv7s that sort in the order they were made, within one millisecond too, and never repeat", () => {
    const before = uuidv7();
    const ids = Array.from({ length: 20_000 }, () => newId());
    for (const id of ids.slice(0, 100)) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // Many in the same millisecond: the counter keeps them in order.
    expect([...ids].sort()).toEqual(ids);
    // The same timestamp as the uuid package's, so old and new ids sort together.
    expect((ids[0] as string).slice(0, 13) >= before.slice(0, 13)).toBe(true);
    expect(Number.parseInt((ids.at(-1) as string).replace("-", "").slice(0, 12), 16)).toBeLessThanOrEqual(
      Date.now(),
    );
  });

  it("takes fresh random bits for each id", () => {
    const tails = new Set(Array.from({ length: 1000 }, () => newId().slice(-12)));
    expect(tails.size).toBe(1000);
  });
});
