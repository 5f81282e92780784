import type { Static } from "@sinclair/typebox";
import type { Actor, Permission, RequestContext } from "../access/actor.js";
import { TOKEN_PERMISSIONS } from "../access/actor.js";
import { authorizeDomainHeld, tokenPermissionsOf } from "../access/domain-access.js";
import { recordEvent } from "../audit/audit.service.js";
import type { Executor } from "../db/database.js";
import { preparedQuery } from "../db/prepared.js";
import { inDomainTransaction } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { DAY, MINUTE } from "../lib/clock.js";
import { asciiName } from "../lib/domain-names.js";
import { AppError, FieldChecks } from "../lib/errors.js";
import { newId, randomSecret, sha256 } from "../lib/random.js";
import { notifySecurityChange } from "../notify/account-notices.js";
import type * as schemas from "./tokens.schemas.js";

/** Every secret starts with this, so leaked tokens are recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = "mfd_";
/** 32 random bytes = 256 bits, 43 base64url characters after the prefix (docs/SECURITY.md §18: ≥ 128). */
const SECRET_BYTES = 32;
const SECRET_LENGTH = TOKEN_PREFIX.length + Math.ceil((SECRET_BYTES * 4) / 3);
const SECRET_PATTERN = new RegExp(
  `${TOKEN_PREFIX}[A-Za-z0-9_-]{${SECRET_LENGTH - TOKEN_PREFIX.length}}`,
  "g",
);

/** Whatever in a text has the shape of a token secret (a URL, as sent and percent-decoded). */
export function tokenSecretsIn(text: string): string[] {
  // Every request's URL comes here: without the prefix or a percent sign (the only other way to
  // write it) there is nothing to find.
  if (!text.includes(TOKEN_PREFIX) && !text.includes("%")) return [];
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // Bad percent-encoding: the text as sent is still searched.
  }
  return [
    ...new Set([...text.matchAll(SECRET_PATTERN), ...decoded.matchAll(SECRET_PATTERN)].map((m) => m[0])),
  ];
}
/** Live (unrevoked, unexpired) tokens an account may hold at once. */
export const LIVE_TOKEN_LIMIT = 50;
/** lastUsedAt is written at most this often, so a busy script does not turn every read into a write. */
const TOUCH_EVERY_MS = MINUTE;
const HINT_LENGTH = 4;

export type TokenScope = readonly string[] | "all";

