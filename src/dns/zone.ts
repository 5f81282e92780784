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

/**
 * The RRsets at one owner name, a handful at most: an array scanned by type costs less memory than
 * a Map per name (10,000 zones hold some 150,000 names) and no more time. An empty non-terminal
 * is a name with no RRsets. `prepared` is the answer cache of src/dns/answer.ts, filled lazily.
 */
export interface Node {
  readonly rrsets: ReadonlyArray<readonly ZoneRecord[]>;
  prepared?: unknown[];
}

/** The RRset of `type` at `node`, if any. */
export const rrsetOf = (node: Node | undefined, type: RecordType): readonly ZoneRecord[] | undefined => {
  if (!node) return undefined;
  for (const rrset of node.rrsets) if ((rrset[0] as ZoneRecord).type === type) return rrset;
  return undefined;
};

const NO_CUTS: ReadonlySet<string> = new Set();

/**
 * A zone indexed for answering: built once when the zone is set, so a query costs a few map
 * lookups and no scan of the records.
 */
export interface IndexedZone {
  zone: Zone;
  soa: ZoneRecord | undefined;
  /**
   * Every name that exists (RFC 4592 §2.2.2) with its RRsets: owner names, and the empty
   * non-terminals above them (no RRsets).
   */
  nodes: ReadonlyMap<string, Node>;
  /** Zone cuts below the apex: names that own NS records (delegations). */
  cuts: ReadonlySet<string>;
}

export const indexZone = (zone: Zone): IndexedZone => {
  const origin = canonicalName(zone.origin);
  const nodes = new Map<string, { rrsets: ZoneRecord[][] }>([[origin, { rrsets: [] }]]);
  let cuts: Set<string> | undefined;
  let soa: ZoneRecord | undefined;
  for (const record of zone.records) {
    const name = canonicalName(record.name);
    if (!isAtOrBelow(name, origin)) continue;
    let node = nodes.get(name);
    if (!node) {
      node = { rrsets: [] };
      nodes.set(name, node);
      for (
        let up = parentName(name);
        up !== undefined && up !== origin && !nodes.has(up);
        up = parentName(up)
      )
        nodes.set(up, { rrsets: [] });
    }
    const first = node.rrsets[0]?.[0];
    // Every record at a name holds the same string (equal already): one copy per name, not per record.
    if (first !== undefined && name === record.name) record.name = first.name;
    const served = name === record.name ? record : { ...record, name };
    const rrset = node.rrsets.find((r) => (r[0] as ZoneRecord).type === served.type);
    if (rrset) rrset.push(served);
    else node.rrsets.push([served]);
    if (served.type === "SOA" && name === origin) soa = served;
    if (served.type === "NS" && name !== origin) {
      if (!cuts) cuts = new Set();
      cuts.add(name);
    }
  }
  // Arrays grown by push keep spare room (17 slots for one RRset): copied to their exact size,
  // which for 10,000 zones is tens of megabytes less.
  const EMPTY: ZoneRecord[][] = [];
  for (const node of nodes.values())
    node.rrsets = node.rrsets.length === 0 ? EMPTY : node.rrsets.map((rrset) => rrset.slice());
  return { zone: { ...zone, origin }, soa, nodes, cuts: cuts ?? NO_CUTS };
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
    return this.findCanonical(canonicalName(qname));
  }

  /** Like `findIndexed`, for a name already lowercase without the trailing dot (a parsed query's). */
  findCanonical(qname: string): IndexedZone | undefined {
    for (let name: string | undefined = qname; name !== undefined; name = parentName(name)) {
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
