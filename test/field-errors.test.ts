import { describe, expect, it } from "vitest";
import { Client, createTestApp, registerAccount, uniqueLogin } from "./helpers/app.js";
import { loginsIn, MAILBOX_PASSWORD, mailboxWorld } from "./helpers/mailboxes.js";

/**
 * A form with several mistakes learns of all of them in one answer: the problem keeps its stable
 * `code` (the first mistake's) and lists every invalid field in `errors: [{field, code, message}]`
 * — for the request's shape (the schema) and for the services' own rules.
 */
const t = await createTestApp();
const { ownerWithDomain } = mailboxWorld(t);

let seq = 0;
const nextIp = () => `10.44.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;

const fieldsOf = (body: { errors?: Array<{ field: string; code: string; message: string }> }) =>
  (body.errors ?? []).map((e) => [e.field, e.code]);

describe("every invalid field at once", () => {
  it("registration: login, names, password, phone and e-mail in one answer, nothing created", async () => {
    const visitor = new Client(t, nextIp());
    const res = await visitor.post("/api/v1/accounts", {
      login: "1-bad",
      password: "short",
      firstName: "   ",
      lastName: "Liddell",
      phone: "12345",
      recoveryEmail: "nowhere",
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    // The first mistake stays the problem's code, as clients read it.
    expect(body.code).toBe("LOGIN_INVALID");
    expect(fieldsOf(body)).toEqual([
      ["login", "LOGIN_INVALID"],
      ["firstName", "VALIDATION_FAILED"],
      ["password", "PASSWORD_TOO_SHORT"],
      ["phone", "PHONE_INVALID"],
      ["recoveryEmail", "EMAIL_INVALID"],
    ]);
    for (const error of body.errors) expect(error.message.length).toBeGreaterThan(3);
    expect(await t.db.selectFrom("accounts").select("id").where("login", "=", "1-bad").execute()).toEqual([]);
  });

  it("registration: a body the schema refuses lists every field it refuses, an unknown one first", async () => {
    const visitor = new Client(t, nextIp());
    const shape = await visitor.post("/api/v1/accounts", {
      login: "",
      password: "",
      firstName: "",
      lastName: "",
    });
    expect(shape.json().code).toBe("VALIDATION_FAILED");
    expect(fieldsOf(shape.json()).map(([field]) => field)).toEqual([
      "login",
      "password",
      "firstName",
      "lastName",
    ]);
    const unknown = await visitor.post("/api/v1/accounts", {
      login: "",
      password: "x",
      firstName: "A",
      lastName: "B",
      role: "admin",
    });
    expect(unknown.json().code).toBe("UNKNOWN_FIELD");
    expect(unknown.json().field).toBe("role");
    expect(fieldsOf(unknown.json())).toEqual([
      ["role", "UNKNOWN_FIELD"],
      ["login", "VALIDATION_FAILED"],
    ]);
  });

  it("a single mistake keeps its members and is listed too", async () => {
    const res = await new Client(t, nextIp()).post("/api/v1/accounts", {
      login: uniqueLogin(),
      password: "short",
      firstName: "A",
      lastName: "B",
    });
    expect(res.json()).toMatchObject({
      code: "PASSWORD_TOO_SHORT",
      min: 10,
      field: "password",
      errors: [{ field: "password", code: "PASSWORD_TOO_SHORT", message: "Use at least 10 characters." }],
    });
  });

  it("mailbox create and edit: login and password by the rules, names by the schema, each all at once", async () => {
    const owner = await ownerWithDomain();
    const created = await owner.client.post(owner.url, {
      login: "-nope",
      password: "short",
      firstName: "Ann",
    });
    expect(created.statusCode).toBe(400);
    expect(created.json().code).toBe("LOGIN_INVALID");
    expect(fieldsOf(created.json())).toEqual([
      ["login", "LOGIN_INVALID"],
      ["password", "PASSWORD_TOO_SHORT"],
    ]);
    const names = await owner.client.post(owner.url, {
      login: "bea",
      password: MAILBOX_PASSWORD,
      firstName: "Ann\u0007",
      lastName: "x".repeat(101),
    });
    expect(fieldsOf(names.json()).map(([field]) => field)).toEqual(["firstName", "lastName"]);
    expect(await loginsIn(t, owner.domainId)).toEqual([]);

    const ok = await owner.client.post(owner.url, { login: "anna", password: MAILBOX_PASSWORD });
    expect(ok.statusCode, ok.body).toBe(201);
    const edited = await owner.client.patch(`${owner.url}/anna`, {
      firstName: "Tab\tbed",
      lastName: "Bell\u0007",
    });
    expect(edited.statusCode).toBe(400);
    expect(fieldsOf(edited.json()).map(([field]) => field)).toEqual(["firstName", "lastName"]);
    // Nothing half-written: the mailbox is as it was.
    expect((await owner.client.get(`${owner.url}/anna`)).json()).toMatchObject({
      firstName: "",
      lastName: "",
    });
  });

  it("token create: the name and the domains together", async () => {
    const { client } = await registerAccount(t, {}, nextIp());
    const res = await client.post("/api/v1/tokens", {
      name: "   ",
      permissions: ["domains:read"],
      domains: ["not a domain!"],
      expiresInDays: 30,
    });
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res.json()).map(([field]) => field)).toEqual(["name", "domains"]);
    expect((await client.get("/api/v1/tokens")).json()).toEqual([]);
  });
});
