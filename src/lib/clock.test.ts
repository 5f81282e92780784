import { describe, expect, it } from "vitest";
import { DAY, isoTime } from "./clock.js";

describe("isoTime", () => {
  it("writes every instant exactly as Date.prototype.toISOString does", () => {
    const edges = [
      0,
      1,
      999,
      1000,
      DAY - 1,
      DAY,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10_000, 0, 1),
      -1,
      -DAY - 1,
      1.5,
    ];
    const random = Array.from({ length: 20_000 }, () => Math.floor(Math.random() * Date.UTC(2100, 0, 1)));
    // Many on the same few days, as a page of mailboxes has them.
    const near = Array.from(
      { length: 5_000 },
      () => Date.UTC(2026, 11, 1) + Math.floor(Math.random() * 3 * DAY),
    );
    for (const ms of [...edges, ...random, ...near]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it("refuses what toISOString refuses", () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
