// Coordination between the regulators, the police and the hotline: per party, which of them
// have open requests; and the periodic consultation agenda (quarterly by default) listing the
// overdue requests, the parties several of them deal with, and the least compliant parties
// (by the share of noticed items refused or left unanswered past the deadline). This is the
// applicant hotline's view of its own requests: a regulator never sees another's requests, so
// the agenda is exported (HTML, PDF) and brought to the consultation by the hotline.
import { AppError } from "../../platform/errors.ts";
import * as registry from "../attribution/parties.ts";
import type { Deps } from "../deps.ts";
import { authorize, type Principal } from "../identity/principal.ts";
import * as identity from "../identity/service.ts";
import * as awb from "./awb.ts";
import { escapeHtml, printerOf, STYLE } from "./dossier.ts";
import { listRequests, type RequestSummary } from "./enforcement.ts";
import * as store from "./enforcement-store.ts";
import { type Language, regulatorById } from "./regulators.ts";

function applicantOnly(by: Principal): void {
  authorize(by, "enforcement:read");
  if (by.organisationKind !== "hotline" && by.organisationKind !== "helpdesk")
    throw new AppError("forbidden");
}

const nameOf = (id: string) => regulatorById(id)?.name ?? { nl: id, en: id };

/** Per party, the regulators and police with open requests about it. */
export async function partiesOverview(deps: Deps, by: Principal) {
  applicantOnly(by);
  const open = await store.openWithParty(deps.db, by.organisationId);
  const now = deps.clock.now();
  const byParty = new Map<string, typeof open>();
  for (const o of open) byParty.set(o.partyId, [...(byParty.get(o.partyId) ?? []), o]);
  const out = [];
  for (const [partyId, rows] of byParty) {
    const party = await registry.getParty(deps.db, by.organisationId, partyId);
    const regulators = [...new Set(rows.map((r) => r.regulator))].map((id) => ({
      id,
      name: nameOf(id),
      requests: rows
        .filter((r) => r.regulator === id)
        .map((r) => ({
          id: r.requestId,
          status: r.status,
          termEndsAt: r.termEndsAt?.toISOString() ?? null,
          lapsed: r.termEndsAt !== null && r.termEndsAt.getTime() < now.getTime(),
        })),
    }));
    out.push({ party: { id: partyId, name: party?.name ?? "" }, regulators });
  }
  return out.sort(
    (a, b) => b.regulators.length - a.regulators.length || a.party.name.localeCompare(b.party.name),
  );
}

/** The consultation period around `day`: periods of `months` months from 1 January. */
export function periodOf(day: awb.Day, months: number): { from: awb.Day; to: awb.Day } {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  const startMonth = Math.floor((m - 1) / months) * months + 1;
  const from = `${y}-${String(startMonth).padStart(2, "0")}-01`;
  const endMonth = startMonth + months;
  const next =
    endMonth > 12
      ? `${y + 1}-${String(endMonth - 12).padStart(2, "0")}-01`
      : `${y}-${String(endMonth).padStart(2, "0")}-01`;
  return { from, to: awb.addDays(next, -1) };
}

/** Weeks a request may wait for receipt, or for a decision where no Awb term runs, before it is overdue. */
const RECEIPT_WEEKS = 2;
const NO_TERM_WEEKS = 8;

export async function agenda(deps: Deps, by: Principal) {
  applicantOnly(by);
  const now = deps.clock.now();
  const settings = await store.settingsOf(deps.db, by.organisationId);
  const months = settings?.consultationMonths ?? 3;
  const period = periodOf(awb.dayOf(now), months);
  const org = await identity.findOrganisationById(deps, by.organisationId);
  const all = await listRequests(deps, by, { limit: 200 });
  const week = 7 * 86_400_000;
  const overdue: { request: RequestSummary; reason: "term_lapsed" | "no_receipt" | "no_decision" }[] = [];
  for (const r of all) {
    if (r.status !== "filed" && r.status !== "received") continue;
    const filed = r.filedAt ? new Date(r.filedAt).getTime() : now.getTime();
    if (r.clock.state === "lapsed") overdue.push({ request: r, reason: "term_lapsed" });
    else if (r.status === "filed" && now.getTime() - filed > RECEIPT_WEEKS * week)
      overdue.push({ request: r, reason: "no_receipt" });
    else if (r.clock.state === "not_applicable" && now.getTime() - filed > NO_TERM_WEEKS * week)
      overdue.push({ request: r, reason: "no_decision" });
  }
  const parties = await partiesOverview(deps, by);
  const compliance = await store.complianceOfParties(deps.db, by.organisationId, 3);
  const leastCompliant = compliance
    .map((c) => ({ ...c, share: (c.refused + c.overdue) / c.items }))
    .filter((c) => c.share > 0)
    .sort((a, b) => b.share - a.share || b.items - a.items)
    .slice(0, 10);
  return {
    organisation: settings?.applicantName ?? org.name,
    generatedAt: now.toISOString(),
    consultationMonths: months,
    period,
    overdue,
    sharedParties: parties.filter((p) => p.regulators.length >= 2),
    leastCompliant,
  };
}

