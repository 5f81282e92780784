import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";
import { AppError } from "../lib/errors.js";

// allErrors: a form learns of every invalid field in one answer (src/http/problem.ts lists them).
const common: Options = { removeAdditional: false, useDefaults: true, allErrors: true, strict: false };

// Bodies are JSON with real types: 12345 is not a string, "true" is not a boolean. Query strings and
// path parameters are text, so only they are coerced.
const bodyAjv = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
const textAjv = addFormats.default(new Ajv({ ...common, coerceTypes: "array" }));

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === "body" ? bodyAjv : textAjv).compile(schema as object) as ReturnType<
    FastifySchemaCompiler<unknown>
  >;

/** No request body of ours nests deeper than a few levels; deeper input is refused before any code walks it. */
export const MAX_INPUT_DEPTH = 32;

/**
 * Refuses, for every request at one place and before any service: input nested deeper than
 * MAX_INPUT_DEPTH (a few kilobytes of brackets would otherwise exhaust recursive code), and a NUL
 * character — valid in JSON and in a URL (%00) but in no name, code or password, and refused by
 * PostgreSQL in text. Walks with its own stack, so no depth of input can overflow it.
 */
export function checkInput(value: unknown): void {
  if (isFlatAndClean(value)) return;
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { value: item, path, depth } = stack.pop() as (typeof stack)[number];
    if (typeof item === "string") {
      if (item.includes("\u0000")) {
        const field = path || "value";
        throw new AppError("VALIDATION_FAILED", `${field} contains a NUL character.`, { field });
      }
      continue;
    }
    if (!item || typeof item !== "object") continue;
    if (depth >= MAX_INPUT_DEPTH)
      throw new AppError("BODY_TOO_DEEP", `Nesting deeper than ${MAX_INPUT_DEPTH} levels is not accepted.`);
    const entries: Array<[string, unknown]> = Array.isArray(item)
      ? item.map((child, i) => [`${path}[${i}]`, child])
      : Object.entries(item).map(([key, child]) => {
          if (key.includes("\u0000")) {
            const field = path || "value";
            throw new AppError("VALIDATION_FAILED", `${field} contains a NUL character.`, { field });
          }
          return [path ? `${path}.${key}` : key, child];
        });
    // Reversed onto the stack, so the first field is reported first, as before.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [childPath, child] = entries[i] as [string, unknown];
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
}

/**
 * The usual input — nothing, or one level of strings, numbers and booleans (path parameters, most
 * query strings and bodies) — found clean without building a path per field; anything else, and
 * anything with a NUL, takes the full walk, which says where.
 */
function isFlatAndClean(value: unknown): boolean {
  if (typeof value === "string") return !value.includes("\u0000");
  if (value === null || typeof value !== "object") return true;
  if (Array.isArray(value)) return false;
  for (const key in value) {
    if (key.includes("\u0000")) return false;
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === "string") {
      if (child.includes("\u0000")) return false;
    } else if (child !== null && typeof child === "object") return false;
  }
  return true;
}
