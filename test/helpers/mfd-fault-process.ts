import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMfd, waitFor } from "./mfd-process.js";
import { WAIT_MS } from "./patience.js";
import { SERVICE_DOMAIN } from "./server.js";

export interface FaultProcess {
  url: string;
  child: ChildProcess;
  dataDir: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** True while the process runs. */
  alive(): boolean;
  /** SIGTERM, wait for the exit, remove the data folder. */
  stop(): Promise<void>;
}
export type { FaultProcess as MfdProcess };

/**
 * A real `mfd serve` (web only) in its own process, compiled, on a free loopback port and a
 * fresh data folder; resolves once it says it is running. For tests that hurt the database under
 * a live process and look at what the process does.
 */
export async function startMfdProcess(env: Record<string, string> = {}): Promise<FaultProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "mfd-fault-"));
  const mfd = await startMfd(
    dataDir,
    { MFD_SERVICE_DOMAIN: SERVICE_DOMAIN, MFD_LOG_LEVEL: "error", ...env },
    ["serve", "--services", "web"],
  );
  const alive = () => mfd.child.exitCode === null && mfd.child.signalCode === null;
  return {
    url: mfd.url,
    child: mfd.child,
    dataDir,
    output: mfd.output,
    alive,
    stop: async () => {
      if (alive()) mfd.child.kill("SIGTERM");
      await mfd.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown>; cookie: string | null }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      ...(options.cookie ? { cookie: `mfd_session=${options.cookie}` } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(options.timeoutMs ?? WAIT_MS),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { text };
  }
  const cookie = /mfd_session=([^;]*)/.exec(response.headers.get("set-cookie") ?? "")?.[1] ?? null;
  return { status: response.status, headers: response.headers, body, cookie };
}

export { waitFor };
