import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDialect } from "../../test/helpers/database.js";
import { insertConfirmedDomain } from "../../test/helpers/domains.js";
import { holdTransaction } from "../../test/helpers/locks.js";
import type { Database } from "../db/database.js";
import { inDomainTransaction, rowLocks } from "../db/transactions.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/random.js";
import { authorizeRoute, REAUTH_WINDOW_MS } from "./access.js";
import { type Actor, PERMISSIONS, type Permission, TOKEN_PERMISSIONS } from "./actor.js";
import {
  actionsOf,
  authorizeDomain,
  authorizeDomainHeld,
  type DomainAction,
  tokenPermissionsOf,
} from "./domain-access.js";

// Every rule of src/access/ written out as a table: one row per actor, one column per permission
// or action, each cell the outcome — "ok" or the error code. A rule that changes changes a cell.

const NOW = 1_800_000_000_000;

/** An account row per login (password and profile irrelevant here). */
const insertAccounts = async (db: Database["db"], ids: Record<string, string>) => {
  for (const [login, id] of Object.entries(ids))
    await db
      .insertInto("accounts")
      .values({
        id,
        login: login.toLowerCase(),
        passwordHash: "x",
        firstName: login,
        lastName: "Test",
        createdAt: NOW,
        passwordChangedAt: NOW,
      })
      .execute();
};

/** A text table: the first line names the columns, each further line is a row name and its cells. */
function parseTable(text: string): { columns: string[]; rows: Map<string, string[]> } {
  const [head, ...lines] = text
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/));
  const rows = new Map(lines.map(([name, ...cells]) => [name as string, cells]));
  return { columns: head as string[], rows };
}

