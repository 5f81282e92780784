import { describe, expect, it } from "vitest";
import { createTestApp, messagesTo, registerWithContacts } from "../../test/helpers/app.js";
import { confirmedDomain } from "../../test/helpers/domains.js";
import { createMailbox } from "../../test/helpers/mailboxes.js";

/** Losing a domain's mail is told to everyone who manages it, like every other security change. */
const t = await createTestApp();

let seq = 0;
const nextIp = () => `10.71.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`;

/** An owner and a deputy, both with confirmed contacts, on a confirmed domain. */
async function managedDomain() {
  const owner = await registerWithContacts(t, nextIp());
  const deputy = await registerWithContacts(t, nextIp());
  const domain = await confirmedDomain(t, owner.accountId);
  const added = await owner.client.post(`/api/v1/domains/${domain.name}/deputies`, { login: deputy.login });
  expect(added.statusCode, added.body).toBe(201);
  return { owner, deputy, ...domain };
}

const noticesAbout = async (contact: string, text: string) =>
  (await messagesTo(t, contact)).filter((m) => `${m.subject} ${m.body}`.includes(text));

describe("notices", () => {
  it("deleting all mailboxes tells the owner's contacts and every deputy's", async () => {
    const { owner, deputy, name } = await managedDomain();
    const url = `/api/v1/domains/${name}/mailboxes`;
    await createMailbox(owner.client, url, { login: "anna" });
    await createMailbox(owner.client, url, { login: "boris" });

    const response = await deputy.client.post(`${url}/delete-all`, { confirm: name });
    expect(response.statusCode, response.body).toBe(200);

    for (const contact of [owner.email, owner.phone, deputy.email, deputy.phone]) {
      const notices = await noticesAbout(contact, "were deleted");
      expect(notices, contact).toHaveLength(1);
      expect(notices[0]?.body).toContain(name);
      expect(notices[0]?.body).toContain("2");
    }
    // The deputy's notice carries nothing of the owner's.
    for (const contact of [deputy.email, deputy.phone]) {
      const [notice] = await noticesAbout(contact, "were deleted");
      expect(notice?.body).not.toContain(owner.login);
      expect(notice?.body).not.toContain(owner.email);
    }
  });

  it("disconnecting a domain tells the owner's contacts and every deputy's", async () => {
    const { owner, deputy, name } = await managedDomain();

    const response = await owner.client.delete(`/api/v1/domains/${name}`, { confirm: name });
    expect(response.statusCode, response.body).toBe(204);

    for (const contact of [owner.email, owner.phone, deputy.email, deputy.phone]) {
      const notices = await noticesAbout(contact, "was disconnected");
      expect(notices, contact).toHaveLength(1);
      expect(notices[0]?.body).toContain(name);
    }
    for (const contact of [deputy.email, deputy.phone]) {
      const [notice] = await noticesAbout(contact, "was disconnected");
      expect(notice?.body).not.toContain(owner.login);
      expect(notice?.body).not.toContain(owner.email);
    }
  });

  it("a refused disconnect or delete-all tells nobody", async () => {
    const { owner, deputy, name } = await managedDomain();
    await createMailbox(owner.client, `/api/v1/domains/${name}/mailboxes`, { login: "anna" });
    expect((await owner.client.delete(`/api/v1/domains/${name}`, { confirm: name })).json().code).toBe(
      "MAILBOXES_REMAIN",
    );
    expect(
      (
        await deputy.client.post(`/api/v1/domains/${name}/mailboxes/delete-all`, { confirm: "other.org" })
      ).json().code,
    ).toBe("CONFIRMATION_MISMATCH");
    for (const contact of [owner.email, deputy.email]) {
      expect(await noticesAbout(contact, "was disconnected")).toEqual([]);
      expect(await noticesAbout(contact, "were deleted")).toEqual([]);
    }
  });
});
