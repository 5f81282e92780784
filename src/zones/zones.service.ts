import { EventEmitter } from "node:events";
import type { Static } from "@sinclair/typebox";
import { sql } from "kysely";
import type { RequestContext } from "../access/actor.js";
import { authorizeDomain, authorizeDomainHeld, type DomainGrant } from "../access/domain-access.js";
import { recordEvent } from "../audit/audit.service.js";
import type { Executor } from "../db/database.js";
import { preparedQuery } from "../db/prepared.js";
import type { DnsRecordsTable } from "../db/schema.js";
import { inDomainTransaction, isUniqueViolation, type RowLocks } from "../db/transactions.js";
import type { Deps } from "../deps.js";
import { parseRdata, printRdata, type RdataType, relativeName, resolveName } from "../dns/rdata.js";
import { lookupName } from "../lib/domain-names.js";
import { AppError } from "../lib/errors.js";
import { newId } from "../lib/random.js";
import { sealSecret } from "../lib/secret-box.js";
import { DkimKeySource, dkimRecordText, dkimSelector } from "./dkim.js";
import {
  DEFAULT_TTL,
  nextSerial,
  type StoredRecord,
  TTL_MAX,
  TTL_MIN,
  type ZoneChange,
} from "./zone-data.js";
import { type ImportReport, planImport } from "./zonefile.plan.js";
import type { CreateRecordBody, DnsRecord, UpdateRecordBody } from "./zones.schemas.js";

export type DnsRecordView = Static<typeof DnsRecord>;
type RecordRow = Pick<DnsRecordsTable, "id" | "name" | "type" | "ttl" | "data">;

/**
 * The PostgreSQL channel a zone change is announced on; the payload is the domain's id, followed
 * by a space and the zone's new serial when there is one (not for a zone deleted), so that a dns
 * role already serving that serial reads nothing again — and, for a record change, by a space and
 * the `notifier` of the ZonesService that made it: that service tells the dns role of its own
 * process in-process (`changes`), with what changed.
 */
export const ZONE_CHANNEL = "mfd_zone_changed";

/** The payload of a ZONE_CHANNEL notification: the domain's id, the serial and the notifier if it names them. */
export function parseZoneNotification(payload: string): {
  domainId: string;
  serial: number | null;
  notifier: string | null;
} {
  const [domainId = "", serialText, notifier] = payload.split(" ");
  const serial = serialText === undefined ? Number.NaN : Number(serialText);
  return { domainId, serial: Number.isSafeInteger(serial) ? serial : null, notifier: notifier ?? null };
}

// The statements of a record change (src/db/prepared.ts: built once, not per write).
const recordsAtName = preparedQuery((db, p: { domainId: string; name: string }) =>
  db
    .selectFrom("dnsRecords")
    .select(["id", "type", "data"])
    .where("domainId", "=", p.domainId)
    .where("name", "=", p.name),
);
const otherRecordsAtName = preparedQuery((db, p: { domainId: string; name: string; exceptId: string }) =>
  db
    .selectFrom("dnsRecords")
    .select(["id", "type", "data"])
    .where("domainId", "=", p.domainId)
    .where("name", "=", p.name)
    .where("id", "!=", p.exceptId),
);
const recordById = preparedQuery((db, p: { domainId: string; id: string }) =>
  db
    .selectFrom("dnsRecords")
    .select(["id", "name", "type", "ttl", "data"])
    .where("domainId", "=", p.domainId)
    .where("id", "=", p.id),
);
const insertRecord = preparedQuery(
  (
    db,
    p: { id: string; domainId: string; name: string; type: string; ttl: number; data: string; now: number },
  ) =>
    db.insertInto("dnsRecords").values({
      id: p.id,
      domainId: p.domainId,
      name: p.name,
      type: p.type,
      ttl: p.ttl,
      data: p.data,
      createdAt: p.now,
      updatedAt: p.now,
    }),
);
const updateRecord = preparedQuery(
  (db, p: { id: string; name: string; ttl: number; data: string; now: number }) =>
    db
      .updateTable("dnsRecords")
      .set({ name: p.name, ttl: p.ttl, data: p.data, updatedAt: p.now })
      .where("id", "=", p.id),
);
const deleteRecord = preparedQuery((db, p: { id: string }) =>
  db.deleteFrom("dnsRecords").where("id", "=", p.id),
);
/** SQLite: the serial, read and then written in the transaction that holds the database (BEGIN IMMEDIATE). */
const zoneSerial = preparedQuery((db, p: { domainId: string }) =>
  db.selectFrom("zones").select("serial").where("domainId", "=", p.domainId),
);
const setZoneSerial = preparedQuery((db, p: { domainId: string; serial: number; now: number }) =>
  db.updateTable("zones").set({ serial: p.serial, updatedAt: p.now }).where("domainId", "=", p.domainId),
);
/**
 * PostgreSQL: one statement takes the zone row (waiting for a concurrent change, then reading its
 * serial), moves the serial on (nextSerial in SQL), announces the new one on ZONE_CHANNEL (sent at
 * commit, as `announce` does) and returns it with the one it replaced: one round trip of a
 * write's ten fewer.
 */