/** "ok", or the code of the AppError the call threw. */
async function outcome(call: () => unknown): Promise<string> {
  try {
    await call();
    return "ok";
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe("authorizeRoute: every permission × actor, with and without re-authentication", () => {
  const session = (overrides: Partial<Extract<Actor, { kind: "account" }>> = {}): Actor => ({
    kind: "account",
    accountId: "a1",
    sessionId: "s1",
    reauthAt: NOW - 60_000,
    isSupportAgent: false,
    ...overrides,
  });
  const token = (permissions: readonly Permission[]): Actor => ({
    kind: "token",
    accountId: "a1",
    tokenId: "t1",
    permissions,
    domains: null,
    issuedAt: NOW - 86_400_000,
  });
  const ACTORS: Record<string, Actor> = {
    visitor: { kind: "visitor" },
    session: session(),
    "session-stale": session({ reauthAt: NOW - REAUTH_WINDOW_MS - 1 }),
    agent: session({ isSupportAgent: true, twoFactor: true }),
    "agent-stale": session({ isSupportAgent: true, twoFactor: true, reauthAt: NOW - REAUTH_WINDOW_MS - 1 }),
    /** An agent whose session never passed two-factor (signed in before turning it on). */
    "agent-1fa": session({ isSupportAgent: true }),
    "token-all": token(TOKEN_PERMISSIONS),
    "token-none": token([]),
  };

  // U UNAUTHENTICATED, T TOKEN_NOT_ALLOWED, F FORBIDDEN, N NOT_FOUND, R REAUTH_REQUIRED,
  // 2 TWO_FACTOR_SESSION_REQUIRED.
  const CODES: Record<string, string> = {
    ok: "ok",
    U: "UNAUTHENTICATED",
    T: "TOKEN_NOT_ALLOWED",
    F: "FORBIDDEN",
    N: "NOT_FOUND",
    R: "REAUTH_REQUIRED",
    2: "TWO_FACTOR_SESSION_REQUIRED",
  };
  const WITHOUT_REAUTH = `
    actor          account:self account:credentials account:delegation domains:read domains:write mailboxes:read mailboxes:write dns:read dns:write support:work
    visitor        U            U                   U                  U            U             U              U               U        U         U
    session        ok           ok                  ok                 ok           ok            ok             ok              ok       ok        N
    session-stale  ok           ok                  ok                 ok           ok            ok             ok              ok       ok        N
    agent          ok           ok                  ok                 ok           ok            ok             ok              ok       ok        ok
    agent-stale    ok           ok                  ok                 ok           ok            ok             ok              ok       ok        ok
    agent-1fa      ok           ok                  ok                 ok           ok            ok             ok              ok       ok        2
    token-all      T            T                   T                  ok           T             ok             ok              ok       ok        T
    token-none     T            T                   T                  F            T             F              F               F        F         T`;
  // A token never re-authenticates: a route open to tokens does not ask one to.
  const WITH_REAUTH = `
    actor          account:self account:credentials account:delegation domains:read domains:write mailboxes:read mailboxes:write dns:read dns:write support:work
    visitor        U            U                   U                  U            U             U              U               U        U         U
    session        ok           ok                  ok                 ok           ok            ok             ok              ok       ok        N
    session-stale  R            R                   R                  R            R             R              R               R        R         N
    agent          ok           ok                  ok                 ok           ok            ok             ok              ok       ok        ok
    agent-stale    R            R                   R                  R            R             R              R               R        R         R
    agent-1fa      ok           ok                  ok                 ok           ok            ok             ok              ok       ok        2
    token-all      T            T                   T                  ok           T             ok             ok              ok       ok        T
    token-none     T            T                   T                  F            T             F              F               F        F         T`;

  for (const [reauth, text] of [
    [false, WITHOUT_REAUTH],
    [true, WITH_REAUTH],
  ] as const) {
    const { columns, rows } = parseTable(text);
    it(`covers every permission and actor (reauth: ${reauth})`, () => {
      expect(columns.slice(1).sort()).toEqual([...PERMISSIONS].sort());
      expect([...rows.keys()].sort()).toEqual(Object.keys(ACTORS).sort());
    });
    it.each([...rows.entries()])(`reauth: ${reauth}, actor %s`, async (name, cells) => {
      const actor = ACTORS[name] as Actor;
      const got = await Promise.all(
        columns
          .slice(1)
          .map((permission) =>
            outcome(() => authorizeRoute(actor, { permission: permission as Permission, reauth }, NOW)),
          ),
      );
      expect(got).toEqual(cells.map((cell) => CODES[cell]));
    });
  }

  it("lets anyone through a public route", () => {
    for (const actor of Object.values(ACTORS))
      expect(() => authorizeRoute(actor, { public: true }, NOW)).not.toThrow();
  });
});

describe("actionsOf and tokenPermissionsOf: what each role may do and hand on", () => {
  it.each([
    [
      "owner",
      { role: "owner", dnsGranted: false, delegated: false },
      ["domain:read", "domain:manage", "mailboxes:read", "mailboxes:write", "dns:read", "dns:write"],
      ["domains:read", "mailboxes:read", "mailboxes:write", "dns:read", "dns:write"],
    ],
    [
      "deputy",
      { role: "deputy", dnsGranted: false, delegated: true },
      ["domain:read", "mailboxes:read", "mailboxes:write"],
      ["domains:read", "mailboxes:read", "mailboxes:write"],
    ],
    [
      "deputy granted DNS, domain not delegated",
      { role: "deputy", dnsGranted: true, delegated: false },
      ["domain:read", "mailboxes:read", "mailboxes:write"],
      ["domains:read", "mailboxes:read", "mailboxes:write"],
    ],
    [
      "deputy granted DNS on a delegated domain",
      { role: "deputy", dnsGranted: true, delegated: true },
      ["domain:read", "mailboxes:read", "mailboxes:write", "dns:read", "dns:write"],
      ["domains:read", "mailboxes:read", "mailboxes:write", "dns:read", "dns:write"],
    ],
  ] as const)("%s", (_name, grant, actions, permissions) => {
    expect(actionsOf(grant)).toEqual(actions);
    expect(tokenPermissionsOf(grant)).toEqual(permissions);
  });
});

describe(`authorizeDomain: every domain action × actor (${testDialect})`, () => {
  let database: Database;
  const ids = { owner: newId(), deputy: newId(), dnsDeputy: newId(), stranger: newId() };
  const domains = { delegated: newId(), plain: newId(), other: newId() };
  const names = {
    delegated: `delegated-${domains.delegated.slice(0, 8).toLowerCase()}.org`,
    plain: `plain-${domains.plain.slice(0, 8).toLowerCase()}.org`,
    other: `other-${domains.other.slice(0, 8).toLowerCase()}.org`,
  };
  /** When the deputies joined: a token of theirs from before then has no part in the domain. */
  const JOINED = NOW - 3_600_000;

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    await insertAccounts(db, ids);
    for (const [key, id] of Object.entries(domains)) {
      const name = names[key as keyof typeof names];
      await insertConfirmedDomain(db, {
        accountId: ids.owner,
        name,
        now: NOW,
        domainId: id,
        delegated: key !== "plain",
      });
    }
    for (const domainId of [domains.delegated, domains.plain])
      await db
        .insertInto("deputies")
        .values([
          { domainId, accountId: ids.deputy, dnsGranted: 0, createdAt: JOINED },
          { domainId, accountId: ids.dnsDeputy, dnsGranted: 1, createdAt: JOINED },
        ])
        .execute();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  const session = (accountId: string): Actor => ({
    kind: "account",
    accountId,
    sessionId: "s",
    reauthAt: NOW,
    isSupportAgent: false,
  });
  const token = (
    accountId: string,
    permissions: readonly Permission[] = TOKEN_PERMISSIONS,
    options: { domains?: string[]; issuedAt?: number } = {},
  ): Actor => ({
    kind: "token",
    accountId,
    tokenId: "t",
    permissions,
    domains: options.domains ?? null,
    issuedAt: options.issuedAt ?? NOW,
  });

  // Each row: an actor asking about a domain. "delegated" lets its DNS be managed here, "plain" not.
  const CASES: Record<string, [Actor, keyof typeof names | "unknown" | "invalid"]> = {
    "owner@delegated": [session(ids.owner), "delegated"],
    "owner@plain": [session(ids.owner), "plain"],
    "deputy@delegated": [session(ids.deputy), "delegated"],
    "dnsDeputy@delegated": [session(ids.dnsDeputy), "delegated"],
    "dnsDeputy@plain": [session(ids.dnsDeputy), "plain"],
    "stranger@delegated": [session(ids.stranger), "delegated"],
    "visitor@delegated": [{ kind: "visitor" }, "delegated"],
    "owner@unknown": [session(ids.owner), "unknown"],
    "owner@invalid": [session(ids.owner), "invalid"],
    "ownerToken@delegated": [token(ids.owner), "delegated"],
    "ownerReadToken@delegated": [token(ids.owner, ["domains:read"]), "delegated"],
    "ownerOtherDomainToken@delegated": [
      token(ids.owner, TOKEN_PERMISSIONS, { domains: [domains.other] }),
      "delegated",
    ],
    "ownerScopedToken@delegated": [
      token(ids.owner, TOKEN_PERMISSIONS, { domains: [domains.delegated] }),
      "delegated",
    ],
    "deputyToken@delegated": [token(ids.deputy), "delegated"],
    "dnsDeputyToken@delegated": [token(ids.dnsDeputy), "delegated"],
    "dnsDeputyToken@plain": [token(ids.dnsDeputy), "plain"],
    "dnsDeputyOldToken@delegated": [
      token(ids.dnsDeputy, TOKEN_PERMISSIONS, { issuedAt: JOINED - 1 }),
      "delegated",
    ],
    "strangerToken@delegated": [token(ids.stranger), "delegated"],
  };

  // U UNAUTHENTICATED, T TOKEN_NOT_ALLOWED, F FORBIDDEN, N NOT_FOUND.
  const CODES: Record<string, string> = {
    ok: "ok",
    U: "UNAUTHENTICATED",
    T: "TOKEN_NOT_ALLOWED",
    F: "FORBIDDEN",
    N: "NOT_FOUND",
  };
  const MATRIX = `
    case                              domain:read domain:manage mailboxes:read mailboxes:write dns:read dns:write
    owner@delegated                   ok          ok            ok             ok              ok       ok
    owner@plain                       ok          ok            ok             ok              ok       ok
    deputy@delegated                  ok          F             ok             ok              F        F
    dnsDeputy@delegated               ok          F             ok             ok              ok       ok
    dnsDeputy@plain                   ok          F             ok             ok              F        F
    stranger@delegated                N           N             N              N               N        N
    visitor@delegated                 U           U             U              U               U        U
    owner@unknown                     N           N             N              N               N        N
    owner@invalid                     N           N             N              N               N        N
    ownerToken@delegated              ok          T             ok             ok              ok       ok
    ownerReadToken@delegated          ok          T             F              F               F        F
    ownerOtherDomainToken@delegated   N           N             N              N               N        N
    ownerScopedToken@delegated        ok          T             ok             ok              ok       ok
    deputyToken@delegated             ok          T             ok             ok              F        F
    dnsDeputyToken@delegated          ok          T             ok             ok              ok       ok
    dnsDeputyToken@plain              ok          T             ok             ok              F        F
    dnsDeputyOldToken@delegated       N           N             N              N               N        N
    strangerToken@delegated           N           N             N              N               N        N`;
  const { columns, rows } = parseTable(MATRIX);
  const ACTIONS: DomainAction[] = [
    "domain:read",
    "domain:manage",
    "mailboxes:read",
    "mailboxes:write",
    "dns:read",
    "dns:write",
  ];

  it("covers every domain action and every case", () => {
    expect(columns.slice(1)).toEqual(ACTIONS);
    expect([...rows.keys()].sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each([...rows.entries()])("%s", async (name, cells) => {
    const [actor, domain] = CASES[name] as [Actor, string];
    const domainName =
      domain === "unknown"
        ? "nobody-has-this.org"
        : domain === "invalid"
          ? "not a domain"
          : names[domain as keyof typeof names];
    const expected = cells.map((cell) => CODES[cell]);
    const plain = await Promise.all(
      ACTIONS.map((action) => outcome(() => authorizeDomain(database.db, actor, domainName, action))),
    );
    expect(plain).toEqual(expected);
    // The held variant (a hand-over of rights) decides exactly the same.
    const held = await Promise.all(
      ACTIONS.map((action) =>
        outcome(() =>
          inDomainTransaction(database, (tx, locks) =>
            authorizeDomainHeld(tx, locks, actor, domainName, action),
          ),
        ),
      ),
    );
    expect(held).toEqual(expected);
  });

  it("finds a domain by its name in any case or in Unicode/punycode form, as typed in a URL", async () => {
    const grant = await authorizeDomain(
      database.db,
      session(ids.owner),
      names.delegated.toUpperCase(),
      "domain:read",
    );
    expect(grant).toMatchObject({ domainId: domains.delegated, role: "owner", delegated: true });
  });
});

describe.skipIf(testDialect !== "postgres")("authorizeDomainHeld: the domain held (PostgreSQL)", () => {
  let database: Database;
  const ids = { owner: newId(), heir: newId() };
  const domainId = newId();
  const name = `held-${domainId.slice(0, 8).toLowerCase()}.org`;
  const owner: Actor = {
    kind: "account",
    accountId: ids.owner,
    sessionId: "s",
    reauthAt: NOW,
    isSupportAgent: false,
  };
  const held = () =>
    inDomainTransaction(database, (tx, locks) => authorizeDomainHeld(tx, locks, owner, name, "dns:write"));

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    await insertAccounts(db, ids);
    await insertConfirmedDomain(db, { accountId: ids.owner, name, now: NOW, domainId });
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("keeps the owner's domain row from changing until the transaction ends", async () => {
    const holder = await holdTransaction(database, async (tx) => {
      await authorizeDomainHeld(tx, rowLocks(tx, database.dialect), owner, name, "dns:write");
    });
    const change = database.db.transaction().execute(async (tx) => {
      await sql`set local lock_timeout = '300ms'`.execute(tx);
      await tx.updateTable("domains").set({ delegated: 1 }).where("id", "=", domainId).execute();
    });
    await expect(change).rejects.toMatchObject({ code: "55P03" });
    await holder.commit();
  });

  it("refuses an owner whose domain moved to another owner while the grant waited for it", async () => {
    expect(await outcome(held)).toBe("ok");
    const handOver = await holdTransaction(database, async (tx) => {
      await tx.updateTable("domains").set({ ownerAccountId: ids.heir }).where("id", "=", domainId).execute();
    });
    const asked = outcome(held);
    // The grant waits for the hand-over's row lock, then reads what it committed.
    await handOver.waitedOn();
    await handOver.commit();
    expect(await asked).toBe("NOT_FOUND");
  });
});
