import { describe, expect, it } from "vitest";
import { Client, createTestApp, GOOD_PASSWORD, registerAccount, uniqueLogin } from "./helpers/app.js";

/**
 * MFD_PUBLIC_URL is the one address of the console: a browser elsewhere is sent there (instead of
 * meeting a CSRF refusal on every form), and development mode on loopback treats localhost,
 * 127.0.0.1 and [::1] as one address.
 */
const signUp = (client: Client, headers: Record<string, string>) =>
  client.post(
    "/api/v1/accounts",
    { login: uniqueLogin(), password: GOOD_PASSWORD, firstName: "Ada", lastName: "Lovelace" },
    headers,
  );

describe("the public address in production", async () => {
  const t = await createTestApp({ MFD_DEV: "0", MFD_PUBLIC_URL: "https://mail.example.test" });

  it("redirects a page opened at another address to the same page at the public URL", async () => {
    for (const host of ["10.0.0.5:8080", "127.0.0.1:8080", "MAIL.example.test:8443", "other.example.test"]) {
      for (const method of ["GET", "HEAD"] as const) {
        const response = await t.app.inject({ method, url: "/domains?page=2", headers: { host } });
        expect(response.statusCode, `${method} at ${host}`).toBe(308);
        expect(response.headers.location).toBe("https://mail.example.test/domains?page=2");
      }
    }
  });

  it("answers API and state-changing requests at another address with a problem naming the address to open", async () => {
    const client = new Client(t);
    for (const [method, url] of [
      ["GET", "/api/v1/session"],
      ["POST", "/api/v1/accounts"],
      ["POST", "/sign-in"],
    ] as const) {
      const response = await client.request(method, url, method === "POST" ? {} : undefined, {
        host: "10.0.0.5:8080",
      });
      expect(response.statusCode, `${method} ${url}`).toBe(421);
      expect(response.json()).toMatchObject({
        code: "WRONG_ADDRESS",
        publicUrl: "https://mail.example.test",
        detail: expect.stringContaining("open https://mail.example.test"),
      });
    }
    // Nothing was created by the refused sign-up.
    expect(await t.db.selectFrom("accounts").select("id").execute()).toEqual([]);
  });

  it("serves the public address itself (the default port written or not), probes and API tokens anywhere", async () => {
    for (const host of ["mail.example.test", "mail.example.test:443", "Mail.Example.Test"]) {
      const response = await t.app.inject({ url: "/healthz", headers: { host } });
      expect(response.statusCode).toBe(200);
      const page = await t.app.inject({ url: "/domains", headers: { host } });
      expect(page.statusCode, host).toBe(200);
    }
    expect((await t.app.inject({ url: "/healthz", headers: { host: "10.0.0.5" } })).statusCode).toBe(200);
    // A script with a token is no browser: its request is answered (here: the token is unknown).
    const scripted = await t.app.inject({
      url: "/api/v1/session",
      headers: { host: "10.0.0.5", authorization: "Bearer mfd_nothing" },
    });
    expect(scripted.json().code).toBe("UNAUTHENTICATED");
    // Behind a proxy that does not pass the browser's host, the Host is the proxy's: no redirect (no loop).
    const proxied = await t.app.inject({
      url: "/domains",
      headers: { host: "127.0.0.1:8080", "x-forwarded-for": "198.51.100.7" },
    });
    expect(proxied.statusCode).toBe(200);
  });

  it("accepts state-changing requests only from the public origin, with no loopback exception", async () => {
    const client = new Client(t);
    const refused = await signUp(client, { origin: "http://localhost:443" });
    expect(refused.json().code).toBe("CSRF_REJECTED");
    const accepted = await signUp(client, { origin: "https://mail.example.test" });
    expect(accepted.statusCode, accepted.body).toBe(201);
  });
});

describe("the public address in development on loopback", async () => {
  const t = await createTestApp({ MFD_DEV: "1", MFD_PUBLIC_URL: "http://localhost:8080" });

  it("treats localhost, 127.0.0.1 and [::1] on the public port as one origin: sign-up and signed-in forms work", async () => {
    for (const host of ["127.0.0.1:8080", "[::1]:8080", "localhost:8080"]) {
      const origin = `http://${host}`;
      const client = new Client(t);
      const signedUp = await signUp(client, { host, origin });
      expect(signedUp.statusCode, `${origin}: ${signedUp.body}`).toBe(201);
      // The session cookie works at that address: a signed-in, state-changing request passes CSRF.
      const out = await client.delete("/api/v1/session", undefined, { host, origin });
      expect(out.statusCode, `${origin}: ${out.body}`).toBe(204);
    }
  });

  it("still refuses another port, another site and a non-loopback address", async () => {
    const { client } = await registerAccount(t);
    for (const origin of ["http://127.0.0.1:9999", "http://evil.example", "https://localhost:8080"]) {
      const refused = await client.delete("/api/v1/session", undefined, { origin });
      expect(refused.json().code, origin).toBe("CSRF_REJECTED");
    }
    const lan = await t.app.inject({ url: "/account", headers: { host: "192.168.1.20:8080" } });
    expect(lan.statusCode).toBe(308);
    expect(lan.headers.location).toBe("http://localhost:8080/account");
  });
});
