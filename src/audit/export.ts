import type { Executor } from "../db/database.js";

/** One audit event as `mfd audit export` writes it: a JSON line, times in UTC ISO 8601. */
export interface ExportedEvent {
  id: string;
  at: string;
  actorType: string;
  actorId: string | null;
  accountId: string | null;
  action: string;
  domain: string | null;
  domainId: string | null;
  target: string | null;
  ip: string | null;
  details: unknown;
}

/** A domain name as the audit log stores it: lower case, no final dot. */
export const auditDomainName = (name: string): string => name.trim().toLowerCase().replace(/\.$/, "");

/**
 * Every audit event at or after `since` (ms), oldest first, optionally of one domain (by name, so
 * the events of every owner it had are included: this is the operator's view). Read in keyset
 * pages of `batch` by (at, id), so an export of any size holds one page in memory. With `domain`
 * the (domain, at) index serves it; without, the table is scanned from `since` on.
 */
export async function* exportAuditEvents(
  db: Executor,
  options: { since: number; domain?: string; batch?: number },
): AsyncGenerator<ExportedEvent> {
  const batch = options.batch ?? 1000;
  const domain = options.domain === undefined ? undefined : auditDomainName(options.domain);
  let after: { at: number; id: string } | null = null;
  for (;;) {
    const cursor: { at: number; id: string } | null = after;
    const rows = await db
      .selectFrom("auditEvents")
      .selectAll()
      .where("at", ">=", options.since)
      .$if(domain !== undefined, (qb) => qb.where("domain", "=", domain as string))
      .$if(cursor !== null, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb("at", ">", (cursor as { at: number }).at),
            eb.and([
              eb("at", "=", (cursor as { at: number }).at),
              eb("id", ">", (cursor as { id: string }).id),
            ]),
          ]),
        ),
      )
      .orderBy("at")
      .orderBy("id")
      .limit(batch)
      .execute();
    for (const row of rows) {
      yield {
        id: row.id,
        at: new Date(Number(row.at)).toISOString(),
        actorType: row.actorType,
        actorId: row.actorId,
        accountId: row.accountId,
        action: row.action,
        domain: row.domain,
        domainId: row.domainId,
        target: row.target,
        ip: row.ip,
        details: row.details === null ? null : parseDetails(row.details),
      };
    }
    const last = rows.at(-1);
    if (!last || rows.length < batch) return;
    after = { at: Number(last.at), id: last.id };
  }
}

function parseDetails(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `--since`: an ISO 8601 date or date-time (UTC unless it says otherwise), as ms; null if unreadable. */
export function parseSince(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return null;
  const trimmed = text.trim();
  // A bare date or a date-time without a zone is UTC (Date.parse would read the latter as local).
  const zoned = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) || !/[T ]/.test(trimmed) ? trimmed : `${trimmed}Z`;
  const ms = Date.parse(zoned.replace(" ", "T"));
  return Number.isNaN(ms) ? null : ms;
}
