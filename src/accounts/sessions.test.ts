import { describe, expect, it } from "vitest";
import { Client, createTestApp, GOOD_PASSWORD, registerAccount } from "../../test/helpers/app.js";
import { REAUTH_WINDOW_MS } from "../access/access.js";
import { HOUR, MINUTE } from "../lib/clock.js";
import { sha256 } from "../lib/random.js";
import { THROTTLE_AFTER_FAILURES } from "./accounts.service.js";
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "./sessions.service.js";
import { FAILURE_MEMORY_MS, pruneSignInState } from "./sign-in-throttle.js";

const t = await createTestApp();

// Registration and sign-in are limited per IP; every client here comes from its own address.
let seq = 0;
const nextIp = () => `10.1.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;

async function signIn(login: string, password = GOOD_PASSWORD, ip = nextIp()) {
  const client = new Client(t, ip);
  const res = await client.post("/api/v1/session", { login, password });
  return { client, res };
}

async function actions(accountId: string) {
  const rows = await t.db
    .selectFrom("auditEvents")
    .select(["action", "target", "ip"])
    .where("accountId", "=", accountId)
    .orderBy("id")
    .execute();
  return rows;
}

/** A client holding a given cookie value, as an attacker replaying a stolen one would. */
const withCookie = (cookie: string | null) => {
  const client = new Client(t, nextIp());
  client.cookie = cookie;
  return client;
};

describe("the account's sessions", () => {
  it("lists the live sessions and marks the current one", async () => {
    const { client, login } = await registerAccount(t, {}, nextIp());
    const { client: laptop } = await signIn(login, GOOD_PASSWORD, "192.0.2.200");
    await laptop.get("/api/v1/account", { "user-agent": "Laptop browser" });

    const res = await client.get("/api/v1/account/sessions");
    expect(res.statusCode).toBe(200);
    const sessions = res.json();
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(sessions.find((s: { current: boolean }) => !s.current)).toMatchObject({ ip: "192.0.2.200" });
  });

  it("ends another session of the account, which stops working at once", async () => {
    const { client, login, accountId } = await registerAccount(t, {}, nextIp());
    const { client: laptop } = await signIn(login);
    const other = (await client.get("/api/v1/account/sessions"))
      .json()
      .find((s: { current: boolean }) => !s.current);

    expect((await client.delete(`/api/v1/account/sessions/${other.id}`)).statusCode).toBe(204);
    expect((await laptop.get("/api/v1/account")).statusCode).toBe(401);
    expect((await client.get("/api/v1/account")).statusCode).toBe(200);
    expect(await actions(accountId)).toContainEqual(
      expect.objectContaining({ action: "session.end", target: other.id }),
    );
  });

  it("answers NOT_FOUND for another account's session and leaves it alone", async () => {
    const alice = await registerAccount(t, {}, nextIp());
    const bob = await registerAccount(t, {}, nextIp());
    const [bobSession] = (await bob.client.get("/api/v1/account/sessions")).json();

    const res = await alice.client.delete(`/api/v1/account/sessions/${bobSession.id}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("NOT_FOUND");
    expect((await bob.client.get("/api/v1/account")).statusCode).toBe(200);
    const unknown = await alice.client.delete("/api/v1/account/sessions/not-a-session");
    expect(unknown.json().code).toBe("NOT_FOUND");
  });

  it("signs out when the current session is ended", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const [current] = (await client.get("/api/v1/account/sessions")).json();
    const res = await client.delete(`/api/v1/account/sessions/${current.id}`);
    expect(res.statusCode).toBe(204);
    expect(client.cookie).toBeNull();
  });

  it("ends every other session and says how many", async () => {
    const { client, login, accountId } = await registerAccount(t, {}, nextIp());
    const { client: laptop } = await signIn(login);
    const { client: phone } = await signIn(login);

    const res = await client.post("/api/v1/account/sessions/end-others");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ended: 2 });
    expect((await laptop.get("/api/v1/account")).statusCode).toBe(401);
    expect((await phone.get("/api/v1/account")).statusCode).toBe(401);
    expect((await client.get("/api/v1/account/sessions")).json()).toHaveLength(1);
    expect((await actions(accountId)).filter((e) => e.action === "session.end")).toHaveLength(2);
    expect((await client.post("/api/v1/account/sessions/end-others")).json()).toEqual({ ended: 0 });
  });

  it("refuses visitors", async () => {
    const visitor = new Client(t, nextIp());
    for (const res of [
      await visitor.get("/api/v1/account/sessions"),
      await visitor.post("/api/v1/account/sessions/end-others"),
      await visitor.delete("/api/v1/account/sessions/x"),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe("UNAUTHENTICATED");
    }
  });
});

