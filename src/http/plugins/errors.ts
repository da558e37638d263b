// Turns every error into a problem document: AppErrors keep their code, validation and body
// parsing failures get theirs, and anything unexpected is logged and reported as `internal`.
import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { isAppError } from "../../platform/errors.ts";
import { problem, sendProblem } from "../problem.ts";

const sanitisePath = (p: string): string => p.replace(/[^\w.()[\]-]/g, "_").slice(0, 200);
const pointerOf = (path: string): string =>
  path === "(body)"
    ? ""
    : `/${path
        .split(".")
        .map((s) => s.replaceAll("~", "~0"))
        .join("/")}`;

function fieldErrors(err: { validation: { instancePath: string; message?: string; params: unknown }[] }) {
  return err.validation.slice(0, 50).map((v) => {
    const base = v.instancePath.replace(/^\//, "").replaceAll("/", ".");
    const params = v.params as { keys?: string[]; issue?: { code?: string; keys?: string[] } } | undefined;
    const keys = params?.keys ?? params?.issue?.keys;
    if (keys && keys.length > 0) {
      const path = sanitisePath([base, keys[0]].filter(Boolean).join("."));
      return {
        path,
        pointer: pointerOf(path),
        message: keys.length > 1 ? `Unknown fields (${keys.length}).` : "Unknown field.",
      };
    }
    const path = sanitisePath(base || "(body)");
    return { path, pointer: pointerOf(path), message: (v.message ?? "Not valid.").slice(0, 300) };
  });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const instance = `urn:request:${req.id}`;
    if (isAppError(err)) {
      return sendProblem(
        reply,
        problem(err.code, { detail: err.detail, errors: err.errors, instance }),
        err.headers,
      );
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      return sendProblem(reply, problem("validation_failed", { errors: fieldErrors(err), instance }));
    }
    switch (err.code) {
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return sendProblem(reply, problem("payload_too_large", { instance }));
      case "FST_ERR_CTP_INVALID_JSON_BODY":
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
        return sendProblem(reply, problem("malformed_json", { instance }));
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
        return sendProblem(reply, problem("unsupported_media_type", { instance }));
      case "FST_ERR_VALIDATION":
        return sendProblem(reply, problem("validation_failed", { instance }));
    }
    if (err.statusCode === 429) return sendProblem(reply, problem("rate_limited", { instance }));
    if (err instanceof SyntaxError || err.statusCode === 400) {
      return sendProblem(reply, problem("bad_request", { instance }));
    }
    if (err.statusCode === 413) return sendProblem(reply, problem("payload_too_large", { instance }));
    if (err.statusCode === 415) return sendProblem(reply, problem("unsupported_media_type", { instance }));
    req.log.error({ err }, "unhandled error");
    return sendProblem(reply, problem("internal", { instance }));
  });
}
