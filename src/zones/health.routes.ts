import type { FastifyRequest } from "fastify";
import { Closed, errors, NameParams } from "../http/schemas.js";
import type { App } from "../http/types.js";
import { DnsHealth } from "./health.schemas.js";
import type { DnsHealthService, DnsHealthView } from "./health.service.js";

const tags = ["dns"];
const EmptyBody = Closed({});
/** A POST without a body is the same as `{}`. */
const bodyOptional = async (request: FastifyRequest) => {
  if (request.body === undefined || request.body === null) request.body = {};
};
const answer = (view: DnsHealthView) => ({
  ...view,
  checkedAt: view.checkedAt === null ? null : new Date(view.checkedAt).toISOString(),
});

/** Delegation and mail health of a hosted domain: the stored result, and a check on request. */
export async function dnsHealthRoutes(app: App, health: DnsHealthService): Promise<void> {
  app.get(
    "/api/v1/domains/:name/dns/health",
    {
      config: { access: { permission: "dns:read" } },
      schema: {
        tags,
        summary: "Delegation, MX, SPF, DKIM and DMARC as the internet sees them, from the last check",
        params: NameParams,
        response: { 200: DnsHealth, ...errors(401, 403, 404) },
      },
    },
    async (request) => answer(await health.read(request.ctx, request.params.name)),
  );

  app.post(
    "/api/v1/domains/:name/dns/health",
    {
      config: { access: { permission: "dns:read" } },
      preValidation: bodyOptional,
      schema: {
        tags,
        summary: "Check the delegation and mail records now (a few per domain every five minutes)",
        params: NameParams,
        body: EmptyBody,
        response: { 200: DnsHealth, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request) => answer(await health.checkNow(request.ctx, request.params.name)),
  );
}
