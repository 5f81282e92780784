import { sql } from "kysely";
import pg from "pg";
import type { Deps } from "../deps.js";
import { createSecondaries } from "../dns/secondaries.js";
import { startDnsServer } from "../dns/server.js";
import { type Zone, type ZoneDelta, ZoneSet } from "../dns/zone.js";
import type { Role } from "../module.js";
import { changedZone, loadAllZones, loadZone, type ServedZone, type ZoneChange } from "./zone-data.js";
import { parseZoneNotification, ZONE_CHANNEL, type ZonesService } from "./zones.service.js";

/** How far back the catch-up looks past the newest change it saw: commits land out of `updatedAt` order, and nodes' clocks differ. */
const CATCH_UP_OVERLAP_MS = 10_000;
/** SQLite has no notifications: one host, so the cheap catch-up query every second is the propagation. */
const SQLITE_CATCH_UP_MS = 1000;
/** PostgreSQL notifies every change; the catch-up only covers a notification lost with a connection. */
const POSTGRES_CATCH_UP_MS = 5000;

type Log = (message: string, error?: unknown) => void;

/**
 * Keeps a ZoneSet equal to the database's zones. A change is re-read as one zone (one indexed
 * statement) and swapped in whole; changes of one zone are applied in order. What triggers a
 * re-read: the in-process event after a commit (ZonesService.changes), a PostgreSQL notification
 * from any process, and the catch-up, which asks only for zones changed lately and re-reads those
 * whose serial differs from the one served — so a quiet database costs one small query a tick.
 * A change made in this process comes with what it did (ZoneChange): applied to the zone served
 * when that is the version it was made on, so a record written costs no read of its whole zone
 * and no index of it either (ZoneSet.set with the change); and a notification naming the serial
 * already served reads nothing (the writer's own NOTIFY).
 */
export class ZoneSync {
  private readonly served = new Map<string, { origin: string; serial: number }>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private closed = false;
  private newest = 0;
  /** SQLite: the database's version when the last catch-up started (see `unchanged`). */
  private version: string | null = null;

  constructor(
    private readonly deps: Deps,
    readonly zones: ZoneSet,
    private readonly log: Log,
    /**
     * Told of every zone swapped in or dropped after the start, with the version it replaces: where
     * zone transfers keep their IXFR differences and NOTIFY goes out (src/dns/transfer.ts, notify.ts).
     */
    private readonly onChange: (previous: Zone | undefined, next: Zone | undefined) => void = () => {},
  ) {}

  /** Loads every confirmed domain's zone (at start). */
  async loadAll(): Promise<void> {
    const all = await loadAllZones(this.deps.database.db, this.deps.config, (row) =>
      this.log(`dns: stored record not served (${row.name} ${row.type} ${row.data})`),
    );
    const latest = await this.latestChange();
    for (const [domainId, zone] of all) this.put(domainId, zone, false);
    this.newest = latest;
  }

  /**
   * Re-reads one domain's zone — unless `serial` is given and already served; calls for the same
   * domain run one after another, in order.
   */
  refresh(domainId: string, serial: number | null = null): Promise<void> {
    return this.inTurn(domainId, async () => {
      if (serial !== null && this.served.get(domainId)?.serial === serial) return;
      await this.reload(domainId);
    });
  }

  /** A change committed in this process: applied to the zone served if it is the one changed, else read. */
  apply(change: ZoneChange): Promise<void> {
    const { domainId } = change;
    return this.inTurn(domainId, async () => {
      const known = this.served.get(domainId);
      if (known?.serial === change.serial) return;
      const current = known?.serial === change.previousSerial ? this.zones.get(known.origin) : undefined;
      const next = current && changedZone(this.deps.config, current, change);
      if (next)
        this.put(domainId, next.zone, true, { previous: current, removed: next.removed, added: next.added });
      else await this.reload(domainId);
    });
  }

  private async reload(domainId: string): Promise<void> {
    const zone = await loadZone(this.deps.database.db, this.deps.config, domainId);
    if (zone) this.put(domainId, zone);
    else this.drop(domainId);
  }

  /**
   * Stops following the database: steps not started yet are dropped, the ones running are waited
   * for — so that a process stopping closes its database after them, not under them (a backlog
   * of re-reads then failed one by one on the closed pool, each logged).
   */
  async close(): Promise<void> {
    this.closed = true;
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }

