import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { databaseFault, requestTimedOut } from "../db/faults.js";
import { AppError, ERRORS, type ErrorCode } from "../lib/errors.js";

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
  ...error.extra,
});

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Turns what Fastify throws (validation, parsing, size) into our registry's codes. */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const e = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (e.validation && e.validation.length > 0) {
    const first = e.validation[0] as AjvError;
    const where = e.validationContext ?? "body";
    const path = first.instancePath.replace(/^\//, "").replaceAll("/", ".");
    if (first.keyword === "additionalProperties") {
      const field = String(first.params.additionalProperty);
      return new AppError("UNKNOWN_FIELD", `"${field}" is not accepted in the ${where}.`, {
        field: path ? `${path}.${field}` : field,
      });
    }
    if (first.keyword === "required") {
      const field = String(first.params.missingProperty);
      return new AppError("VALIDATION_FAILED", `"${field}" is required in the ${where}.`, {
        field: path ? `${path}.${field}` : field,
      });
    }
    return new AppError("VALIDATION_FAILED", `${path || where} ${first.message ?? "is not valid"}.`, {
      field: path || where,
    });
  }
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new AppError("BODY_TOO_LARGE");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new AppError("UNSUPPORTED_MEDIA_TYPE");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new AppError("MALFORMED_BODY", "The JSON body is empty.");
    case "FST_ERR_HANDLER_TIMEOUT":
      return requestTimedOut();
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
