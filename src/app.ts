import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyServerOptions } from "fastify";
import type { Actor } from "./access/actor.js";
import type { AccountsFace } from "./accounts/index.js";
import type { Deps } from "./deps.js";
import { API_DESCRIPTION, API_DOCS_PREFIX, API_DOCS_SHORT, apiDocsOptions } from "./http/api-docs.js";
import { authenticationHook } from "./http/authenticate.js";
import { withLogSerializers } from "./http/logging.js";
import { handleError, sendProblem } from "./http/problem.js";
import { publicAddressHook } from "./http/public-address.js";
import { endDeadline, requestDeadlineHook } from "./http/request-deadline.js";
import { allowedMethods, clientErrorHandler, frameworkErrors } from "./http/router-errors.js";
import { namedSchemas, ProblemSchema } from "./http/schemas.js";
import { securityHeaders, securityHeadersHook } from "./http/security-headers.js";
import type { App } from "./http/types.js";
import { checkInput, validatorCompiler } from "./http/validation.js";
import { AppError } from "./lib/errors.js";
import type { ServingState } from "./module.js";
import { createServices, registerRoutes, type Services } from "./modules.js";
import { tokenSecretsIn } from "./tokens/index.js";

/** The services by name, for tests: the accounts module's three and the other modules' own. */
export type ServicesByName = AccountsFace &
  Pick<Services, "recovery" | "domains" | "deputies" | "tokens" | "mailboxes"> & {
    deps: Deps;
    /** Resolves an `Authorization: Bearer` token to an actor; null when unknown, revoked or expired. */
    resolveBearer(token: string, now: number, ip: string | null): Promise<Actor | null>;
  };

export interface BuiltApp {
  app: App;
  /** Each module's service by module name. */
  modules: Services;
  services: ServicesByName;
  /** Every route as registered, with its access rule: the authorization matrix test walks it. */
  routes: Array<{ method: string; url: string; access: unknown }>;
  /** Set when the process shuts down: /readyz then answers 503 so balancers stop sending. */
  lifecycle: ServingState;
}

const WEB_DIST = fileURLToPath(new URL("../web/dist/", import.meta.url));

