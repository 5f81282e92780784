import type { BrowserContext } from "playwright-core";
import { expect } from "vitest";
import { setSupportAgent } from "../../src/accounts/support-agents.js";
import { totpAt } from "../../src/credentials/totp.js";
import type { TestServer } from "../helpers/server.js";

const PASSWORD = "correct horse battery staple 42";
let counter = 0;

/**
 * An agent as the operator makes one: registered, two-factor on, given the role by the CLI's
 * function, then signed in with a code, so this browser's session passed two-factor.
 */
export async function signInAgent(server: TestServer, context: BrowserContext): Promise<void> {
  const login = `agent${++counter}x${Date.now().toString(36)}`;
  const registered = await context.request.post("/api/v1/accounts", {
    data: { login, password: PASSWORD, firstName: "Aga", lastName: "Desk" },
  });
  expect(registered.status(), await registered.text()).toBe(201);
  const csrf = (await (await context.request.get("/api/v1/session")).json()).csrfToken as string;
  const setup = await context.request.post("/api/v1/account/two-factor/setup", {
    headers: { "x-csrf-token": csrf },
  });
  const { secret } = (await setup.json()) as { secret: string };
  // The previous step's code (accepted within ±1 step) turns it on; the current one signs in.
  const enabled = await context.request.post("/api/v1/account/two-factor/enable", {
    headers: { "x-csrf-token": csrf },
    data: { code: totpAt(secret, Date.now() - 30_000) },
  });
  expect(enabled.status(), await enabled.text()).toBeLessThan(300);
  await setSupportAgent(server.deps, login, true);
  // Signing in again from a signed-in browser (a new session, this one with two-factor).
  const signedIn = await context.request.post("/api/v1/session", {
    headers: { "x-csrf-token": csrf },
    data: { login, password: PASSWORD, totpCode: totpAt(secret, Date.now()) },
  });
  expect(signedIn.status(), await signedIn.text()).toBe(200);
}
