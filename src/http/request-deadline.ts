import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { requestTimedOut } from "../db/faults.js";

/**
 * The request deadline (MFD_REQUEST_TIMEOUT_MS): a request not answered in time answers 503
 * REQUEST_TIMEOUT with Retry-After instead of hanging on (a database that stalls, a lock held).
 *
 * Fastify's own `handlerTimeout` does the same, but it also gives every request an
 * AbortController and aborts it as soon as the request's body has been read — building a
 * DOMException with its stack trace, some 80,000 instructions of a record write's 1,100,000. No
 * route here reads `request.signal`: a timer per request is all the deadline needs.
 */
function expire(request: FastifyRequest, reply: FastifyReply): void {
  request.deadline = null;
  // Answered, or the client gone: nothing is left to answer.
  if (reply.sent || reply.raw.destroyed) return;
  // The answer has begun (a stream): it cannot become an error any more, so it is cut.
  if (reply.raw.headersSent) {
    reply.raw.destroy();
    return;
  }
  reply.send(requestTimedOut());
}

/** `onRequest` (callback form: no promise per request): starts the request's deadline. */
export function requestDeadlineHook(ms: number) {
  return function startDeadline(
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    request.deadline = setTimeout(expire, ms, request, reply);
    done();
  };
}

/** Ends the request's deadline once its answer goes out (`onSend`). */
export function endDeadline(request: FastifyRequest): void {
  if (request.deadline === null) return;
  clearTimeout(request.deadline);
  request.deadline = null;
}
