import http from "node:http";
import type { DnsLookup } from "../../dns/lookup.js";
import { isPublicAddress } from "../../lib/public-addresses.js";

export type FileFetch =
  | { status: "found"; body: string }
  | { status: "absent"; reason: string }
  | { status: "failed"; reason: string };

export interface FileOptions {
  port: number;
  timeoutMs: number;
  maxBytes: number;
  allowPrivate: boolean;
}

/**
 * Redirects followed, on the same host, port and scheme only (e.g. a path normalised with a
 * trailing slash). Anything else, https included, is refused: the proof must come from the
 * domain's own plain-HTTP site, and following a redirect elsewhere would let the file come from
 * someone else's server (docs/SECURITY.md §35).
 */
export const MAX_REDIRECTS = 2;

/**
 * GETs http://<host>:<port><path> the safe way: the host is resolved through the verification
 * resolvers, private and loopback addresses are refused (unless the operator allows them for
 * tests), the connection goes to the checked address itself (no second lookup to rebind), and the
 * whole exchange has a time and size limit.
 */
export async function fetchFile(
  lookup: DnsLookup,
  host: string,
  path: string,
  options: FileOptions,
): Promise<FileFetch> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  try {
    let currentPath = path;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const found = await lookup.addresses(host);
      if (abort.signal.aborted) return { status: "failed", reason: "the site did not answer in time" };
      if (found.status === "absent")
        return { status: "absent", reason: `${host} has no address (A or AAAA record)` };
      if (found.status === "failed")
        return { status: "failed", reason: `addresses of ${host}: ${found.reason}` };
      const address = found.values.find((a) => options.allowPrivate || isPublicAddress(a));
      if (!address) {
        return {
          status: "failed",
          reason: `${host} points at a private, loopback or reserved address; the file is only fetched from public addresses`,
        };
      }
      const response = await get(address, host, currentPath, options, abort.signal);
      if (response.kind === "error") return { status: "failed", reason: response.reason };
      if (response.kind === "redirect") {
        const target = sameSiteRedirect(host, options.port, currentPath, response.location);
        if (!target) {
          return {
            status: "failed",
            reason: `the site redirects to ${response.location.slice(0, 200)}; redirects off the domain (or to https) are not followed`,
          };
        }
        currentPath = target;
        continue;
      }
      if (response.status !== 200)
        return { status: "absent", reason: `the site answered ${response.status} for ${currentPath}` };
      return { status: "found", body: response.body };
    }
    return { status: "failed", reason: `more than ${MAX_REDIRECTS} redirects` };
  } finally {
    clearTimeout(timer);
  }
}

/** The path to follow when a redirect stays on http://<host>:<port>; null otherwise. */
function sameSiteRedirect(host: string, port: number, from: string, location: string): string | null {
  let url: URL;
  try {
    url = new URL(location, `http://${host}:${port}${from}`);
  } catch {
    return null;
  }
  const targetPort = url.port === "" ? 80 : Number(url.port);
  if (url.protocol !== "http:" || url.hostname.toLowerCase() !== host || targetPort !== port) return null;
  return `${url.pathname}${url.search}`;
}

type Response =
  | { kind: "ok"; status: number; body: string }
  | { kind: "redirect"; location: string }
  | { kind: "error"; reason: string };

function get(
  address: string,
  host: string,
  path: string,
  options: FileOptions,
  signal: AbortSignal,
): Promise<Response> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (response: Response) => {
      if (settled) return;
      settled = true;
      resolve(response);
    };
    const request = http.request(
      {
        host: address,
        port: options.port,
        path,
        method: "GET",
        agent: false,
        signal,
        headers: {
          host: options.port === 80 ? host : `${host}:${options.port}`,
          "user-agent": "mfd-domain-verification",
          accept: "text/plain, */*",
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location) {
          response.destroy();
          return finish({ kind: "redirect", location });
        }
        const declared = Number(response.headers["content-length"] ?? 0);
        if (declared > options.maxBytes) {
          response.destroy();
          return finish({ kind: "error", reason: `the file is larger than ${options.maxBytes} bytes` });
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            response.destroy();
            finish({ kind: "error", reason: `the file is larger than ${options.maxBytes} bytes` });
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () =>
          finish({ kind: "ok", status, body: Buffer.concat(chunks).toString("utf8") }),
        );
        // "close" also follows "end"; finish() keeps the first outcome.
        response.on("close", () =>
          finish({
            kind: "error",
            reason: signal.aborted
              ? "the site did not answer in time"
              : "the site closed the connection early",
          }),
        );
        response.on("error", () => {});
      },
    );
    request.on("error", (error) => {
      const reason = signal.aborted
        ? "the site did not answer in time"
        : `could not fetch the file (${(error as NodeJS.ErrnoException).code ?? error.message})`;
      finish({ kind: "error", reason });
    });
    request.end();
  });
}
