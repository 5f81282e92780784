/** One resource record as served; names are lowercase ASCII FQDNs without the trailing dot. */
export interface ZoneRecord {
  name: string;
  type: RecordType;
  ttl: number;
  /** dns-packet's data for the type: a string for A/AAAA/CNAME/NS, `{ preference, exchange }` for MX, … */
  data: unknown;
}

export type RecordType = "SOA" | "NS" | "A" | "AAAA" | "CNAME" | "MX" | "TXT" | "SRV" | "CAA";

export interface Zone {
  origin: string;
  serial: number;
  records: ZoneRecord[];
  /** The TTL of the SOA in negative answers: min(SOA minimum, SOA TTL), RFC 2308 §3 (see `negativeTtlOf`). */
  negativeTtl: number;
}

/** SOA data as dns-packet encodes it. */
export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** RFC 2308 §3: a negative answer may be cached no longer than the SOA's minimum nor the SOA itself. */
export const negativeTtlOf = (soa: ZoneRecord): number => Math.min(soa.ttl, (soa.data as SoaData).minimum);

/** Lowercase, no trailing dot: the one spelling of a name used as a key everywhere in src/dns/. */
export const canonicalName = (name: string): string => {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
};

/** The name one label up, or undefined at the root. */
export const parentName = (name: string): string | undefined => {
  if (name === "") return undefined;
  const dot = name.indexOf(".");
  return dot === -1 ? "" : name.slice(dot + 1);
};

/** `name` equals `origin` or lies below it. */
export const isAtOrBelow = (name: string, origin: string): boolean =>
  origin === "" || name === origin || name.endsWith(`.${origin}`);

/** The RRsets at one owner name, by type. */
export type Node = ReadonlyMap<RecordType, readonly ZoneRecord[]>;

/**
 * A zone indexed for answering: built once when the zone is set, so a query costs a few map
 * lookups and no scan of the records.
 */
export interface IndexedZone {
  zone: Zone;
  soa: ZoneRecord | undefined;
  /** Owner names with their RRsets. */
  nodes: ReadonlyMap<string, Node>;
  /** Every name that exists (RFC 4592 §2.2.2): owner names and the empty non-terminals above them. */
  existing: ReadonlySet<string>;
  /** Zone cuts below the apex: names that own NS records (delegations). */
  cuts: ReadonlySet<string>;
}

export const indexZone = (zone: Zone): IndexedZone => {
  const origin = canonicalName(zone.origin);
  const nodes = new Map<string, Map<RecordType, ZoneRecord[]>>();
  const existing = new Set<string>([origin]);
  const cuts = new Set<string>();
  let soa: ZoneRecord | undefined;
  for (const record of zone.records) {
    const name = canonicalName(record.name);
    if (!isAtOrBelow(name, origin)) continue;
    const served = name === record.name ? record : { ...record, name };
    let node = nodes.get(name);
    if (!node) {
      node = new Map();
      nodes.set(name, node);
    }
    const rrset = node.get(served.type);
    if (rrset) rrset.push(served);
    else node.set(served.type, [served]);
    if (served.type === "SOA" && name === origin) soa = served;
    if (served.type === "NS" && name !== origin) cuts.add(name);
    for (let up: string | undefined = name; up !== undefined && up !== origin; up = parentName(up)) {
      if (existing.has(up)) break;
      existing.add(up);
    }
  }
  return { zone: { ...zone, origin }, soa, nodes, existing, cuts };
};

/** What the server answers from: the zones in memory, swapped whole per zone on change. */
export class ZoneSet {
  private readonly zones = new Map<string, IndexedZone>();

  /** Adds or replaces the zone at `zone.origin`; queries in flight keep the old one, new ones see this. */
  set(zone: Zone): void {
    const indexed = indexZone(zone);
    this.zones.set(indexed.zone.origin, indexed);
  }

  delete(origin: string): void {
    this.zones.delete(canonicalName(origin));
  }

  /** The zone with the longest origin that `qname` lies at or below. */
  find(qname: string): Zone | undefined {
    return this.findIndexed(qname)?.zone;
  }

  /** Like `find`, with the index the server answers from. */
  findIndexed(qname: string): IndexedZone | undefined {
    for (let name: string | undefined = canonicalName(qname); name !== undefined; name = parentName(name)) {
      const zone = this.zones.get(name);
      if (zone) return zone;
    }
    return undefined;
  }

  get(origin: string): Zone | undefined {
    return this.zones.get(canonicalName(origin))?.zone;
  }

  origins(): IterableIterator<string> {
    return this.zones.keys();
  }

  get size(): number {
    return this.zones.size;
  }
}
