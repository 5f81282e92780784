import { describe, expect, it } from "vitest";
import { createTestApp } from "../../test/helpers/app.js";
import {
  createMailbox,
  domainEvents,
  loginsIn,
  MAILBOX_PASSWORD,
  mailboxWorld,
} from "../../test/helpers/mailboxes.js";
import { BATCH_MAX } from "./mailboxes.schemas.js";

const t = await createTestApp();
const { account, ownerWithDomain, addDeputy } = mailboxWorld(t);
const limited = await createTestApp({ MFD_MAILBOX_LIMIT: "3" });

const row = (login: string, extra: Record<string, string> = {}) => ({
  login,
  password: MAILBOX_PASSWORD,
  ...extra,
});

describe("batch creation", () => {
  it("creates, skips what exists and fails what breaks a rule, one result per row in order", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "existing", firstName: "Keep" });
    await client.post(`${url}/existing/aliases`, { alias: "alias" });
    const response = await client.post(`${url}/batch`, {
      mailboxes: [
        row("Alice", { firstName: "Alice", lastName: "Liddell" }),
        row("existing", { firstName: "Overwritten?" }),
        row("alias"),
        row("1bad"),
        { login: "weak", password: "short" },
        row("postmaster"),
        row(`bob@${name}`),
        row("alice"),
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      results: [
        { login: "alice", status: "created" },
        { login: "existing", status: "skipped", detail: `existing@${name} already exists.` },
        {
          login: "alias",
          status: "failed",
          code: "MAILBOX_EXISTS",
          detail: `alias@${name} is an alias of another mailbox.`,
        },
        { login: "1bad", status: "failed", code: "LOGIN_INVALID", detail: expect.any(String) },
        {
          login: "weak",
          status: "failed",
          code: "PASSWORD_TOO_SHORT",
          detail: "Use at least 10 characters.",
        },
        { login: "postmaster", status: "created" },
        { login: "bob", status: "created" },
        { login: "alice", status: "skipped", detail: "The same login appears earlier in this batch." },
      ],
      created: 3,
      skipped: 2,
      failed: 3,
    });
    expect(await loginsIn(t, domainId)).toEqual(["alice", "bob", "existing", "postmaster"]);
    const alice = (await client.get(`${url}/alice`)).json();
    expect(alice).toMatchObject({ firstName: "Alice", lastName: "Liddell", enabled: true });
    expect((await client.get(`${url}/existing`)).json().firstName).toBe("Keep");
    expect((await client.get(`${url}?q=liddell`)).json().total).toBe(1);

    const created = (await domainEvents(t, name)).filter((e) => e.details?.via === "batch");
    expect(created.map((e) => [e.action, e.target])).toEqual([
      ["mailbox.create", `alice@${name}`],
      ["mailbox.create", `postmaster@${name}`],
      ["mailbox.create", `bob@${name}`],
    ]);
  });

  it("can be sent again: everything it created is skipped, nothing is changed", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    const batch = { mailboxes: [row("carol"), row("dave"), { login: "erin", password: "tiny" }] };
    const first = (await client.post(`${url}/batch`, batch)).json();
    expect([first.created, first.skipped, first.failed]).toEqual([2, 0, 1]);
    const hashes = await t.db
      .selectFrom("mailboxes")
      .select(["login", "passwordHash"])
      .where("domainId", "=", domainId)
      .execute();
    const again = (await client.post(`${url}/batch`, batch)).json();
    expect(again.results.map((r: { status: string }) => r.status)).toEqual(["skipped", "skipped", "failed"]);
    expect(
      await t.db
        .selectFrom("mailboxes")
        .select(["login", "passwordHash"])
        .where("domainId", "=", domainId)
        .execute(),
    ).toEqual(hashes);
  });

  it("keeps reserved names for the owner: a deputy's rows for them fail, the rest are created", async () => {
    const { url, domainId } = await ownerWithDomain();
    const deputy = await addDeputy(domainId);
    const response = await deputy.client.post(`${url}/batch`, { mailboxes: [row("admin"), row("frank")] });
    expect(response.json()).toMatchObject({
      results: [
        { login: "admin", status: "failed", code: "LOGIN_RESERVED" },
        { login: "frank", status: "created" },
      ],
    });
    expect(await loginsIn(t, domainId)).toEqual(["frank"]);
  });

  it("stops at the mailbox limit: the rows past it fail with MAILBOX_LIMIT_REACHED", async () => {
    const world = mailboxWorld(limited);
    const { client, url, domainId } = await world.ownerWithDomain();
    await createMailbox(client, url, { login: "first" });
    const response = await client.post(`${url}/batch`, {
      mailboxes: [row("first"), row("second"), row("third"), row("fourth")],
    });
    expect(response.json().results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual(
      ["skipped", "created", "created", "MAILBOX_LIMIT_REACHED"],
    );
    expect(await loginsIn(limited, domainId)).toEqual(["first", "second", "third"]);
  });

  it(`takes up to ${BATCH_MAX} rows in a body larger than other requests may send`, async () => {
    const { client, url, domainId } = await ownerWithDomain();
    // Rows that fail before hashing keep the test fast; the body is well over the usual 64 KiB.
    const rows = Array.from({ length: BATCH_MAX }, (_, i) => ({
      login: `user${i}`,
      password: "too short",
      firstName: "N".repeat(60),
    }));
    const response = await client.post(`${url}/batch`, { mailboxes: rows });
    expect(JSON.stringify({ mailboxes: rows }).length).toBeGreaterThan(64 * 1024);
    expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
    expect(response.json()).toMatchObject({ created: 0, skipped: 0, failed: BATCH_MAX });

    const tooMany = await client.post(`${url}/batch`, { mailboxes: [...rows, row("one-more")] });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().code).toBe("VALIDATION_FAILED");
    expect(await loginsIn(t, domainId)).toEqual([]);
  });

  it("stops creating when access is lost half-way: what was written stays, the rest fail with NOT_FOUND", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    const deputy = await addDeputy(domainId);
    // The first chunk of a batch (100 rows) exists already; the deputy is removed once it is done.
    await client.post(`${url}/batch`, { mailboxes: Array.from({ length: 99 }, (_, i) => row(`old${i}`)) });
    const rows = [
      ...Array.from({ length: 99 }, (_, i) => row(`old${i}`)),
      row("new1"),
      row("new2"),
      row("new3"),
    ];
    const ctx = {
      actor: {
        kind: "account" as const,
        accountId: deputy.accountId,
        sessionId: "s",
        reauthAt: t.clock.now(),
        isSupportAgent: false,
      },
      ip: null,
      userAgent: null,
      now: t.clock.now(),
    };
    const result = await t.services.mailboxes.createMany(ctx, name, rows, {
      via: "batch",
      onProgress: (handled) => {
        if (handled === 100)
          void t.db.deleteFrom("deputies").where("accountId", "=", deputy.accountId).execute();
      },
    });
    expect(result.results.slice(99)).toEqual([
      { login: "new1", status: "created" },
      { login: "new2", status: "failed", code: "NOT_FOUND", detail: expect.any(String) },
      { login: "new3", status: "failed", code: "NOT_FOUND", detail: expect.any(String) },
    ]);
    expect(result).toMatchObject({ created: 1, skipped: 99, failed: 2 });
    expect((await loginsIn(t, domainId)).filter((l) => l.startsWith("new"))).toEqual(["new1"]);
  });

  it("answers another account NOT_FOUND and creates nothing", async () => {
    const { url, domainId } = await ownerWithDomain();
    const stranger = await account();
    const response = await stranger.client.post(`${url}/batch`, { mailboxes: [row("intruder")] });
    expect(response.statusCode).toBe(404);
    expect(await loginsIn(t, domainId)).toEqual([]);
  });
});
