// zod schemas of the identity API: bodies are strict (unknown fields are refused) and bounded.
import { z } from "zod";
import { limits } from "../../platform/limits.ts";
import { organisationKinds, roles, tokenScopes } from "./roles.ts";

export const email = z.email().max(limits.emailMax);
export const password = z.string().min(1).max(limits.passwordMax);
export const newPassword = z.string().min(limits.passwordMin).max(limits.passwordMax);
export const displayName = z.string().trim().min(1).max(limits.nameMax);
export const mfaCode = z.string().regex(/^\d{6}$/, "Enter the 6-digit code from your app.");

export const organisation = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(organisationKinds),
  createdAt: z.string(),
});

export const user = z.object({
  id: z.uuid(),
  displayName: z.string(),
  email: z.string(),
  role: z.enum(roles),
  mfaEnabled: z.boolean(),
  locked: z.boolean(),
  createdAt: z.string(),
});

export const token = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const stage = z.enum(["mfa_verify", "mfa_enrol", "complete"]);

export const setupBody = z.strictObject({
  setupCode: z.string().min(1).max(128),
  organisation: z.strictObject({ name: displayName, kind: z.enum(organisationKinds) }),
  admin: z.strictObject({ displayName, email, password: newPassword }),
});

export const loginBody = z.strictObject({ email: z.string().max(limits.emailMax), password });
export const codeBody = z.strictObject({ code: mfaCode });
export const emptyBody = z.strictObject({}).nullish();

export const newUserBody = z.strictObject({
  displayName,
  email,
  role: z.enum(roles),
  password: newPassword,
});

export const newTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(limits.tokenNameMax),
  scopes: z.array(z.enum(tokenScopes)).min(1).max(tokenScopes.length),
  expiresInDays: z.number().int().min(1).max(limits.tokenMaxDays).optional(),
});

export const idParams = z.strictObject({ id: z.uuid() });
