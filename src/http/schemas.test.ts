import { Type } from "@sinclair/typebox";
import { Ajv } from "ajv";
import build from "fast-json-stringify";
import { describe, expect, it } from "vitest";
import { Nullable } from "./schemas.js";

const ajv = new Ajv({ strict: false });

describe("Nullable", () => {
  const shapes = {
    text: Nullable(Type.String({ minLength: 2 })),
    literal: Nullable(Type.Literal("on-managed-domain")),
    object: Nullable(Type.Object({ number: Type.String(), confirmed: Type.Boolean() })),
    choice: Nullable(Type.Union([Type.Literal("owner"), Type.Literal("deputy")])),
  };

  it("accepts the value or null and nothing else", () => {
    const cases: Array<[keyof typeof shapes, unknown, boolean]> = [
      ["text", "ab", true],
      ["text", null, true],
      ["text", "a", false],
      ["text", 1, false],
      ["literal", "on-managed-domain", true],
      ["literal", null, true],
      ["literal", "other", false],
      ["object", { number: "+1", confirmed: true }, true],
      ["object", null, true],
      ["object", { number: "+1" }, false],
      ["object", "x", false],
      ["choice", "deputy", true],
      ["choice", null, true],
      ["choice", "agent", false],
    ];
    for (const [shape, value, valid] of cases)
      expect([shape, value, ajv.validate(shapes[shape], value)]).toEqual([shape, value, valid]);
  });

  it("says a single type as a type array, so answers are written without running a validator", () => {
    // fast-json-stringify runs ajv on a value to choose an anyOf branch; a type array it tells apart by typeof.
    expect(shapes.text).not.toHaveProperty("anyOf");
    expect(shapes.object).not.toHaveProperty("anyOf");
    expect(shapes.literal).toMatchObject({ type: ["string", "null"], enum: ["on-managed-domain", null] });
    const write = build({ type: "object", properties: shapes } as Parameters<typeof build>[0]);
    expect(JSON.parse(write({ text: null, literal: null, object: null, choice: null }))).toEqual({
      text: null,
      literal: null,
      object: null,
      choice: null,
    });
    const full = {
      text: "ab",
      literal: "on-managed-domain",
      object: { number: "+1", confirmed: false },
      choice: "owner",
    };
    expect(JSON.parse(write(full))).toEqual(full);
  });
});
