// HTTP routes of the escalation ladder: where each item of a case stands, the approval requests
// of regulator and police steps and their decision, and the organisation's auto-approve setting.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principal } from "../../http/plugins/auth.ts";
import type { Deps } from "../deps.ts";
import * as ladder from "./ladder.ts";

const idParams = z.object({ id: z.uuid() });

export const decisionBody = z.strictObject({
  decision: z.enum(["approve", "reject"]),
  note: z.string().trim().max(2000).optional(),
});

export const settingsBody = z.strictObject({ autoApprove: z.boolean() });

export function ladderRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["escalation"];

  r.get(
    "/api/v1/cases/:id/escalation",
    {
      config: { auth: { permission: "escalation:read" } },
      schema: {
        tags,
        summary:
          "Per item of a case: its ladder step, party, deadline, next step and when, approval and history",
        params: idParams,
      },
    },
    async (req) => ({ items: await ladder.itemLadder(deps, principal(req), req.params.id) }),
  );

  r.get(
    "/api/v1/escalation/approvals",
    {
      config: { auth: { permission: "escalation:read" } },
      schema: { tags, summary: "Regulator and police steps waiting for an analyst's decision" },
    },
    async (req) => ({ items: await ladder.pendingApprovals(deps, principal(req)) }),
  );

  r.post(
    "/api/v1/escalation/approvals/:id",
    {
      config: { auth: { permission: "escalation:approve" } },
      schema: {
        tags,
        summary: "Approve or reject a regulator or police step; an approved step is filed on the next tick",
        params: idParams,
        body: decisionBody,
      },
    },
    async (req) => ladder.decideApproval(deps, principal(req), req.params.id, req.body),
  );

  r.get(
    "/api/v1/escalation/settings",
    { config: { auth: { permission: "escalation:read" } }, schema: { tags } },
    async (req) => ladder.escalationSettings(deps, principal(req)),
  );

  r.put(
    "/api/v1/escalation/settings",
    {
      config: { auth: { permission: "escalation:approve" } },
      schema: {
        tags,
        summary: "Whether regulator and police steps go without an analyst's approval",
        body: settingsBody,
      },
    },
    async (req) => ladder.setEscalationSettings(deps, principal(req), req.body),
  );
}
