import { describe, expect, it } from "vitest";
import { createTestApp } from "../../test/helpers/app.js";
import {
  createMailbox,
  domainEvents,
  loginsIn,
  MAILBOX_PASSWORD,
  mailboxWorld,
} from "../../test/helpers/mailboxes.js";
import { REAUTH_WINDOW_MS } from "../access/access.js";
import { MINUTE } from "../lib/clock.js";
import { BATCH_MAX } from "./mailboxes.schemas.js";

const t = await createTestApp();
const { ownerWithDomain, addDeputy, account } = mailboxWorld(t);

/** The mailboxes' enabled flags by login, straight from the database. */
async function enabledOf(domainId: string): Promise<Record<string, boolean>> {
  const rows = await t.db
    .selectFrom("mailboxes")
    .select(["login", "enabled"])
    .where("domainId", "=", domainId)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.login, r.enabled === 1]));
}

describe("several mailboxes at once: block, unblock, delete", () => {
  it("blocks and unblocks the chosen mailboxes, one audit event for each that changed", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    for (const login of ["ann", "bob", "cid", "dan"]) await createMailbox(client, url, { login });
    await client.patch(`${url}/cid`, { enabled: false });

    const blocked = await client.post(`${url}/set-enabled`, {
      logins: ["ann", `bob@${name}`, "cid"],
      enabled: false,
    });
    expect(blocked.statusCode, blocked.body).toBe(200);
    expect(blocked.json()).toEqual({ changed: 2, unchanged: 1 });
    expect(await enabledOf(domainId)).toEqual({ ann: false, bob: false, cid: false, dan: true });
    const events = (await domainEvents(t, name)).filter((e) => e.details?.via === "batch");
    expect(events.map((e) => [e.action, e.target, e.details?.enabled])).toEqual([
      ["mailbox.update", `ann@${name}`, false],
      ["mailbox.update", `bob@${name}`, false],
    ]);

    const unblocked = await client.post(`${url}/set-enabled`, { logins: ["ann", "bob"], enabled: true });
    expect(unblocked.json()).toEqual({ changed: 2, unchanged: 0 });
    expect(await enabledOf(domainId)).toEqual({ ann: true, bob: true, cid: false, dan: true });
  });

  it("changes nothing when one of the mailboxes does not exist, and says which", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "eve" });
    await createMailbox(client, url, { login: "fay" });
    const before = (await domainEvents(t, name)).length;

    const block = await client.post(`${url}/set-enabled`, { logins: ["eve", "ghost"], enabled: false });
    expect(block.statusCode).toBe(404);
    expect(block.json()).toMatchObject({ code: "NOT_FOUND", detail: expect.stringContaining("ghost") });
    const remove = await client.post(`${url}/delete-many`, { logins: ["fay", "eve", "1-not-a-login"] });
    expect(remove.statusCode).toBe(404);
    expect(remove.json().detail).toContain("1-not-a-login");

    expect(await enabledOf(domainId)).toEqual({ eve: true, fay: true });
    expect((await domainEvents(t, name)).length).toBe(before);
  });

  it("deletes the chosen mailboxes with their aliases, one audit event each", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    for (const login of ["gus", "hal", "ida"]) await createMailbox(client, url, { login });
    expect((await client.post(`${url}/gus/aliases`, { alias: "g" })).statusCode).toBe(200);

    const response = await client.post(`${url}/delete-many`, { logins: ["gus", "hal"] });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ deleted: 2 });
    expect(await loginsIn(t, domainId)).toEqual(["ida"]);
    // The alias went with its mailbox: the address is free again.
    await createMailbox(client, url, { login: "g" });
    const deleted = (await domainEvents(t, name)).filter((e) => e.action === "mailbox.delete");
    expect(deleted.map((e) => [e.target, e.details?.aliases])).toEqual([
      [`gus@${name}`, ["g"]],
      [`hal@${name}`, []],
    ]);
  });

  it("asks a session that has not entered its password lately to re-authenticate before deleting", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "jon" });
    t.clock.advance(REAUTH_WINDOW_MS + MINUTE);
    const stale = await client.post(`${url}/delete-many`, { logins: ["jon"] });
    expect(stale.statusCode).toBe(403);
    expect(stale.json().code).toBe("REAUTH_REQUIRED");
    expect(await loginsIn(t, domainId)).toEqual(["jon"]);
    // Blocking is not irreversible: no password needed.
    expect((await client.post(`${url}/set-enabled`, { logins: ["jon"], enabled: false })).statusCode).toBe(
      200,
    );
  });

  it("a deputy may; another account gets 'not found' and changes nothing", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "kim" });
    await createMailbox(client, url, { login: "lou" });
    const stranger = await account();
    for (const [path, body] of [
      ["set-enabled", { logins: ["kim"], enabled: false }],
      ["delete-many", { logins: ["kim"] }],
      ["import", { csv: "login,password\nnew,x" }],
      // A stranger learns nothing of the file either.
      ["import", { csv: "what,ever\n", dryRun: true }],
    ] as const) {
      const refused = await stranger.client.post(`${url}/${path}`, body);
      expect(refused.statusCode, path).toBe(404);
      expect(refused.json().code).toBe("NOT_FOUND");
    }
    expect(await enabledOf(domainId)).toEqual({ kim: true, lou: true });

    const deputy = await addDeputy(domainId);
    expect(
      (await deputy.client.post(`${url}/set-enabled`, { logins: ["kim"], enabled: false })).json(),
    ).toEqual({ changed: 1, unchanged: 0 });
    expect((await deputy.client.post(`${url}/delete-many`, { logins: ["lou"] })).json()).toEqual({
      deleted: 1,
    });
    expect(await enabledOf(domainId)).toEqual({ kim: false });
  });
});

