/**
 * Issue 3 figure: `GET /api/v1/domains` (My domains) p50/p99 for an account with 50 domains, in
 * an installation where 5,000 other domains belong to other accounts.
 *
 *   npx tsx bench/domains-list.ts                                          SQLite (temporary data dir)
 *   MFD_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/domains-list.ts   PostgreSQL
 *
 * The domains, their claims and a few mailboxes each are written straight to the database, then a
 * real `mfd serve` answers and autocannon measures over HTTP. BENCH_SECONDS (default 10).
 */
import { AccountsService } from "../src/accounts/accounts.service.js";
import { SessionsService } from "../src/accounts/sessions.service.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { systemClock } from "../src/lib/clock.js";
import { Outbox } from "../src/notify/outbox.js";
import { benchDatabase, cookiesOf, run, startMfd, summary } from "./lib.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const OWN = 50;
const OTHERS = 5_000;
const MAILBOXES_EACH = 20;
const NOW = Date.now();
const OWNER = { login: "listowner", password: "bench owner passphrase 2026" };

const storage = await benchDatabase("domains");
const env = { ...storage.env, MFD_SERVICE_DOMAIN: "mfd.bench" };

async function seed() {
  const config = loadConfig({ ...process.env, ...env });
  const database = openDatabase(config.databaseUrl);
  await migrate(database);
  const deps = { config, database, clock: systemClock, outbox: new Outbox() };
  const accounts = new AccountsService(deps, new SessionsService(deps));
  const ctx = { actor: { kind: "visitor" as const }, ip: "127.0.0.1", userAgent: null, now: NOW };
  const owner = await accounts.register(ctx, { ...OWNER, firstName: "List", lastName: "Owner" });
  const other = await accounts.register(
    { ...ctx, ip: "127.0.0.2" },
    { login: "someoneelse", password: OWNER.password, firstName: "Some", lastName: "One" },
  );
  const rows = (prefix: string, count: number, ownerAccountId: string) =>
    Array.from({ length: count }, (_, i) => ({
      id: `${prefix}${i}`,
      name: `${prefix}${i}-bench.org`,
      ownerAccountId,
    }));
  const all = [...rows("own", OWN, owner.accountId), ...rows("other", OTHERS, other.accountId)];
  for (let k = 0; k < all.length; k += 400) {
    const chunk = all.slice(k, k + 400);
    await database.db
      .insertInto("claims")
      .values(
        chunk.map((d) => ({
          id: `claim-${d.id}`,
          publicId: `p${d.id}`,
          accountId: d.ownerAccountId,
          domainName: d.name,
          token: `token-${d.id}`,
          status: "confirmed" as const,
          createdAt: NOW,
          expiresAt: NOW + 7 * 86_400_000,
          nextCheckAt: NOW,
        })),
      )
      .execute();
    await database.db
      .insertInto("domains")
      .values(
        chunk.map((d) => ({
          id: d.id,
          name: d.name,
          ownerAccountId: d.ownerAccountId,
          claimId: `claim-${d.id}`,
          confirmedAt: NOW,
          confirmedMethod: "txt",
          mxNextCheckAt: NOW + 86_400_000,
        })),
      )
      .execute();
  }
  const mailboxes = all.slice(0, OWN).flatMap((d) =>
    Array.from({ length: MAILBOXES_EACH }, (_, i) => ({
      id: `${d.id}-m${i}`,
      domainId: d.id,
      login: `user${i}`,
      passwordHash: "{ARGON2ID}bench",
      createdAt: NOW,
      updatedAt: NOW,
    })),
  );
  for (let k = 0; k < mailboxes.length; k += 400)
    await database.db
      .insertInto("mailboxes")
      .values(mailboxes.slice(k, k + 400))
      .execute();
  await database.destroy();
}

let mfd: Awaited<ReturnType<typeof startMfd>> | null = null;
try {
  await seed();
  mfd = await startMfd(18093, env);
  const signIn = await fetch(`${mfd.url}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(OWNER),
  });
  if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);
  const cookie = cookiesOf(signIn);
  const check = (await (await fetch(`${mfd.url}/api/v1/domains`, { headers: { cookie } })).json()) as {
    domains: Array<{ mailboxCount: number }>;
  };
  if (check.domains.length !== OWN || check.domains.some((d) => d.mailboxCount !== MAILBOXES_EACH)) {
    throw new Error(
      `My domains answered ${check.domains.length} domains, expected ${OWN} with ${MAILBOXES_EACH} mailboxes each`,
    );
  }
  const result = await run({
    url: `${mfd.url}/api/v1/domains`,
    connections: 4,
    duration: SECONDS,
    headers: { cookie },
  });
  console.log(
    JSON.stringify(
      {
        database: storage.dialect,
        ownDomains: OWN,
        otherDomains: OTHERS,
        myDomains: summary(result),
      },
      null,
      2,
    ),
  );
} finally {
  await mfd?.stop();
  await storage.remove();
}
