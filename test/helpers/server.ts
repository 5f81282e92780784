import { createServer } from "node:net";
import { buildApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import type { Deps } from "../../src/deps.js";
import { systemClock } from "../../src/lib/clock.js";
import { Outbox } from "../../src/notify/outbox.js";
import { createTestDatabase } from "./database.js";

export const SERVICE_DOMAIN = "mfd.test";

/** A free loopback port (the public URL must name it before the app is built: Origin checks). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
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