describe("CSV import through the API", () => {
  const csv = (rows: string[]) => ["login,password,first_name,last_name", ...rows].join("\r\n");

  it("checks a file without creating anything, one row per line with what would happen", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "old" });
    const text = csv([
      `new,${MAILBOX_PASSWORD},Nina,New`,
      `old,${MAILBOX_PASSWORD},,`,
      "weak,short,,",
      `1bad,${MAILBOX_PASSWORD},,`,
      "two,fields",
      `new,${MAILBOX_PASSWORD},,`,
    ]);
    const response = await client.post(`${url}/import`, { csv: text, dryRun: true });
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json();
    expect(result).toMatchObject({ dryRun: true, created: 1, skipped: 2, failed: 3 });
    expect(
      result.rows.map((r: { line: number; login: string; status: string; code?: string }) => [
        r.line,
        r.login,
        r.status,
        r.code ?? null,
      ]),
    ).toEqual([
      [2, "new", "created", null],
      [3, "old", "skipped", null],
      [4, "weak", "failed", "PASSWORD_TOO_SHORT"],
      [5, "1bad", "failed", "LOGIN_INVALID"],
      [6, "two", "failed", "VALIDATION_FAILED"],
      [7, "new", "skipped", null],
    ]);
    expect(await loginsIn(t, domainId)).toEqual(["old"]);
  });

  it("imports a file in slices cut where the dry run says rows start, audited per mailbox", async () => {
    const { client, url, name, domainId } = await ownerWithDomain();
    const text = csv(
      ["a1", "a2", "a3", "a4", "a5"].map((login) => `${login},${MAILBOX_PASSWORD},"Smith, Jr",X`),
    );
    const checked = (await client.post(`${url}/import`, { csv: text, dryRun: true })).json();
    expect(checked.created).toBe(5);
    const starts: number[] = checked.rows.map((r: { start: number }) => r.start);
    const head = text.slice(0, starts[0]);
    const slices = [head + text.slice(starts[0], starts[3]), head + text.slice(starts[3])];
    const outcomes = [];
    for (const slice of slices) outcomes.push((await client.post(`${url}/import`, { csv: slice })).json());
    expect(outcomes.map((o) => [o.dryRun, o.created, o.skipped, o.failed])).toEqual([
      [false, 3, 0, 0],
      [false, 2, 0, 0],
    ]);
    expect(await loginsIn(t, domainId)).toEqual(["a1", "a2", "a3", "a4", "a5"]);
    expect((await client.get(`${url}/a4`)).json().firstName).toBe("Smith, Jr");
    const events = (await domainEvents(t, name)).filter((e) => e.details?.via === "import");
    expect(events.length).toBe(5);
  });

  it("refuses a file it cannot read, and an import of more rows than a batch, with what to do", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    const unknown = await client.post(`${url}/import`, { csv: "login,pass\nx,y", dryRun: true });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      detail: expect.stringContaining('"pass"'),
    });
    const blank = await client.post(`${url}/import`, { csv: "\n\n" });
    expect(blank.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      detail: expect.stringContaining("empty"),
    });

    const many = csv(Array.from({ length: BATCH_MAX + 1 }, (_, i) => `m${i},${MAILBOX_PASSWORD},,`));
    const tooMany = await client.post(`${url}/import`, { csv: many });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().detail).toContain("slices");
    // A dry run of the same file is fine: it hashes nothing, and counts against the domain's limit
    // (1000 by default) the rows it would create.
    const checked = (await client.post(`${url}/import`, { csv: many, dryRun: true })).json();
    expect(checked).toMatchObject({ created: t.deps.config.mailboxLimit, failed: 1 });
    expect(checked.rows.at(-1)).toMatchObject({ status: "failed", code: "MAILBOX_LIMIT_REACHED" });
    expect(await loginsIn(t, domainId)).toEqual([]);
  });
});