export type Agenda = Awaited<ReturnType<typeof agenda>>;

const A = {
  nl: {
    title: "Agenda periodiek overleg toezichthouders, politie en meldpunt",
    period: "Periode",
    generated: "Opgesteld",
    overdue: "Verzoeken over de termijn",
    shared: "Partijen waar meerdere toezichthouders mee te maken hebben",
    least: "Minst meewerkende partijen",
    none: "Geen.",
    reference: "Kenmerk",
    regulator: "Toezichthouder",
    party: "Partij",
    reason: "Reden",
    filed: "Ingediend",
    regulators: "Toezichthouders en politie",
    items: "Gemelde URL's",
    refused: "Geweigerd",
    unanswered: "Over de termijn zonder antwoord",
    share: "Aandeel",
    reasons: {
      term_lapsed: "beslistermijn verstreken",
      no_receipt: "geen ontvangstbevestiging",
      no_decision: "nog geen beslissing",
    },
  },
  en: {
    title: "Agenda of the periodic consultation of regulators, police and hotline",
    period: "Period",
    generated: "Drawn up",
    overdue: "Requests past their term",
    shared: "Parties several regulators deal with",
    least: "Least compliant parties",
    none: "None.",
    reference: "Reference",
    regulator: "Regulator",
    party: "Party",
    reason: "Reason",
    filed: "Filed",
    regulators: "Regulators and police",
    items: "URLs noticed",
    refused: "Refused",
    unanswered: "Overdue without answer",
    share: "Share",
    reasons: {
      term_lapsed: "decision term lapsed",
      no_receipt: "no receipt confirmed",
      no_decision: "no decision yet",
    },
  },
} as const;

export function agendaHtml(a: Agenda, lang: Language): string {
  const t = A[lang];
  const table = (head: string[], rows: string[][]) =>
    rows.length === 0
      ? `<p>${t.none}</p>`
      : `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows
          .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`)
          .join("\n")}</tbody></table>`;
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><title>${escapeHtml(`${t.title} ${a.period.from} – ${a.period.to}`)}</title><style>${STYLE}</style></head>
<body>
<h1>${t.title}</h1>
<dl class="meta">
  <dt>${t.period}</dt><dd>${a.period.from} – ${a.period.to}</dd>
  <dt>${t.generated}</dt><dd>${escapeHtml(a.generatedAt.slice(0, 16).replace("T", " "))} UTC, ${escapeHtml(a.organisation)}</dd>
</dl>
<h2>1. ${t.overdue}</h2>
${table(
  [t.reference, t.regulator, t.party, t.filed, t.reason],
  a.overdue.map((o) => [
    escapeHtml(o.request.reference),
    escapeHtml(o.request.regulator.name[lang]),
    escapeHtml(o.request.party ?? ""),
    escapeHtml(o.request.filedAt?.slice(0, 10) ?? ""),
    t.reasons[o.reason],
  ]),
)}
<h2>2. ${t.shared}</h2>
${table(
  [t.party, t.regulators],
  a.sharedParties.map((p) => [
    escapeHtml(p.party.name),
    escapeHtml(p.regulators.map((r) => r.name[lang]).join(", ")),
  ]),
)}
<h2>3. ${t.least}</h2>
${table(
  [t.party, t.items, t.refused, t.unanswered, t.share],
  a.leastCompliant.map((c) => [
    escapeHtml(c.partyName),
    String(c.items),
    String(c.refused),
    String(c.overdue),
    `${Math.round(c.share * 100)}%`,
  ]),
)}
</body>
</html>
`;
}

export async function agendaPdf(deps: Deps, a: Agenda, lang: Language): Promise<Buffer> {
  return printerOf(deps).print(agendaHtml(a, lang), `${a.period.from} – ${a.period.to}`);
}
