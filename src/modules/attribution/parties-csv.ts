// The party registry as CSV: one row per party, for spreadsheets and for moving a registry
// between installations. Import is idempotent by party name (an existing party is brought in
// line with its row; importing the same file twice changes nothing), checks every row on its
// own and answers one result per row. The file is bounded (bytes, rows, cell size); it must be
// UTF-8; cells an export writes that a spreadsheet would run as a formula are escaped.
//
// Format (docs/API.md, "Party registry"): a header row naming the columns, in any order;
// `name` and `kind` are required, every other column is optional. A column that is absent
// leaves that part of an existing party as it is; a column that is present but empty clears it.
// Lists within a cell are separated by `;`. `channels` lists `kind:address` entries in priority
// order (`email:abuse@example.org; webform:https://example.org/report`).
import { AppError } from "../../platform/errors.ts";
import { limits } from "../../platform/limits.ts";
import type { Deps } from "../deps.ts";
import type { Principal } from "../identity/principal.ts";
import { exportParties, type PartySpec, recordImport, upsertParty } from "./parties.ts";
import { channelKinds, type NewPartyInput, newPartyBody } from "./parties-schemas.ts";

export const partyCsvColumns = [
  "name",
  "kind",
  "country",
  "dsa_contact",
  "legal_representative",
  "very_large",
  "dsc",
  "languages",
  "response_hours",
  "max_urls_per_notice",
  "notes",
  "archived",
  "domains",
  "asns",
  "registrar_iana_ids",
  "tlds",
  "abuse_emails",
  "channels",
] as const;
type Column = (typeof partyCsvColumns)[number];

const MATCHER_COLUMNS = {
  domains: "domain",
  asns: "asn",
  registrar_iana_ids: "registrar_iana_id",
  tlds: "tld",
  abuse_emails: "abuse_email",
} as const;

const FIELD_COLUMNS: Partial<Record<Column, keyof NewPartyInput>> = {
  name: "name",
  kind: "kind",
  country: "country",
  dsa_contact: "dsaContact",
  legal_representative: "legalRepresentative",
  very_large: "veryLarge",
  dsc: "dsc",
  languages: "languages",
  response_hours: "responseHours",
  max_urls_per_notice: "maxUrlsPerNotice",
  notes: "notes",
};
const COLUMN_OF = Object.fromEntries(Object.entries(FIELD_COLUMNS).map(([c, f]) => [f, c])) as Record<
  string,
  string
>;

export interface ImportRowResult {
  line: number;
  ok: boolean;
  name?: string;
  id?: string;
  action?: "created" | "updated" | "unchanged";
  error?: string;
  /** Why the row failed, stable for translation; `error` says it in English with the details. */
  code?: ImportRowCode;
  /** Values the translated sentence names (the line, a column, a count). */
  params?: Record<string, string>;
  secrets?: { address: string; secret: string }[];
}

export type ImportRowCode =
  | "cell_too_long"
  | "too_many_cells"
  | "invalid_value"
  | "duplicate_row"
  | "conflict"
  | "not_valid";

/** The bytes of an uploaded file as text: UTF-8 only (a byte-order mark is dropped). */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes.byteLength > limits.partyImportBytesMax)
    throw new AppError("payload_too_large", {
      detail: `A party import has at most ${limits.partyImportBytesMax} bytes.`,
    });
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new AppError("validation_failed", {
      errors: [
        { path: "csv", pointer: "/csv", message: "The file is not UTF-8 text; save it as CSV (UTF-8)." },
      ],
    });
  }
}

interface CsvRecord {
  /** The line of the file the record starts on. */
  line: number;
  fields: string[];
  /** A cell was longer than the limit (and was cut while reading). */
  oversized: boolean;
}

/**
 * RFC 4180 records: quoted fields with doubled quotes and line breaks, CRLF or LF. Bounded: a
 * cell stops growing at the cell limit, and reading stops past the row limit.
 */
export function parseCsvRecords(text: string, maxRecords: number): { records: CsvRecord[]; more: boolean } {
  const records: CsvRecord[] = [];
  const cellMax = limits.partyCsvCellMax;
  let fields: string[] = [];
  let field = "";
  let fieldLength = 0;
  let oversized = false;
  let quoted = false;
  let line = 1;
  let start = 1;
  const add = (s: string) => {
    fieldLength += s.length;
    if (fieldLength > cellMax) oversized = true;
    else field += s;
  };
  const endField = () => {
    fields.push(field);
    field = "";
    fieldLength = 0;
  };
  const endRecord = () => {
    endField();
    if (fields.length > 1 || (fields[0] ?? "").trim() !== "")
      records.push({ line: start, fields, oversized });
    fields = [];
    oversized = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          add('"');
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        add(ch);
      }
      continue;
    }
    if (ch === '"' && fieldLength === 0) quoted = true;
    else if (ch === ",") endField();
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      start = line;
      if (records.length > maxRecords) return { records, more: true };
    } else add(ch);
  }
  if (field.length > 0 || fields.length > 0) endRecord();
  return { records, more: records.length > maxRecords };
}

// Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula.
// An export puts a ' before such a cell (and before one that already starts with ' and then
// such a character), and an import takes exactly one ' off again: the round trip is exact.
const FORMULA_ON_EXPORT = /^'*[=+\-@\t\r]/;
const FORMULA_ON_IMPORT = /^'+[=+\-@\t\r]/;
const unescapeCell = (v: string) => (FORMULA_ON_IMPORT.test(v) ? v.slice(1) : v);

export function csvCell(value: string): string {
  const v = FORMULA_ON_EXPORT.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

const list = (cell: string): string[] =>
  cell
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s !== "");

const YES = new Set(["yes", "true", "1", "ja", "y", "x"]);
const NO = new Set(["no", "false", "0", "nee", "n", ""]);

function parseBoolean(cell: string, column: string): boolean {
  const v = cell.trim().toLowerCase();
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  throw new Error(`${column}: write yes or no.`);
}

function parseInteger(cell: string, column: string): number | null {
  const v = cell.trim();
  if (v === "") return null;
  if (!/^[0-9]{1,9}$/.test(v)) throw new Error(`${column}: write a whole number.`);
  return Number(v);
}

/** One data row as a party spec, or the reason it cannot be one. */
function rowToSpec(
  header: Column[],
  record: CsvRecord,
):
  | { ok: true; spec: PartySpec }
  | { ok: false; error: string; code: ImportRowCode; params?: Record<string, string> } {
  if (record.oversized)
    return {
      ok: false,
      code: "cell_too_long",
      params: { max: String(limits.partyCsvCellMax) },
      error: `A cell is longer than ${limits.partyCsvCellMax} characters.`,
    };
  if (record.fields.length > header.length)
    return {
      ok: false,
      code: "too_many_cells",
      params: { cells: String(record.fields.length), columns: String(header.length) },
      error: `The row has ${record.fields.length} cells; the header names ${header.length}.`,
    };
  const cells = new Map<Column, string>();
  header.forEach((col, i) => {
    cells.set(col, unescapeCell(record.fields[i] ?? ""));
  });
  const raw: Record<string, unknown> = {};
  const named = new Set<keyof NewPartyInput>();
  let archived: boolean | undefined;
  const matchers: { kind: (typeof MATCHER_COLUMNS)[keyof typeof MATCHER_COLUMNS]; value: string }[] = [];
  const matcherKindsNamed = new Set<(typeof MATCHER_COLUMNS)[keyof typeof MATCHER_COLUMNS]>();
  let channels: PartySpec["channels"];
  try {
    for (const [col, cell] of cells) {
      const field = FIELD_COLUMNS[col];
      if (field) {
        named.add(field);
        if (col === "very_large") raw[field] = parseBoolean(cell, col);
        else if (col === "languages") raw[field] = list(cell).length > 0 ? list(cell) : ["en"];
        else if (col === "response_hours") raw[field] = parseInteger(cell, col);
        else if (col === "max_urls_per_notice") raw[field] = parseInteger(cell, col) ?? 50;
        else raw[field] = cell;
        continue;
      }
      if (col === "archived") archived = parseBoolean(cell, col);
      else if (col === "channels") {
        channels = list(cell).map((entry) => {
          const colon = entry.indexOf(":");
          const kind = entry.slice(0, colon).trim().toLowerCase();
          if (colon < 1 || !(channelKinds as readonly string[]).includes(kind))
            throw new Error(`channels: write each as kind:address, kind one of ${channelKinds.join(", ")}.`);
          return { kind: kind as (typeof channelKinds)[number], address: entry.slice(colon + 1).trim() };
        });
      } else if (col in MATCHER_COLUMNS) {
        const kind = MATCHER_COLUMNS[col as keyof typeof MATCHER_COLUMNS];
        matcherKindsNamed.add(kind);
        for (const value of list(cell)) matchers.push({ kind, value });
      }
    }
  } catch (e) {
    return { ok: false, code: "invalid_value", error: (e as Error).message };
  }
  const parsed = newPartyBody.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${COLUMN_OF[String(i.path[0])] ?? String(i.path[0] ?? "row")}: ${i.message}`);
    return { ok: false, code: "invalid_value", error: first.join("; ") };
  }
  // A matcher column replaces the matchers of its kind only; kinds without a column are kept.
  return {
    ok: true,
    spec: {
      fields: parsed.data,
      named,
      ...(matcherKindsNamed.size > 0 && { matchers, matcherKinds: matcherKindsNamed }),
      ...(channels !== undefined && { channels }),
      ...(archived !== undefined && { archived }),
    },
  };
}

/** The column an error of `upsertParty` is about: `matchers.3` → `domains`. */
function columnOfError(path: string, spec: PartySpec): string {
  const m = /^matchers\.(\d+)$/.exec(path);
  if (m) {
    const kind = spec.matchers?.[Number(m[1])]?.kind;
    const column = Object.entries(MATCHER_COLUMNS).find(([, k]) => k === kind)?.[0];
    return column ?? "matchers";
  }
  if (/^channels\.\d+$/.test(path)) return "channels";
  return COLUMN_OF[path] ?? path;
}

/**
 * Imports parties from CSV text: one result per data row (`line` is where the row starts in the
 * file), webhook secrets of new webhooks included once. Rows fail on their own; the whole
 * import is refused only for a bad header, too many rows or too many bytes.
 */
export async function importPartiesCsv(
  deps: Deps,
  by: Principal,
  text: string,
  opts: { source: string },
): Promise<ImportRowResult[]> {
  if (Buffer.byteLength(text) > limits.partyImportBytesMax)
    throw new AppError("payload_too_large", {
      detail: `A party import has at most ${limits.partyImportBytesMax} bytes.`,
    });
  const { records, more } = parseCsvRecords(text.replace(/^\uFEFF/, ""), limits.partyImportRowsMax + 1);
  const refuse = (message: string) =>
    new AppError("validation_failed", { errors: [{ path: "csv", pointer: "/csv", message }] });
  if (more || records.length > limits.partyImportRowsMax + 1)
    throw refuse(`At most ${limits.partyImportRowsMax} parties per import; split the file.`);
  const headerRecord = records.shift();
  if (!headerRecord)
    throw refuse("The file is empty; the first line names the columns (at least name and kind).");
  const header = headerRecord.fields.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !(partyCsvColumns as readonly string[]).includes(h));
  if (unknown.length > 0)
    throw refuse(
      `Unknown column ${JSON.stringify(unknown[0]?.slice(0, 40))}; the columns are ${partyCsvColumns.join(", ")}.`,
    );
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw refuse(`The column ${dup} appears twice.`);
  if (!header.includes("name") || !header.includes("kind"))
    throw refuse("The first line names the columns; name and kind are required.");

  const cols = header as Column[];
  const results: ImportRowResult[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    const r = rowToSpec(cols, record);
    if (!r.ok) {
      results.push({
        line: record.line,
        ok: false,
        error: r.error,
        code: r.code,
        ...(r.params && { params: r.params }),
      });
      continue;
    }
    const name = r.spec.fields.name;
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) {
      results.push({
        line: record.line,
        ok: false,
        name,
        error: `The same party as line ${earlier}.`,
        code: "duplicate_row",
        params: { line: String(earlier) },
      });
      continue;
    }
    seen.set(name.toLowerCase(), record.line);
    try {
      const out = await upsertParty(deps, by, r.spec, opts);
      results.push({
        line: record.line,
        ok: true,
        name,
        id: out.id,
        action: out.action,
        ...(out.secrets.length > 0 && { secrets: out.secrets }),
      });
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      const detail =
        e.code !== "conflict" && e.errors?.length
          ? e.errors
              .slice(0, 3)
              .map((x) => `${columnOfError(x.path, r.spec)}: ${x.message}`)
              .join("; ")
          : (e.detail ?? e.message);
      results.push({
        line: record.line,
        ok: false,
        name,
        error: detail,
        code:
          e.code === "conflict" ? "conflict" : e.code === "validation_failed" ? "invalid_value" : "not_valid",
      });
    }
  }
  const count = (a: ImportRowResult["action"]) => results.filter((x) => x.action === a).length;
  await recordImport(deps, by, {
    rows: results.length,
    created: count("created"),
    updated: count("updated"),
    unchanged: count("unchanged"),
    failed: results.filter((x) => !x.ok).length,
    source: opts.source,
  });
  return results;
}

/** The organisation's registry as CSV (archived parties too), in the import's format. */
export async function exportPartiesCsv(deps: Deps, by: Principal): Promise<string> {
  const parties = await exportParties(deps, by);
  const lines = [partyCsvColumns.join(",")];
  for (const p of parties) {
    const matchers = (kind: string) =>
      p.matchers
        .filter((m) => m.kind === kind)
        .map((m) => m.value)
        .join(";");
    const row: Record<Column, string> = {
      name: p.name,
      kind: p.kind,
      country: p.country ?? "",
      dsa_contact: p.dsaContact ?? "",
      legal_representative: p.legalRepresentative ?? "",
      very_large: p.veryLarge ? "yes" : "no",
      dsc: p.dsc ?? "",
      languages: p.languages.join(";"),
      response_hours: p.responseHours === null ? "" : String(p.responseHours),
      max_urls_per_notice: String(p.maxUrlsPerNotice),
      notes: p.notes ?? "",
      archived: p.archivedAt ? "yes" : "no",
      domains: matchers("domain"),
      asns: matchers("asn"),
      registrar_iana_ids: matchers("registrar_iana_id"),
      tlds: matchers("tld"),
      abuse_emails: matchers("abuse_email"),
      channels: p.channels.map((c) => `${c.kind}:${c.address}`).join(";"),
    };
    lines.push(partyCsvColumns.map((c) => csvCell(row[c])).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
