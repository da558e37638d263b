// RFC 9457 problem documents: the only shape an error leaves the API in. No stack traces,
// and nothing from the request is echoed unescaped.
import type { FastifyReply } from "fastify";
import { type ErrorCode, errorCatalogue, type FieldError, problemType } from "../platform/errors.ts";

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export function problem(
  code: ErrorCode,
  opts: { detail?: string | undefined; errors?: FieldError[] | undefined; instance?: string } = {},
): Problem {
  const spec = errorCatalogue[code];
  return {
    type: problemType(code),
    title: spec.title,
    status: spec.status,
    code,
    ...(opts.detail !== undefined && { detail: opts.detail }),
    ...(opts.instance !== undefined && { instance: opts.instance }),
    ...(opts.errors !== undefined && { errors: opts.errors }),
  };
}

// JSON is safe in a JSON response, but a problem may end up in an HTML page or a log viewer:
// angle brackets and ampersands are escaped as \u sequences, which JSON parsers read back.
export const safeJson = (value: unknown): string =>
  JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll(">", "\\u003e").replaceAll("&", "\\u0026");

export function sendProblem(
  reply: FastifyReply,
  p: Problem,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply
    .code(p.status)
    .headers(headers)
    .type("application/problem+json; charset=utf-8")
    .send(safeJson(p));
}
