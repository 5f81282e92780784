import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";

/**
 * The security headers every answer carries (docs/SECURITY.md §17), written out once. They are
 * what @fastify/helmet sent with mfd's options (helmet's defaults, mfd's CSP directives,
 * `Referrer-Policy: no-referrer`, HSTS on https), header for header — test/http-security.test.ts
 * compares them with helmet's — but helmet parsed and rebuilt its CSP on every answer, a few
 * percent of a request's CPU (issue 13).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "base-uri 'none'",
  "font-src 'self' https: data:",
  "form-action 'self'",
  // Nobody may frame the console (clickjacking); X-Frame-Options below says so to older browsers.
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
].join(";");

export function securityHeaders(publicUrl: string): Readonly<Record<string, string>> {
  return Object.freeze({
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "origin-agent-cluster": "?1",
    "referrer-policy": "no-referrer",
    ...(publicUrl.startsWith("https://")
      ? { "strict-transport-security": "max-age=31536000; includeSubDomains" }
      : {}),
    "x-content-type-options": "nosniff",
    "x-dns-prefetch-control": "off",
    "x-download-options": "noopen",
    "x-frame-options": "SAMEORIGIN",
    "x-permitted-cross-domain-policies": "none",
    "x-xss-protection": "0",
  });
}

/**
 * An `onRequest` hook setting `headers` on the answer, before anything can fail: refusals and
 * errors carry them too. A route may replace one (the API documentation page sends its own CSP).
 */
export function securityHeadersHook(headers: Readonly<Record<string, string>>) {
  return (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    reply.headers(headers);
    done();
  };
}
