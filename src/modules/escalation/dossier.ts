// The dossier of an enforcement request: HTML (Dutch by default, English when the request is
// in English) printed to PDF by headless Chromium, plus the verifiable evidence bundle of each
// item's latest capture. Rendered by a job, never inside a request; each file is stored as an
// encrypted blob, its SHA-256 recorded as a document of the request and in the audit log.
//
// The chronology is generated from the audit log: every notice, reminder, response and
// deadline of the items' notices, the items' status changes and captures, monitoring checks
// (`monitoring.*` events, when that module records them) and the request's own events. Views
// of the material and anything about the reporter are never part of it.
import { type Browser, chromium } from "playwright-core";
import type { Tx } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import * as registry from "../attribution/parties.ts";
import * as audit from "../audit/service.ts";
import type { Deps } from "../deps.ts";
import * as evidence from "../evidence/service.ts";
import type { Principal } from "../identity/principal.ts";
import * as identity from "../identity/service.ts";
import * as notices from "../notices/service.ts";
import * as awb from "./awb.ts";
import { itemsOfRequest, requestReference, SUBJECT } from "./enforcement.ts";
import * as store from "./enforcement-store.ts";
import { type Language, regulatorById } from "./regulators.ts";

// --- The PDF printer ------------------------------------------------------------------------------

const PRINT_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  // The dossier is self-contained: nothing may be fetched while it is printed.
  "--host-resolver-rules=MAP * ~NOTFOUND",
  "--proxy-server=http://127.0.0.1:9",
];

/** Prints self-contained HTML to PDF; one browser, started on first use, closed when idle. */
export class PdfPrinter {
  readonly #path: string;
  #browser: Promise<Browser> | undefined;
  #idle: NodeJS.Timeout | undefined;
  #busy = 0;

  constructor(executablePath: string) {
    this.#path = executablePath;
  }

