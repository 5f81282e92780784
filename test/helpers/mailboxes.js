import { expect } from "vitest";
import { GOOD_PASSWORD, registerAccount } from "./app.js";
import { confirmedDomain } from "./domains.js";
/** A password that passes every rule for any mailbox of these tests. */
export const MAILBOX_PASSWORD = "winter orchard lantern 58";
let seq = 0;
/**
 * Test fixtures for mailbox tests: accounts from their own addresses (registration is limited
 * per address), confirmed domains, deputies written straight to the table (the deputies API is
 * another capability's).
 */
export function mailboxWorld(t) {
    const account = () => registerAccount(t, {}, `10.44.${Math.floor(++seq / 250)}.${(seq % 250) + 1}`);
    /** An owner signed in with a confirmed domain; `url` is the domain's mailboxes collection. */
    async function ownerWithDomain() {
        const owner = await account();
        const domain = await confirmedDomain(t, owner.accountId);
        return { ...owner, ...domain, url: `/api/v1/domains/${domain.name}/mailboxes` };
    }
    async function addDeputy(domainId) {
        const deputy = await account();
        await t.db
            .insertInto("deputies")
            .values({ domainId, accountId: deputy.accountId, createdAt: t.clock.now() })
            .execute();
        return deputy;
    }
    return { account, ownerWithDomain, addDeputy };
}
/** Creates a mailbox through the API and expects it to work. */
export async function createMailbox(client, url, body) {
    const response = await client.post(url, { password: MAILBOX_PASSWORD, ...body });
    expect(response.statusCode, response.body).toBe(201);
    return JSON.parse(response.body);
}
/** The domain's mailbox logins straight from the database, sorted. */
export async function loginsIn(t, domainId) {
    const rows = await t.db.selectFrom("mailboxes").select("login").where("domainId", "=", domainId).execute();
    return rows.map((r) => r.login).sort();
}
/** The domain's audit events in order. */
export async function domainEvents(t, domain) {
    const rows = await t.db
        .selectFrom("auditEvents")
        .select(["action", "target", "actorType", "actorId", "details"])
        .where("domain", "=", domain)
        .orderBy("id")
        .execute();
    return rows.map((r) => ({ ...r, details: r.details ? JSON.parse(r.details) : null }));
}
export { GOOD_PASSWORD };
//# sourceMappingURL=mailboxes.js.map