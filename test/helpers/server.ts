import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import { createServer, Server } from "node:net";
import { buildApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import type { Deps } from "../../src/deps.js";
import { systemClock } from "../../src/lib/clock.js";
import { Outbox } from "../../src/notify/outbox.js";
import { createTestDatabase } from "./database.js";

export const SERVICE_DOMAIN = "mfd.test";

/** The kernel's range of ports for outgoing connections and `listen(0)` (Linux). */
export function ephemeralPorts(): { low: number; high: number } {
  const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
    .trim()
    .split(/\s+/)
    .map(Number);
  return { low: low ?? 32768, high: high ?? 60999 };
}

const listens = (socket: Server | dgram.Socket, port: number) =>
  new Promise<boolean>((resolve) => {
    socket.once("error", () => resolve(false));
    if (socket instanceof Server) socket.listen(port, "127.0.0.1", () => resolve(true));
    else socket.bind(port, "127.0.0.1", () => resolve(true));
  });

/**
 * A loopback port free at the moment of asking, for a server that binds it later (the public URL
 * must name it before the app is built; a child process is told it) — and for UDP too with `udp`.
 * Picked below the kernel's ephemeral range: a port from that range (`listen(0)`), handed back
 * until the server binds it, can meanwhile become the local port of any outgoing connection of
 * the suite ("Address already in use" on a busy machine). Below it only a server asking for that
 * very port takes it.
 */
export async function freePort({ udp = false } = {}): Promise<number> {
  const below = Math.max(11_000, Math.min(ephemeralPorts().low, 32_768));
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    const tcp = createServer();
    let free = await listens(tcp, port);
    if (free && udp) {
      const socket = dgram.createSocket("udp4");
      free = await listens(socket, port);
      socket.close();
    }
    await new Promise((resolve) => tcp.close(resolve));
    if (free) return port;
  }
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/**
 * A real mfd HTTP server on a loopback port with a fresh database and the real clock, for browser
 * tests. Its public URL is the origin the browser uses, so the anti-CSRF Origin check passes.
 * `env` (or a function of the port, for a public URL that names it) overrides variables.
 * Call `close()` when done.
 */
export async function startTestServer(
  env: Record<string, string> | ((port: number) => Record<string, string>) = {},
) {
  const database = await createTestDatabase();
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config: Config = loadConfig({
      MFD_SERVICE_DOMAIN: SERVICE_DOMAIN,
      MFD_PUBLIC_URL: url,
      MFD_LISTEN: `127.0.0.1:${port}`,
      MFD_DEV: "1",
      MFD_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
      ...(typeof env === "function" ? env(port) : env),
    });
    const deps: Deps = { config, database, clock: systemClock, outbox: new Outbox() };
    const built = await buildApp(deps);
    try {
      await built.app.listen({ port, host: "127.0.0.1" });
    } catch (error) {
      // Somebody took the port between the probe and the listen: try another.
      lastError = error;
      await built.app.close();
      continue;
    }
    return {
      ...built,
      url,
      config,
      /** What the app was built from: roles (the dns role) start with these. */
      deps,
      db: database.db,
      /** The real clock the server runs on (fixtures that write rows directly use it too). */
      clock: systemClock,
      /** The newest code (6–8 digits) sent to a recipient, from the outbox table. */
      async lastCodeTo(recipient: string): Promise<string> {
        const message = await database.db
          .selectFrom("outbox")
          .selectAll()
          .where("recipient", "=", recipient)
          .orderBy("createdAt", "desc")
          .orderBy("id", "desc")
          .executeTakeFirst();
        const code = message ? /\b(\d{6,8})\b/.exec(message.body)?.[1] : undefined;
        if (!code) throw new Error(`no code was sent to ${recipient}`);
        return code;
      },
      async close(): Promise<void> {
        await built.app.close();
        await database.destroy();
      },
    };
  }
  await database.destroy();
  throw lastError;
}