  async print(html: string, footer: string): Promise<Buffer> {
    this.#busy++;
    clearTimeout(this.#idle);
    try {
      this.#browser ??= chromium.launch({ executablePath: this.#path, args: PRINT_ARGS, headless: true });
      const browser = await this.#browser;
      const context = await browser.newContext({ javaScriptEnabled: false, serviceWorkers: "block" });
      try {
        await context.route("**/*", (route) => route.abort("blockedbyclient"));
        const page = await context.newPage();
        await page.setContent(html, { waitUntil: "load", timeout: 60_000 });
        const pdf = await page.pdf({
          format: "A4",
          printBackground: true,
          margin: { top: "18mm", bottom: "20mm", left: "18mm", right: "18mm" },
          displayHeaderFooter: true,
          headerTemplate: "<span></span>",
          footerTemplate: `<div style="font-size:8px;width:100%;text-align:center;color:#444">${escapeHtml(footer)} · <span class="pageNumber"></span>/<span class="totalPages"></span></div>`,
        });
        return Buffer.from(pdf);
      } finally {
        await context.close().catch(() => undefined);
      }
    } catch (e) {
      // A browser that failed to start is not kept: the next print tries again.
      this.#browser = undefined;
      throw new AppError("service_unavailable", {
        detail: `Printing the PDF failed: ${(e as Error).message.split("\n")[0]?.slice(0, 300)}`,
        cause: e,
      });
    } finally {
      this.#busy--;
      if (this.#busy === 0) {
        this.#idle = setTimeout(() => void this.close(), 30_000);
        this.#idle.unref();
      }
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.#idle);
    const b = this.#browser;
    this.#browser = undefined;
    if (b) await (await b.catch(() => undefined))?.close().catch(() => undefined);
  }
}

const printers = new WeakMap<Deps, PdfPrinter>();

export function printerOf(deps: Deps): PdfPrinter {
  let p = printers.get(deps);
  if (!p) {
    p = new PdfPrinter(deps.config.evidence.capture.browserPath);
    printers.set(deps, p);
  }
  return p;
}

export async function closePrinter(deps: Deps): Promise<void> {
  await printers.get(deps)?.close();
  printers.delete(deps);
}

// --- HTML ---------------------------------------------------------------------------------------

export const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

const paragraphs = (s: string): string =>
  s
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replaceAll("\n", "<br>")}</p>`)
    .join("\n");

export const STYLE = `
  @page { size: A4; }
  body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.45; color: #111; }
  h1 { font-size: 18pt; margin: 0 0 4pt; }
  h2 { font-size: 12.5pt; margin: 18pt 0 6pt; border-bottom: 1px solid #999; padding-bottom: 2pt; }
  .meta { display: grid; grid-template-columns: 9em 1fr; gap: 2pt 10pt; margin: 8pt 0; }
  .meta dt { font-weight: bold; }
  .meta dd { margin: 0; white-space: pre-line; }
  table { border-collapse: collapse; width: 100%; font-size: 9pt; }
  th, td { border: 1px solid #bbb; padding: 3pt 5pt; text-align: left; vertical-align: top; }
  th { background: #eee; }
  td.time { white-space: nowrap; }
  .url, code { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }
  .basis dt { font-weight: bold; margin-top: 4pt; }
  .basis dd { margin: 0 0 4pt 0; }
  .sign { margin-top: 24pt; }
  .muted { color: #555; }
`;

const TITLES: Record<string, Record<Language, string>> = {
  handhavingsverzoek: { nl: "Handhavingsverzoek", en: "Enforcement request (handhavingsverzoek)" },
  complaint: { nl: "Klacht", en: "Complaint" },
  crime_report: { nl: "Melding van strafbare feiten", en: "Report of criminal offences" },
};

const L = {
  nl: {
    reference: "Kenmerk",
    date: "Datum",
    to: "Aan",
    from: "Verzoeker",
    address: "Adres",
    email: "E-mail",
    party: "Betrokken partij",
    none: "geen",
    request: "Verzoek",
    basis: "Wettelijke grondslag",
    facts: "Feiten",
    content: "Inhoud",
    case: "Zaak",
    category: "Categorie",
    url: "URL",
    status: "Status",
    chronology: "Chronologie",
    chronologyIntro:
      "Gegenereerd uit het hash-geketende auditlog van Vangrail: elke melding, herinnering, reactie en controle.",
    noChecks: "Er zijn geen monitoringcontroles vastgelegd.",
    time: "Tijd (UTC)",
    event: "Gebeurtenis",
    subject: "Betreft",
    detail: "Details",
    evidence: "Bewijs",
    evidenceIntro:
      "Per URL de bundel van de laatste vastlegging: manifest, handtekening (Ed25519), tijdstempel (RFC 3161) en bewaarketen. Te controleren met `vangrail verify <bundel>` of met standaardgereedschap (openssl, sha256sum).",
    noEvidence: "Er is geen afgeronde vastlegging van deze URL's.",
    bundle: "Bundel",
    manifest: "Manifest (SHA-256)",
    term: "Beslistermijn",
    termText:
      "Dit is een aanvraag in de zin van art. 1:3 lid 3 Awb. De beslistermijn is ten hoogste acht weken na ontvangst (art. 4:13 Awb), tenzij u binnen die termijn een andere redelijke termijn noemt (art. 4:14 lid 3 Awb). Beslist u niet tijdig, dan kan verzoeker u in gebreke stellen; twee weken daarna verbeurt u een dwangsom per dag (art. 4:17 Awb, thans €23, €35 en €45 per dag, ten hoogste 42 dagen).",
    noTerm: "Voor deze melding loopt geen beslistermijn van de Awb.",
    signed: "Ondertekend namens verzoeker door",
    signedNot: "Nog niet goedgekeurd: concept.",
  },
  en: {
    reference: "Reference",
    date: "Date",
    to: "To",
    from: "Applicant",
    address: "Address",
    email: "E-mail",
    party: "Party concerned",
    none: "none",
    request: "Request",
    basis: "Legal basis",
    facts: "Facts",
    content: "Content",
    case: "Case",
    category: "Category",
    url: "URL",
    status: "Status",
    chronology: "Chronology",
    chronologyIntro:
      "Generated from Vangrail's hash-chained audit log: every notice, reminder, response and check.",
    noChecks: "No monitoring checks were recorded.",
    time: "Time (UTC)",
    event: "Event",
    subject: "Concerns",
    detail: "Details",
    evidence: "Evidence",
    evidenceIntro:
      "For each URL the bundle of its latest capture: manifest, signature (Ed25519), timestamp (RFC 3161) and chain of custody. Verify with `vangrail verify <bundle>` or with standard tools (openssl, sha256sum).",
    noEvidence: "There is no finished capture of these URLs.",
    bundle: "Bundle",
    manifest: "Manifest (SHA-256)",
    term: "Decision term",
    termText:
      "This is an application within the meaning of art. 1:3(3) Awb. The decision term is at most eight weeks after receipt (art. 4:13 Awb), unless you name another reasonable term within it (art. 4:14(3) Awb). If you do not decide in time, the applicant may give notice of default; two weeks after that you owe a penalty per day (art. 4:17 Awb, currently €23, €35 and €45 a day, for at most 42 days).",
    noTerm: "No Awb decision term runs for this report.",
    signed: "Signed on behalf of the applicant by",
    signedNot: "Not approved yet: draft.",
  },
} as const;

const EVENT_LABELS: Record<string, Record<Language, string>> = {
  "case.created": { nl: "Zaak aangemaakt", en: "Case created" },
  "item.attributed": { nl: "Verantwoordelijke partij bepaald", en: "Responsible party attributed" },
  "item.status_changed": { nl: "Status van URL gewijzigd", en: "URL status changed" },
  "evidence.captured": { nl: "Bewijs vastgelegd", en: "Evidence captured" },
  "evidence.transferred": { nl: "Bewijs overgedragen", en: "Evidence transferred" },
  "notice.created": { nl: "Melding opgesteld", en: "Notice drafted" },
  "notice.notice_sent": { nl: "Melding verzonden", en: "Notice sent" },
  "notice.reminder_queued": { nl: "Herinnering klaargezet", en: "Reminder queued" },
  "notice.reminder_sent": { nl: "Herinnering verzonden", en: "Reminder sent" },
  "notice.receipt_sent": { nl: "Ontvangstbevestiging verzonden", en: "Receipt sent" },
  "notice.response_received": { nl: "Reactie van de partij", en: "Response from the party" },
  "notice.overdue": { nl: "Termijn van de melding verstreken", en: "Notice deadline passed" },
  "notice.delivery_failed": { nl: "Bezorging mislukt", en: "Delivery failed" },
  "notice.undeliverable": { nl: "Onbestelbaar", en: "Undeliverable" },
  "notice.sent_manually": { nl: "Via webformulier ingediend", en: "Filed through a web form" },
  "enforcement.drafted": { nl: "Verzoek opgesteld", en: "Request drafted" },
  "enforcement.approved": { nl: "Verzoek goedgekeurd", en: "Request approved" },
  "enforcement.filed": { nl: "Verzoek ingediend", en: "Request filed" },
};

const labelOf = (action: string, lang: Language): string => {
  const known = EVENT_LABELS[action]?.[lang];
  if (known) return known;
  if (action.startsWith("monitoring.")) return `${lang === "nl" ? "Controle" : "Check"}: ${action.slice(11)}`;
  return action;
};

/** Which events belong in a chronology: the chain's facts, never views of material or reporters. */
const inChronology = (action: string): boolean =>
  action.startsWith("notice.") ||
  action.startsWith("monitoring.") ||
  action.startsWith("escalation.") ||
  ["case.created", "item.attributed", "item.status_changed", "evidence.captured"].includes(action) ||
  ["enforcement.drafted", "enforcement.approved", "enforcement.filed"].includes(action);

export interface ChronologyEntry {
  at: string;
  action: string;
  label: string;
  subject: string;
  detail: string;
}

/** A principal for reading other modules' views on behalf of the applicant (nothing is changed). */
const readerFor = (organisationId: string): Principal => ({
  kind: "token",
  tokenId: "enforcement-dossier",
  organisationId,
  organisationKind: "hotline",
  permissions: new Set(["notices:read", "evidence:read"]),
});

function detailOf(action: string, data: Record<string, unknown>): string {
  const pick = (...keys: string[]) =>
    keys
      .filter((k) => data[k] !== undefined && data[k] !== null && typeof data[k] !== "object")
      .map((k) => `${k}: ${String(data[k])}`)
      .join("; ");
  if (action === "item.status_changed") return `${String(data.from ?? "")} → ${String(data.to ?? "")}`;
  if (action === "notice.response_received") return pick("kind", "restriction", "ground");
  if (action.startsWith("notice.")) return pick("recipient", "channel", "reminder", "deadline", "error");
  if (action === "evidence.captured") return pick("manifestSha256", "status");
  if (action.startsWith("monitoring."))
    return pick("verdict", "reason", "httpStatus", "http_status", "checkId");
  return pick("regulator", "step", "signedAs");
}

export async function chronology(
  deps: Deps,
  r: store.Request,
  lang: Language,
): Promise<{ entries: ChronologyEntry[]; notices: string[]; checks: number }> {
  const reader = readerFor(r.organisationId);
  const scope = await itemsOfRequest(deps, r);
  const itemIds = new Set(scope.flatMap((c) => c.items.map((i) => i.id)));
  const urlOf = new Map(scope.flatMap((c) => c.items.map((i) => [i.id, i.url] as const)));
  const subjects: { type: string; id: string }[] = [{ type: SUBJECT, id: r.id }];
  const labels = new Map<string, string>();
  const noticeRefs: string[] = [];
  for (const c of scope) {
    subjects.push({ type: "case", id: c.caseId });
    labels.set(c.caseId, c.caseReference);
    for (const n of await notices.noticesOfCase(deps, reader, c.caseId)) {
      if (!n.items.some((i) => itemIds.has(i.itemId))) continue;
      subjects.push({ type: "notice", id: n.id });
      labels.set(n.id, `${n.reference} (${n.party.name})`);
      noticeRefs.push(n.reference);
    }
    for (const cap of await evidence.listCaptures(deps, reader, { limit: 200, caseId: c.caseId })) {
      if (!cap.itemId || !itemIds.has(cap.itemId)) continue;
      subjects.push({ type: "evidence_capture", id: cap.id });
      labels.set(cap.id, urlOf.get(cap.itemId) ?? cap.url);
    }
  }
  for (const [id, url] of urlOf) {
    subjects.push({ type: "item", id });
    labels.set(id, url);
  }
  const events = await audit.timeline(deps.db, r.organisationId, subjects, 5000);
  const entries = events
    .filter((e) => inChronology(e.action))
    .map((e) => ({
      at: e.occurredAt,
      action: e.action,
      label: labelOf(e.action, lang),
      subject: e.subjectId
        ? (labels.get(e.subjectId) ?? (e.subjectType === SUBJECT ? requestReference(r.id) : ""))
        : "",
      detail: detailOf(e.action, (e.data ?? {}) as Record<string, unknown>),
    }));
  return {
    entries,
    notices: [...new Set(noticeRefs)],
    checks: entries.filter((e) => e.action.startsWith("monitoring.")).length,
  };
}

export interface DossierModel {
  reference: string;
  language: Language;
  requestKind: string;
  date: string;
  regulatorName: string;
  legalBasis: { ref: string; text: string }[];
  awbTerm: boolean;
  applicant: { name: string; address: string; email: string | null };
  party: { name: string; country: string | null } | null;
  decisionRequested: string;
  facts: string;
  cases: Awaited<ReturnType<typeof itemsOfRequest>>;
  chronology: ChronologyEntry[];
  checks: number;
  bundles: { url: string; fileName: string; sha256: string; manifestSha256: string }[];
  signedBy: string | null;
  signedAt: string | null;
}

const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")}`;

export function dossierHtml(m: DossierModel): string {
  const t = L[m.language];
  const title = TITLES[m.requestKind]?.[m.language] ?? TITLES.handhavingsverzoek?.[m.language] ?? "";
  const rows = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
  return `<!doctype html>
<html lang="${m.language}">
<head>
<meta charset="utf-8">
<title>${escapeHtml(`${title} ${m.reference}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<dl class="meta">
  <dt>${t.reference}</dt><dd>${escapeHtml(m.reference)}</dd>
  <dt>${t.date}</dt><dd>${escapeHtml(m.date)}</dd>
  <dt>${t.to}</dt><dd>${escapeHtml(m.regulatorName)}</dd>
  <dt>${t.from}</dt><dd>${escapeHtml(m.applicant.name)}</dd>
  <dt>${t.address}</dt><dd>${escapeHtml(m.applicant.address)}</dd>
  ${m.applicant.email ? `<dt>${t.email}</dt><dd>${escapeHtml(m.applicant.email)}</dd>` : ""}
  <dt>${t.party}</dt><dd>${m.party ? escapeHtml(`${m.party.name}${m.party.country ? ` (${m.party.country})` : ""}`) : t.none}</dd>
</dl>

<h2>${t.request}</h2>
${paragraphs(m.decisionRequested)}

<h2>${t.basis}</h2>
<dl class="basis">
${m.legalBasis.map((b) => `<dt>${escapeHtml(b.ref)}</dt><dd>${escapeHtml(b.text)}</dd>`).join("\n")}
</dl>

<h2>${t.facts}</h2>
${paragraphs(m.facts)}

<h2>${t.content}</h2>
<table>
<thead><tr><th>${t.case}</th><th>${t.category}</th><th>${t.url}</th><th>${t.status}</th></tr></thead>
<tbody>
${m.cases
  .flatMap((c) =>
    c.items.map((i) =>
      rows([
        escapeHtml(c.caseReference),
        escapeHtml(c.category),
        `<span class="url">${escapeHtml(i.url)}</span>`,
        escapeHtml(i.status),
      ]),
    ),
  )
  .join("\n")}
</tbody>
</table>

<h2>${t.chronology}</h2>
<p class="muted">${t.chronologyIntro}</p>
${m.checks === 0 ? `<p class="muted">${t.noChecks}</p>` : ""}
<table>
<thead><tr><th>${t.time}</th><th>${t.event}</th><th>${t.subject}</th><th>${t.detail}</th></tr></thead>
<tbody>
${m.chronology
  .map((e) =>
    rows([
      `<span class="time">${escapeHtml(utc(e.at))}</span>`,
      escapeHtml(e.label),
      `<span class="url">${escapeHtml(e.subject)}</span>`,
      `<span class="url">${escapeHtml(e.detail)}</span>`,
    ]),
  )
  .join("\n")}
</tbody>
</table>

<h2>${t.evidence}</h2>
<p class="muted">${t.evidenceIntro}</p>
${
  m.bundles.length === 0
    ? `<p>${t.noEvidence}</p>`
    : `<table><thead><tr><th>${t.url}</th><th>${t.bundle}</th><th>SHA-256</th><th>${t.manifest}</th></tr></thead><tbody>
${m.bundles
  .map((b) =>
    rows([
      `<span class="url">${escapeHtml(b.url)}</span>`,
      escapeHtml(b.fileName),
      `<code>${b.sha256}</code>`,
      `<code>${b.manifestSha256}</code>`,
    ]),
  )
  .join("\n")}
</tbody></table>`
}

<h2>${t.term}</h2>
<p>${m.awbTerm ? t.termText : t.noTerm}</p>

<p class="sign">${
    m.signedBy
      ? `${t.signed} <strong>${escapeHtml(m.signedBy)}</strong>, ${escapeHtml(m.signedAt ?? "")}.`
      : t.signedNot
  }</p>
</body>
</html>
`;
}

// --- Rendering (the job) ------------------------------------------------------------------------

async function bundlesOf(deps: Deps, tx: Tx | undefined, r: store.Request, regulatorName: string) {
  const reader = readerFor(r.organisationId);
  const scope = await itemsOfRequest(deps, r);
  const existing = await store.documentsOf(tx ?? deps.db, r.id);
  const out: DossierModel["bundles"] = [];
  const fresh: { fileName: string; bytes: Buffer; sha256: string }[] = [];
  for (const c of scope) {
    const captures = await evidence.listCaptures(deps, reader, { limit: 200, caseId: c.caseId });
    for (const item of c.items) {
      const latest = captures
        .filter((x) => x.itemId === item.id && x.status === "captured" && x.manifestSha256)
        .sort((a, b) => (b.capturedAt?.getTime() ?? 0) - (a.capturedAt?.getTime() ?? 0))[0];
      if (!latest?.manifestSha256) continue;
      const fileName = `evidence-${latest.id}.zip`;
      const kept = existing.find((d) => d.kind === "evidence_bundle" && d.fileName === fileName);
      if (kept) {
        out.push({ url: item.url, fileName, sha256: kept.sha256, manifestSha256: latest.manifestSha256 });
        continue;
      }
      const b = await evidence.exportBundle(
        deps,
        { type: "system", id: null, organisationId: r.organisationId },
        latest.id,
        {
          ...(r.filedAt ? { recipient: regulatorName } : {}),
          reason: `enforcement request ${requestReference(r.id)}`,
        },
      );
      const put = await deps.blobs.put(b.bundle);
      fresh.push({ fileName, bytes: b.bundle, sha256: put.sha256 });
      out.push({ url: item.url, fileName, sha256: put.sha256, manifestSha256: b.manifestSha256 });
    }
  }
  return { bundles: out, fresh };
}

/** Builds, prints and stores the dossier of one request. */
export async function renderDossier(
  deps: Deps,
  id: string,
): Promise<{ pdfSha256: string; htmlSha256: string }> {
  const r = await store.findRequest(deps.db, id);
  if (!r) throw new AppError("not_found");
  const reg = regulatorById(r.regulator);
  const lang = r.language;
  const regulatorName = reg?.name[lang] ?? r.regulator;
  const [org, settings, party] = await Promise.all([
    identity.findOrganisationById(deps, r.organisationId),
    store.settingsOf(deps.db, r.organisationId),
    r.partyId ? registry.getParty(deps.db, r.organisationId, r.partyId) : undefined,
  ]);
  const chrono = await chronology(deps, r, lang);
  const { bundles, fresh } = await bundlesOf(deps, undefined, r, regulatorName);
  const reference = requestReference(r.id);
  const model: DossierModel = {
    reference,
    language: lang,
    requestKind: reg?.requestKind ?? "handhavingsverzoek",
    date: awb.dayOf(r.filedAt ?? deps.clock.now()),
    regulatorName,
    legalBasis: (reg?.legalBasis ?? []).map((b) => ({ ref: b.ref, text: b.text[lang] })),
    awbTerm: r.termApplies,
    applicant: {
      name: settings?.applicantName ?? org.name,
      address: settings?.postalAddress ?? "",
      email: settings?.email ?? null,
    },
    party: party ? { name: party.name, country: party.country } : null,
    decisionRequested: r.decisionRequested,
    facts: r.facts,
    cases: await itemsOfRequest(deps, r),
    chronology: chrono.entries,
    checks: chrono.checks,
    bundles,
    signedBy: r.approvedByName,
    signedAt: r.approvedAt ? awb.dayOf(r.approvedAt) : null,
  };
  const html = Buffer.from(dossierHtml(model), "utf8");
  const pdf = await printerOf(deps).print(html.toString("utf8"), reference);
  const [htmlPut, pdfPut] = [await deps.blobs.put(html), await deps.blobs.put(pdf)];
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    const version = (await store.documentsOf(tx, id)).filter((d) => d.kind === "dossier_pdf").length + 1;
    const base = `${lang === "nl" ? "dossier" : "dossier-en"}-${reference}-v${version}`;
    const add = (
      kind: store.EnforcementDocumentKind,
      fileName: string,
      mediaType: string,
      sha256: string,
      size: number,
    ) =>
      store.insertDocument(tx, {
        requestId: id,
        organisationId: r.organisationId,
        kind,
        fileName,
        mediaType,
        sha256,
        sizeBytes: size,
        createdBy: null,
        createdAt: now,
      });
    await add("dossier_pdf", `${base}.pdf`, "application/pdf", pdfPut.sha256, pdf.length);
    await add("dossier_html", `${base}.html`, "text/html; charset=utf-8", htmlPut.sha256, html.length);
    for (const b of fresh)
      await add("evidence_bundle", b.fileName, "application/zip", b.sha256, b.bytes.length);
    await store.updateRequest(tx, id, { dossier_status: "ready", dossier_error: null }, now);
    await audit.record(
      tx,
      deps.clock,
      { type: "system", id: null, organisationId: r.organisationId },
      {
        action: "enforcement.dossier_rendered",
        subject: { type: SUBJECT, id },
        data: {
          version,
          pdfSha256: pdfPut.sha256,
          htmlSha256: htmlPut.sha256,
          bundles: bundles.map((b) => ({ fileName: b.fileName, sha256: b.sha256 })),
          notices: chrono.notices,
          events: chrono.entries.length,
        },
      },
    );
  });
  return { pdfSha256: pdfPut.sha256, htmlSha256: htmlPut.sha256 };
}

/** The dossier job: renders every pending dossier; a failure is recorded on its request. */
export async function renderPendingDossiers(
  deps: Deps,
  batch = 20,
): Promise<{ rendered: number; failed: number }> {
  let rendered = 0;
  let failed = 0;
  for (const id of await store.pendingDossiers(deps.db, batch)) {
    try {
      await renderDossier(deps, id);
      rendered++;
    } catch (e) {
      failed++;
      const message = (e as Error).message.slice(0, 2000);
      deps.logger.warn({ requestId: id, err: message }, "dossier rendering failed");
      await deps.db.transaction().execute(async (tx) => {
        const r = await store.findRequest(tx, id, true);
        if (!r) return;
        await store.updateRequest(
          tx,
          id,
          { dossier_status: "failed", dossier_error: message },
          deps.clock.now(),
        );
        await audit.record(
          tx,
          deps.clock,
          { type: "system", id: null, organisationId: r.organisationId },
          {
            action: "enforcement.dossier_failed",
            subject: { type: SUBJECT, id },
            data: { error: message },
          },
        );
      });
    }
  }
  return { rendered, failed };
}
