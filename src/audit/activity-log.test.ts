import { describe, expect, it } from "vitest";
import { Client, createTestApp, GOOD_PASSWORD, registerAccount } from "../../test/helpers/app.js";
import { systemContext } from "../access/actor.js";
import { recordEvent } from "./audit.service.js";

/**
 * Issue 12: the account's activity as a security log — each event with the browser that made it,
 * the ended session's device on "session ended", and the domain checks kept apart.
 */
const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.5.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const SAFARI =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

interface EventView {
  action: string;
  ip: string | null;
  userAgent: string | null;
  target: string | null;
  details: Record<string, unknown> | null;
}

const events = async (client: Client, query = ""): Promise<EventView[]> => {
  const res = await client.get(`/api/v1/account/events?limit=100${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().events;
};

describe("the account's activity as a security log", () => {
  it("shows the browser and address of each event, and which device an ended session was", async () => {
    const { client, login } = await registerAccount(t, {}, nextIp());
    const phone = new Client(t, nextIp());
    const signedIn = await phone.post(
      "/api/v1/session",
      { login, password: GOOD_PASSWORD },
      { "user-agent": SAFARI },
    );
    expect(signedIn.statusCode).toBe(200);
    const other = (await client.get("/api/v1/account/sessions"))
      .json()
      .find((s: { current: boolean }) => !s.current);
    expect(
      (await client.delete(`/api/v1/account/sessions/${other.id}`, undefined, { "user-agent": FIREFOX }))
        .statusCode,
    ).toBe(204);

    const log = await events(client);
    const signIn = log.find((e) => e.action === "sign-in" && e.ip === phone.ip);
    expect(signIn?.userAgent).toBe(SAFARI);
    const ended = log.find((e) => e.action === "session.end");
    // Who ended it (Firefox, here) and which device was signed out (the phone).
    expect(ended).toMatchObject({ userAgent: FIREFOX, details: { ip: phone.ip, userAgent: SAFARI } });
  });

  it("keeps the domain checks apart from sign-ins and changes", async () => {
    const { client, accountId, login } = await registerAccount(t, {}, nextIp());
    await new Client(t, nextIp()).post("/api/v1/session", { login, password: "not the password" });
    const ctx = systemContext(t.clock.now());
    await recordEvent(t.db, ctx, {
      action: "domain.check",
      accountId,
      domain: "example.org",
      details: { trigger: "worker" },
    });
    await recordEvent(t.db, ctx, { action: "domain.mx-check", accountId, domain: "example.org" });

    const all = (await events(client)).map((e) => e.action);
    expect(all).toEqual(
      expect.arrayContaining(["domain.check", "domain.mx-check", "sign-in.failure", "account.register"]),
    );
    const checks = (await events(client, "&kind=checks")).map((e) => e.action);
    expect(checks).toEqual(["domain.mx-check", "domain.check"]);
    const changes = (await events(client, "&kind=changes")).map((e) => e.action);
    expect(changes).toEqual(all.filter((a) => a !== "domain.check" && a !== "domain.mx-check"));
    expect(changes).toContain("sign-in.failure");

    const bad = await client.get("/api/v1/account/events?kind=everything");
    expect(bad.statusCode).toBe(400);
  });
});
