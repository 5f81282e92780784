import { expect } from "vitest";
import type { RequestContext } from "../../src/access/actor.js";
import { createDomainWorld } from "../dns/fixtures.js";
import type { TestInternet } from "../dns/internet.js";
import { type Client, lastCodeTo, messagesTo, registerAccount, type TestApp } from "./app.js";
import { confirmedDomain } from "./domains.js";
import { MAILBOX_PASSWORD } from "./mailboxes.js";

/** Test fixtures of the hand-overs tests: accounts with contacts, domains with mailboxes, links from notices. */
export async function handoverWorld(env: Record<string, string> = {}) {
  const { t, internet } = await createDomainWorld(env);
  let seq = 0;
  const ip = () => `10.61.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;

  /** An account whose phone and recovery e-mail are confirmed; `complete` adds the security question. */
  async function account(options: { complete?: boolean; contacts?: boolean } = {}) {
    const n = ++seq;
    const phone = `+7926${String(1_000_000 + n * 13 + Math.floor(Math.random() * 13)).padStart(7, "0")}`;
    const email = `h${n}x${Math.floor(Math.random() * 1e6)}@example.net`;
    const contacts = options.contacts ?? true;
    const created = await registerAccount(
      t,
      {
        ...(contacts ? { phone, recoveryEmail: email } : {}),
        ...(options.complete ? { securityQuestion: "first-pet", securityAnswer: "a cat called Dinah" } : {}),
      },
      ip(),
    );
    if (contacts)
      for (const [path, contact] of [
        ["phone", phone],
        ["recovery-email", email],
      ] as const) {
        const res = await created.client.post(`/api/v1/account/${path}/confirm`, {
          code: await lastCodeTo(t, contact),
        });
        expect(res.statusCode, res.body).toBe(200);
      }
    return { ...created, phone, email };
  }

  /** A confirmed domain of `owner` with `mailboxes` mailboxes made through the API. */
  async function domainWithMailboxes(owner: { accountId: string; client: Client }, mailboxes = 2) {
    const domain = await confirmedDomain(t, owner.accountId);
    for (let i = 0; i < mailboxes; i++) {
      const res = await owner.client.post(`/api/v1/domains/${domain.name}/mailboxes`, {
        login: `box${i}`,
        password: MAILBOX_PASSWORD,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    return domain;
  }

  /** The secret after `#` in the newest notice to `recipient` whose body mentions `page`. */
  async function keyFrom(recipient: string, page: string): Promise<{ id: string; key: string }> {
    for (const message of await messagesTo(t, recipient)) {
      const match = new RegExp(`/${page}/([0-9a-f-]+)#([A-Za-z0-9_-]+)`).exec(message.body);
      if (match) return { id: match[1] as string, key: match[2] as string };
    }
    throw new Error(`no ${page} link sent to ${recipient}`);
  }

  const agentCtx = (accountId: string, ticketId: string): RequestContext => ({
    actor: { kind: "agent", accountId, ticketId },
    ip: "192.0.2.50",
    userAgent: "desk",
    now: t.clock.now(),
  });

  async function agent() {
    const created = await account();
    await t.db
      .updateTable("accounts")
      .set({ isSupportAgent: 1 })
      .where("id", "=", created.accountId)
      .execute();
    return created;
  }

  const ownerOf = async (domainId: string) =>
    (await t.db.selectFrom("domains").select("ownerAccountId").where("id", "=", domainId).executeTakeFirst())
      ?.ownerAccountId ?? null;

  return { t, internet, account, domainWithMailboxes, keyFrom, agentCtx, agent, ownerOf };
}

export type Account = Awaited<ReturnType<Awaited<ReturnType<typeof handoverWorld>>["account"]>>;
export type World = Awaited<ReturnType<typeof handoverWorld>>;
export type { TestApp, TestInternet };
