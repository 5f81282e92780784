import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import type { Config } from "../config.js";
import { AppError } from "../lib/errors.js";

/** The ways a browser may write the loopback address of the machine it runs on. */
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/** Health checks and metrics are fetched by address by probes and Prometheus, never by browsers. */
const PROBES = new Set(["/healthz", "/readyz", "/metrics"]);

/** A host (`Example.org:443`, `[::1]:8080`) as `hostname:port`, the scheme's port written out. */
function authorityOf(host: string, protocol: string): { hostname: string; port: string } | null {
  try {
    const url = new URL(`${protocol}//${host}`);
    return { hostname: url.hostname, port: url.port || (protocol === "https:" ? "443" : "80") };
  } catch {
    return null;
  }
}

/**
 * Where the console is reached (MFD_PUBLIC_URL, docs/SECURITY.md §16): the origins a state-changing
 * browser request may come from, and whether a request's Host is that address. In development mode
 * with a loopback public URL (http://localhost:8080) every loopback spelling — localhost,
 * 127.0.0.1, [::1] — is the same address: the CSRF check accepts each of them on the public URL's
 * port, and no loopback Host is redirected.
 */
export function publicAddress(config: Pick<Config, "publicUrl" | "dev">) {
  const url = new URL(config.publicUrl);
  const own = authorityOf(url.host, url.protocol) as { hostname: string; port: string };
  const loopbackDev = config.dev && LOOPBACK_HOSTS.includes(own.hostname);
  const origins = new Set([url.origin]);
  if (loopbackDev)
    for (const hostname of LOOPBACK_HOSTS)
      origins.add(new URL(`${url.protocol}//${hostname}:${own.port}`).origin);
  return {
    url: config.publicUrl,
    /** Origins a state-changing browser request may carry. */
    origins,
    /** Whether a request's Host header names the public address. */
    isPublicHost(host: string): boolean {
      // The usual case, exactly as the public URL writes it, without parsing.
      if (host === url.host) return true;
      const seen = authorityOf(host, url.protocol);
      if (!seen) return false;
      if (loopbackDev) return LOOPBACK_HOSTS.includes(seen.hostname);
      return seen.hostname === own.hostname && seen.port === own.port;
    },
  };
}

/**
 * Runs before authentication: a browser that opened mfd at another address than MFD_PUBLIC_URL
 * (an IP address, another name) would have every form refused by the CSRF origin check, so it
 * is sent to the public URL instead — a 308 for a page, a WRONG_ADDRESS problem naming the address
 * for API and state-changing requests. Let through: requests with an API token (Authorization,
 * PddToken), which no origin check concerns; health probes and metrics, fetched by address; and
 * requests a proxy forwarded without saying the browser's host (X-Forwarded-Host), whose Host may
 * be the proxy's upstream name, where a redirect would loop. None of this is a security check (the
 * CSRF origin check is, src/http/authenticate.ts): it sends people to the address that works.
 */
export function publicAddressHook(config: Pick<Config, "publicUrl" | "dev">) {
  const address = publicAddress(config);
  /** Whether the request is a browser's at another address than the public one. */
  const redirects = (request: FastifyRequest): boolean => {
    const headers = request.headers;
    if (headers.authorization !== undefined || headers.pddtoken !== undefined) return false;
    // Fastify reads X-Forwarded-Host only from a trusted proxy (MFD_TRUSTED_PROXY), else Host.
    const host = request.host;
    if (!host || address.isPublicHost(host)) return false;
    if (PROBES.has(request.url.split("?")[0] ?? "")) return false;
    const forwarded =
      headers["x-forwarded-for"] !== undefined ||
      headers.forwarded !== undefined ||
      headers["x-real-ip"] !== undefined;
    return !forwarded || headers["x-forwarded-host"] !== undefined;
  };
  // Callback form (it awaits nothing): `done` lets the request through, a redirect ends it here.
  return function atPublicAddress(
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    if (!redirects(request)) {
      done();
      return;
    }
    const host = request.host;
    const path = request.url.split("?")[0] ?? "";
    const page =
      (request.method === "GET" || request.method === "HEAD") &&
      !path.startsWith("/api/v") &&
      !path.startsWith("/api2");
    if (page) {
      reply.redirect(`${address.url}${request.url}`, 308);
      return;
    }
    throw new AppError(
      "WRONG_ADDRESS",
      `mfd answers at ${address.url}, not at ${host}: open ${address.url} and try again.`,
      { publicUrl: address.url },
    );
  };
}
