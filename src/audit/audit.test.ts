import { describe, expect, it } from "vitest";
import { Client, createTestApp, GOOD_PASSWORD, lastCodeTo, registerAccount } from "../../test/helpers/app.js";
import { THROTTLE_AFTER_FAILURES } from "../accounts/accounts.service.js";
import { totpAt } from "../credentials/totp.js";

const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.3.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;

interface EventView {
  id: string;
  at: string;
  action: string;
  ip: string | null;
  target: string | null;
  details: Record<string, unknown> | null;
}

async function allEvents(client: Client): Promise<EventView[]> {
  const res = await client.get("/api/v1/account/events?limit=100");
  expect(res.statusCode).toBe(200);
  return res.json().events;
}

describe("the account's security events", () => {
  it("records every security event of the account and shows them to it, newest first, without secrets", async () => {
    const phone = "+79167000001";
    const { client, login } = await registerAccount(t, { phone }, nextIp());
    const code = await lastCodeTo(t, phone);
    await client.post("/api/v1/account/phone/confirm", { code });

    const laptop = new Client(t, nextIp());
    await laptop.post("/api/v1/session", { login, password: GOOD_PASSWORD });
    const other = (await client.get("/api/v1/account/sessions"))
      .json()
      .find((s: { current: boolean }) => !s.current);
    await client.delete(`/api/v1/account/sessions/${other.id}`);

    const { secret } = (await client.post("/api/v1/account/two-factor/setup")).json();
    await client.post("/api/v1/account/two-factor/enable", { code: totpAt(secret, t.clock.now()) });
    await client.put("/api/v1/account/password", {
      currentPassword: GOOD_PASSWORD,
      newPassword: "another long passphrase 9",
    });
    for (let i = 0; i < THROTTLE_AFTER_FAILURES; i++) {
      await new Client(t, nextIp()).post("/api/v1/session", { login, password: `wrong ${i}` });
    }

    const events = await allEvents(client);
    const actions = new Set(events.map((e) => e.action));
    for (const action of [
      "account.register",
      "sign-in",
      "sign-in.failure",
      "sign-in.throttle",
      "contact.change",
      "session.end",
      "two-factor.enable",
      "password.change",
    ]) {
      expect(actions).toContain(action);
    }
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(events[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(events.find((e) => e.action === "session.end")?.target).toBe(other.id);
    const text = JSON.stringify(events);
    expect(text).not.toContain(GOOD_PASSWORD);
    expect(text).not.toContain(code);
    expect(text).not.toContain(secret);
  });

  it("never shows another account's events", async () => {
    const alice = await registerAccount(t, {}, nextIp());
    const bob = await registerAccount(t, {}, nextIp());
    await new Client(t, nextIp()).post("/api/v1/session", { login: bob.login, password: "wrong for bob" });

    const aliceIds = new Set((await allEvents(alice.client)).map((e) => e.id));
    const bobEvents = await allEvents(bob.client);
    expect(bobEvents.map((e) => e.action)).toContain("sign-in.failure");
    expect(bobEvents.filter((e) => aliceIds.has(e.id))).toEqual([]);
    // Paging past one's own events through another's ids still shows only one's own.
    const oldestOfBob = bobEvents.at(-1)?.id as string;
    const page = await alice.client.get(`/api/v1/account/events?before=${oldestOfBob}`);
    expect(page.json().events.every((e: EventView) => aliceIds.has(e.id))).toBe(true);
  });

  it("pages with limit and before, without gaps or repeats", async () => {
    const { client, login } = await registerAccount(t, {}, nextIp());
    for (let i = 0; i < 4; i++)
      await new Client(t, nextIp()).post("/api/v1/session", { login, password: `no ${i}` });
    const everything = (await allEvents(client)).map((e) => e.id);
    expect(everything.length).toBeGreaterThan(4);

    const seen: string[] = [];
    let before: string | null = null;
    do {
      const query: string = before ? `limit=2&before=${before}` : "limit=2";
      const res = await client.get(`/api/v1/account/events?${query}`);
      const body = res.json() as { events: EventView[]; next: string | null };
      expect(body.events.length).toBeLessThanOrEqual(2);
      seen.push(...body.events.map((e) => e.id));
      before = body.next;
    } while (before);
    expect(seen).toEqual(everything);
  });

  it.each([
    ["limit=0", "VALIDATION_FAILED"],
    ["limit=101", "VALIDATION_FAILED"],
    ["limit=many", "VALIDATION_FAILED"],
    [`before=${"x".repeat(65)}`, "VALIDATION_FAILED"],
    ["accountId=someone-else", "UNKNOWN_FIELD"],
  ])("refuses the query %s with %s", async (query, code) => {
    const { client } = await registerAccount(t, {}, nextIp());
    const res = await client.get(`/api/v1/account/events?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(code);
  });

  it("is not shown to visitors", async () => {
    const res = await new Client(t, nextIp()).get("/api/v1/account/events");
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("UNAUTHENTICATED");
  });
});
