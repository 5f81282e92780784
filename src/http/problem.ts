import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { databaseFault } from "../db/faults.js";
import { AppError, ERRORS, type ErrorCode, type FieldError } from "../lib/errors.js";

/** The body of every error answer (RFC 9457 problem details) with our stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  [extra: string]: unknown;
}

export const problemOf = (error: AppError): Problem => ({
  type: `urn:mfd:error:${error.code}`,
  title: ERRORS[error.code].title,
  status: error.status,
  code: error.code,
  ...(error.detail ? { detail: error.detail } : {}),
  // A problem about one field lists it in `errors` too, so a form reads one shape for one or many.
  ...(typeof error.extra.field === "string" && error.extra.errors === undefined
    ? { errors: [{ field: error.extra.field, code: error.code, message: error.message }] }
    : {}),
  ...error.extra,
});

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** One schema violation as our error: unknown field, missing field or a bad value. */
function schemaError(error: AjvError, where: string): AppError {
  const path = error.instancePath.replace(/^\//, "").replaceAll("/", ".");
  if (error.keyword === "additionalProperties") {
    const field = String(error.params.additionalProperty);
    return new AppError("UNKNOWN_FIELD", `"${field}" is not accepted in the ${where}.`, {
      field: path ? `${path}.${field}` : field,
    });
  }
  if (error.keyword === "required") {
    const field = String(error.params.missingProperty);
    return new AppError("VALIDATION_FAILED", `"${field}" is required in the ${where}.`, {
      field: path ? `${path}.${field}` : field,
    });
  }
  return new AppError("VALIDATION_FAILED", `${path || where} ${error.message ?? "is not valid"}.`, {
    field: path || where,
  });
}

/** Turns what Fastify throws (validation, parsing, size) into our registry's codes. */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const e = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (e.validation && e.validation.length > 0) {
    // Every violation (the validator runs with allErrors), one per field, in the schema's order.
    // An unknown field leads (docs/SECURITY.md §24): its code is the problem's.
    const where = e.validationContext ?? "body";
    const all = e.validation.map((v) => schemaError(v, where));
    const unknown = all.find((a) => a.code === "UNKNOWN_FIELD");
    const lead = unknown ?? (all[0] as AppError);
    const errors: FieldError[] = [];
    for (const a of [lead, ...all]) {
      const field = String(a.extra.field);
      if (!errors.some((f) => f.field === field)) errors.push({ field, code: a.code, message: a.message });
    }
    return new AppError(lead.code, lead.detail, { ...lead.extra, errors });
  }
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AppError("BODY_TOO_LARGE");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new AppError("UNSUPPORTED_MEDIA_TYPE");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new AppError("MALFORMED_BODY", "The JSON body is empty.");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new AppError("MALFORMED_BODY");
  }
  if (e instanceof SyntaxError || e.statusCode === 400)
    return new AppError("MALFORMED_BODY", e.message.slice(0, 200));
  if (e.statusCode === 413) return new AppError("BODY_TOO_LARGE");
  if (e.statusCode === 415) return new AppError("UNSUPPORTED_MEDIA_TYPE");
  return null;
}

export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  const problem = problemOf(error);
  if (typeof error.extra.retryAfter === "number") {
    reply.header("retry-after", String(error.extra.retryAfter));
  }
  return reply.status(problem.status).type("application/problem+json").send(problem);
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = toAppError(error);
  if (known) return sendProblem(reply, known);
  // The database away, locked or full: the client may retry; the log keeps the real error.
  const fault = databaseFault(error);
  if (fault) {
    request.log.error({ err: error }, `database fault: ${fault.code}`);
    return sendProblem(reply, fault);
  }
  // Unknown errors: logged in full, answered generically (docs/SECURITY.md §43).
  request.log.error({ err: error }, "unexpected error");
  return sendProblem(reply, new AppError("INTERNAL"));
}
