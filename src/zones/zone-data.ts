import type { Config } from "../config.js";
import type { Executor } from "../db/database.js";
import { preparedQuery } from "../db/prepared.js";
import { parseRdata, printRdata, RDATA_TYPES, type RdataType, type SoaData } from "../dns/rdata.js";

/** Records' TTL bounds and default, in seconds: a minute to a week, an hour unless said. */
export const TTL_MIN = 60;
export const TTL_MAX = 604_800;
export const DEFAULT_TTL = 3600;

/** The SOA's timers (RFC 1912 §2.2 ranges); `minimum` is the negative-caching TTL (RFC 2308). */
const SOA_TIMERS = { refresh: 3600, retry: 600, expire: 1_209_600, minimum: 300 };
export const SOA_TTL = 3600;

/**
 * The next SOA serial: the unix time in seconds, or one more than the last when that is not
 * larger (several changes within a second). Monotonic without a per-day counter that could run
 * out (YYYYMMDDnn allows 100 changes a day), and 32 bits hold it until 2106 (RFC 1982 arithmetic).
 */
export const nextSerial = (previous: number, nowMs: number): number =>
  Math.max(previous + 1, Math.floor(nowMs / 1000));

/** One record as the DNS server serves it: dns-packet's data, names lowercase without the dot. */
export interface ServedRecord {
  name: string;
  type: RdataType;
  ttl: number;
  data: unknown;
}

/** A zone as the DNS server answers from it (src/dns/zone.ts's Zone). */
export interface ServedZone {
  origin: string;
  serial: number;
  records: ServedRecord[];
  negativeTtl: number;
}

/** One contact string for every zone's SOA, not a copy per zone. */
const contacts = new WeakMap<Config, string>();

/** The SOA of a hosted zone: primary the first of MFD_NAME_SERVERS, contact hostmaster@<service domain>. */
export function soaOf(config: Config, serial: number): SoaData {
  let rname = contacts.get(config);
  if (rname === undefined) {
    rname = `hostmaster.${config.serviceDomain}`;
    contacts.set(config, rname);
  }
  return {
    mname: config.nameServers[0] as string,
    rname,
    serial,
    ...SOA_TIMERS,
  };
}

/** The one string of each type, instead of a copy per row read from the database. */
const TYPES = new Map<string, RdataType>(RDATA_TYPES.map((type) => [type, type]));

/** A record as the database holds it: the FQDN without the dot, the type, the TTL, the data as printed. */
export interface StoredRecord {
  name: string;
  type: string;
  ttl: number;
  data: string;
}

/**
 * What one committed change did to a zone (ZonesService tells it after the commit): the dns role
 * of the same process applies it to the zone it serves instead of reading the zone again, when
 * that zone is the version the change was made on (`previousSerial`).
 */
export interface ZoneChange {
  domainId: string;
  previousSerial: number;
  serial: number;
  removed: StoredRecord[];
  added: StoredRecord[];
}

/** A zone from its stored rows; a stored text that no longer parses is left out rather than served wrong. */
export function servedZone(
  config: Config,
  origin: string,
  serial: number,
  rows: readonly StoredRecord[],
  onBadRecord: (row: StoredRecord) => void = () => {},
): ServedZone {
  // Sized once: an array grown by push keeps room for more than it holds, for as long as the zone is served.
  const records = new Array<ServedRecord>(rows.length + 1);
  records[0] = { name: origin, type: "SOA", ttl: SOA_TTL, data: soaOf(config, serial) };
  let count = 1;
  for (const row of rows) {
    const type = TYPES.get(row.type);
    const parsed = type && parseRdata(type, row.data, origin);
    if (type && parsed?.ok) records[count++] = { name: row.name, type, ttl: row.ttl, data: parsed.data };
    else onBadRecord(row);
  }
  records.length = count;
  return { origin, serial, records, negativeTtl: Math.min(SOA_TTL, SOA_TIMERS.minimum) };
}

/**
 * A zone's origin, serial and records in one statement, so that they are of one moment: read in
 * two, a change committed between them would be served under the serial before it, and applied a
 * second time when its own event arrives (ZoneSync.apply). A zone without records is one row of
 * nulls. Prepared: run after every change.
 */
const zoneWithRecords = preparedQuery((db, p: { domainIds: readonly string[] }) =>
  db
    .selectFrom("zones")
    .innerJoin("domains", "domains.id", "zones.domainId")
    .leftJoin("dnsRecords", "dnsRecords.domainId", "zones.domainId")
    .select([
      "zones.domainId",
      "domains.name as origin",
      "zones.serial",
      "dnsRecords.name",
      "dnsRecords.type",
      "dnsRecords.ttl",
      "dnsRecords.data",
    ])
    .where("zones.domainId", "in", p.domainIds),
);

type ZoneRow = Awaited<ReturnType<typeof zoneWithRecords.all>>[number];

