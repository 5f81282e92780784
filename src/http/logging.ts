import type { FastifyRequest, FastifyServerOptions } from "fastify";

/**
 * The URL as request logs show it: without its query string (where forms and careless clients put
 * secrets), and with anything shaped like an API token blanked out of the path.
 */
export const loggedUrl = (url: string): string =>
  (url.split("?")[0] ?? "").replace(/mfd(?:_|%5f)[A-Za-z0-9_%-]*/gi, "mfd_[redacted]");

/** Fastify's request log entry, with `loggedUrl` in place of the full URL. */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** The logger options with our request serializer; false stays false. */
export function withLogSerializers(logger: FastifyServerOptions["logger"]): FastifyServerOptions["logger"] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  return { ...options, serializers: { ...options.serializers, req: requestForLog as never } };
}
