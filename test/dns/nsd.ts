import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TsigKey } from "../../src/dns/tsig.js";
import { skipWithout } from "../helpers/prerequisites.js";
import { freePort } from "../helpers/server.js";
import { queryPacket, sendUdp } from "./client.js";

export const NSD = "/usr/sbin/nsd";

export const skipWithoutNsd = (): boolean =>
  skipWithout({ what: "Secondary (NSD) tests", path: NSD, install: "apt-get install nsd" });

export interface Nsd {
  port: number;
  /** NSD's main process (its server and xfrd processes are its children). */
  pid: number;
  /** NSD's own log, for a failing test's message. */
  log(): string;
  /** Whether the process still runs (it exits at once on a configuration it cannot use). */
  running(): boolean;
  stop(): Promise<void>;
}

/**
 * Debian's NSD on a loopback port as a secondary of `primary` for `zones`: zones in memory only
 * (no database, no zone files written), transfers requested from the primary and NOTIFY accepted
 * from it, both signed with `key` when given.
 */
export async function startNsd(options: {
  port: number;
  primary: { host: string; port: number };
  zones: string[];
  key: TsigKey | null;
  /** NSD's log detail: 2 (the default) logs every transfer and NOTIFY; 0 for benchmarks. */
  verbosity?: number;
}): Promise<Nsd> {
  const dir = mkdtempSync(join(tmpdir(), "mfd-nsd-"));
  const keyName = options.key ? ` ${options.key.name}` : " NOKEY";
  const config = [
    "server:",
    `  ip-address: 127.0.0.1@${options.port}`,
    `  port: ${options.port}`,
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    '  database: ""',
    `  zonelistfile: "${dir}/zone.list"`,
    `  xfrdfile: "${dir}/xfrd.state"`,
    `  xfrdir: "${dir}"`,
    `  pidfile: "${dir}/nsd.pid"`,
    `  logfile: "${dir}/nsd.log"`,
    "  zonefiles-write: 0",
    "  server-count: 1",
    "  do-ip6: no",
    `  verbosity: ${options.verbosity ?? 2}`,
    // Debian builds NSD with response rate limiting (200 answers/s per /24 by default): off, as mfd
    // has none, so benchmarks compare like with like.
    "  rrl-ratelimit: 0",
    "  rrl-whitelist-ratelimit: 0",
    "remote-control:",
    "  control-enable: no",
    ...(options.key
      ? [
          "key:",
          `  name: "${options.key.name}"`,
          "  algorithm: hmac-sha256",
          `  secret: "${options.key.secret.toString("base64")}"`,
        ]
      : []),
    "pattern:",
    "  name: mfd",
    `  request-xfr: ${options.primary.host}@${options.primary.port}${keyName}`,
    `  allow-notify: ${options.primary.host}${keyName}`,
    ...options.zones.flatMap((zone) => ["zone:", `  name: "${zone}"`, "  include-pattern: mfd"]),
  ].join("\n");
  writeFileSync(join(dir, "nsd.conf"), `${config}\n`);
  const child: ChildProcess = spawn(NSD, ["-d", "-c", join(dir, "nsd.conf")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const log = () => {
    let file = "";
    try {
      file = readFileSync(join(dir, "nsd.log"), "utf8");
    } catch {}
    return `${output}${file}`;
  };
  // Answering before anyone asks: NSD takes a while to start on a busy machine, and a dig sent
  // before it listens fails at once (CI: "NSD transfers every zone" failed 52 ms after the start).
  const until = Date.now() + 60_000;
  const probe = queryPacket(options.zones[0] ?? ".", "SOA");
  while ((await sendUdp(options.port, probe, 200).catch(() => null)) === null) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > until) {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
      throw new Error(`NSD did not start answering on port ${options.port}:\n${log()}`);
    }
  }
  return {
    port: options.port,
    pid: child.pid as number,
    log,
    running: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback port free for both TCP and UDP (NSD needs both), as freePort picks them. */
export const freeDnsPort = (): Promise<number> => freePort({ udp: true });
