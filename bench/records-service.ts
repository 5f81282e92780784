/**
 * The records write of bench/records-write.ts without HTTP: ZonesService.create called one after
 * another in this process, its change applied by a ZoneSync as the dns role wires it — what a
 * write costs in the zones capability, the access check, the audit row, the transaction and its
 * commit, and the zone served. On a busy machine the server's CPU per write swings by more than
 * a change to this path is worth (the request path's share moves with the load); this figure
 * moves less, so a change here is measured here (same-run before/after) and in records-write.
 *
 *   npx tsx bench/records-service.ts                                                     SQLite
 *   MFD_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/records-service.ts
 *
 * BENCH_WARMUP_WRITES (default 300) writes first, then BENCH_WRITES (default 1500) measured: the
 * zone grows from ≈ 300 to ≈ 1,800 records, as in records-write. Prints CPU per write (user +
 * system of this process, which is only the writer), its user share and wall time.
 */
import { readFileSync } from "node:fs";
import type { RequestContext } from "../src/access/actor.js";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { databaseOptions, openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { ZoneSet } from "../src/dns/zone.js";
import { systemClock } from "../src/lib/clock.js";
import { Outbox } from "../src/notify/outbox.js";
import { ZoneSync } from "../src/zones/dns.role.js";
import type { ZoneChange } from "../src/zones/zone-data.js";
import { benchDatabase, seedZoneOwner } from "./lib.js";

const WARMUP_WRITES = Number(process.env.BENCH_WARMUP_WRITES ?? 300);
const WRITES = Number(process.env.BENCH_WRITES ?? 1500);
const DOMAIN = "records-bench.org";
const NOW = Date.now();

const storage = await benchDatabase("records-service");
const config = loadConfig({ ...process.env, ...storage.env, MFD_SERVICE_DOMAIN: "mfd.bench", MFD_DEV: "1" });
const database = openDatabase(config.databaseUrl, databaseOptions(config));
try {
  await migrate(database);
  const deps = { config, database, clock: systemClock, outbox: new Outbox() };
  const ownerId = await seedZoneOwner(deps, DOMAIN, NOW);
  const { app, modules } = await buildApp(deps);
  const zones = new ZoneSet();
  const sync = new ZoneSync(deps, zones, (message, error) => console.error(message, error));
  await sync.loadAll();
  // As the dns role wires it; each write waits for its change to be served.
  let served: Promise<void> = Promise.resolve();
  modules.zones.changes.on("changed", (domainId: string, change?: ZoneChange) => {
    served = change ? sync.apply(change) : sync.refresh(domainId);
  });
  const ctx = (): RequestContext => ({
    actor: {
      kind: "account",
      accountId: ownerId,
      sessionId: "s",
      reauthAt: NOW,
      isSupportAgent: false,
    },
    ip: "127.0.0.1",
    userAgent: "bench",
    now: Date.now(),
  });
  let written = 0;
  const write = async () => {
    const i = written++;
    await modules.zones.create(ctx(), DOMAIN, {
      name: `host${i}`,
      type: "A",
      data: `198.51.100.${(i % 250) + 1}`,
    });
    await served;
  };
  while (written < WARMUP_WRITES) await write();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < WRITES; i++) await write();
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  console.log(
    JSON.stringify({
      database: database.dialect,
      writes: WRITES,
      recordsInZone: zones.get(DOMAIN)?.records.length,
      cpuUsPerWrite: Math.round((used.user + used.system) / WRITES),
      userUsPerWrite: Math.round(used.user / WRITES),
      wallUsPerWrite: Math.round((wallMs * 1000) / WRITES),
      loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
    }),
  );
  await app.close();
} finally {
  await database.destroy();
  await storage.remove();
}
