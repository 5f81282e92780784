import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, nameKeys, parseLogin, prefixRange, searchKey } from "./logins.js";

describe("parseLogin", () => {
  it("lower-cases, trims and takes an address on the same domain, in any spelling of the domain", () => {
    expect(parseLogin("  Bob.Smith ", "example.org")).toBe("bob.smith");
    expect(parseLogin("bob@EXAMPLE.org.", "example.org")).toBe("bob");
    expect(parseLogin("ivan@пример.рф", "xn--e1afmkfd.xn--p1ai")).toBe("ivan");
  });

  it("says which rule a login breaks", () => {
    const reason = (input: string) => {
      try {
        parseLogin(input, "example.org", "alias");
        return "ok";
      } catch (error) {
        return (error as { extra: { reason: string; field: string } }).extra;
      }
    };
    expect(reason("bob@example.com")).toEqual({ field: "alias", reason: "other-domain" });
    expect(reason("@example.org")).toEqual({ field: "alias", reason: "empty" });
    expect(reason("b".repeat(31))).toEqual({ field: "alias", reason: "too-long" });
    expect(reason("b".repeat(30))).toBe("ok");
    expect(reason("9lives")).toEqual({ field: "alias", reason: "characters" });
    expect(reason("a..b")).toEqual({ field: "alias", reason: "dots" });
  });
});

describe("search keys and ranges", () => {
  it("normalises names the same way whatever the script or width", () => {
    expect(searchKey("  ＡＮＮＡ \t Smith ")).toBe("anna smith");
    expect(searchKey("ЁЛКА")).toBe("ёлка");
    expect(nameKeys("Anna", "")).toEqual({ firstLastKey: "anna", lastFirstKey: "anna" });
  });

  it("bounds exactly the strings with the prefix in code-point order", () => {
    expect(prefixRange("ab")).toEqual(["ab", "ac"]);
    expect(prefixRange("я")).toEqual(["я", "ѐ"]);
    expect(prefixRange("a\u{d7ff}")).toEqual(["a\u{d7ff}", "a\u{e000}"]);
    expect(prefixRange("a\u{10ffff}")).toEqual(["a\u{10ffff}", "b"]);
    expect(prefixRange("\u{10ffff}")).toEqual(["\u{10ffff}", null]);
    const [from, to] = prefixRange("ab");
    const inRange = (s: string) => s >= from && to !== null && s < to;
    expect(["ab", "ab.c", "abz", "ab\u{ffff}"].every(inRange)).toBe(true);
    expect(["aa", "a", "ac", "b", "a-b"].some(inRange)).toBe(false);
  });

  it("gives opaque cursors back as logins and refuses made-up ones", () => {
    expect(decodeCursor(encodeCursor("bob.smith"))).toBe("bob.smith");
    for (const bad of [
      "",
      "a b",
      Buffer.from("Bob").toString("base64url"),
      Buffer.from("x".repeat(31)).toString("base64url"),
    ])
      expect(() => decodeCursor(bad)).toThrow(/cursor/);
  });
});
