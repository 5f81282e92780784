import { Kind, type Static, type TSchema, type TUnsafe, Type } from "@sinclair/typebox";

/** Shared schema pieces. Every object is closed: unknown fields are refused (docs/SECURITY.md §24). */
export const Closed = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: "Stable error code from the registry" }),
    detail: Type.Optional(Type.String()),
    field: Type.Optional(Type.String({ description: "The (first) body field the problem is about" })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: "A body field, dotted when nested" }),
          code: Type.String({ description: "This field's error code" }),
          message: Type.String(),
        }),
        {
          description:
            "Every invalid field of the request at once, the first being the problem's own `code` and `field`",
        },
      ),
    ),
  },
  { $id: "Problem", additionalProperties: true },
);

/** Standard error answers for a route's response schema. */
export const errors = (...statuses: number[]): Record<number, TSchema> =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref("Problem")]));

export const Password = Type.String({ minLength: 1, maxLength: 1100, description: "1024 bytes at most" });
export const Code = Type.String({ pattern: "^[0-9]{6,8}$", description: "6–8 digit one-time code" });
export const NoContent = Type.Null({ description: "No content" });

/** Shapes with a name: each is registered once (`namedSchemas`) and its name is what routes reference. */
const named = new Map<string, TSchema>();

/**
 * A shape with a name in docs/openapi.json's components, and so in the console's types generated
 * from it (web/src/api/openapi.d.ts): one source per shape. Routes use the returned reference,
 * which carries the shape's static type.
 */
export function Named<T extends TSchema>(name: string, schema: T): TUnsafe<Static<T>> {
  if (named.has(name)) throw new Error(`Two shapes are named ${name}.`);
  named.set(name, { ...schema, $id: name });
  return Type.Unsafe<Static<T>>(Type.Ref(name));
}

/** Every named shape, for `app.addSchema`: a route's `$ref` to one resolves against these. */
export const namedSchemas = (): TSchema[] => [...named.values()];

/** The `{name}` of a domain in a path, as typed (Unicode or punycode, any case); services look it up. */
/** A domain named in a path: what every `{name}` / `{domain}` parameter is. */
export const DomainInPath = Type.String({
  minLength: 1,
  maxLength: 300,
  description:
    "The domain's name, such as example.org or почта.рф (Unicode or xn-- form; letter case does not matter)",
});

/** The page size of a listing paged by a cursor. */
export const PageLimit = (fallback: number) =>
  Type.Integer({
    minimum: 1,
    maximum: 100,
    default: fallback,
    description: `How many items one page holds, 1–100 (${fallback} when absent)`,
  });

export const NameParams = Closed({ name: DomainInPath });

const SINGLE_TYPES = new Set(["string", "integer", "number", "boolean", "object", "array"]);

/**
 * A value or null: how every optional field of an answer is written. A schema of one `type` says
 * `type: [type, "null"]` (a literal `enum: [value, null]`) rather than `anyOf` with null: answers
 * are written by fast-json-stringify, which tells a type array apart with `typeof` but picks an
 * `anyOf` branch by running a validator on the value, building an error object for every null
 * (issue 13). Other schemas (a union of literals) keep `anyOf`.
 */
export const Nullable = <T extends TSchema>(
  schema: T,
  options: { description?: string } = {},
): TUnsafe<Static<T> | null> => {
  const { type, const: literal } = schema as { type?: unknown; const?: unknown };
  if (typeof type !== "string" || !SINGLE_TYPES.has(type))
    return Type.Unsafe<Static<T> | null>(Type.Union([schema, Type.Null()], options));
  // TypeBox's own kind goes: the result is no longer that kind's shape (it also allows null).
  const { [Kind]: _kind, const: _const, ...rest } = schema as Record<string | symbol, unknown>;
  return Type.Unsafe<Static<T> | null>({
    ...rest,
    ...options,
    type: [type, "null"],
    ...(literal !== undefined ? { enum: [literal, null] } : {}),
  });
};
