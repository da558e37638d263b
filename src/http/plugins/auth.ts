// Authentication for every request under /api/v1: a session cookie (people) or a bearer token
// (machines). Routes are private unless their config says `auth: "public"`; unsafe methods on a
// session need the session's CSRF token; a session that still owes its second factor reaches
// only the routes that finish logging in.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../modules/deps.ts";
import type { Principal } from "../../modules/identity/principal.ts";
import type { Permission } from "../../modules/identity/roles.ts";
import * as identity from "../../modules/identity/service.ts";
import { safeEqual } from "../../platform/crypto.ts";
import { AppError } from "../../platform/errors.ts";

export const SESSION_COOKIE = "__Host-vangrail";

export type RouteAuth =
  | "public"
  | {
      /** Checked here and again by the service. */
      permission?: Permission;
      /** Only people (sessions), never tokens: e.g. managing MFA. */
      sessionOnly?: boolean;
      /** Sessions at these stages may pass; by default only `complete`. */
      stages?: identity.Stage[];
    };

declare module "fastify" {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    principal: Principal | null;
    session: identity.SessionContext | null;
  }
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export const clientInfo = (req: FastifyRequest): identity.ClientInfo => ({
  ip: req.ip ?? null,
  userAgent: (req.headers["user-agent"] as string | undefined) ?? null,
});

/** The principal of an authenticated route; routes call this, never read `req.principal` raw. */
export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError("unauthenticated");
  return req.principal;
}

export function sessionOf(req: FastifyRequest): identity.SessionContext {
  if (!req.session) throw new AppError("unauthenticated");
  return req.session;
}

export function setSessionCookie(reply: FastifyReply, token: string, expires: Date): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    secure: true,
    sameSite: "strict",
    expires,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/", httpOnly: true, secure: true, sameSite: "strict" });
}

export function registerAuth(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest("principal", null);
  app.decorateRequest("session", null);

  // preParsing: after the per-route rate limit (an onRequest hook), before the body is read.
  app.addHook("preParsing", async (req, reply, payload) => {
    await authenticate(req, reply);
    return payload;
  });

  async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    // Cross-site requests are refused outright when the browser says where they come from.
    if (UNSAFE.has(req.method) && req.headers.origin) {
      const allowed = new Set([
        new URL(deps.config.publicUrl).origin,
        `${req.protocol}://${req.headers.host}`,
      ]);
      if (!allowed.has(req.headers.origin)) throw new AppError("csrf_failed");
    }
    if (!req.url.startsWith("/api/v1/")) return;
    const auth = req.routeOptions.config.auth;
    if (auth === "public") return;
    if (!req.routeOptions.url) return; // no route: the 404 handler answers

    const header = req.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const p = m?.[1] ? await identity.resolveToken(deps, m[1]) : null;
      if (!p)
        throw new AppError("unauthenticated", {
          headers: { "www-authenticate": 'Bearer error="invalid_token"' },
        });
      if (auth?.sessionOnly)
        throw new AppError("forbidden", { detail: "This endpoint is for people, not tokens." });
      if (auth?.permission && !p.permissions.has(auth.permission)) throw new AppError("insufficient_scope");
      req.principal = p;
      return;
    }

    const token = req.cookies[SESSION_COOKIE];
    const ctx = token ? await identity.resolveSession(deps, token) : null;
    if (!ctx) {
      if (token) clearSessionCookie(reply);
      throw new AppError("unauthenticated");
    }
    const stages = auth?.stages ?? ["complete"];
    if (!stages.includes(ctx.stage)) {
      throw new AppError(ctx.stage === "mfa_enrol" ? "mfa_enrolment_required" : "mfa_required");
    }
    if (UNSAFE.has(req.method)) {
      const sent = req.headers["x-csrf-token"];
      if (typeof sent !== "string" || !safeEqual(sent, ctx.session.csrfToken))
        throw new AppError("csrf_failed");
    }
    req.session = ctx;
    req.principal = identity.principalOf(ctx);
    if (auth?.permission && !req.principal.permissions.has(auth.permission)) throw new AppError("forbidden");
  }
}
