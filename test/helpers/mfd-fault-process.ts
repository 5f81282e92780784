import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt, MFD_BIN } from "./cli.js";
import { waitFor } from "./mfd-process.js";
import { WAIT_MS } from "./patience.js";
import { freePort, SERVICE_DOMAIN } from "./server.js";

// Compiled once while the module loads (no time limit there): a cold tsx per process is what
// made process tests time out on a busy machine.
await ensureBuilt();

export interface MfdProcess {
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

/**
 * A real `mfd serve` (web only) in its own process, compiled, on a free loopback port and a
 * fresh data folder; resolves once it says it is running. For tests that hurt the database under
 * a live process and look at what the process does.
 */
export async function startMfdProcess(env: Record<string, string> = {}): Promise<MfdProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "mfd-fault-"));
  const child = spawn(process.execPath, [MFD_BIN, "serve", "--services", "web"], {
    env: {
      ...process.env,
      MFD_LISTEN: `127.0.0.1:${port}`,
      MFD_PUBLIC_URL: url,
      MFD_SERVICE_DOMAIN: SERVICE_DOMAIN,
      MFD_DATA_DIR: dataDir,
      MFD_DATABASE_URL: "",
      MFD_DEV: "1",
      MFD_LOG_LEVEL: "error",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (output.includes("mfd is running")) {
        child.stdout?.off("data", onData);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code, signal) =>
      reject(new Error(`mfd serve exited (${code ?? signal}): ${output}`)),
    );
  });
  return {
    url,
    child,
    dataDir,
    output: () => output,
    alive,
    stop: async () => {
      if (alive()) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fetch to a test process that answers with status, headers and the parsed body. */
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
