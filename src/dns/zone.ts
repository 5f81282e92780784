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
 * is a name with no RRsets. `prepared` is the answer cache of src/dns/answer.ts, filled lazily and
 * good only for the index `preparedFor` (its `version`): a node a change did not touch is shared
 * by the zone's versions (`reindexZone`), while an answer may depend on the whole zone (the SOA's
 * serial in a negative answer, additional addresses, a CNAME's target). A number, not the index
 * itself, so that a shared node keeps no old version alive.
 */
export interface Node {
  readonly rrsets: ReadonlyArray<readonly ZoneRecord[]>;
  prepared?: unknown[];
  preparedFor?: number;
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
  /** Tells this index apart from every other, for the answers cached on shared nodes (Node). */
  version: number;
}

let versions = 0;

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
  return { zone: { ...zone, origin }, soa, nodes, cuts: cuts ?? NO_CUTS, version: ++versions };
};

/** Whether some name of `nodes` lies below `name`. */
const hasBelow = (nodes: ReadonlyMap<string, Node>, name: string): boolean => {
  const suffix = `.${name}`;
  for (const key of nodes.keys()) if (key.endsWith(suffix)) return true;
  return false;
};

/**
 * `indexZone(zone)` made from the index of the version before it and what changed — `removed`,
 * records of `previous.zone.records`, and `added`, records of `zone.records` — in time of the
 * change rather than of the zone: `previous`'s map of names is taken over and changed in place
 * (copying it would cost ≈ 90 µs per 1,000 names, as much as indexing anew), so `previous` is
 * not to be used afterwards; the ZoneSet, which alone holds it, answers from an index at once and
 * keeps none across a change. Touched names get new nodes, the others keep theirs (and their
 * cached answers, which `version` sets aside). Answers from it are those from `indexZone(zone)`;
 * only the order of a node's RRsets may differ, which no answer depends on. A removed record the
 * index does not hold (`previous` is not what the change was made on) has the zone indexed whole,
 * `previous` untouched.
 */
export const reindexZone = (
  previous: IndexedZone,
  zone: Zone,
  removed: readonly ZoneRecord[],
  added: readonly ZoneRecord[],
): IndexedZone => {
  const origin = previous.zone.origin;
  const nodes = previous.nodes as Map<string, Node>;
  // The RRsets of each touched name, copied, with their types: an emptied RRset keeps its place
  // until the end, so a record replaced (the SOA, an update) keeps its RRset's place in the node.
  const touched = new Map<string, Array<{ type: RecordType; records: ZoneRecord[] }>>();
  const rrsetsAt = (name: string) => {
    let rrsets = touched.get(name);
    // Nothing in `nodes` changes before every removed record was found.
    if (!rrsets) {
      rrsets =
        nodes.get(name)?.rrsets.map((rrset) => ({
          type: (rrset[0] as ZoneRecord).type,
          records: rrset.slice(),
        })) ?? [];
      touched.set(name, rrsets);
    }
    return rrsets;
  };
  let soa = previous.soa;
  let cutsMoved = false;
  for (const record of removed) {
    const name = canonicalName(record.name);
    if (!isAtOrBelow(name, origin)) continue;
    const rrset = rrsetsAt(name).find((r) => r.type === record.type)?.records;
    // The index holds the record itself — unless its name was not canonical (indexZone served a
    // copy), which a stored zone's never are: then, as when it is not there, the zone is indexed
    // whole. Not an equal record: of two equal ones the other may come first in the RRset.
    const at = rrset?.indexOf(record) ?? -1;
    if (rrset === undefined || at === -1) return indexZone(zone);
    if (rrset[at] === soa) soa = undefined;
    rrset.splice(at, 1);
    if (record.type === "NS" && name !== origin) cutsMoved = true;
  }
  for (const record of added) {
    const name = canonicalName(record.name);
    if (!isAtOrBelow(name, origin)) continue;
    const rrsets = rrsetsAt(name);
    const first = rrsets.find((r) => r.records.length > 0)?.records[0];
    // One copy of the name's string per name, as indexZone keeps it.
    if (first !== undefined && name === record.name) record.name = first.name;
    const served = name === record.name ? record : { ...record, name };
    const rrset = rrsets.find((r) => r.type === served.type);
    if (rrset) rrset.records.push(served);
    else rrsets.push({ type: served.type, records: [served] });
    if (served.type === "SOA" && name === origin) soa = served;
    if (served.type === "NS" && name !== origin) cutsMoved = true;
  }
  const EMPTY: ZoneRecord[][] = [];
  const emptied: string[] = [];
  for (const [name, rrsets] of touched) {
    // Exact sizes, as indexZone leaves them.
    const kept = rrsets.filter((rrset) => rrset.records.length > 0).map((rrset) => rrset.records.slice());
    if (kept.length > 0 || name === origin) {
      nodes.set(name, { rrsets: kept.length > 0 ? kept : EMPTY });
      // The names above it up to the apex exist too (as indexZone makes them).
      for (
        let up = name === origin ? undefined : parentName(name);
        up !== undefined && up !== origin && !nodes.has(up);
        up = parentName(up)
      )
        nodes.set(up, { rrsets: EMPTY });
    } else emptied.push(name);
  }
  // A name left without records stays only as an empty non-terminal (a name below it exists), and
  // the empty non-terminals above it only while they still have a name below them. Deepest first:
  // a name's turn comes after every emptied name below it.
  emptied.sort((a, b) => b.length - a.length);
  for (const name of emptied) {
    if (hasBelow(nodes, name)) {
      nodes.set(name, { rrsets: EMPTY });
      continue;
    }
    nodes.delete(name);
    for (let up = parentName(name); up !== undefined && up !== origin; up = parentName(up)) {
      const node = nodes.get(up);
      if (!node || node.rrsets.length > 0 || hasBelow(nodes, up)) break;
      nodes.delete(up);
    }
  }
  let cuts = previous.cuts;
  if (cutsMoved) {
    const moved = new Set(cuts);
    for (const name of touched.keys())
      if (name !== origin && rrsetOf(nodes.get(name), "NS")) moved.add(name);
      else moved.delete(name);
    cuts = moved.size > 0 ? moved : NO_CUTS;
  }
  return { zone: { ...zone, origin }, soa, nodes, cuts, version: ++versions };
};

/** What made one version of a zone out of the one before (ZoneSet.set). */
export interface ZoneDelta {
  previous: Zone;
  removed: readonly ZoneRecord[];
  added: readonly ZoneRecord[];
}

/** What the server answers from: the zones in memory, per zone replaced whole or changed in place (`set`). */
export class ZoneSet {
  private readonly zones = new Map<string, IndexedZone>();

  /**
   * Adds or replaces the zone at `zone.origin`: queries answered from now on see it. With `change`
   * — `zone` is `change.previous` (the zone `get` gave) with `removed` (its records) taken out and
   * `added` (records of `zone`) put in — the index served is changed in time of the change
   * (reindexZone) rather than of the zone, when the zone served is still `change.previous`. An
   * index `findIndexed` gives is therefore for answering at once (every answer is made in one go,
   * src/dns/server.ts), not for keeping.
   */
  set(zone: Zone, change?: ZoneDelta): void {
    const origin = canonicalName(zone.origin);
    const current = change && this.zones.get(origin);
    const indexed =
      current && current.zone === change.previous
        ? reindexZone(current, zone, change.removed, change.added)
        : indexZone(zone);
    this.zones.set(origin, indexed);
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
