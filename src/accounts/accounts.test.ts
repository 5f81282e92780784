import { describe, expect, it } from "vitest";
import {
  Client,
  createTestApp,
  GOOD_PASSWORD,
  registerAccount,
  SERVICE_DOMAIN,
} from "../../test/helpers/app.js";

const t = await createTestApp();

describe("registration and sign-in", () => {
  it("registers, signs in with login and with login@service domain, and shows the profile", async () => {
    const { login } = await registerAccount(t);
    for (const identifier of [
      login,
      `${login}@${SERVICE_DOMAIN}`,
      `${login.toUpperCase()}@${SERVICE_DOMAIN.toUpperCase()}`,
    ]) {
      const client = new Client(t);
      const res = await client.post("/api/v1/session", { login: identifier, password: GOOD_PASSWORD });
      expect(res.statusCode).toBe(200);
      const profile = await client.get("/api/v1/account");
      expect(profile.json()).toMatchObject({ login, address: `${login}@${SERVICE_DOMAIN}`, complete: false });
    }
  });

  it("refuses an address on another domain with an explanation", async () => {
    const res = await new Client(t).post("/api/v1/session", {
      login: "bob@example.org",
      password: GOOD_PASSWORD,
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe("MAILBOX_ADDRESS_NOT_ACCOUNT");
    expect(res.json().detail).toContain(`@${SERVICE_DOMAIN}`);
  });

  it("answers an unknown login and a wrong password identically", async () => {
    const { login } = await registerAccount(t);
    const wrong = await new Client(t).post("/api/v1/session", { login, password: "not the password at all" });
    const unknown = await new Client(t).post("/api/v1/session", {
      login: "nobody-here",
      password: "not the password at all",
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.body).toBe(wrong.body);
  });

  it("refuses unknown fields without creating anything", async () => {
    const client = new Client(t);
    const res = await client.post("/api/v1/accounts", {
      login: "mallory",
      password: GOOD_PASSWORD,
      firstName: "M",
      lastName: "X",
      isSupportAgent: true,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "UNKNOWN_FIELD", field: "isSupportAgent" });
    const row = await t.db
      .selectFrom("accounts")
      .select("id")
      .where("login", "=", "mallory")
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });
});
