import { parseZoneFile, type ZoneFileRecord } from "../dns/zonefile.js";

/** One line of a zone file the import leaves out, and why (an error code or a ZONE_FILE_* code). */
export interface SkippedLine {
  line: number;
  code: string;
  detail: string;
}

/** A record the zone already holds, as the records API lists it (data in presentation form). */
export interface ExistingRecord {
  fqdn: string;
  type: string;
  data: string;
}

/** What an import did (or, dry, would do). */
export interface ImportReport {
  added: number;
  unchanged: number;
  skipped: SkippedLine[];
}

export interface ImportPlan {
  /** Records to create, in file order; the records service may still refuse one (a CNAME conflict…). */
  toAdd: ZoneFileRecord[];
  unchanged: number;
  skipped: SkippedLine[];
}

/** The TTL an import uses when the file names none, as the records API does. */
export const IMPORT_DEFAULT_TTL = 3600;

const key = (name: string, type: string, data: string) => `${name} ${type} ${data}`;

/**
 * What importing `text` into the zone `origin` would do, before any write: the file's records
 * minus those the zone already has (same name, type and value; a different TTL alone is not a
 * change worth a second record), minus what stays mfd's — the SOA (its serial moves with every
 * change) and the apex NS set (MFD_NAME_SERVERS: a foreign NS at the apex would send resolvers
 * away from the servers that hold this zone). The import adds; it never deletes.
 */
export function planImport(origin: string, text: string, existing: readonly ExistingRecord[]): ImportPlan {
  const { records, problems } = parseZoneFile(text, { origin, defaultTtl: IMPORT_DEFAULT_TTL });
  const skipped: SkippedLine[] = problems.map(({ line, code, detail }) => ({ line, code, detail }));
  const have = new Set(existing.map((record) => key(record.fqdn, record.type, record.data)));
  const inFile = new Map<string, number>();
  const toAdd: ZoneFileRecord[] = [];
  let unchanged = 0;
  for (const record of records) {
    if (record.type === "SOA") {
      skipped.push({
        line: record.line,
        code: "RECORD_TYPE_NOT_ALLOWED",
        detail: "The SOA record is kept by mfd.",
      });
      continue;
    }
    if (record.type === "NS" && record.name === origin) {
      skipped.push({
        line: record.line,
        code: "RECORD_TYPE_NOT_ALLOWED",
        detail: "The NS records of the domain itself are mfd's name servers.",
      });
      continue;
    }
    const id = key(record.name, record.type, record.text);
    const earlier = inFile.get(id);
    if (earlier !== undefined) {
      skipped.push({
        line: record.line,
        code: "DUPLICATE_RECORD",
        detail: `The same record as on line ${earlier}.`,
      });
      continue;
    }
    inFile.set(id, record.line);
    if (have.has(id)) unchanged++;
    else toAdd.push(record);
  }
  skipped.sort((a, b) => a.line - b.line);
  return { toAdd, unchanged, skipped };
}