  /** Runs `step` after the steps of the same domain before it, logging its failure. */
  private inTurn(domainId: string, step: () => Promise<void>): Promise<void> {
    const previous = this.inFlight.get(domainId) ?? Promise.resolve();
    const next = previous
      .then(() => (this.closed ? undefined : step()))
      .catch((error) => this.log(`dns: reloading zone ${domainId} failed`, error))
      .finally(() => {
        if (this.inFlight.get(domainId) === next) this.inFlight.delete(domainId);
      });
    this.inFlight.set(domainId, next);
    return next;
  }

  /** The catch-up: zones changed since shortly before the newest change seen, and zones gone. */
  async catchUp(): Promise<void> {
    if (await this.unchanged()) return;
    try {
      await this.catchUpChanges();
    } catch (error) {
      this.version = null; // the next tick tries again, changed or not
      throw error;
    }
  }

  private async catchUpChanges(): Promise<void> {
    const { db } = this.deps.database;
    const since = this.newest - CATCH_UP_OVERLAP_MS;
    const changed = await db
      .selectFrom("zones")
      .select(["domainId", "serial", "updatedAt"])
      .where("updatedAt", ">=", since)
      .execute();
    const stale = changed.filter((row) => this.served.get(row.domainId)?.serial !== Number(row.serial));
    for (const row of changed) this.newest = Math.max(this.newest, Number(row.updatedAt));
    await Promise.all(stale.map((row) => this.refresh(row.domainId)));
    // A re-read that failed (logged by refresh) is tried again at the next tick.
    if (stale.some((row) => this.served.get(row.domainId)?.serial !== Number(row.serial)))
      this.version = null;
    // A disconnect deletes the zone row: seen as fewer zones than served.
    const { count } = await db
      .selectFrom("zones")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    if (Number(count) !== this.served.size) await this.reconcile();
  }

  /**
   * On SQLite, whether nothing was committed since the last catch-up, asked in one cheap
   * statement instead of the catch-up's two queries (whose count of every zone took some 5 % of
   * the server's time under query load with 10,000 zones): `data_version` moves when another
   * connection — another process — commits, `total_changes()` when this process's own connection
   * writes (a disconnect in this process drops its zone in a hook, with no event after the commit).
   */
  private async unchanged(): Promise<boolean> {
    if (this.deps.database.dialect !== "sqlite") return false;
    const { rows } = await sql<{ version: string }>`
      select total_changes() || '/' || (select data_version from pragma_data_version) as version
    `.execute(this.deps.database.db);
    const version = rows[0]?.version ?? null;
    if (version !== null && version === this.version) return true;
    this.version = version;
    return false;
  }

  private async reconcile(): Promise<void> {
    const rows = await this.deps.database.db.selectFrom("zones").select("domainId").execute();
    const present = new Set(rows.map((row) => row.domainId));
    for (const domainId of [...this.served.keys()]) if (!present.has(domainId)) await this.refresh(domainId);
    for (const domainId of present) if (!this.served.has(domainId)) await this.refresh(domainId);
  }

  private async latestChange(): Promise<number> {
    const row = await this.deps.database.db
      .selectFrom("zones")
      .select((eb) => eb.fn.max("updatedAt").as("latest"))
      .executeTakeFirst();
    return Number(row?.latest ?? 0);
  }

  /** Serves `zone`; `delta` is what made it out of the zone served (its index is changed, not made again). */
  private put(domainId: string, zone: ServedZone, tell = true, delta?: ZoneDelta): void {
    const previous = this.zones.get(zone.origin);
    this.zones.set(zone as Zone, delta);
    this.served.set(domainId, { origin: zone.origin, serial: zone.serial });
    if (tell && previous?.serial !== zone.serial) this.onChange(previous, zone as Zone);
  }

  private drop(domainId: string): void {
    const known = this.served.get(domainId);
    if (!known) return;
    const previous = this.zones.get(known.origin);
    this.zones.delete(known.origin);
    this.served.delete(domainId);
    this.onChange(previous, undefined);
  }
}

/**
 * What the dns role does with a ZONE_CHANNEL notification: re-read the zone unless it serves the
 * serial already — or the change is a record change of `service`, this process's own, which
 * `service.changes` applies with what it did (a notification may arrive before that event).
 */