const bumpSerialPostgres = preparedQuery(
  (db, p: { domainId: string; seconds: number; now: number; notifier: string }) => ({
    compile: () =>
      sql<{ previous: number; serial: number }>`
      with old as (select serial from zones where domain_id = ${p.domainId} for update),
      bumped as (
        update zones set serial = greatest(old.serial + 1, ${p.seconds}), updated_at = ${p.now}
        from old where zones.domain_id = ${p.domainId}
        returning zones.domain_id, old.serial as previous, zones.serial
      )
      select previous, serial, pg_notify(${ZONE_CHANNEL}, domain_id || ' ' || serial || ' ' || ${p.notifier}) as notified
      from bumped`.compile(db),
  }),
);
const notifyZone = preparedQuery((db, p: { payload: string }) => ({
  compile: () => sql`select pg_notify(${ZONE_CHANNEL}, ${p.payload})`.compile(db),
}));

/** What a change's work did to the zone's records, for the dns role (ZoneChange). */
interface ChangeLog {
  removed: StoredRecord[];
  added: StoredRecord[];
}

/**
 * A confirmed domain's DNS zone and its records (docs/ARCHITECTURE.md: the zones capability).
 * Reads need `dns:read`, changes `dns:write` (`authorizeDomain`: the owner; a deputy only with DNS
 * granted while the domain is delegated to us; tokens with the permission). Each change is one
 * transaction holding the zone row: the record, the SOA serial, the zone's `updatedAt` and the
 * audit event commit together, and on PostgreSQL a NOTIFY on ZONE_CHANNEL goes out at that commit.
 */
export class ZonesService {
  /**
   * `changed` with a domain id after a change committed in this process (the dns role listens),
   * and with the ZoneChange when the change is known record by record.
   */
  readonly changes = new EventEmitter();
  /**
   * Names this service in the PostgreSQL notifications of its record changes (ZONE_CHANNEL): the
   * dns role of the same process skips them, as `changes` tells it of the same change with what
   * it did — a notification arriving first had it read the whole zone, which under concurrent
   * writes became a backlog of whole-zone reads.
   */
  readonly notifier = newId();
  private readonly dkimKeys = new DkimKeySource();

  constructor(private readonly deps: Deps) {}

  private get db() {
    return this.deps.database.db;
  }

  async list(ctx: RequestContext, domain: string): Promise<DnsRecordView[]> {
    const grant = await authorizeDomain(this.db, ctx.actor, domain, "dns:read");
    const rows = await this.db
      .selectFrom("dnsRecords")
      .select(["id", "name", "type", "ttl", "data"])
      .where("domainId", "=", grant.domainId)
      .orderBy("name")
      .orderBy("type")
      .orderBy("id")
      .execute();
    return rows.map((row) => this.view(grant.name, row));
  }

