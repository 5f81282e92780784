import { Type } from "@sinclair/typebox";
import type { Config } from "../config.js";
import { printRdata } from "../dns/rdata.js";
import { printZoneFile } from "../dns/zonefile.js";
import { Closed, errors, Named, NameParams } from "../http/schemas.js";
import type { App } from "../http/types.js";
import { DEFAULT_TTL, SOA_TTL, soaOf } from "./zone-data.js";
import type { ZonesService } from "./zones.service.js";

const tags = ["DNS"];
/** A zone file of a few thousand records; the records API's own limits still apply to each. */
const IMPORT_BODY_LIMIT = 2 * 1024 * 1024;

const ImportBody = Closed({
  zone: Type.String({
    maxLength: IMPORT_BODY_LIMIT,
    description: "A BIND zone file ($ORIGIN, $TTL, relative names…)",
  }),
  dryRun: Type.Optional(
    Type.Boolean({ default: false, description: "Report what would change, change nothing" }),
  ),
});

export const DnsImportReport = Named(
  "DnsImportReport",
  Type.Object({
    added: Type.Integer({ description: "Records added (or, in a dry run, that would be)" }),
    unchanged: Type.Integer({ description: "Records of the file the zone already holds" }),
    skipped: Type.Array(
      Type.Object({
        line: Type.Integer(),
        code: Type.String({ description: "An error code of the records API, or ZONE_FILE_*" }),
        detail: Type.String(),
      }),
    ),
  }),
);

/**
 * BIND zone files in and out. Import adds the file's records the zone lacks, each checked as the
 * records API checks it; export is the zone as served, SOA included, readable by BIND and by import.
 */
export async function zoneFileRoutes(app: App, zones: ZonesService, config: Config): Promise<void> {
  app.post(
    "/api/v1/domains/:name/dns/import",
    {
      config: { access: { permission: "dns:write" } },
      bodyLimit: IMPORT_BODY_LIMIT + 64 * 1024,
      schema: {
        tags,
        summary: "Import a BIND zone file: adds the records the zone lacks; with dryRun, only reports",
        params: NameParams,
        body: ImportBody,
        response: { 200: DnsImportReport, ...errors(400, 401, 403, 404, 413) },
      },
    },
    async (request) =>
      zones.importZoneFile(request.ctx, request.params.name, request.body.zone, request.body.dryRun ?? false),
  );

  app.get(
    "/api/v1/domains/:name/dns/export",
    {
      config: { access: { permission: "dns:read" } },
      schema: {
        tags,
        summary: "The zone as a BIND zone file (text/plain), SOA included",
        params: NameParams,
        response: { 200: Type.String({ description: "The zone file" }), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { origin, serial, records } = await zones.exportRecords(request.ctx, request.params.name);
      const soa = { name: origin, type: "SOA", ttl: SOA_TTL, data: printRdata("SOA", soaOf(config, serial)) };
      const text = printZoneFile(origin, DEFAULT_TTL, [soa, ...records]);
      return reply
        .type("text/plain; charset=utf-8")
        .header("content-disposition", `attachment; filename="${origin}.zone"`)
        .send(text);
    },
  );
}