// The views are the routes' schemas (tokens.schemas.ts), so the two cannot drift apart.
export type TokenView = Static<typeof schemas.TokenView>;
/** A token as created: the one time its secret leaves the server. */
export type IssuedToken = Static<typeof schemas.IssuedToken>;
/** The body of CreateTokenBody, but read-only: callers hand over lists they keep. */
export interface CreateTokenInput {
  name: string;
  permissions: readonly Permission[];
  domains: TokenScope;
  expiresInDays: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

// Every request with a bearer token runs these: built once (src/db/prepared.ts).
const tokenByHash = preparedQuery((db, p: { tokenHash: string }) =>
  db
    .selectFrom("apiTokens")
    .select([
      "id",
      "accountId",
      "permissions",
      "allDomains",
      "createdAt",
      "expiresAt",
      "revokedAt",
      "lastUsedAt",
    ])
    .where("tokenHash", "=", p.tokenHash)
    .where("kind", "=", "bearer"),
);
const touchToken = preparedQuery((db, p: { id: string; now: number; ip: string | null; before: number }) =>
  db
    .updateTable("apiTokens")
    .set({ lastUsedAt: p.now, lastUsedIp: p.ip })
    .where("id", "=", p.id)
    // Concurrent requests of one script: one of them writes.
    .where((eb) => eb.or([eb("lastUsedAt", "is", null), eb("lastUsedAt", "<=", p.before)])),
);
const tokenDomains = preparedQuery((db, p: { tokenId: string }) =>
  db.selectFrom("apiTokenDomains").select("domainId").where("tokenId", "=", p.tokenId),
);

/**
 * Personal API tokens (docs/SECURITY.md §18–21). A token belongs to one account, is
 * limited to permissions × domains, and never exceeds its holder's rights: at creation every listed
 * domain is checked against the holder's role, and at use `authorizeDomain` checks the role again
 * on every request. Only the SHA-256 of the secret is stored. Managing tokens is for signed-in
 * sessions only (the routes require `account:delegation`, which no token can hold).
 */
/**
 * Revokes every live token of an account. Restore access calls it: whoever had taken the account
 * over may have issued tokens, and a recovered account must not keep them working.
 */
export async function revokeAllTokens(db: Executor, accountId: string, now: number): Promise<number> {
  const result = await db
    .updateTable("apiTokens")
    .set({ revokedAt: now })
    .where("accountId", "=", accountId)
    .where("revokedAt", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export class TokensService {
  constructor(private readonly deps: Deps) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * Every listed domain must be one the holder manages with every requested permission
   * (SCOPE_EXCEEDS_RIGHTS names what is missing). A token for "all" domains reaches, at each
   * request, whatever its holder manages at that moment, within its permissions; still, it may
   * only be given what the holder has on at least one domain now (`domains:read`, which also reads
   * My domains, always), so a deputy without DNS cannot stock a token with DNS rights for later.
   */
  async create(ctx: RequestContext, input: CreateTokenInput): Promise<IssuedToken> {
    const accountId = sessionAccount(ctx);
    // The name and the domain names are checked together: a form learns of both mistakes at once.
    const fields = new FieldChecks();
    const name = input.name.trim();
    if (!name)
      fields.fail("name", new AppError("VALIDATION_FAILED", "Give the token a name.", { field: "name" }));
    const permissions = TOKEN_PERMISSIONS.filter((p) => input.permissions.includes(p));
    const domains = input.domains;
    const names =
      domains === "all"
        ? null
        : (fields.check("domains", () => [...new Set(domains.map((typed) => asciiName(typed)))].sort()) ??
          []);
    fields.done();
    const secret = `${TOKEN_PREFIX}${randomSecret(SECRET_BYTES)}`;
    const id = newId();
    const expiresAt = ctx.now + input.expiresInDays * DAY;

    await inDomainTransaction(this.deps.database, async (tx, locks) => {
      const domainIds: string[] = [];
      for (const domain of names ?? []) {
        // Held to the end of the transaction: a removal at the same time cannot miss this token.
        const grant = await authorizeDomainHeld(tx, locks, ctx.actor, domain, "domain:read").catch(
          (error: unknown) => {
            if (error instanceof AppError && error.code === "NOT_FOUND")
              throw new AppError("NOT_FOUND", `You manage no domain named ${domain}.`, { domain });
            throw error;
          },
        );
        const allowed = tokenPermissionsOf(grant);
        const exceeding = permissions.filter((p) => !allowed.includes(p));
        if (exceeding.length > 0) {
          throw new AppError(
            "SCOPE_EXCEEDS_RIGHTS",
            `You may not ${exceeding.join(", ")} on ${domain}, so a token of yours cannot either.`,
            { domain, permissions: exceeding },
          );
        }
        domainIds.push(grant.domainId);
      }
      if (names === null) {
        const held = await heldPermissions(tx, accountId);
        const exceeding = permissions.filter((p) => p !== "domains:read" && !held.has(p));
        if (exceeding.length > 0) {
          throw new AppError(
            "SCOPE_EXCEEDS_RIGHTS",
            `You may not ${exceeding.join(", ")} on any domain, so a token of yours cannot either.`,
            { domains: "all", permissions: exceeding },
          );
        }
      }
      // One creation at a time per account, so the limit holds.
      await locks.row("accounts", accountId);
      const { live } = await tx
        .selectFrom("apiTokens")
        .select((eb) => eb.fn.countAll<number>().as("live"))
        .where("accountId", "=", accountId)
        .where("revokedAt", "is", null)
        .where("expiresAt", ">", ctx.now)
        .executeTakeFirstOrThrow();
      if (Number(live) >= LIVE_TOKEN_LIMIT) {
        throw new AppError("TOKEN_LIMIT_REACHED", `An account may hold ${LIVE_TOKEN_LIMIT} live tokens.`, {
          limit: LIVE_TOKEN_LIMIT,
        });
      }
      await tx
        .insertInto("apiTokens")
        .values({
          id,
          accountId,
          name,
          kind: "bearer",
          tokenHash: sha256(secret),
          hint: secret.slice(-HINT_LENGTH),
          permissions: JSON.stringify(permissions),
          allDomains: names === null ? 1 : 0,
          createdAt: ctx.now,
          expiresAt,
        })
        .execute();
      if (domainIds.length > 0)
        await tx
          .insertInto("apiTokenDomains")
          .values(domainIds.map((domainId) => ({ tokenId: id, domainId })))
          .execute();
      await recordEvent(tx, ctx, {
        action: "token.create",
        accountId,
        target: id,
        details: { name, permissions, domains: names ?? "all", expiresAt: iso(expiresAt) },
      });
      await notifySecurityChange(tx, this.deps, ctx.now, accountId, `An API token ("${name}") was created`);
    });

    return {
      id,
      name,
      hint: secret.slice(-HINT_LENGTH),
      permissions,
      domains: names ?? "all",
      createdAt: iso(ctx.now),
      expiresAt: iso(expiresAt),
      expired: false,
      revoked: false,
      lastUsedAt: null,
      lastUsedIp: null,
      token: secret,
    };
  }

  /** The account's tokens, newest first, without secrets (revoked and expired ones included). */
  async list(ctx: RequestContext): Promise<TokenView[]> {
    const accountId = sessionAccount(ctx);
    const rows = await this.db
      .selectFrom("apiTokens")
      .selectAll()
      .where("accountId", "=", accountId)
      .where("kind", "=", "bearer")
      .orderBy("id", "desc")
      .execute();
    if (rows.length === 0) return [];
    const scopes = await this.db
      .selectFrom("apiTokenDomains")
      .innerJoin("domains", "domains.id", "apiTokenDomains.domainId")
      .select(["apiTokenDomains.tokenId", "domains.name"])
      .where(
        "apiTokenDomains.tokenId",
        "in",
        rows.map((r) => r.id),
      )
      .orderBy("domains.name")
      .execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      hint: row.hint,
      permissions: parsePermissions(row.permissions),
      domains: row.allDomains === 1 ? "all" : scopes.filter((s) => s.tokenId === row.id).map((s) => s.name),
      createdAt: iso(row.createdAt),
      expiresAt: iso(row.expiresAt),
      expired: row.expiresAt <= ctx.now,
      revoked: row.revokedAt !== null,
      lastUsedAt: row.lastUsedAt === null ? null : iso(row.lastUsedAt),
      lastUsedIp: row.lastUsedIp,
    }));
  }

