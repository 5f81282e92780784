import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureBuilt, MFD_BIN } from "./cli.js";
import { freePort } from "./server.js";

// Compiled once while the module loads (no time limit there): a cold tsx per process is what
// made process tests time out on a busy machine.
await ensureBuilt();

const exec = promisify(execFile);
const ROOT = new URL("../../", import.meta.url);

/** Waits until `condition` holds, checking every 50 ms; fails with `what` after `withinMs`. */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  withinMs = 120_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + withinMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const newDataDir = (): string => mkdtempSync(join(tmpdir(), "mfd-proc-"));

/** The environment of a real mfd on SQLite in `dataDir` (nothing inherited from the caller's MFD_*). */
export function mfdEnv(dataDir: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("MFD_")),
  );
  return {
    ...inherited,
    MFD_DATA_DIR: dataDir,
    MFD_SERVICE_DOMAIN: "proc.example",
    MFD_DEV: "1",
    ...env,
  };
}

/** Runs one `mfd` command (compiled) to its end, as an operator would. */
export async function runMfd(
  dataDir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  return exec(process.execPath, [MFD_BIN, ...args], {
    cwd: ROOT,
    env: mfdEnv(dataDir, env),
    timeout: 300_000,
  }).then(
    (done) => ({ ...done, code: 0 }),
    (error: { stdout: string; stderr: string; code: number }) => ({
      stdout: error.stdout,
      stderr: error.stderr,
      code: error.code,
    }),
  );
}

export interface MfdProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  /** Kills the process if it still runs (SIGKILL) and waits for it. */
  stop(): Promise<void>;
}

/**
 * A real `mfd serve` process (the compiled command line) on a free loopback port, started once its
 * banner says it listens.
 */
export async function startMfd(
  dataDir: string,
  env: Record<string, string> = {},
  args: string[] = ["serve"],
): Promise<MfdProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MFD_BIN, ...args], {
    cwd: ROOT,
    env: mfdEnv(dataDir, {
      MFD_LISTEN: `127.0.0.1:${port}`,
      MFD_PUBLIC_URL: url,
      MFD_LOG_LEVEL: "warn",
      // Every test's mfd answers DNS on a port of its own: the default would be shared.
      MFD_DNS_LISTEN: "127.0.0.1:0",
      MFD_INBOUND_SMTP_LISTEN: "127.0.0.1:0",
      ...env,
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  await waitFor(
    `mfd serve to start (output so far: ${output})`,
    () => {
      if (ended) throw new Error(`mfd serve ended before it listened:\n${output}`);
      return output.includes("mfd is running");
    },
    180_000,
  );
  return {
    url,
    port,
    child,
    output: () => output,
    exited,
    async stop() {
      if (!ended) child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * A mail relay that accepts TCP connections and never says a word (no greeting): what a hung
 * SMTP server looks like from the client. `open` counts the connections still open.
 */
export async function silentRelay(): Promise<{
  port: number;
  open: () => number;
  seen: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let seen = 0;
  const server: Server = createServer((socket) => {
    seen += 1;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    open: () => sockets.size,
    seen: () => seen,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