  async create(
    ctx: RequestContext,
    domain: string,
    input: Static<typeof CreateRecordBody>,
  ): Promise<DnsRecordView> {
    return this.changing(ctx, domain, async (tx, grant, log) => {
      const record = this.checked(grant.name, input.type, input.name, input.ttl ?? DEFAULT_TTL, input.data);
      await this.checkAgainstOthers(tx, grant, record, null);
      const row = { id: newId(), ...record };
      await insertRecord.run(tx, { ...row, domainId: grant.domainId, now: ctx.now });
      log.added.push(record);
      await this.audit(tx, ctx, grant, "dns.record.create", row);
      return this.view(grant.name, row);
    });
  }

  async update(
    ctx: RequestContext,
    domain: string,
    id: string,
    input: Static<typeof UpdateRecordBody>,
  ): Promise<DnsRecordView> {
    return this.changing(ctx, domain, async (tx, grant, log) => {
      const current = await this.find(tx, grant, id);
      const record = this.checked(
        grant.name,
        current.type as RdataType,
        input.name ?? relativeName(current.name, grant.name),
        input.ttl ?? current.ttl,
        input.data ?? current.data,
      );
      await this.checkAgainstOthers(tx, grant, record, id);
      await updateRecord.run(tx, { id, name: record.name, ttl: record.ttl, data: record.data, now: ctx.now });
      log.removed.push(current);
      log.added.push(record);
      const row = { id, ...record };
      await this.audit(tx, ctx, grant, "dns.record.update", row, {
        was: { name: current.name, ttl: current.ttl, data: current.data },
      });
      return this.view(grant.name, row);
    });
  }

  async remove(ctx: RequestContext, domain: string, id: string): Promise<void> {
    await this.changing(ctx, domain, async (tx, grant, log) => {
      const current = await this.find(tx, grant, id);
      await deleteRecord.run(tx, { id });
      log.removed.push(current);
      await this.audit(tx, ctx, grant, "dns.record.delete", current);
    });
  }

  /** The zone's serial and records for an export (src/zones/zonefile.routes.ts); data as stored. */
  async exportRecords(
    ctx: RequestContext,
    domain: string,
  ): Promise<{
    origin: string;
    serial: number;
    records: Array<{ name: string; type: string; ttl: number; data: string }>;
  }> {
    const grant = await authorizeDomain(this.db, ctx.actor, domain, "dns:read");
    const zone = await this.db
      .selectFrom("zones")
      .select("serial")
      .where("domainId", "=", grant.domainId)
      .executeTakeFirst();
    const records = await this.db
      .selectFrom("dnsRecords")
      .select(["name", "type", "ttl", "data"])
      .where("domainId", "=", grant.domainId)
      .execute();
    return { origin: grant.name, serial: Number(zone?.serial ?? 0), records };
  }

  /**
   * A zone-file import (src/zones/zonefile.plan.ts) as one change: each planned record is checked
   * and written as `create` does, a refused one is reported with its line instead of failing the
   * rest. A dry run, or an import that adds nothing, is rolled back: the serial stays.
   */
  async importZoneFile(
    ctx: RequestContext,
    domain: string,
    text: string,
    dryRun: boolean,
  ): Promise<ImportReport> {
    let report: ImportReport | null = null;
    const rollBack = new Error("roll back");
    try {
      await this.changing(ctx, domain, async (tx, grant, log) => {
        const existing = await tx
          .selectFrom("dnsRecords")
          .select(["name as fqdn", "type", "data"])
          .where("domainId", "=", grant.domainId)
          .execute();
        const plan = planImport(grant.name, text, existing);
        const skipped = [...plan.skipped];
        let added = 0;
        for (const planned of plan.toAdd) {
          try {
            const record = this.checked(
              grant.name,
              planned.type,
              `${planned.name}.`,
              planned.ttl,
              planned.text,
            );
            await this.checkAgainstOthers(tx, grant, record, null);
            const row = { id: newId(), ...record };
            await insertRecord.run(tx, { ...row, domainId: grant.domainId, now: ctx.now });
            log.added.push(record);
            await this.audit(tx, ctx, grant, "dns.record.create", row, { imported: true });
            added++;
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            skipped.push({ line: planned.line, code: error.code, detail: error.message });
          }
        }
        report = { added, unchanged: plan.unchanged, skipped: skipped.sort((a, b) => a.line - b.line) };
        if (dryRun || added === 0) throw rollBack;
      });
    } catch (error) {
      if (error !== rollBack) throw error;
    }
    return report as unknown as ImportReport;
  }

