import { type TSchema, Type } from "@sinclair/typebox";

/** Shared schema pieces. Every object is closed: unknown fields are refused (security.md 24). */
export const Closed = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: "Stable error code from the registry" }),
    detail: Type.Optional(Type.String()),
  },
  { $id: "Problem", additionalProperties: true },
);

/** Standard error answers for a route's response schema. */
export const errors = (...statuses: number[]): Record<number, TSchema> =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref("Problem")]));

export const Password = Type.String({ minLength: 1, maxLength: 1100, description: "1024 bytes at most" });
export const Code = Type.String({ pattern: "^[0-9]{6,8}$", description: "6–8 digit one-time code" });
export const NoContent = Type.Null({ description: "No content" });
