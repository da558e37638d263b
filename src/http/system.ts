// Liveness and readiness, for load balancers and orchestrators.
import type { FastifyInstance } from "fastify";

export function systemRoutes(
  app: FastifyInstance,
  ready: () => Promise<{ database: boolean; queue: boolean }>,
): void {
  app.get("/healthz", { config: { auth: "public", rateLimit: false }, schema: { hide: true } }, async () => ({
    status: "ok",
  }));
  app.get(
    "/readyz",
    { config: { auth: "public", rateLimit: false }, schema: { hide: true } },
    async (_req, reply) => {
      const checks = await ready();
      const ok = checks.database && checks.queue;
      return reply.code(ok ? 200 : 503).send({ status: ok ? "ready" : "not_ready", checks });
    },
  );
}
