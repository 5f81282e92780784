import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createTestApp } from "../../test/helpers/app.js";
import { createMailbox, MAILBOX_PASSWORD, mailboxWorld } from "../../test/helpers/mailboxes.js";
import { skipWithout } from "../../test/helpers/prerequisites.js";

const exec = promisify(execFile);
const DOVEADM = process.env.MFD_DOVEADM ?? "/usr/bin/doveadm";
const skip = skipWithout({
  what: "Dovecot tests",
  path: DOVEADM,
  install: "apt-get install dovecot-core, or set MFD_DOVEADM",
});
const t = await createTestApp();
const { ownerWithDomain } = mailboxWorld(t);

/** `doveadm pw -t <hash> -p <password>`: what Dovecot itself answers when a mail client signs in. */
const dovecotVerifies = (hash: string, password: string) =>
  exec(DOVEADM, ["pw", "-t", hash, "-p", password]).then(
    (result) => result.stdout.includes("(verified)"),
    (error: { code?: unknown; stderr?: string }) => {
      if (error.code === "ENOENT") throw new Error(`${DOVEADM} is missing: install dovecot-core (CI does)`);
      if (!String(error.stderr).includes("mismatch")) throw new Error(`doveadm failed: ${error.stderr}`);
      return false;
    },
  );

describe.skipIf(skip)("Dovecot reads mailbox passwords", () => {
  it("verifies the stored {ARGON2ID} hash of a created and of a changed password, and refuses wrong ones", async () => {
    const { client, url, domainId } = await ownerWithDomain();
    await createMailbox(client, url, { login: "dove" });
    const stored = async () =>
      (
        await t.db
          .selectFrom("mailboxes")
          .select("passwordHash")
          .where("domainId", "=", domainId)
          .executeTakeFirstOrThrow()
      ).passwordHash;
    const created = await stored();
    expect(created.startsWith("{ARGON2ID}$argon2id$")).toBe(true);
    expect(await dovecotVerifies(created, MAILBOX_PASSWORD)).toBe(true);
    expect(await dovecotVerifies(created, `${MAILBOX_PASSWORD} `)).toBe(false);

    const unicode = "пароль для почты — 2026";
    expect((await client.patch(`${url}/dove`, { password: unicode })).statusCode).toBe(200);
    expect(await dovecotVerifies(await stored(), unicode)).toBe(true);
    expect(await dovecotVerifies(await stored(), MAILBOX_PASSWORD)).toBe(false);
  });
});
