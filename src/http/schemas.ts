import { type Static, type TSchema, type TUnsafe, Type } from "@sinclair/typebox";

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
export const NameParams = Closed({ name: Type.String({ minLength: 1, maxLength: 300 }) });

/** A value or null: how every optional field of an answer is written. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
