// Parsing input that does not pass through a route schema (multipart fields, CSV rows, job
// payloads): zod issues become the same field errors with JSON pointers as the HTTP edge's.
import type { z } from "zod";
import { AppError, type FieldError } from "./errors.ts";

export function fieldErrors(issues: z.core.$ZodIssue[], prefix: (string | number)[] = []): FieldError[] {
  return issues.slice(0, 50).map((i) => {
    const path = [...prefix, ...i.path].map(String);
    const keys = i.code === "unrecognized_keys" ? i.keys : [];
    const full = keys.length > 0 ? [...path, keys[0] as string] : path;
    return {
      path: full.join(".") || "(body)",
      pointer:
        full.length > 0 ? `/${full.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}` : "",
      message: keys.length > 0 ? "Unknown field." : i.message,
    };
  });
}

/** Parses `value` or throws validation_failed naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: (string | number)[] = [],
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError("validation_failed", { errors: fieldErrors(r.error.issues, prefix) });
  return r.data;
}
