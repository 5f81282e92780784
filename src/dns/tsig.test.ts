import { describe, expect, it } from "vitest";
import { encodeName, parseTsigKey } from "./tsig.js";

describe("TSIG keys", () => {
  it("reads name:base64 as tsig-keygen prints them, and says what is wrong otherwise", () => {
    const secret = Buffer.alloc(32, 1).toString("base64");
    expect(parseTsigKey(`Xfr-Key.Example.:${secret}`)).toEqual({
      name: "xfr-key.example",
      secret: Buffer.alloc(32, 1),
    });
    expect(parseTsigKey(secret)).toMatch(/name:base64/);
    expect(parseTsigKey(`bad..name:${secret}`)).toMatch(/not a key name/);
    expect(parseTsigKey("xfr:not base64!")).toMatch(/base64/);
    expect(parseTsigKey("xfr:c2hvcnQ=")).toMatch(/at least 16 bytes/);
  });

  it("writes names in the canonical wire form the MAC covers", () => {
    expect(encodeName("Xfr.Example.")).toEqual(Buffer.from("\x03xfr\x07example\x00", "latin1"));
    expect(encodeName("")).toEqual(Buffer.from([0]));
  });
});