  /**
   * The zone a confirmed domain starts with (the `domain.confirmed` hook, in the confirming
   * transaction): NS of MFD_NAME_SERVERS, MX to MFD_MX_HOST, SPF allowing only that MX, a DMARC
   * record, and a fresh DKIM key whose public half is published at `<selector>._domainkey`.
   */
  async createZone(tx: Executor, now: number, domainId: string, origin: string): Promise<void> {
    const { config } = this.deps;
    const key = await this.dkimKeys.take();
    const selector = dkimSelector(now);
    await tx
      .insertInto("dkimKeys")
      .values({
        domainId,
        selector,
        privateKey: sealSecret(config, key.privateKey),
        publicKey: key.publicKey,
        createdAt: now,
      })
      .execute();
    const records: Array<[name: string, type: RdataType, text: string]> = [
      ...config.nameServers.map((ns): [string, RdataType, string] => ["@", "NS", `${ns}.`]),
      ["@", "MX", `10 ${config.mxHost}.`],
      ["@", "TXT", "v=spf1 mx -all"],
      // p=none: the domain may still send mail through servers its owner has not moved yet (an
      // old provider, a newsletter service); a stricter policy would have receivers reject that
      // mail before anyone read a report. The owner tightens it once the reports look clean.
      ["_dmarc", "TXT", "v=DMARC1; p=none"],
      [`${selector}._domainkey`, "TXT", dkimRecordText(key.publicKey)],
    ];
    await tx
      .insertInto("dnsRecords")
      .values(
        records.map(([name, type, text]) => ({
          id: newId(),
          domainId,
          ...this.checked(origin, type, name, DEFAULT_TTL, text, { managed: true }),
          createdAt: now,
          updatedAt: now,
        })),
      )
      .execute();
    const serial = nextSerial(0, now);
    await tx.insertInto("zones").values({ domainId, serial, createdAt: now, updatedAt: now }).execute();
    await this.announce(tx, domainId, serial);
  }