  /** Revokes one of the account's tokens; it fails from the next request on. Revoking twice is a no-op. */
  async revoke(ctx: RequestContext, id: string): Promise<void> {
    const accountId = sessionAccount(ctx);
    await this.db.transaction().execute(async (tx) => {
      const token = await tx
        .selectFrom("apiTokens")
        .select(["id", "name", "revokedAt"])
        .where("id", "=", id)
        .where("accountId", "=", accountId)
        .where("kind", "=", "bearer")
        .executeTakeFirst();
      if (!token) throw new AppError("NOT_FOUND");
      if (token.revokedAt !== null) return;
      await tx.updateTable("apiTokens").set({ revokedAt: ctx.now }).where("id", "=", id).execute();
      await recordEvent(tx, ctx, {
        action: "token.revoke",
        accountId,
        target: id,
        details: { name: token.name },
      });
    });
  }

  /**
   * A secret seen where it is written down by others (a URL lands in proxy logs, browser history
   * and Referer headers) is leaked: revoke the token, record it and tell its holder's contacts.
   * Unknown or already dead secrets change nothing.
   */
  async revokeExposed(ctx: RequestContext, secret: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const token = await tx
        .selectFrom("apiTokens")
        .select(["id", "accountId", "name"])
        .where("tokenHash", "=", sha256(secret))
        .where("kind", "=", "bearer")
        .where("revokedAt", "is", null)
        .executeTakeFirst();
      if (!token) return;
      await tx.updateTable("apiTokens").set({ revokedAt: ctx.now }).where("id", "=", token.id).execute();
      await recordEvent(tx, ctx, {
        action: "token.exposed",
        accountId: token.accountId,
        target: token.id,
        details: { name: token.name },
      });
      await notifySecurityChange(
        tx,
        this.deps,
        ctx.now,
        token.accountId,
        `Your API token ("${token.name}") was seen in a web address, so it was revoked; create a new one for your script`,
      );
    });
  }

  /**
   * The actor behind an `Authorization: Bearer` secret, or null when it is unknown, revoked or
   * expired. The secret is found by its SHA-256 digest through the unique index: no secret bytes are
   * ever compared, and timing the lookup tells an attacker only about digests of strings they chose,
   * which says nothing about any real token (docs/SECURITY.md §18). Nothing is cached: revocation and
   * expiry take effect on the next request.
   */
  async resolve(secret: string, now: number, ip: string | null): Promise<Actor | null> {
    if (secret.length !== SECRET_LENGTH || !secret.startsWith(TOKEN_PREFIX)) return null;
    const row = await tokenByHash.first(this.db, { tokenHash: sha256(secret) });
    if (!row || row.revokedAt !== null || row.expiresAt <= now) return null;
    if (row.lastUsedAt === null || now - row.lastUsedAt >= TOUCH_EVERY_MS)
      await touchToken.run(this.db, { id: row.id, now, ip, before: now - TOUCH_EVERY_MS });
    const domains =
      row.allDomains === 1
        ? null
        : (await tokenDomains.all(this.db, { tokenId: row.id })).map((d) => d.domainId);
    return {
      kind: "token",
      accountId: row.accountId,
      tokenId: row.id,
      permissions: parsePermissions(row.permissions),
      domains,
      issuedAt: Number(row.createdAt),
    };
  }
}

