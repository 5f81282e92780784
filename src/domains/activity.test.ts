import { describe, expect, it } from "vitest";
import { Client, createTestApp, registerAccount } from "../../test/helpers/app.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import { createMailbox } from "../../test/helpers/mailboxes.js";
import { MINUTE } from "../lib/clock.js";

/** What happens on a domain, shown to its owner (mailbox changes by the owner, deputies and tokens). */
const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.73.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;
const account = () => registerAccount(t, {}, nextIp());

async function managedDomain() {
  const owner = await account();
  const deputy = await account();
  const domain = await confirmedDomain(t, owner.accountId);
  const added = await owner.client.post(`/api/v1/domains/${domain.name}/deputies`, { login: deputy.login });
  expect(added.statusCode, added.body).toBe(201);
  return { owner, deputy, ...domain, activity: `/api/v1/domains/${domain.name}/activity` };
}

async function tokenOf(who: { client: Client }, permissions: string[]) {
  const res = await who.client.post("/api/v1/tokens", {
    name: "script",
    permissions,
    domains: "all",
    expiresInDays: 30,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().token as string;
}

const withToken = (token: string, method: string, url: string, body?: unknown) =>
  new Client(t, "198.51.100.9").request(method, url, body, { authorization: `Bearer ${token}` });

describe("a domain's activity", () => {
  it("shows the owner every mailbox change, newest first, with who made it (owner, deputy, token)", async () => {
    const { owner, deputy, name, activity } = await managedDomain();
    const url = `/api/v1/domains/${name}/mailboxes`;
    await createMailbox(owner.client, url, { login: "anna" });
    t.clock.advance(MINUTE);
    await createMailbox(deputy.client, url, { login: "boris" });
    t.clock.advance(MINUTE);
    const token = await tokenOf(deputy, ["mailboxes:write"]);
    const made = await withToken(token, "POST", url, {
      login: "vera",
      password: "winter orchard lantern 58",
    });
    expect(made.statusCode, made.body).toBe(201);
    t.clock.advance(MINUTE);
    expect((await deputy.client.delete(`${url}/anna`)).statusCode).toBe(204);

    const res = await owner.client.get(activity);
    expect(res.statusCode, res.body).toBe(200);
    const events = res.json().events as Array<Record<string, unknown>>;
    const mailboxEvents = events.filter((e) => String(e.action).startsWith("mailbox."));
    expect(mailboxEvents.map((e) => [e.action, e.target, e.actorType, e.actorLogin, e.actorRole])).toEqual([
      ["mailbox.delete", `anna@${name}`, "account", deputy.login, "deputy"],
      ["mailbox.create", `vera@${name}`, "token", deputy.login, "deputy"],
      ["mailbox.create", `boris@${name}`, "account", deputy.login, "deputy"],
      ["mailbox.create", `anna@${name}`, "account", owner.login, "owner"],
    ]);
    // A deputy's address is not the owner's to see.
    expect(mailboxEvents.find((e) => e.actorRole === "deputy")?.ip).toBeNull();
  });

  it("is paged by a cursor, like the account's activity", async () => {
    const { owner, name, activity } = await managedDomain();
    for (const login of ["a1", "a2", "a3", "a4", "a5"])
      await createMailbox(owner.client, `/api/v1/domains/${name}/mailboxes`, { login });
    const first = (await owner.client.get(`${activity}?limit=2`)).json();
    expect(first.events).toHaveLength(2);
    expect(first.next).toEqual(expect.any(String));
    const second = (await owner.client.get(`${activity}?limit=2&before=${first.next}`)).json();
    expect(second.events).toHaveLength(2);
    const ids = [...first.events, ...second.events].map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(4);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it("shows a deputy the mailbox changes, naming nobody but them: 'the owner', 'an administrator', 'you'", async () => {
    const { owner, deputy, name, activity } = await managedDomain();
    const second = await account();
    expect(
      (await owner.client.post(`/api/v1/domains/${name}/deputies`, { login: second.login })).statusCode,
    ).toBe(201);
    const url = `/api/v1/domains/${name}/mailboxes`;
    await createMailbox(owner.client, url, { login: "olga" });
    await createMailbox(second.client, url, { login: "sam" });
    await createMailbox(deputy.client, url, { login: "dana" });

    const res = await deputy.client.get(activity);
    expect(res.statusCode, res.body).toBe(200);
    const events = res.json().events as Array<Record<string, unknown>>;
    // Only mailbox changes: who administers the domain is the owner's to know.
    expect(events.map((e) => e.action)).toEqual(["mailbox.create", "mailbox.create", "mailbox.create"]);
    expect(events.map((e) => [e.target, e.by, e.actorLogin])).toEqual([
      [`dana@${name}`, "you", deputy.login],
      [`sam@${name}`, "administrator", null],
      [`olga@${name}`, "owner", null],
    ]);
    expect(events.map((e) => e.ip !== null)).toEqual([true, false, false]);
    expect(res.body).not.toContain(owner.login);
    expect(res.body).not.toContain(second.login);

    // The owner sees everyone by login, and "you" for their own.
    const mine = (await owner.client.get(activity)).json().events as Array<Record<string, unknown>>;
    const created = mine.filter((e) => e.action === "mailbox.create");
    expect(created.map((e) => [e.by, e.actorLogin])).toEqual([
      ["administrator", deputy.login],
      ["administrator", second.login],
      ["you", owner.login],
    ]);
    expect(mine.map((e) => e.action)).toContain("deputy.add");
  });

  it("shows a deputy the DNS changes only while they may read DNS", async () => {
    const owner = await account();
    const deputy = await account();
    const { name, domainId } = await confirmedDomain(t, owner.accountId, undefined, { delegated: true });
    await t.db
      .insertInto("deputies")
      .values({ domainId, accountId: deputy.accountId, dnsGranted: 0, createdAt: t.clock.now() })
      .execute();
    const added = await owner.client.post(`/api/v1/domains/${name}/dns/records`, {
      name: "www",
      type: "A",
      data: "192.0.2.7",
    });
    expect(added.statusCode, added.body).toBe(201);
    const actions = async () =>
      (
        (await deputy.client.get(`/api/v1/domains/${name}/activity`)).json().events as Array<{
          action: string;
        }>
      ).map((e) => e.action);
    expect(await actions()).toEqual([]);
    await t.db.updateTable("deputies").set({ dnsGranted: 1 }).where("domainId", "=", domainId).execute();
    expect(await actions()).toEqual(["dns.record.create"]);
  });

  it("NOT_FOUND to others, TOKEN_NOT_ALLOWED to tokens", async () => {
    const { owner, deputy, activity } = await managedDomain();
    const other = await account();
    const otherRes = await other.client.get(activity);
    expect(otherRes.statusCode).toBe(404);
    expect(otherRes.json().code).toBe("NOT_FOUND");
    for (const holder of [owner, deputy]) {
      const tokenRes = await withToken(await tokenOf(holder, ["domains:read"]), "GET", activity);
      expect(tokenRes.statusCode).toBe(403);
      expect(tokenRes.json().code).toBe("TOKEN_NOT_ALLOWED");
    }
  });

  it("a later owner of the name sees nothing of the previous ownership", async () => {
    const { owner, name, activity } = await managedDomain();
    await createMailbox(owner.client, `/api/v1/domains/${name}/mailboxes`, { login: "old" });
    expect(
      (await owner.client.post(`/api/v1/domains/${name}/mailboxes/delete-all`, { confirm: name })).statusCode,
    ).toBe(200);
    expect((await owner.client.delete(`/api/v1/domains/${name}`, { confirm: name })).statusCode).toBe(204);
    const next = await account();
    await confirmedDomain(t, next.accountId, name);
    const res = await next.client.get(activity);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().events).toEqual([]);
  });
});