  /**
   * `mfd dkim rotate <domain>` (operator): a new key pair under a new selector, published beside
   * the old ones. The old keys stop being active (mail servers sign with the new one) but their
   * records stay, so mail signed before the rotation still verifies; remove them later through
   * the records API.
   */
  async rotateDkim(
    ctx: RequestContext,
    domainName: string,
  ): Promise<{ selector: string; retired: string[] }> {
    const name = lookupName(domainName);
    const key = await this.dkimKeys.take();
    let domainId = "";
    const result = await inDomainTransaction(this.deps.database, async (tx, locks) => {
      const domain = name
        ? await tx.selectFrom("domains").select(["id", "name"]).where("name", "=", name).executeTakeFirst()
        : undefined;
      if (!domain) throw new AppError("NOT_FOUND", `${domainName} is not a confirmed domain here.`);
      domainId = domain.id;
      await locks.row("domains", domain.id);
      const grant = { domainId: domain.id, name: domain.name } as DomainGrant;
      const serial = await this.holdZone(tx, locks, ctx.now, grant);
      const existing = await tx
        .selectFrom("dkimKeys")
        .select(["selector", "active"])
        .where("domainId", "=", domain.id)
        .execute();
      const taken = new Set(existing.map((k) => k.selector));
      const base = dkimSelector(ctx.now);
      let selector = base;
      for (let n = 2; taken.has(selector); n++) selector = `${base}n${n}`;
      await tx.updateTable("dkimKeys").set({ active: 0 }).where("domainId", "=", domain.id).execute();
      await tx
        .insertInto("dkimKeys")
        .values({
          domainId: domain.id,
          selector,
          privateKey: sealSecret(this.deps.config, key.privateKey),
          publicKey: key.publicKey,
          createdAt: ctx.now,
        })
        .execute();
      const record = this.checked(
        domain.name,
        "TXT",
        `${selector}._domainkey`,
        DEFAULT_TTL,
        dkimRecordText(key.publicKey),
      );
      const row = { id: newId(), ...record };
      await tx
        .insertInto("dnsRecords")
        .values({ ...row, domainId: domain.id, createdAt: ctx.now, updatedAt: ctx.now })
        .execute();
      const next = nextSerial(serial, ctx.now);
      await tx
        .updateTable("zones")
        .set({ serial: next, updatedAt: ctx.now })
        .where("domainId", "=", domain.id)
        .execute();
      await this.announce(tx, domain.id, next);
      const retired = existing.filter((k) => k.active === 1).map((k) => k.selector);
      await recordEvent(tx, ctx, {
        action: "dns.dkim.rotate",
        domain: domain.name,
        domainId: domain.id,
        target: selector,
        details: { selector, retired },
      });
      return { selector, retired };
    });
    this.changes.emit("changed", domainId);
    return result;
  }

  /** The origin of every zone served, sorted (`mfd zones list`, for syncing secondaries). */
  async zoneNames(): Promise<string[]> {
    const rows = await this.db
      .selectFrom("zones")
      .innerJoin("domains", "domains.id", "zones.domainId")
      .select("domains.name")
      .orderBy("domains.name")
      .execute();
    return rows.map((row) => row.name);
  }

  /** A disconnected domain's zone, records and keys go: a later owner of the name finds none of them. */
  async deleteZone(tx: Executor, domainId: string): Promise<number> {
    const records = await tx.deleteFrom("dnsRecords").where("domainId", "=", domainId).executeTakeFirst();
    await tx.deleteFrom("dkimKeys").where("domainId", "=", domainId).execute();
    const zone = await tx.deleteFrom("zones").where("domainId", "=", domainId).executeTakeFirst();
    if (Number(zone.numDeletedRows) > 0) await this.announce(tx, domainId, null);
    return Number(records.numDeletedRows);
  }

  /**
   * A change of the zone in a transaction that holds the domain (a disconnect waits or wins, see
   * authorizeDomainHeld) and its zone row, so concurrent changes of one zone take turns: the CNAME
   * and duplicate checks see each other's records and serials never go back.
   */
  private async changing<T>(
    ctx: RequestContext,
    domain: string,
    work: (tx: Executor, grant: DomainGrant, log: ChangeLog) => Promise<T>,
  ): Promise<T> {
    let changed: { domainId: string; change?: ZoneChange } | null = null;
    const attempt = () =>
      inDomainTransaction(this.deps.database, async (tx, locks) => {
        const grant = await authorizeDomainHeld(tx, locks, ctx.actor, domain, "dns:write");
        // The serial moves first, in the statement that takes the zone row's lock (until commit).
        const serials = await this.bumpSerial(tx, ctx.now, grant.domainId);
        if (!serials) await this.createZone(tx, ctx.now, grant.domainId, grant.name);
        const log: ChangeLog = { removed: [], added: [] };
        const done = await work(tx, grant, log);
        // Announced already: by bumpSerial, or by createZone.
        changed = serials
          ? { domainId: grant.domainId, change: { domainId: grant.domainId, ...serials, ...log } }
          : { domainId: grant.domainId }; // a new zone: read whole
        return done;
      });
    let result: T;
    try {
      result = await attempt();
    } catch (error) {
      // Two first changes of a zone-less domain made its zone at once: the second finds it now.
      if (!isUniqueViolation(error)) throw error;
      result = await attempt();
    }
    const after = changed as { domainId: string; change?: ZoneChange } | null;
    if (after) this.changes.emit("changed", after.domainId, after.change);
    return result;
  }

