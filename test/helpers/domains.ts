import type { Kysely } from "kysely";
import type { DB } from "../../src/db/schema.js";
import { newId, randomSecret } from "../../src/lib/random.js";
import type { TestApp } from "./app.js";

let serial = 0;
/** A unique domain name under a real public suffix (tests never resolve it on the internet). */
export const uniqueDomain = (prefix = "example") =>
  `${prefix}-${++serial}-${Math.floor(Math.random() * 1e6)}.org`;

/**
 * The rows the verification engine leaves for a confirmed domain — its claim and the domain —
 * written with `db` at `now`. For tests and benches that start after confirmation.
 */
export async function insertConfirmedDomain(
  db: Kysely<DB>,
  fields: {
    accountId: string;
    name: string;
    now: number;
    domainId?: string;
    claimId?: string;
    delegated?: boolean;
  },
) {
  const { accountId, name, now, domainId = newId(), claimId = newId() } = fields;
  await db
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
  await db
    .insertInto("domains")
    .values({
      id: domainId,
      name,
      ownerAccountId: accountId,
      claimId,
      confirmedAt: now,
      confirmedMethod: "txt",
      mxNextCheckAt: now,
      delegated: fields.delegated ? 1 : 0,
    })
    .execute();
  return { name, domainId, claimId };
}

/**
 * A confirmed domain owned by `accountId`, written straight to the database as the verification
 * engine would leave it (the engine itself is tested in src/domains). For tests of what comes
 * after confirmation: mailboxes, deputies, tokens.
 */
export const confirmedDomain = (
  t: TestApp,
  accountId: string,
  name = uniqueDomain(),
  options: { delegated?: boolean } = {},
) => insertConfirmedDomain(t.db, { accountId, name, now: t.clock.now(), delegated: options.delegated });