/** Builds the HTTP application. Never listens: `serve` listens, tests use `app.inject()`. */
export async function buildApp(
  deps: Deps,
  options: { logger?: FastifyServerOptions["logger"] } = {},
): Promise<BuiltApp> {
  const { config } = deps;
  const app = Fastify({
    logger: withLogSerializers(options.logger),
    trustProxy: config.trustedProxy ?? false,
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setValidatorCompiler(validatorCompiler);

  const modules = createServices(deps);
  const { accounts, tokens } = modules;
  const routes: BuiltApp["routes"] = [];
  const lifecycle: ServingState = { draining: false };

  // A route that does not say who may call it is a bug: refuse to start (docs/ARCHITECTURE.md, routes).
  app.addHook("onRoute", (route) => {
    const url = route.url;
    if (url.startsWith("/api/docs") || url.startsWith("/assets/")) {
      route.config = { ...(route.config ?? {}), access: { public: true } };
    }
    if (!route.config?.access) {
      throw new Error(`Route ${String(route.method)} ${url} declares no access rule (config.access).`);
    }
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") routes.push({ method: String(method), url, access: route.config.access });
    }
  });

  await app.register(fastifyCookie);
  app.decorateRequest("deadline", null);
  // Past its deadline a request answers 503 REQUEST_TIMEOUT with Retry-After instead of hanging on.
  app.addHook("onRequest", requestDeadlineHook(config.timeouts.requestMs));
  // Security headers on every answer (docs/SECURITY.md §17), computed once.
  app.addHook("onRequest", securityHeadersHook(securityHeaders(config.publicUrl)));

  app.addSchema(ProblemSchema);
  for (const schema of namedSchemas()) app.addSchema(schema);
  app.decorateRequest("ctx", null as never);
  app.decorateRequest("session", null);
  // A browser at another address than MFD_PUBLIC_URL is sent there before anything else runs.
  app.addHook("onRequest", publicAddressHook(config));
  app.addHook(
    "onRequest",
    authenticationHook(config, deps.clock, {
      resolveSession: (cookie, now) => accounts.sessions.resolve(cookie, now),
      resolveBearer: (token, now, ip) => tokens.resolve(token, now, ip),
      tokenSecretsIn,
      revokeExposed: (ctx, secret) => tokens.revokeExposed(ctx, secret),
    }),
  );
  // Hooks that await nothing take Fastify's callback form: no promise and no microtask per request.
  app.addHook("preValidation", (request, _reply, done) => {
    checkInput(request.params);
    checkInput(request.query);
    checkInput(request.body);
    done();
  });
  // The answer goes out: its deadline ends. Authenticated answers are private and never cached
  // (docs/SECURITY.md §17).
  app.addHook("onSend", (request, reply, payload, done) => {
    endDeadline(request);
    if (request.url.startsWith("/api/") || request.session) reply.header("cache-control", "no-store");
    done(null, payload);
  });

  app.setErrorHandler((error, request, reply) => handleError(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const allowed = allowedMethods(routes, path);
    if (allowed.length > 0) {
      reply.header("allow", allowed.join(", "));
      return sendProblem(
        reply,
        new AppError("METHOD_NOT_ALLOWED", `${path} takes ${allowed.join(", ")}.`, { allow: allowed }),
      );
    }
    // /dev/* exists only in development mode; elsewhere it is a plain 404, not a console page.
    const wantsPage =
      request.method === "GET" &&
      !path.startsWith("/api") &&
      !path.startsWith("/api2") &&
      !path.startsWith("/dev/");
    if (wantsPage && existsSync(`${WEB_DIST}index.html`))
      return reply.type("text/html").sendFile("index.html", WEB_DIST);
    if (wantsPage) {
      return reply
        .type("text/html")
        .send(
          "<!doctype html><title>mfd</title><p>The console is not built. Run <code>npm run build</code> and restart mfd.</p>",
        );
    }
    return sendProblem(
      reply,
      new AppError("ROUTE_NOT_FOUND", `${request.method} ${path} is not an endpoint.`),
    );
  });

  await app.register(fastifySwagger, {
    // Components keep the names the shapes were registered under (see `Named`), not def-0, def-1….
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "mfd API",
        version: "1",
        description: API_DESCRIPTION,
      },
      components: {
        securitySchemes: {
          session: {
            type: "apiKey",
            in: "cookie",
            name: "mfd_session",
            description: "The console's session: state-changing requests also send X-CSRF-Token.",
          },
          bearer: { type: "http", scheme: "bearer", description: "A personal API token, mfd_…" },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, apiDocsOptions());
  // The short address the console links to (its footer) and people type.
  app.get(
    API_DOCS_SHORT,
    { config: { access: { public: true } }, schema: { hide: true } },
    (_request, reply) => reply.redirect(`${API_DOCS_PREFIX}/`),
  );

  await app.register(fastifyStatic, { root: existsSync(WEB_DIST) ? WEB_DIST : process.cwd(), serve: false });
  if (existsSync(WEB_DIST)) {
    await app.register(fastifyStatic, {
      root: `${WEB_DIST}assets`,
      prefix: "/assets/",
      decorateReply: false,
      immutable: true,
      maxAge: "365d",
    });
  }

  await app.register(async (api) => {
    await registerRoutes(api as App, modules, { config, serving: lifecycle });
  });

  const services: ServicesByName = {
    ...accounts,
    recovery: modules.recovery,
    domains: modules.domains,
    deputies: modules.deputies,
    tokens,
    mailboxes: modules.mailboxes,
    deps,
    resolveBearer: (token, now, ip) => tokens.resolve(token, now, ip),
  };
  return { app, modules, services, routes, lifecycle };
}
