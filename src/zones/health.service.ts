import { sql } from "kysely";
import type { RequestContext } from "../access/actor.js";
import { authorizeDomain } from "../access/domain-access.js";
import type { Config } from "../config.js";
import type { Database, Executor } from "../db/database.js";
import { hitLimits } from "../db/rate-limit.js";
import type { Deps } from "../deps.js";
import { checkDomainHealth, type HealthCheck, type HealthExpectations } from "../dns/health.js";
import { DnsLookup } from "../dns/lookup.js";
import { HOUR, MINUTE } from "../lib/clock.js";
import { publicSuffixOf } from "../lib/domain-names.js";

/** A passing domain is looked at again after this; a failing one sooner, while its owner fixes it. */
const RECHECK_OK_MS = 6 * HOUR;
const RECHECK_FAILED_MS = 30 * MINUTE;
/** A row whose worker died is taken again after the lease. */
const LEASE_MS = 10 * MINUTE;
/** "Check now": each check is a dozen DNS queries, some to the parent zone's servers. */
const CHECK_NOW_LIMIT = { max: 6, windowMs: 5 * MINUTE };

export interface DnsHealthView {
  /** When the checks ran; null before the first run. */
  checkedAt: number | null;
  ok: boolean;
  checks: HealthCheck[];
}

/** The domain's active DKIM keys, from the zones capability's table. */
export type DkimKeysOf = (db: Database["db"], domainId: string) => Promise<HealthExpectations["dkim"]>;

export interface HealthSettings {
  nameServers: readonly string[];
  mxHost: string;
  resolvers: readonly string[];
  timeoutMs: number;
  parentPort: number;
  allowPrivate: boolean;
}

export const healthSettings = (config: Config, nameServers: readonly string[]): HealthSettings => ({
  nameServers,
  mxHost: config.mxHost,
  resolvers: config.dnsResolvers,
  timeoutMs: config.dnsTimeoutMs,
  parentPort: config.dnsParentPort,
  allowPrivate: config.allowPrivateFetch,
});

/**
 * Delegation and mail health of hosted domains (src/dns/health.ts): checked by the worker and on
 * request, stored one row per domain in dns_health, read by the console with its time.
 */
export class DnsHealthService {
  private readonly lookup: DnsLookup;

  constructor(
    private readonly deps: Deps,
    private readonly settings: HealthSettings,
    private readonly dkimKeys: DkimKeysOf,
  ) {
    this.lookup = new DnsLookup(settings.resolvers, settings.timeoutMs);
  }

  private get db() {
    return this.deps.database.db;
  }

  /** The stored result; a domain not checked yet has `checkedAt: null` and no checks. */
  async read(ctx: RequestContext, name: string): Promise<DnsHealthView> {
    const grant = await authorizeDomain(this.db, ctx.actor, name, "dns:read");
    const row = await this.db
      .selectFrom("dnsHealth")
      .selectAll()
      .where("domainId", "=", grant.domainId)
      .executeTakeFirst();
    if (!row || row.checkedAt === null) return { checkedAt: null, ok: false, checks: [] };
    return { checkedAt: Number(row.checkedAt), ok: row.ok === 1, checks: JSON.parse(row.checks) };
  }

  /** Checks at once (rate-limited per domain) and stores the result. */
  async checkNow(ctx: RequestContext, name: string): Promise<DnsHealthView> {
    const grant = await authorizeDomain(this.db, ctx.actor, name, "dns:read");
    await hitLimits(this.db, ctx.now, [{ key: `dns:health:${grant.domainId}`, ...CHECK_NOW_LIMIT }]);
    return this.check({ id: grant.domainId, name: grant.name });
  }

  /** Runs the checks of one domain and stores them; the clock is read after the lookups. */
  async check(domain: { id: string; name: string }): Promise<DnsHealthView> {
    const suffix = publicSuffixOf(domain.name);
    const result = await checkDomainHealth(
      this.lookup,
      {
        domain: domain.name,
        nameServers: this.settings.nameServers,
        mxHost: this.settings.mxHost,
        dkim: await this.dkimKeys(this.db, domain.id),
      },
      suffix
        ? {
            port: this.settings.parentPort,
            timeoutMs: this.settings.timeoutMs,
            allowPrivate: this.settings.allowPrivate,
            publicSuffix: suffix,
          }
        : null,
    );
    const now = this.deps.clock.now();
    const values = {
      checkedAt: now,
      nextCheckAt: now + (result.ok ? RECHECK_OK_MS : RECHECK_FAILED_MS),
      ok: result.ok ? 1 : 0,
      checks: JSON.stringify(result.checks),
    };
    await this.db
      .insertInto("dnsHealth")
      .values({ domainId: domain.id, ...values })
      .onConflict((oc) => oc.column("domainId").doUpdateSet(values))
      .execute();
    return { checkedAt: now, ok: result.ok, checks: result.checks };
  }

  /** A released domain's last result goes with its zone (the zones module's `domain.released` hook). */
  async forget(tx: Executor, domainId: string): Promise<void> {
    await tx.deleteFrom("dnsHealth").where("domainId", "=", domainId).execute();
  }

  /**
   * One worker run: every confirmed domain without a row gets one due now, then due rows are
   * leased with one conditional UPDATE (several workers on one PostgreSQL never check a domain
   * twice) and checked. Returns how many it checked.
   */
  async runDue(batchSize = 100, concurrency = 8): Promise<number> {
    const now = this.deps.clock.now();
    // Hosted zones only: a confirmed domain without a zone (none yet, or disconnected) is not checked.
    await this.db
      .insertInto("dnsHealth")
      .columns(["domainId", "nextCheckAt"])
      .expression((eb) =>
        eb
          .selectFrom("zones")
          .select(["zones.domainId", sql<number>`${now}`.as("nextCheckAt")])
          .where((w) =>
            w.not(
              w.exists(
                w
                  .selectFrom("dnsHealth")
                  .select("domainId")
                  .whereRef("dnsHealth.domainId", "=", "zones.domainId"),
              ),
            ),
          ),
      )
      .onConflict((oc) => oc.column("domainId").doNothing())
      .execute();
    const due = await this.db
      .updateTable("dnsHealth")
      .set({ nextCheckAt: now + LEASE_MS })
      .where("domainId", "in", (eb) =>
        eb
          .selectFrom("dnsHealth")
          .select("domainId")
          .where("nextCheckAt", "<=", now)
          .orderBy("nextCheckAt")
          .limit(batchSize),
      )
      // Re-evaluated after a concurrent worker's update: a row it took is no longer due.
      .where("nextCheckAt", "<=", now)
      .returning("domainId")
      .execute();
    if (due.length === 0) return 0;
    const domains = await this.db
      .selectFrom("domains")
      .innerJoin("zones", "zones.domainId", "domains.id")
      .select(["domains.id", "domains.name"])
      .where(
        "domains.id",
        "in",
        due.map((row) => row.domainId),
      )
      .execute();
    let next = 0;
    const failures: unknown[] = [];
    const lane = async () => {
      while (next < domains.length) {
        const domain = domains[next++] as { id: string; name: string };
        await this.check(domain).catch((error) => failures.push(error));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, domains.length) }, lane));
    if (failures.length > 0)
      throw new AggregateError(failures, `${failures.length} of ${domains.length} DNS health checks failed`);
    return domains.length;
  }
}
