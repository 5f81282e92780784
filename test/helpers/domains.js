import { newId, randomSecret } from "../../src/lib/random.js";
let serial = 0;
/** A unique domain name under a real public suffix (tests never resolve it on the internet). */
export const uniqueDomain = (prefix = "example") => `${prefix}-${++serial}-${Math.floor(Math.random() * 1e6)}.org`;
/**
 * A confirmed domain owned by `accountId`, written straight to the database as the verification
 * engine would leave it (the engine itself is tested in src/domains). For tests of what comes
 * after confirmation: mailboxes, deputies, tokens.
 */
export async function confirmedDomain(t, accountId, name = uniqueDomain(), options = {}) {
    const now = t.clock.now();
    const claimId = newId();
    const domainId = newId();
    await t.db
        .insertInto("claims")
        .values({
        id: claimId,
        publicId: randomSecret(8)
            .toLowerCase()
            .replace(/[^a-z0-9]/g, "a"),
        accountId,
        domainName: name,
        token: randomSecret(24),
        status: "confirmed",
        createdAt: now,
        expiresAt: now + 7 * 86_400_000,
        nextCheckAt: now,
        lastCheckAt: now,
    })
        .execute();
    await t.db
        .insertInto("domains")
        .values({
        id: domainId,
        name,
        ownerAccountId: accountId,
        claimId,
        confirmedAt: now,
        confirmedMethod: "txt",
        mxNextCheckAt: now,
        delegated: options.delegated ? 1 : 0,
    })
        .execute();
    return { name, domainId, claimId };
}
//# sourceMappingURL=domains.js.map