/**
 * Issue 10 figure: time and memory for the `dns` role to load 10,000 zones of ≈ 20 records each
 * at start (loadAllZones + ZoneSet.set, what src/zones/dns.role.ts does before answering).
 *
 *   node --expose-gc --import tsx bench/zones-load.ts                                   SQLite
 *   MFD_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres node --expose-gc --import tsx bench/zones-load.ts
 *
 * BENCH_ZONES (default 10000). Zones and records are written straight to the database.
 */
import { AccountsService } from "../src/accounts/accounts.service.js";
import { SessionsService } from "../src/accounts/sessions.service.js";
import { loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { type Zone, ZoneSet } from "../src/dns/zone.js";
import { systemClock } from "../src/lib/clock.js";
import { Outbox } from "../src/notify/outbox.js";
import { loadAllZones } from "../src/zones/zone-data.js";
import { benchDatabase, seedHostedZones } from "./lib.js";

const ZONES = Number(process.env.BENCH_ZONES ?? 10_000);
const NOW = Date.now();
const storage = await benchDatabase("zones");
const config = loadConfig({ ...process.env, ...storage.env, MFD_SERVICE_DOMAIN: "mfd.bench" });
const database = openDatabase(config.databaseUrl);
await migrate(database);
const deps = { config, database, clock: systemClock, outbox: new Outbox() };
const ctx = { actor: { kind: "visitor" as const }, ip: "127.0.0.1", userAgent: null, now: NOW };
const owner = await new AccountsService(deps, new SessionsService(deps)).register(ctx, {
  login: "zoneowner",
  password: "bench owner passphrase 2026",
  firstName: "Zone",
  lastName: "Owner",
});

const DKIM = `"v=DKIM1; k=rsa; p=${"A".repeat(250)}" "${"B".repeat(142)}"`;
function recordsOf(origin: string): Array<[string, string, string]> {
  const rows: Array<[string, string, string]> = [
    [origin, "NS", "ns1.mfd.bench."],
    [origin, "NS", "ns2.mfd.bench."],
    [origin, "MX", "10 mx.mfd.bench."],
    [origin, "TXT", '"v=spf1 mx -all"'],
    [`_dmarc.${origin}`, "TXT", '"v=DMARC1; p=none"'],
    [`mfd202612._domainkey.${origin}`, "TXT", DKIM],
    [origin, "A", "192.0.2.1"],
    [origin, "AAAA", "2001:db8::1"],
    [`www.${origin}`, "CNAME", `${origin}.`],
  ];
  for (let i = 0; rows.length < 20; i++) rows.push([`host${i}.${origin}`, "A", `198.51.100.${i + 1}`]);
  return rows;
}

const seedStart = performance.now();
const origins = Array.from({ length: ZONES }, (_, i) => `zone${i}.org`);
await seedHostedZones(database.db, owner.accountId, origins, recordsOf, NOW);
const seedMs = Math.round(performance.now() - seedStart);

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
const zones = new ZoneSet();
for (const zone of (await loadAllZones(database.db, config)).values()) zones.set(zone as Zone);
const loadMs = Math.round(performance.now() - started);
gc?.();
const heapMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e6);
console.log(
  JSON.stringify({
    dialect: storage.dialect,
    zones: zones.size,
    recordsPerZone: 20,
    seedMs,
    loadMs,
    heapMb,
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
    gc: Boolean(gc),
  }),
);
await database.destroy();
await storage.remove();
