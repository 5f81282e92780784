import { Type } from "@sinclair/typebox";
import { errors, NameParams, NoContent } from "../http/schemas.js";
import type { App } from "../http/types.js";
import { CreateRecordBody, DnsRecord, RecordParams, UpdateRecordBody } from "./zones.schemas.js";
import type { ZonesService } from "./zones.service.js";

const tags = ["DNS"];
const read = { access: { permission: "dns:read" as const } };
const write = { access: { permission: "dns:write" as const } };

/**
 * A confirmed domain's DNS records. Records may be prepared before the domain is delegated to
 * our name servers; they are served as soon as it is.
 */
export async function zonesRoutes(app: App, zones: ZonesService): Promise<void> {
  app.get(
    "/api/v1/domains/:name/dns/records",
    {
      config: read,
      schema: {
        tags,
        summary: "The domain's DNS records (the SOA is the service's and not listed)",
        params: NameParams,
        response: { 200: Type.Array(DnsRecord), ...errors(401, 403, 404) },
      },
    },
    async (request) => zones.list(request.ctx, request.params.name),
  );

  app.post(
    "/api/v1/domains/:name/dns/records",
    {
      config: write,
      schema: {
        tags,
        summary: "Add a record; the zone's serial moves and the DNS servers serve it within a second",
        params: NameParams,
        body: CreateRecordBody,
        response: { 201: DnsRecord, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await zones.create(request.ctx, request.params.name, request.body)),
  );

  app.patch(
    "/api/v1/domains/:name/dns/records/:id",
    {
      config: write,
      schema: {
        tags,
        summary: "Change a record's name, TTL or data (its type stays)",
        params: RecordParams,
        body: UpdateRecordBody,
        response: { 200: DnsRecord, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => zones.update(request.ctx, request.params.name, request.params.id, request.body),
  );

  app.delete(
    "/api/v1/domains/:name/dns/records/:id",
    {
      config: write,
      schema: {
        tags,
        summary: "Delete a record",
        params: RecordParams,
        response: { 204: NoContent, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await zones.remove(request.ctx, request.params.name, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
