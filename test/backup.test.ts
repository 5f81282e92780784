import { copyFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { endEverySession } from "../src/accounts/end-everything.js";
import { createTestApp, registerAccount } from "./helpers/app.js";
import { HttpClient, PASSWORD, register } from "./helpers/http-client.js";
import { type MfdProcess, newDataDir, runMfd, startMfd } from "./helpers/mfd-process.js";

/** `mfd backup` of a serving SQLite installation, and the restore procedure of docs/operations.md. */

const running: MfdProcess[] = [];
afterEach(async () => {
  for (const process of running.splice(0)) await process.stop();
});
const start = async (dataDir: string) => {
  const mfd = await startMfd(dataDir);
  running.push(mfd);
  return mfd;
};

const bearer = async (url: string, token: string) =>
  (await fetch(`${url}/api/v1/domains`, { headers: { authorization: `Bearer ${token}` } })).status;

describe("backup and restore", () => {
  it("backs up while serving into a 0600 file; a restore (stop, copy, end-all, start) brings the data back and no session or token revoked since", async () => {
    const dataDir = newDataDir();
    const live = await start(dataDir);
    const alice = await register(live.url);
    const bob = await register(live.url);
    const issued = await bob.client.post("/api/v1/tokens", {
      name: "automation",
      permissions: ["domains:read"],
      domains: "all",
      expiresInDays: 30,
    });
    expect(issued.status).toBe(201);
    const token = (issued.json as { token: string; id: string }).token;
    expect(await bearer(live.url, token)).toBe(200);

    const backupFile = join(newDataDir(), "mfd-backup.sqlite");
    const backup = await runMfd(dataDir, ["backup", backupFile]);
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    // A second backup never overwrites the first.
    const again = await runMfd(dataDir, ["backup", backupFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("exists already");

    // After the backup: Alice signs out and Bob revokes his token. Both must stay dead after a restore.
    const oldAliceCookie = alice.client.cookie;
    expect((await alice.client.delete("/api/v1/session")).status).toBe(204);
    const tokenId = (issued.json as { id: string }).id;
    expect((await bob.client.delete(`/api/v1/tokens/${tokenId}`)).status).toBe(204);
    expect(await bearer(live.url, token)).toBe(401);
    // And Carol registers: she is not in the backup.
    const carol = await register(live.url);

    // Restore: stop mfd, copy the backup in as the database, end every session, start.
    live.child.kill("SIGTERM");
    expect(await live.exited).toBe(0);
    const restoredDir = newDataDir();
    copyFileSync(backupFile, join(restoredDir, "mfd.sqlite"));
    const ended = await runMfd(restoredDir, ["sessions", "end-all", "--revoke-tokens"]);
    expect(ended.code).toBe(0);
    expect(ended.stdout).toMatch(/ended 2 session\(s\), revoked 1 API token\(s\)/);
    const restored = await start(restoredDir);

    // The data of the backup is there: Alice and Bob sign in with their passwords; Carol is not.
    for (const login of [alice.login, bob.login]) {
      const client = new HttpClient(restored.url);
      expect((await client.post("/api/v1/session", { login, password: PASSWORD })).status).toBe(200);
    }
    const missing = new HttpClient(restored.url);
    expect((await missing.post("/api/v1/session", { login: carol.login, password: PASSWORD })).status).toBe(
      401,
    );

    // What was ended after the backup does not come back.
    const stale = new HttpClient(restored.url);
    stale.cookie = oldAliceCookie;
    expect((await stale.get("/api/v1/account/sessions")).status).toBe(401);
    const staleBob = new HttpClient(restored.url);
    staleBob.cookie = bob.client.cookie;
    expect((await staleBob.get("/api/v1/account/sessions")).status).toBe(401);
    expect(await bearer(restored.url, token)).toBe(401);
  }, 600_000);

  it("refuses to back up a PostgreSQL installation and says what to use", async () => {
    const target = join(newDataDir(), "x.sqlite");
    const result = await runMfd(newDataDir(), ["backup", target], {
      MFD_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("pg_dump");
    expect(existsSync(target)).toBe(false);
  }, 120_000);
});

describe("mfd sessions end-all", () => {
  it("ends every session and, when asked, revokes every API token, each an audit event by the operator", async () => {
    const t = await createTestApp();
    const ann = await registerAccount(t);
    const ben = await registerAccount(t);
    const issued = await ben.client.post("/api/v1/tokens", {
      name: "automation",
      permissions: ["domains:read"],
      domains: "all",
      expiresInDays: 30,
    });
    expect(issued.statusCode).toBe(201);
    const token = issued.json().token as string;
    const byToken = () =>
      t.app.inject({ url: "/api/v1/domains", headers: { authorization: `Bearer ${token}` } });

    // Without --revoke-tokens the tokens keep working; the sessions end.
    expect(await endEverySession(t.deps, { revokeTokens: false })).toMatchObject({ tokens: 0 });
    for (const { client } of [ann, ben])
      expect((await client.get("/api/v1/account/sessions")).statusCode).toBe(401);
    expect((await byToken()).statusCode).toBe(200);

    const again = await registerAccount(t);
    expect(await endEverySession(t.deps, { revokeTokens: true })).toEqual({ sessions: 1, tokens: 1 });
    expect((await again.client.get("/api/v1/account/sessions")).statusCode).toBe(401);
    expect((await byToken()).statusCode).toBe(401);

    const events = await t.db
      .selectFrom("auditEvents")
      .select(["action", "actorType", "accountId"])
      .where("accountId", "in", [ann.accountId, ben.accountId])
      .where("actorType", "=", "operator")
      .execute();
    expect(events).toContainEqual({ action: "session.end", actorType: "operator", accountId: ann.accountId });
    expect(events).toContainEqual({
      action: "token.revoke",
      actorType: "operator",
      accountId: ben.accountId,
    });
  });
});
