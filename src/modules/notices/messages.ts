// The follow-up messages of a notice: the reminder (before and after the deadline; it repeats
// the whole original notice, so it is complete on its own) and the receipt that confirms a
// party's response.
import type { Language } from "./compose.ts";
import { escapeHtml, utc } from "./text.ts";

export interface ReminderFacts {
  language: Language;
  reference: string;
  original: { subject: string; text: string; html: string };
  sentAt: Date;
  deadline: Date;
  now: Date;
  openUrls: string[];
  responseUrl: string;
}

export function composeReminder(f: ReminderFacts) {
  const passed = f.now >= f.deadline;
  const nl = f.language === "nl";
  const subject = nl
    ? `${passed ? "Termijn verstreken" : "Herinnering"}: ${f.original.subject}`
    : `${passed ? "Deadline passed" : "Reminder"}: ${f.original.subject}`;
  const lead = nl
    ? `Op ${utc(f.sentAt)} stuurden wij u melding ${f.reference}. ${
        passed
          ? `De termijn is verstreken op ${utc(f.deadline)}.`
          : `De termijn verstrijkt op ${utc(f.deadline)}.`
      } Voor ${f.openUrls.length} URL${f.openUrls.length === 1 ? "" : "'s"} hebben wij nog geen antwoord ontvangen:`
    : `On ${utc(f.sentAt)} we sent you notice ${f.reference}. ${
        passed ? `Its deadline passed on ${utc(f.deadline)}.` : `Its deadline is ${utc(f.deadline)}.`
      } We have not yet received your answer for ${f.openUrls.length} URL${f.openUrls.length === 1 ? "" : "s"}:`;
  const act = nl
    ? "Laat ons via deze link weten wat u hebt gedaan (geen account nodig):"
    : "Tell us what you did through this link (no account needed):";
  const below = nl ? "De oorspronkelijke melding volgt hieronder." : "The original notice follows below.";
  const text = [
    lead,
    ...f.openUrls.map((u) => `- ${u}`),
    "",
    act,
    f.responseUrl,
    "",
    below,
    "",
    "-----",
    "",
    f.original.text,
  ].join("\n");
  const html = [
    `<p>${escapeHtml(lead)}</p>`,
    `<ul>${f.openUrls.map((u) => `<li><code>${escapeHtml(u)}</code></li>`).join("")}</ul>`,
    `<p>${escapeHtml(act)}<br><a href="${escapeHtml(f.responseUrl)}">${escapeHtml(f.responseUrl)}</a></p>`,
    `<p>${escapeHtml(below)}</p><hr>`,
    f.original.html,
  ].join("\n");
  return { subject, text, html };
}

export interface ReceiptFacts {
  language: Language;
  reference: string;
  kind: string;
  receivedAt: Date;
  responseId: string;
  urls: string[];
  responseUrl: string;
}

const KINDS: Record<string, Record<Language, string>> = {
  acknowledged: { nl: "ontvangst bevestigd", en: "receipt confirmed" },
  removed: { nl: "verwijderd", en: "removed" },
  disabled: { nl: "ontoegankelijk gemaakt", en: "access disabled" },
  geo_restricted: { nl: "beperkt in bepaalde landen", en: "restricted in some countries" },
  refused: { nl: "geweigerd", en: "refused" },
  not_responsible: { nl: "niet verantwoordelijk", en: "not responsible" },
  question: { nl: "vraag", en: "question" },
};

export function composeReceipt(f: ReceiptFacts) {
  const nl = f.language === "nl";
  const what = KINDS[f.kind]?.[f.language] ?? f.kind;
  const subject = nl
    ? `Ontvangen: uw antwoord op melding ${f.reference}`
    : `Received: your response to notice ${f.reference}`;
  const lines = nl
    ? [
        `Wij hebben uw antwoord op melding ${f.reference} ontvangen en vastgelegd op ${utc(f.receivedAt)}.`,
        `Antwoord: ${what}. Kenmerk van uw antwoord: ${f.responseId}.`,
        ...(f.urls.length ? ["Betreft:", ...f.urls.map((u) => `- ${u}`)] : []),
        "",
        "Wij controleren zelf of de inhoud niet meer bereikbaar is. U kunt de stand van zaken bekijken of aanvullen via:",
        f.responseUrl,
      ]
    : [
        `We received your response to notice ${f.reference} and recorded it at ${utc(f.receivedAt)}.`,
        `Response: ${what}. Your response's reference: ${f.responseId}.`,
        ...(f.urls.length ? ["Concerning:", ...f.urls.map((u) => `- ${u}`)] : []),
        "",
        "We check for ourselves that the content is no longer reachable. You can see the state of the notice or add to it at:",
        f.responseUrl,
      ];
  const text = lines.join("\n");
  const html = `<p>${lines.map(escapeHtml).join("<br>")}</p>`;
  return { subject, text, html };
}
