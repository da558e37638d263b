// HTTP routes of identity: first-run setup, login and MFA, the session, users and API tokens.
// Each route parses, calls one service function and presents the result.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  clearSessionCookie,
  clientInfo,
  principal,
  sessionOf,
  setSessionCookie,
} from "../../http/plugins/auth.ts";
import type { Deps } from "../deps.ts";
import { presentOrganisation, presentToken, presentUser } from "./presenter.ts";
import { permissionsOf } from "./roles.ts";
import * as s from "./schemas.ts";
import * as identity from "./service.ts";

export interface IdentityRouteOptions {
  /** The first-run code, printed in the log while setup is needed. */
  setupCode: () => string | undefined;
  loginRateLimit: number;
}

export function identityRoutes(app: FastifyInstance, deps: Deps, opts: IdentityRouteOptions): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const authLimit = { rateLimit: { max: opts.loginRateLimit, timeWindow: 60_000 } };

  r.get(
    "/api/v1/setup/status",
    {
      config: { auth: "public" },
      schema: { tags: ["setup"], response: { 200: z.object({ needed: z.boolean() }) } },
    },
    async () => ({ needed: await identity.setupNeeded(deps) }),
  );

  r.post(
    "/api/v1/setup",
    {
      config: { auth: "public", ...authLimit },
      schema: {
        tags: ["setup"],
        summary: "First run: create the first organisation and its admin (needs the setup code from the log)",
        body: s.setupBody,
        response: { 201: z.object({ organisationId: z.uuid(), userId: z.uuid() }) },
      },
    },
    async (req, reply) => {
      const out = await identity.setup(deps, req.body, opts.setupCode());
      return reply.code(201).send(out);
    },
  );

  r.post(
    "/api/v1/auth/login",
    {
      config: { auth: "public", ...authLimit },
      schema: { tags: ["auth"], body: s.loginBody, response: { 200: z.object({ stage: s.stage }) } },
    },
    async (req, reply) => {
      const issued = await identity.login(deps, req.body, clientInfo(req));
      setSessionCookie(reply, issued.token, issued.expiresAt);
      return { stage: issued.stage };
    },
  );

  const partial = {
    auth: { sessionOnly: true, stages: ["mfa_verify", "mfa_enrol", "complete"] as identity.Stage[] },
  };

  r.get(
    "/api/v1/auth/session",
    {
      config: partial,
      schema: {
        tags: ["auth"],
        response: {
          200: z.object({
            stage: s.stage,
            csrfToken: z.string(),
            user: z.object({
              id: z.uuid(),
              displayName: z.string(),
              email: z.string(),
              role: z.string(),
              mfaEnabled: z.boolean(),
            }),
            organisation: s.organisation,
            permissions: z.array(z.string()),
          }),
        },
      },
    },
    async (req) => {
      const ctx = sessionOf(req);
      return {
        stage: ctx.stage,
        csrfToken: ctx.session.csrfToken,
        user: {
          id: ctx.user.id,
          displayName: ctx.user.displayName,
          email: ctx.user.email,
          role: ctx.user.role,
          mfaEnabled: ctx.user.mfaEnabled,
        },
        organisation: presentOrganisation(ctx.organisation),
        permissions: ctx.stage === "complete" ? [...permissionsOf(ctx.user.role)] : [],
      };
    },
  );

  r.post(
    "/api/v1/auth/mfa/verify",
    {
      config: { auth: { sessionOnly: true, stages: ["mfa_verify"] }, ...authLimit },
      schema: { tags: ["auth"], body: s.codeBody, response: { 200: z.object({ stage: s.stage }) } },
    },
    async (req, reply) => {
      const issued = await identity.verifyMfa(deps, sessionOf(req), req.body.code, clientInfo(req));
      setSessionCookie(reply, issued.token, issued.expiresAt);
      return { stage: issued.stage };
    },
  );

  r.post(
    "/api/v1/auth/mfa/enrol",
    {
      config: { auth: { sessionOnly: true, stages: ["mfa_enrol", "complete"] } },
      schema: {
        tags: ["auth"],
        body: s.emptyBody,
        response: { 200: z.object({ secret: z.string(), otpauthUri: z.string(), qrDataUrl: z.string() }) },
      },
    },
    async (req) => identity.startMfaEnrolment(deps, sessionOf(req)),
  );

  r.post(
    "/api/v1/auth/mfa/enrol/confirm",
    {
      config: { auth: { sessionOnly: true, stages: ["mfa_enrol", "complete"] }, ...authLimit },
      schema: { tags: ["auth"], body: s.codeBody, response: { 200: z.object({ stage: s.stage }) } },
    },
    async (req, reply) => {
      const issued = await identity.confirmMfaEnrolment(deps, sessionOf(req), req.body.code, clientInfo(req));
      setSessionCookie(reply, issued.token, issued.expiresAt);
      return { stage: issued.stage };
    },
  );

  r.post(
    "/api/v1/auth/logout",
    { config: partial, schema: { tags: ["auth"], body: s.emptyBody } },
    async (req, reply) => {
      await identity.logout(deps, sessionOf(req));
      clearSessionCookie(reply);
      return reply.code(204).send();
    },
  );

  r.get(
    "/api/v1/organisations/:id",
    {
      config: { auth: { permission: "org:read" } },
      schema: { tags: ["organisations"], params: s.idParams, response: { 200: s.organisation } },
    },
    async (req) => presentOrganisation(await identity.getOrganisation(deps, principal(req), req.params.id)),
  );

  r.get(
    "/api/v1/organisations/current",
    {
      config: { auth: { permission: "org:read" } },
      schema: { tags: ["organisations"], response: { 200: s.organisation } },
    },
    async (req) => {
      const p = principal(req);
      return presentOrganisation(await identity.getOrganisation(deps, p, p.organisationId));
    },
  );

  r.get(
    "/api/v1/users",
    {
      config: { auth: { permission: "users:read" } },
      schema: { tags: ["users"], response: { 200: z.object({ items: z.array(s.user) }) } },
    },
    async (req) => {
      return { items: (await identity.listUsers(deps, principal(req))).map(presentUser) };
    },
  );

  r.get(
    "/api/v1/users/:id",
    {
      config: { auth: { permission: "users:read" } },
      schema: { tags: ["users"], params: s.idParams, response: { 200: s.user } },
    },
    async (req) => presentUser(await identity.getUser(deps, principal(req), req.params.id)),
  );

  r.post(
    "/api/v1/users",
    {
      config: { auth: { permission: "users:manage", sessionOnly: true } },
      schema: { tags: ["users"], body: s.newUserBody, response: { 201: s.user } },
    },
    async (req, reply) => {
      const p = principal(req);
      const u = await identity.createUser(deps, p, { ...req.body, organisationId: p.organisationId });
      return reply.code(201).send(presentUser({ ...u, locked: false }));
    },
  );

  r.get(
    "/api/v1/tokens",
    {
      config: { auth: { permission: "tokens:manage", sessionOnly: true } },
      schema: { tags: ["tokens"], response: { 200: z.object({ items: z.array(s.token) }) } },
    },
    async (req) => ({ items: (await identity.listTokens(deps, principal(req))).map(presentToken) }),
  );

  r.post(
    "/api/v1/tokens",
    {
      config: { auth: { permission: "tokens:manage", sessionOnly: true } },
      schema: {
        tags: ["tokens"],
        summary: "Create an API token; the token itself is returned once and never again",
        body: s.newTokenBody,
        response: { 201: z.object({ token: z.string(), item: s.token }) },
      },
    },
    async (req, reply) => {
      const { token, item } = await identity.createToken(deps, principal(req), req.body);
      return reply.code(201).send({ token, item: presentToken(item) });
    },
  );

  r.delete(
    "/api/v1/tokens/:id",
    {
      config: { auth: { permission: "tokens:manage", sessionOnly: true } },
      schema: { tags: ["tokens"], params: s.idParams },
    },
    async (req, reply) => {
      await identity.revokeToken(deps, principal(req), req.params.id);
      return reply.code(204).send();
    },
  );
}