describe("session lifetime", () => {
  it("ends a session idle for more than 30 minutes", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    t.clock.advance(SESSION_IDLE_MS - MINUTE);
    expect((await client.get("/api/v1/account")).statusCode).toBe(200);
    t.clock.advance(SESSION_IDLE_MS - MINUTE);
    expect((await client.get("/api/v1/account")).statusCode).toBe(200);
    t.clock.advance(SESSION_IDLE_MS + 1);
    const res = await client.get("/api/v1/account");
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("UNAUTHENTICATED");
    expect(client.cookie).toBeNull();
  });

  it("ends a session 12 hours after sign-in however busy it is", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const steps = SESSION_ABSOLUTE_MS / (20 * MINUTE);
    for (let i = 0; i < steps; i++) {
      t.clock.advance(20 * MINUTE);
      expect((await client.get("/api/v1/account")).statusCode).toBe(200);
    }
    t.clock.advance(1);
    expect((await client.get("/api/v1/account")).statusCode).toBe(401);
  });

  it("kills the session at sign-out, so its cookie cannot be replayed", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const stolen = client.cookie;
    expect((await client.delete("/api/v1/session")).statusCode).toBe(204);
    expect(client.cookie).toBeNull();
    const replay = await withCookie(stolen).get("/api/v1/account");
    expect(replay.statusCode).toBe(401);
  });
});

describe("re-authentication", () => {
  it("is required 10 minutes after the password was last entered", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    t.clock.advance(REAUTH_WINDOW_MS);
    expect((await client.post("/api/v1/account/two-factor/setup")).statusCode).toBe(200);
    t.clock.advance(1);
    const res = await client.post("/api/v1/account/two-factor/setup");
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("REAUTH_REQUIRED");
  });

  it("reopens the window and rotates the cookie: the old value stops working", async () => {
    const { client, password, accountId } = await registerAccount(t, {}, nextIp());
    t.clock.advance(REAUTH_WINDOW_MS + 1);
    const before = client.cookie;
    const [session] = (await client.get("/api/v1/account/sessions")).json();

    const res = await client.post("/api/v1/session/reauthenticate", { password });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accountId,
      csrfToken: client.csrf,
      reauthenticatedAt: new Date(t.clock.now()).toISOString(),
    });
    expect(client.cookie).not.toBe(before);
    expect(res.cookies.find((c) => c.name === "mfd_session")).toMatchObject({
      httpOnly: true,
      sameSite: "Lax",
    });

    expect((await withCookie(before).get("/api/v1/account")).statusCode).toBe(401);
    expect((await client.post("/api/v1/account/two-factor/setup")).statusCode).toBe(200);
    const [same] = (await client.get("/api/v1/account/sessions")).json();
    expect(same.id).toBe(session.id);
    expect((await actions(accountId)).map((e) => e.action)).toContain("session.reauthenticate");
  });

  it("refuses a wrong password with PASSWORD_WRONG, counted toward the throttle as a re-authentication failure", async () => {
    const { client, accountId } = await registerAccount(t, {}, nextIp());
    t.clock.advance(REAUTH_WINDOW_MS + 1);
    const before = client.cookie;
    const res = await client.post("/api/v1/session/reauthenticate", { password: "this is not it at all" });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("PASSWORD_WRONG");
    expect(client.cookie).toBe(before);
    expect((await client.post("/api/v1/account/two-factor/setup")).json().code).toBe("REAUTH_REQUIRED");
    // Signed in already: not a failed sign-in in the account's log, but its own event (issue 12).
    const logged = (await actions(accountId)).map((e) => e.action);
    expect(logged).toContain("reauth.failure");
    expect(logged).not.toContain("sign-in.failure");
  });

  it("is refused to visitors", async () => {
    const res = await new Client(t, nextIp()).post("/api/v1/session/reauthenticate", {
      password: GOOD_PASSWORD,
    });
    expect(res.statusCode).toBe(401);
  });
});