/** The zones of `rows` (zoneWithRecords), by domain id. */
function zonesOfRows(
  config: Config,
  rows: readonly ZoneRow[],
  onBadRecord?: (row: StoredRecord) => void,
): Map<string, ServedZone> {
  const byDomain = new Map<string, { origin: string; serial: number; records: StoredRecord[] }>();
  // A row per record, each with its zone's origin and serial.
  for (const row of rows) {
    let zone = byDomain.get(row.domainId);
    if (!zone) {
      zone = { origin: row.origin, serial: Number(row.serial), records: [] };
      byDomain.set(row.domainId, zone);
    }
    if (row.name !== null && row.type !== null && row.ttl !== null && row.data !== null)
      zone.records.push({ name: row.name, type: row.type, ttl: row.ttl, data: row.data });
  }
  const zones = new Map<string, ServedZone>();
  for (const [domainId, zone] of byDomain)
    zones.set(domainId, servedZone(config, zone.origin, zone.serial, zone.records, onBadRecord));
  return zones;
}

/** One confirmed domain's zone, or undefined when it has none (never confirmed, or disconnected). */
export async function loadZone(
  db: Executor,
  config: Config,
  domainId: string,
): Promise<ServedZone | undefined> {
  const rows = await zoneWithRecords.all(db, { domainIds: [domainId] });
  return zonesOfRows(config, rows).get(domainId);
}

/**
 * `zone` with `change` made to it — what loadZone would read after the change, without reading
 * or parsing the zone's other records again — or undefined when the change cannot be applied
 * here (a removed record not served, an added one that does not parse): the caller reads the zone.
 * The served records are shared with `zone`, which nothing changes; `removed` (records of `zone`,
 * the old SOA first) and `added` (of the new zone, its SOA first) say what differs, so that the
 * zone's index can be changed as well rather than made again (ZoneSet.set).
 */
export function changedZone(
  config: Config,
  zone: ServedZone,
  change: ZoneChange,
): { zone: ServedZone; removed: ServedRecord[]; added: ServedRecord[] } | undefined {
  const { origin } = zone;
  // The SOA and every removed record go, the others keep their order; each removed one must be
  // found, or the zone is not what the change was made on.
  const gone = new Set<number>();
  const soa = zone.records.findIndex((record) => record.type === "SOA" && record.name === origin);
  if (soa === -1) return undefined;
  gone.add(soa);
  for (const row of change.removed) {
    const type = TYPES.get(row.type);
    if (!type) return undefined;
    const index = zone.records.findIndex(
      (record, i) =>
        !gone.has(i) &&
        record.name === row.name &&
        record.type === type &&
        record.ttl === row.ttl &&
        printRdata(type, record.data as never) === row.data,
    );
    if (index === -1) return undefined;
    gone.add(index);
  }
  const { records: before } = zone;
  const soaRecord: ServedRecord = {
    name: origin,
    type: "SOA",
    ttl: SOA_TTL,
    data: soaOf(config, change.serial),
  };
  const fresh: ServedRecord[] = [];
  for (const row of change.added) {
    const type = TYPES.get(row.type);
    const parsed = type && parseRdata(type, row.data, origin);
    if (!type || !parsed?.ok) return undefined;
    fresh.push({ name: row.name, type, ttl: row.ttl, data: parsed.data });
  }
  // One block copy with the new records at the end, then the removed ones cut out: copied one by
  // one, a zone of 5,000 records cost some 170k instructions a change (a tenth of a write), and a
  // copy then grown by a push copied it all a second time.
  const records = before.concat(fresh);
  const goneInOrder = [...gone].sort((a, b) => a - b);
  // From the last, so that each index still points at its record; the SOA's place at the front,
  // where the stored zone keeps it, is taken by the new one.
  for (let k = goneInOrder.length - 1; k >= 0; k--) {
    const i = goneInOrder[k] as number;
    if (i === 0 && soa === 0) records[0] = soaRecord;
    else records.splice(i, 1);
  }
  if (soa !== 0) records.unshift(soaRecord);
  const removed = goneInOrder.map((i) => before[i] as ServedRecord);
  return {
    zone: { origin, serial: change.serial, records, negativeTtl: zone.negativeTtl },
    removed,
    added: [soaRecord, ...fresh],
  };
}

/** Domains whose records are read in one query at start: bounds the rows held at once. */
const LOAD_BATCH = 500;

/**
 * Every hosted zone, for a DNS server starting: one query for the zones' ids, then 500 zones at a
 * time with their records (each zone of one moment, as loadZone reads it), so that only a batch
 * of rows (not all 200,000 of 10,000 zones) is in memory beside the zones being built — the peak of that start is most of the process's resident memory
 * afterwards. Only zones of rows in `domains` exist — a confirmed domain's — so an unconfirmed
 * claim's name is never served.
 */
export async function loadAllZones(
  db: Executor,
  config: Config,
  onBadRecord?: (row: StoredRecord) => void,
): Promise<Map<string, ServedZone>> {
  const ids = await db.selectFrom("zones").select("domainId").execute();
  const result = new Map<string, ServedZone>();
  for (let first = 0; first < ids.length; first += LOAD_BATCH) {
    const domainIds = ids.slice(first, first + LOAD_BATCH).map((row) => row.domainId);
    // A zone gone meanwhile is not among them.
    const rows = await zoneWithRecords.all(db, { domainIds });
    for (const [domainId, zone] of zonesOfRows(config, rows, onBadRecord)) result.set(domainId, zone);
  }
  return result;
}
