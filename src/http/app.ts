// The Fastify application: security headers, rate limits, cookies, authentication, the error
// catalogue, OpenAPI, the API routes, health checks and the built web front end.

import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import cookie from "@fastify/cookie";
import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import helmet from "helmet";
import { partyRoutes } from "../modules/attribution/parties-routes.ts";
import { attributionRoutes } from "../modules/attribution/routes.ts";
import { auditRoutes } from "../modules/audit/routes.ts";
import { caseRoutes } from "../modules/cases/routes.ts";
import type { Deps } from "../modules/deps.ts";
import { enforcementRoutes } from "../modules/escalation/enforcement-routes.ts";
import { ladderRoutes } from "../modules/escalation/ladder-routes.ts";
import { evidenceRoutes } from "../modules/evidence/routes.ts";
import { hashingRoutes } from "../modules/hashing/routes.ts";
import { identityRoutes } from "../modules/identity/routes.ts";
import { intakeRoutes } from "../modules/intake/routes.ts";
import { reportsForCase } from "../modules/intake/service.ts";
import { monitoringRoutes } from "../modules/monitoring/routes.ts";
import { noticeRoutes } from "../modules/notices/routes.ts";
import { reportingRoutes } from "../modules/reporting/routes.ts";
import { limits } from "../platform/limits.ts";
import { registerAuth } from "./plugins/auth.ts";
import { registerErrorHandling } from "./plugins/errors.ts";
import { problem, sendProblem } from "./problem.ts";
import { systemRoutes } from "./system.ts";

export interface AppOptions {
  deps: Deps;
  /** Readiness: is the database reachable, is the queue? */
  ready: () => Promise<{ database: boolean; queue: boolean }>;
  setupCode: () => string | undefined;
  /** The built front end (dist/web); the API works without it. */
  webDir?: string | undefined;
  /** Per-IP requests a minute on login, MFA and setup. */
  loginRateLimit?: number;
  logger?: boolean | object;
}

export interface RouteInfo {
  method: string;
  url: string;
  public: boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route with whether it is public: checked by the authorization tests. */
    routeTable: RouteInfo[];
  }
}

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  // blob: for local previews (URL.createObjectURL): the device-hashing page shows the chosen
  // photos without sending them anywhere.
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

/** One log line per request, when it completes (with the request), instead of Fastify's two. */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(req)) return;
    if (error)
      reply.log.error({ req, res: reply, err: error, responseTime: reply.elapsedTime }, "request errored");
    else reply.log.info({ req, res: reply, responseTime: reply.elapsedTime }, "request completed");
  }
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { deps } = opts;
  const app = Fastify({
    logger: opts.logger ?? {
      level: deps.config.logLevel,
      redact: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'],
    },
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    logController: new OneLinePerRequest(),
    routerOptions: { maxParamLength: 200 },
  });
  const routeTable: RouteInfo[] = [];
  app.decorate("routeTable", routeTable);
  app.addHook("onRoute", (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) {
      if (method !== "HEAD") routeTable.push({ method, url: r.url, public: r.config?.auth === "public" });
    }
  });
  // JSON only: a text/plain body is refused as 415, not parsed as a string.
  app.removeContentTypeParser("text/plain");
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);

  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
    if (req.url.startsWith("/api/")) reply.header("cache-control", "no-store");
  });

  // Security headers, computed once: @fastify/helmet rebuilds helmet's middleware (parsing the
  // CSP directives) on every request.
  const securityHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: "no-referrer" },
  });
  app.addHook("onRequest", (req, reply, done) =>
    securityHeaders(req.raw, reply.raw, (err) => done(err as Error | undefined)),
  );
  await app.register(rateLimit, {
    global: true,
    max: deps.config.rateLimit.max,
    timeWindow: deps.config.rateLimit.windowSeconds * 1000,
    errorResponseBuilder: (_req, ctx) => {
      const err = Object.assign(new Error("rate limited"), { statusCode: 429, retryAfter: ctx.after });
      return err;
    },
  });
  await app.register(cookie);
  await app.register(multipart, {
    limits: {
      fileSize: limits.fileMaxBytes,
      files: limits.filesPerReport,
      fields: 4,
      fieldSize: 1024 * 1024,
      parts: limits.filesPerReport + 4,
      headerPairs: 100,
    },
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Vangrail API",
        version: "1",
        description:
          "REST API of Vangrail. People authenticate with a session cookie (and send `x-csrf-token` on " +
          "unsafe methods); machines with `Authorization: Bearer <token>`. Errors are RFC 9457 problem documents.",
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "__Host-vangrail" },
          token: { type: "http", scheme: "bearer" },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: "/api/docs",
    staticCSP: true,
    // Swagger UI needs hashes for its inline script and style; everything else stays as strict as the app.
    transformStaticCSP: (header) =>
      header
        .replace(/ https:/g, "")
        .replace(/ validator\.swagger\.io/g, "")
        .replace(/frame-ancestors [^;]*/, "frame-ancestors 'none'")
        .replace(/upgrade-insecure-requests;?/, ""),
    uiConfig: { docExpansion: "list", deepLinking: false, validatorUrl: null },
  });

  registerAuth(app, deps);

  app.get("/api/openapi.json", { config: { auth: "public" }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  systemRoutes(app, opts.ready);
  identityRoutes(app, deps, {
    setupCode: opts.setupCode,
    loginRateLimit: opts.loginRateLimit ?? deps.config.rateLimit.loginPerMinute,
  });
  auditRoutes(app, deps);
  hashingRoutes(app, deps);
  caseRoutes(app, deps, [async (d, caseId) => ({ reports: await reportsForCase(d, caseId) })]);
  intakeRoutes(app, deps);
  evidenceRoutes(app, deps);
  partyRoutes(app, deps);
  noticeRoutes(app, deps);
  attributionRoutes(app, deps);
  ladderRoutes(app, deps);
  enforcementRoutes(app, deps);
  monitoringRoutes(app, deps);
  reportingRoutes(app, deps);

  const webDir = opts.webDir;
  const hasWeb = webDir !== undefined && existsSync(join(webDir, "index.html"));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webDir,
      wildcard: false,
      index: false,
      setHeaders: (reply, path) => {
        // Vite names assets by content hash: they never change under the same name.
        if (path.startsWith(join(webDir, "assets")))
          reply.header("cache-control", "public, max-age=31536000, immutable");
      },
    });
    app.get("/assets/*", { config: { auth: "public" } }, (req, reply) =>
      reply.sendFile(`assets/${(req.params as { "*": string })["*"]}`),
    );
  }

  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (req, reply) => {
    const path = req.url.split("?")[0] ?? "/";
    // Every non-API path is a page of the single-page app.
    if (
      hasWeb &&
      (req.method === "GET" || req.method === "HEAD") &&
      !path.startsWith("/api/") &&
      !/\.\w+$/.test(path)
    ) {
      return reply.header("cache-control", "no-cache").sendFile("index.html");
    }
    return sendProblem(reply, problem("not_found", { instance: `urn:request:${req.id}` }));
  });

  return app;
}