export const notified =
  (sync: Pick<ZoneSync, "refresh">, service: Pick<ZonesService, "notifier"> | undefined) =>
  ({ domainId, serial, notifier }: ReturnType<typeof parseZoneNotification>): void => {
    if (service !== undefined && notifier === service.notifier) return;
    void sync.refresh(domainId, serial);
  };

/**
 * LISTEN on ZONE_CHANNEL over a connection of its own (a pooled one would be handed to queries).
 * A lost connection is opened again after a second; the catch-up covers what it missed.
 */
function listenForChanges(
  url: string,
  onChange: (notification: ReturnType<typeof parseZoneNotification>) => void,
  log: Log,
): () => Promise<void> {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    const current = new pg.Client({ connectionString: url });
    client = current;
    current.on("notification", (message) => {
      if (message.channel !== ZONE_CHANNEL || !message.payload) return;
      onChange(parseZoneNotification(message.payload));
    });
    current.on("error", (error) => {
      log("dns: lost the zone change notifications; reconnecting", error);
      void current.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect(), 1000);
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${ZONE_CHANNEL}`);
    } catch (error) {
      log("dns: cannot listen for zone changes; retrying", error);
      void current.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect(), 1000);
    }
  };
  void connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

/**
 * The `dns` role: the authoritative server on MFD_DNS_LISTEN answering from memory, loaded with
 * every confirmed domain's zone at start and kept current (ZoneSync); each zone ZoneSync swaps in
 * or drops goes to the secondaries (MFD_DNS_SECONDARIES): kept for IXFR, and notified.
 */
export function dnsRole(serviceOf: (deps: Deps) => ZonesService | undefined): Role {
  return {
    name: "dns",
    description: "the authoritative DNS server of the hosted zones",
    start: async ({ deps, app }) => {
      const log: Log = (message, error) =>
        error === undefined ? app.log.warn(message) : app.log.error({ err: error }, message);
      const zones = new ZoneSet();
      const secondaries = createSecondaries({
        zones,
        secondaries: deps.config.dnsSecondaries,
        key: deps.config.dnsTsigKey,
        log: app.log,
      });
      const sync = new ZoneSync(deps, zones, log, secondaries.zoneChanged);
      const started = performance.now();
      const heapBefore = process.memoryUsage().heapUsed;
      await sync.loadAll();
      const loadMs = Math.round(performance.now() - started);
      const heapMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e6);
      const { host, port } = deps.config.dnsListen;
      const server = await startDnsServer({ zones, host, port, log, onTransfer: secondaries.onTransfer });
      // Answering now: a secondary told of every zone asks its SOA of us and transfers what changed
      // while no dns process ran.
      secondaries.zonesLoaded();
      const onChange = (domainId: string, change?: ZoneChange) =>
        void (change ? sync.apply(change) : sync.refresh(domainId));
      const service = serviceOf(deps);
      service?.changes.on("changed", onChange);
      const postgres = deps.database.dialect === "postgres";
      const unlisten = postgres
        ? listenForChanges(deps.config.databaseUrl, notified(sync, service), log)
        : null;
      let catching: Promise<void> | null = null;
      const timer = setInterval(
        () => {
          if (catching) return;
          catching = sync
            .catchUp()
            .catch((error) => log("dns: catch-up failed", error))
            .finally(() => {
              catching = null;
            });
        },
        postgres ? POSTGRES_CATCH_UP_MS : SQLITE_CATCH_UP_MS,
      );
      const { dnsSecondaries, dnsTsigKey } = deps.config;
      const transfers =
        dnsSecondaries.length === 0
          ? "no secondaries"
          : `transfers and NOTIFY to ${dnsSecondaries.map((s) => `${s.host}:${s.port}`).join(", ")}${dnsTsigKey ? ` signed with ${dnsTsigKey.name}` : " unsigned"}`;
      console.log(
        `mfd dns answering on ${host} UDP ${server.udpPort} TCP ${server.tcpPort}: ${zones.size} zones loaded in ${loadMs} ms (heap ${heapMb >= 0 ? "+" : ""}${heapMb} MB); ${transfers}`,
      );
      return {
        async stop() {
          clearInterval(timer);
          service?.changes.off("changed", onChange);
          await unlisten?.();
          await catching;
          await sync.close();
          await server.close();
          await secondaries.close();
          return [];
        },
      };
    },
  };
}