/**
 * Takes a domain out of token scopes — of one holder's tokens (a deputy being removed) or of
 * everyone's (the domain being disconnected) — and deletes the tokens that were limited to it alone,
 * so being made a deputy again, or a later owner of the name, never revives an old token. Returns
 * how many tokens lost the domain. Call it in the transaction of the change.
 */
export async function removeDomainFromTokens(
  db: Executor,
  domainId: string,
  holderAccountId?: string,
): Promise<number> {
  let query = db
    .selectFrom("apiTokenDomains")
    .innerJoin("apiTokens", "apiTokens.id", "apiTokenDomains.tokenId")
    .select("apiTokens.id")
    .where("apiTokenDomains.domainId", "=", domainId);
  if (holderAccountId !== undefined) query = query.where("apiTokens.accountId", "=", holderAccountId);
  const ids = (await query.execute()).map((r) => r.id);
  if (ids.length === 0) return 0;
  await db
    .deleteFrom("apiTokenDomains")
    .where("domainId", "=", domainId)
    .where("tokenId", "in", ids)
    .execute();
  await db
    .deleteFrom("apiTokens")
    .where("id", "in", ids)
    .where("allDomains", "=", 0)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("apiTokenDomains")
            .select("tokenId")
            .whereRef("apiTokenDomains.tokenId", "=", "apiTokens.id"),
        ),
      ),
    )
    .execute();
  return ids.length;
}

/** Every token permission the account has on at least one domain it owns or administers now. */
async function heldPermissions(db: Executor, accountId: string): Promise<Set<Permission>> {
  const held = new Set<Permission>();
  const owns = await db
    .selectFrom("domains")
    .select("id")
    .where("ownerAccountId", "=", accountId)
    .limit(1)
    .execute();
  if (owns.length > 0)
    for (const p of tokenPermissionsOf({ role: "owner", dnsGranted: true, delegated: true })) held.add(p);
  const memberships = await db
    .selectFrom("deputies")
    .innerJoin("domains", "domains.id", "deputies.domainId")
    .select(["deputies.dnsGranted", "domains.delegated"])
    .where("deputies.accountId", "=", accountId)
    .execute();
  for (const m of memberships)
    for (const p of tokenPermissionsOf({
      role: "deputy",
      dnsGranted: m.dnsGranted === 1,
      delegated: m.delegated === 1,
    }))
      held.add(p);
  return held;
}

function sessionAccount(ctx: RequestContext): string {
  // The routes admit sessions only; a token reaching here is a wiring mistake, refused all the same.
  if (ctx.actor.kind === "token") throw new AppError("TOKEN_NOT_ALLOWED");
  if (ctx.actor.kind !== "account") throw new AppError("UNAUTHENTICATED");
  return ctx.actor.accountId;
}

/** Stored permissions, kept to the ones a token may hold even if the list changes later. */
function parsePermissions(stored: string): Permission[] {
  const parsed = JSON.parse(stored) as unknown;
  return Array.isArray(parsed) ? TOKEN_PERMISSIONS.filter((p) => parsed.includes(p)) : [];
}