  /**
   * Gives zones to confirmed domains that have none — confirmed before DNS hosting existed — a
   * few at a time (the `create-missing-zones` job). Two workers making the same zone: the zone's
   * primary key refuses the second, whose transaction then leaves nothing behind.
   */
  async createMissingZones(now: number, limit: number): Promise<number> {
    const missing = await this.db
      .selectFrom("domains")
      .leftJoin("zones", "zones.domainId", "domains.id")
      .select(["domains.id", "domains.name"])
      .where("zones.domainId", "is", null)
      .limit(limit)
      .execute();
    let made = 0;
    for (const domain of missing) {
      try {
        const created = await inDomainTransaction(this.deps.database, async (tx, locks) => {
          // Held, so a disconnect either finished first (nothing to make) or waits and takes the zone with it.
          if (!(await locks.row("domains", domain.id, "share"))) return false;
          const still = await tx
            .selectFrom("domains")
            .select("id")
            .where("id", "=", domain.id)
            .executeTakeFirst();
          if (still) await this.createZone(tx, now, domain.id, domain.name);
          return still !== undefined;
        });
        if (created) made += 1;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    if (made > 0) for (const domain of missing) this.changes.emit("changed", domain.id);
    return made;
  }

  /**
   * Moves the zone's serial on (nextSerial) and stamps `updatedAt`, holding the row until commit,
   * and announces the change (`announce`): the serial it replaced and the new one, or null when
   * the domain has no zone yet (confirmed before zones existed).
   */
  private async bumpSerial(
    tx: Executor,
    now: number,
    domainId: string,
  ): Promise<{ previousSerial: number; serial: number } | null> {
    if (this.deps.database.dialect === "postgres") {
      const row = await bumpSerialPostgres.first(tx, {
        domainId,
        seconds: Math.floor(now / 1000),
        now,
        notifier: this.notifier,
      });
      return row ? { previousSerial: Number(row.previous), serial: Number(row.serial) } : null;
    }
    const zone = await zoneSerial.first(tx, { domainId });
    if (!zone) return null;
    const previousSerial = Number(zone.serial);
    const serial = nextSerial(previousSerial, now);
    await setZoneSerial.run(tx, { domainId, serial, now });
    return { previousSerial, serial };
  }

  /** Locks the zone row and returns its serial; a domain confirmed before zones existed gets one now. */
  private async holdZone(tx: Executor, locks: RowLocks, now: number, grant: DomainGrant): Promise<number> {
    const zone = await locks
      .query(tx.selectFrom("zones").select("serial").where("domainId", "=", grant.domainId))
      .executeTakeFirst();
    if (zone) return Number(zone.serial);
    await this.createZone(tx, now, grant.domainId, grant.name);
    return nextSerial(0, now);
  }

  /**
   * On PostgreSQL, tells every DNS server process at commit (nothing is sent if the change rolls
   * back), with the zone's new serial (null: the zone is gone).
   */
  private async announce(tx: Executor, domainId: string, serial: number | null): Promise<void> {
    if (this.deps.database.dialect === "postgres")
      await notifyZone.run(tx, { payload: serial === null ? domainId : `${domainId} ${serial}` });
  }

  /** The record as stored, or the precise error: name, TTL, RDATA and type rules of one record alone. */
  private checked(
    origin: string,
    type: RdataType,
    nameText: string,
    ttl: number,
    dataText: string,
    { managed = false } = {},
  ): Omit<RecordRow, "id"> {
    if (type === "SOA")
      throw new AppError(
        "RECORD_TYPE_NOT_ALLOWED",
        "The SOA record is the service's: its serial moves by itself.",
        {
          field: "type",
        },
      );
    const resolved = resolveName(nameText, origin);
    if (!resolved.ok) throw new AppError(resolved.error.code, resolved.error.detail, { field: "name" });
    const name = resolved.name;
    if (name !== origin && !name.endsWith(`.${origin}`))
      throw new AppError("INVALID_RECORD_DATA", `The name must be ${origin} or a name under it.`, {
        field: "name",
      });
    if (name.split(".").indexOf("*") > 0)
      throw new AppError("INVALID_RECORD_DATA", 'A wildcard "*" can only be the first label.', {
        field: "name",
      });
    if (!managed && type === "NS" && name === origin)
      throw new AppError(
        "RECORD_TYPE_NOT_ALLOWED",
        "The domain's own NS records are the service's name servers; NS records below it delegate a subdomain.",
        { field: "type" },
      );
    if (type === "CNAME" && name === origin)
      throw new AppError("CNAME_AT_APEX", undefined, { field: "type" });
    if (!Number.isInteger(ttl) || ttl < TTL_MIN || ttl > TTL_MAX)
      throw new AppError("TTL_OUT_OF_RANGE", `The TTL must be from ${TTL_MIN} to ${TTL_MAX} seconds.`, {
        field: "ttl",
        min: TTL_MIN,
        max: TTL_MAX,
      });
    const parsed = parseRdata(type, dataText, origin);
    if (!parsed.ok)
      throw new AppError(parsed.error.code, parsed.error.detail, {
        field: "data",
        dataField: parsed.error.field,
      });
    return { name, type, ttl, data: printRdata(type, parsed.data) };
  }

  /** The rules between records: a CNAME stands alone at its name (RFC 1034 §3.6.2); no exact duplicates. */
  private async checkAgainstOthers(
    tx: Executor,
    grant: DomainGrant,
    record: Omit<RecordRow, "id">,
    exceptId: string | null,
  ): Promise<void> {
    const others =
      exceptId === null
        ? await recordsAtName.all(tx, { domainId: grant.domainId, name: record.name })
        : await otherRecordsAtName.all(tx, { domainId: grant.domainId, name: record.name, exceptId });
    if (others.length > 0 && (record.type === "CNAME" || others.some((o) => o.type === "CNAME")))
      throw new AppError(
        "CNAME_CONFLICT",
        record.type === "CNAME"
          ? `${record.name} has other records; a CNAME must be the only record at its name.`
          : `${record.name} is a CNAME; it can have no other records.`,
        { field: "name" },
      );
    if (others.some((o) => o.type === record.type && o.data === record.data))
      throw new AppError("DUPLICATE_RECORD", undefined, { field: "data" });
  }

  private async find(tx: Executor, grant: DomainGrant, id: string): Promise<RecordRow> {
    const row = await recordById.first(tx, { domainId: grant.domainId, id });
    if (!row) throw new AppError("NOT_FOUND", "There is no such record on this domain.");
    return row;
  }

  /** On the domain's activity page, whoever made the change (as mailbox changes are). */
  private async audit(
    tx: Executor,
    ctx: RequestContext,
    grant: DomainGrant,
    action: "dns.record.create" | "dns.record.update" | "dns.record.delete",
    record: RecordRow,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await recordEvent(tx, ctx, {
      action,
      domain: grant.name,
      domainId: grant.domainId,
      target: `${relativeName(record.name, grant.name)} ${record.type}`,
      details: { name: record.name, type: record.type, ttl: record.ttl, data: record.data, ...extra },
    });
  }

  private view(origin: string, row: RecordRow): DnsRecordView {
    return {
      id: row.id,
      name: relativeName(row.name, origin),
      fqdn: row.name,
      type: row.type as RdataType,
      ttl: row.ttl,
      data: row.data,
    };
  }
}