describe("sign-in throttling", () => {
  const throttle = async (login: string) => {
    for (let i = 0; i < THROTTLE_AFTER_FAILURES; i++) {
      const { res } = await signIn(login, `wrong password number ${i}`);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe("INVALID_CREDENTIALS");
    }
  };

  it("slows a login after 10 consecutive failures from any address, saying so rather than 'wrong password'", async () => {
    const { login, accountId } = await registerAccount(t, {}, nextIp());
    await throttle(login);
    const { res: throttled } = await signIn(login);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json()).toMatchObject({ code: "SIGN_IN_THROTTLED", retryAfter: 1 });
    expect(throttled.headers["retry-after"]).toBe("1");
    const events = await actions(accountId);
    expect(events.filter((e) => e.action === "sign-in.failure")).toHaveLength(THROTTLE_AFTER_FAILURES);
    expect(new Set(events.filter((e) => e.action === "sign-in.failure").map((e) => e.ip)).size).toBe(
      THROTTLE_AFTER_FAILURES,
    );
    expect(events.map((e) => e.action)).toContain("sign-in.throttle");
    expect(events.map((e) => e.action)).toContain("sign-in.throttled");

    // The first delay is one second; each further failure doubles it.
    t.clock.advance(1000);
    expect((await signIn(login, "still the wrong one")).res.statusCode).toBe(401);
    t.clock.advance(1000);
    expect((await signIn(login)).res.statusCode).toBe(429);
    t.clock.advance(1000);
    expect((await signIn(login)).res.statusCode).toBe(200);
    // Success ends the run: the next failure starts counting from one again.
    expect((await signIn(login, "wrong again")).res.statusCode).toBe(401);
    expect((await signIn(login)).res.statusCode).toBe(200);
  });

  it("throttles an unknown login exactly like a known one, so the answer tells neither apart", async () => {
    const { login } = await registerAccount(t, {}, nextIp());
    const unknown = `nobody${++seq}here`;
    await throttle(login);
    await throttle(unknown);
    const known = (await signIn(login)).res;
    const stranger = (await signIn(unknown)).res;
    expect(known.statusCode).toBe(429);
    expect(stranger.statusCode).toBe(known.statusCode);
    expect(stranger.body).toBe(known.body);
    expect(stranger.headers["retry-after"]).toBe(known.headers["retry-after"]);
    // The refused try is on record, under the login's hash (there is no account to file it under).
    const unknownEvents = await t.db
      .selectFrom("auditEvents")
      .select("details")
      .where("accountId", "is", null)
      .where("action", "=", "sign-in.throttled")
      .execute();
    expect(unknownEvents.map((e) => JSON.parse(e.details ?? "{}").loginSha256)).toContain(sha256(unknown));
  });

  it("lets a browser that signed in before through while strangers keep the login throttled", async () => {
    const { client, login } = await registerAccount(t, {}, nextIp());
    expect(client.device).toBeTruthy();
    expect((await client.delete("/api/v1/session")).statusCode).toBe(204);
    // One wrong password every 15 minutes, for hours: the attack that locked the owner out.
    await throttle(login);
    for (let hour = 0; hour < 8; hour++) {
      t.clock.advance(15 * MINUTE);
      expect((await signIn(login, "another wrong one")).res.statusCode).toBe(401);
    }
    expect((await signIn(login)).res.statusCode).toBe(429);

    const res = await client.post("/api/v1/session", { login, password: GOOD_PASSWORD });
    expect(res.statusCode).toBe(200);
    // Eighteen wrong passwords and one refused try since the last sign-in.
    expect(res.json().failedSignIns).toBe(THROTTLE_AFTER_FAILURES + 8 + 1);
    // The owner's sign-in does not lift the throttle for everyone else.
    expect((await signIn(login)).res.statusCode).toBe(429);
  });

  it("does not recognise a browser by another account's device cookie, or by a made-up one", async () => {
    const { login } = await registerAccount(t, {}, nextIp());
    const other = await registerAccount(t, {}, nextIp());
    await throttle(login);
    const borrowed = new Client(t, nextIp());
    borrowed.device = other.client.device;
    expect((await borrowed.post("/api/v1/session", { login, password: GOOD_PASSWORD })).statusCode).toBe(429);
    const forged = new Client(t, nextIp());
    forged.device = "made-up-device-token";
    expect((await forged.post("/api/v1/session", { login, password: GOOD_PASSWORD })).statusCode).toBe(429);
  });

  it("counts a recognised browser's failures on that browser, not on the account", async () => {
    const { client, login } = await registerAccount(t, {}, nextIp());
    await client.delete("/api/v1/session");
    for (let i = 0; i < THROTTLE_AFTER_FAILURES; i++) {
      const res = await client.post("/api/v1/session", { login, password: `typo ${i}` });
      expect(res.json().code).toBe("INVALID_CREDENTIALS");
    }
    expect((await client.post("/api/v1/session", { login, password: GOOD_PASSWORD })).statusCode).toBe(429);
    // Anyone else with the right password still gets in.
    expect((await signIn(login)).res.statusCode).toBe(200);
  });

  it("forgets a failure run a day after its last failure, for known and unknown logins alike", async () => {
    const { login } = await registerAccount(t, {}, nextIp());
    const unknown = `nobody${++seq}forgotten`;
    for (let i = 0; i < THROTTLE_AFTER_FAILURES - 1; i++) {
      await signIn(login, `wrong ${i}`);
      await signIn(unknown, `wrong ${i}`);
    }
    t.clock.advance(FAILURE_MEMORY_MS + 1);
    await pruneSignInState(t.db, t.clock.now());
    // The tenth failure, a day later, starts a new run instead of throttling.
    for (const who of [login, unknown]) {
      expect((await signIn(who, "wrong once more")).res.statusCode).toBe(401);
      expect((await signIn(who, "and again")).res.statusCode).toBe(401);
    }
  });

  it("tells after sign-in how many failed attempts there were since the last one", async () => {
    const { login } = await registerAccount(t, {}, nextIp());
    for (let i = 0; i < 3; i++) await signIn(login, `not it ${i}`);
    const first = (await signIn(login)).res;
    expect(first.json().failedSignIns).toBe(3);
    expect((await signIn(login)).res.json().failedSignIns).toBe(0);
  });

  it("counts every one of many wrong passwords sent at the same moment", async () => {
    const { login, accountId } = await registerAccount(t, {}, nextIp());
    const answers = await Promise.all(
      Array.from({ length: THROTTLE_AFTER_FAILURES }, (_, i) => signIn(login, `parallel guess ${i}`)),
    );
    expect(answers.map((a) => a.res.statusCode)).toEqual(Array(THROTTLE_AFTER_FAILURES).fill(401));
    const account = await t.db
      .selectFrom("accounts")
      .select("failedSignIns")
      .where("id", "=", accountId)
      .executeTakeFirstOrThrow();
    expect(account.failedSignIns).toBe(THROTTLE_AFTER_FAILURES);
    expect((await signIn(login)).res.statusCode).toBe(429);
    expect((await actions(accountId)).map((e) => e.action)).toContain("sign-in.throttle");
  });

  it("counts wrong passwords typed at re-authentication and refuses re-authentication while throttled", async () => {
    const { client, login, password } = await registerAccount(t, {}, nextIp());
    // A session used from a browser that never signed in (a stolen cookie): its failures count on the account.
    client.device = null;
    t.clock.advance(REAUTH_WINDOW_MS + 1);
    for (let i = 0; i < THROTTLE_AFTER_FAILURES; i++) {
      await client.post("/api/v1/session/reauthenticate", { password: `not it ${i}` });
    }
    expect((await signIn(login)).res.statusCode).toBe(429);
    const res = await client.post("/api/v1/session/reauthenticate", { password });
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe("SIGN_IN_THROTTLED");
    t.clock.advance(HOUR / 4);
    expect((await client.post("/api/v1/session/reauthenticate", { password })).statusCode).toBe(200);
  });
});
