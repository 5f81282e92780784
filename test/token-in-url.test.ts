import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { Client, createTestApp, lastCodeTo, messagesTo, registerAccount } from "./helpers/app.js";

/**
 * A token in a web address ends up in proxy logs, browser history and Referer headers: it is
 * treated as leaked — revoked, its holder told — and the request is refused. Request logs carry
 * no query strings.
 */
const t = await createTestApp();

let seq = 0;
async function holderWithToken() {
  const phone = `+7916${7_100_000 + ++seq}`;
  const holder = await registerAccount(t, { phone }, `10.71.0.${seq}`);
  await holder.client.post("/api/v1/account/phone/confirm", { code: await lastCodeTo(t, phone) });
  const created = await holder.client.post("/api/v1/tokens", {
    name: "deploy",
    permissions: ["domains:read"],
    domains: "all",
    expiresInDays: 30,
  });
  expect(created.statusCode, created.body).toBe(201);
  const { token, id } = created.json() as { token: string; id: string };
  return { ...holder, phone, token, tokenId: id };
}

const withBearer = (token: string) =>
  new Client(t, "198.51.100.71").get("/api/v1/domains", { authorization: `Bearer ${token}` });

describe("a token seen in a URL", () => {
  it.each([
    ["the query string", (token: string) => `/api/v1/domains?access_token=${token}`],
    ["the path", (token: string) => `/api/v1/domains/${token}`],
    ["an encoded query string", (token: string) => `/api/v1/domains?q=${encodeURIComponent(` ${token}`)}`],
  ])("in %s is refused, revoked, told to its holder and recorded", async (_where, urlWith) => {
    const holder = await holderWithToken();
    expect((await withBearer(holder.token)).statusCode).toBe(200);

    const leaked = await new Client(t, "198.51.100.72").get(urlWith(holder.token));
    expect(leaked.statusCode).toBe(400);
    expect(leaked.headers["content-type"]).toContain("application/problem+json");
    expect(leaked.json().code).toBe("TOKEN_IN_URL");

    // The token no longer works, even from its own script.
    const after = await withBearer(holder.token);
    expect(after.statusCode).toBe(401);
    const [notice] = await messagesTo(t, holder.phone);
    expect(notice?.body).toContain('API token ("deploy") was seen in a web address');
    const events = (await holder.client.get("/api/v1/account/events")).json().events;
    expect(events[0]).toMatchObject({ action: "token.exposed", target: holder.tokenId });
    const listed = (await holder.client.get("/api/v1/tokens")).json();
    expect(listed[0]).toMatchObject({ id: holder.tokenId, revoked: true });
  });

  it("is refused the same way when it is no live token, and nothing else changes", async () => {
    const forged = `mfd_${"A".repeat(43)}`;
    const response = await new Client(t, "198.51.100.73").get(`/api/v1/domains?token=${forged}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe("TOKEN_IN_URL");
  });
});

describe("request logs", () => {
  it("carry the path without its query string, and never a token", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = await buildApp(t.deps, { logger: { level: "info", stream } });
    await logged.app.ready();
    try {
      const secret = `mfd_${"B".repeat(43)}`;
      await logged.app.inject({ url: "/healthz?password=hunter2&next=/x" });
      await logged.app.inject({ url: `/api/v1/domains?token=${secret}` });
      await logged.app.inject({ url: `/api/v1/${secret}/x` });
      const text = lines.join("");
      expect(text).toContain('"url":"/healthz"');
      expect(text).not.toContain("hunter2");
      expect(text).not.toContain(secret);
      expect(text).toContain("mfd_[redacted]");
    } finally {
      await logged.app.close();
    }
  });
});
