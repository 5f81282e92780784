import { timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { Database } from "../db/database.js";
import { sendProblem } from "../http/problem.js";
import type { App } from "../http/types.js";
import { AppError } from "../lib/errors.js";
import { sha256 } from "../lib/random.js";
import type { RouteContext } from "../module.js";

/** Longest a readiness probe waits for the database before it answers "not ready". */
const READY_PROBE_MS = 2000;

/** Health, readiness, Prometheus metrics and the OpenAPI document. */
export async function operationsRoutes(
  app: App,
  database: Database,
  { config, serving }: RouteContext,
): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "mfd_" });
  const requests = new Counter({
    name: "mfd_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "mfd_http_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Each series's child is looked up once: prom-client would otherwise hash the labels on every answer.
  const series = new Map<string, { count: () => void; time: (seconds: number) => void }>();
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    const status = String(reply.statusCode);
    const key = `${request.method} ${status} ${route}`;
    let one = series.get(key);
    if (!one) {
      const counter = requests.labels({ method: request.method, route, status });
      const histogram = duration.labels({ method: request.method, route });
      one = { count: () => counter.inc(), time: (seconds) => histogram.observe(seconds) };
      series.set(key, one);
    }
    one.count();
    one.time(reply.elapsedTime / 1000);
    done();
  });

  app.get("/healthz", { config: { access: { public: true } }, schema: { hide: true } }, async () => ({
    status: "ok",
  }));

  // Ready means the database answered just now: every probe asks it afresh (no cached verdict
  // to flap or lag), within a deadline so a stalled database says "not ready" instead of hanging.
  app.get(
    "/readyz",
    { config: { access: { public: true } }, schema: { hide: true } },
    async (_request, reply) => {
      if (serving.draining) return reply.status(503).send({ status: "shutting down" });
      const { db } = database;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error("readiness probe timed out")), READY_PROBE_MS);
      });
      try {
        await Promise.race([sql`select 1`.execute(db), deadline]);
        return { status: "ready" };
      } catch {
        return reply.status(503).header("retry-after", "1").send({ status: "database unavailable" });
      } finally {
        clearTimeout(timer);
      }
    },
  );

  // Metrics tell an outsider about traffic and the running process: outside development mode they
  // need MFD_METRICS_TOKEN, and without one they are not served at all.
  const { dev, metricsToken } = config;
  const expected = metricsToken === null ? null : sha256(`Bearer ${metricsToken}`);
  app.get(
    "/metrics",
    { config: { access: { public: true }, ownAuthorization: true }, schema: { hide: true } },
    async (request, reply) => {
      if (expected === null && !dev)
        return sendProblem(reply, new AppError("ROUTE_NOT_FOUND", "GET /metrics is not an endpoint."));
      if (expected !== null) {
        const given = sha256(request.headers.authorization ?? "");
        if (!timingSafeEqual(Buffer.from(given), Buffer.from(expected)))
          return sendProblem(
            reply,
            new AppError("UNAUTHENTICATED", "Send the metrics secret as a bearer token."),
          );
      }
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );

  app.get(
    "/api/v1/openapi.json",
    { config: { access: { public: true } }, schema: { hide: true } },
    async () => app.swagger(),
  );
}
