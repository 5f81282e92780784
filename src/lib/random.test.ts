import { describe, expect, it } from "vitest";
import { newId } from "./random.js";

describe("newId", () => {
  it("makes UUIDv7 ids, unique and in the order they were made, also many in one millisecond and past a pool of random bytes", () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // The time in the first 48 bits is the clock's.
    const msecs = Number.parseInt((ids[0] as string).replaceAll("-", "").slice(0, 12), 16);
    expect(Math.abs(msecs - Date.now())).toBeLessThan(60_000);
  });
});
