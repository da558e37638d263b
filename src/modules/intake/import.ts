// Bulk import: a CSV of URLs (with a category, optionally a platform) into an existing case, or
// into new cases, one per category. Every row gets its own result; bad rows do not stop the rest.
import { AppError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import * as cases from "../cases/service.ts";
import { category as categoryOf } from "../cases/taxonomy.ts";
import type { Deps } from "../deps.ts";
import { actorOf, authorize, type Principal } from "../identity/principal.ts";

export interface RowResult {
  line: number;
  ok: boolean;
  caseId?: string;
  itemId?: string;
  linked?: boolean;
  error?: string;
  /** Why the row failed, stable for translation: unknown_category, no_category, invalid_url. */
  code?: "unknown_category" | "no_category" | "invalid_url";
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field.length === 0) quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface ImportOptions {
  caseId?: string | undefined;
  category?: string | undefined;
  onProgress?: (done: number, total: number) => void;
}

/** Imports URL rows; returns one result per data row (line numbers count the header as 1). */
export async function importCsv(
  deps: Deps,
  by: Principal,
  csv: string,
  opts: ImportOptions = {},
): Promise<RowResult[]> {
  authorize(by, "cases:import");
  if (csv.length > limits.importBytesMax) throw new AppError("payload_too_large");
  const rows = parseCsv(csv.replace(/^\uFEFF/, "")).filter((r) => r.some((f) => f.trim() !== ""));
  const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  if (col("url") < 0) {
    throw new AppError("validation_failed", {
      errors: [
        {
          path: "csv",
          pointer: "/csv",
          message: "The first line must name the columns, with at least `url`.",
        },
      ],
    });
  }
  if (rows.length > limits.importRowsMax) {
    throw new AppError("validation_failed", {
      errors: [{ path: "csv", pointer: "/csv", message: `At most ${limits.importRowsMax} rows per import.` }],
    });
  }
  const results: RowResult[] = [];
  const byCategory = new Map<string, { line: number; url: string; platform?: string }[]>();
  rows.forEach((r, i) => {
    const line = i + 2;
    const url = (r[col("url")] ?? "").trim();
    const category = ((col("category") >= 0 ? r[col("category")] : undefined) ?? opts.category ?? "").trim();
    const platform = col("platform") >= 0 ? (r[col("platform")] ?? "").trim() || undefined : undefined;
    if (!opts.caseId && !categoryOf(category)) {
      results.push({
        line,
        ok: false,
        code: category ? "unknown_category" : "no_category",
        error: category ? `Unknown category "${category.slice(0, 40)}".` : "No category.",
      });
      return;
    }
    const key = opts.caseId ? "" : category;
    byCategory.set(key, [...(byCategory.get(key) ?? []), { line, url, ...(platform && { platform }) }]);
  });
  let done = results.length;
  const total = rows.length;
  for (const [category, group] of byCategory) {
    let caseId = opts.caseId;
    if (!caseId) {
      caseId = await deps.db.transaction().execute(async (tx) => {
        const created = await cases.createCaseInTx(tx, deps, actorOf(by), {
          organisationId: by.organisationId,
          category,
          source: "import",
          priority: "normal",
          urgentReasons: [],
          items: [],
        });
        return created.case.id;
      });
    }
    for (let start = 0; start < group.length; start += 200) {
      const chunk = group.slice(start, start + 200);
      const out = await cases.addItems(
        deps,
        by,
        caseId,
        chunk.map((g) => ({ kind: "url" as const, value: g.url, platform: g.platform })),
      );
      for (const o of out) {
        const g = chunk[o.index] as { line: number };
        results.push({
          line: g.line,
          ok: o.ok,
          caseId,
          ...(o.itemId && { itemId: o.itemId }),
          ...(o.linked !== undefined && { linked: o.linked }),
          ...(o.error && { error: o.error, code: "invalid_url" as const }),
        });
      }
      done += chunk.length;
      opts.onProgress?.(done, total);
    }
  }
  return results.sort((a, b) => a.line - b.line);
}
