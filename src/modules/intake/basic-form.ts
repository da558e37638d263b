// The report form without JavaScript: plain server-rendered HTML that posts a normal form.
// For phones with scripts off, old browsers and assistive tools that struggle with the app.
// Every value written into the page is escaped; the page loads nothing, not even a stylesheet.
import { taxonomy } from "../cases/taxonomy.ts";
import { currentConsent } from "./consent.ts";
import type { HelpRoute } from "./help.ts";
import { ageBands, reporterRoles } from "./schemas.ts";

export type Lang = "nl" | "en";

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

const t = {
  nl: {
    title: "Melding maken",
    intro: "Meld hier online seksueel geweld. Je hoeft geen naam te geven.",
    category: "Wat is er aan de hand?",
    urls: "Links naar de inhoud (één per regel)",
    description: "Wat is er gebeurd? (in je eigen woorden)",
    role: "Wie meldt er?",
    roles: {
      depicted: "Ik sta zelf op de beelden",
      parent: "Ik ben ouder of verzorger",
      bystander: "Ik zag het bij iemand anders",
      professional: "Ik meld beroepsmatig",
    },
    age: "Leeftijd van wie het overkomt",
    ages: {
      under_13: "Jonger dan 13",
      "13_15": "13 tot 15",
      "16_17": "16 of 17",
      "18_24": "18 tot 24",
      "25_plus": "25 of ouder",
      unknown: "Weet ik niet",
    },
    questions: "Kruis aan wat klopt",
    q: {
      immediateDanger: "Iemand is nu in gevaar",
      selfHarm: "Ik denk erover mezelf iets aan te doen",
      minorInvolved: "Er is iemand jonger dan 18 bij betrokken",
      ongoingThreat: "Ik word nog steeds bedreigd of afgeperst",
    },
    email: "E-mailadres (alleen als je wilt dat we contact opnemen)",
    consent: "Ik geef toestemming:",
    send: "Melding versturen",
    thanks: "Je melding is ontvangen",
    keep: "Bewaar deze code en dit geheim. Daarmee kun je zien wat er met je melding gebeurt.",
    receipt: "Code",
    secret: "Geheim",
    help: "Hier kun je terecht",
    errors: "Controleer deze velden:",
    csamWarning: "Stuur nooit beelden van kinderen mee. Meld alleen de link.",
  },
  en: {
    title: "Make a report",
    intro: "Report online sexual violence here. You do not need to give your name.",
    category: "What is going on?",
    urls: "Links to the content (one per line)",
    description: "What happened? (in your own words)",
    role: "Who is reporting?",
    roles: {
      depicted: "I am in the images myself",
      parent: "I am a parent or carer",
      bystander: "I saw it happen to someone else",
      professional: "I report as a professional",
    },
    age: "Age of the person it happens to",
    ages: {
      under_13: "Under 13",
      "13_15": "13 to 15",
      "16_17": "16 or 17",
      "18_24": "18 to 24",
      "25_plus": "25 or older",
      unknown: "I don't know",
    },
    questions: "Tick what is true",
    q: {
      immediateDanger: "Someone is in danger right now",
      selfHarm: "I am thinking about hurting myself",
      minorInvolved: "Someone under 18 is involved",
      ongoingThreat: "I am still being threatened or blackmailed",
    },
    email: "E-mail address (only if you want us to contact you)",
    consent: "I give permission:",
    send: "Send report",
    thanks: "Your report has been received",
    keep: "Keep this code and secret. With them you can see what happens to your report.",
    receipt: "Code",
    secret: "Secret",
    help: "Where to get help",
    errors: "Please check these fields:",
    csamWarning: "Never send images of children. Only report the link.",
  },
} as const;

const page = (lang: Lang, title: string, body: string) => `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${esc(title)} · Vangrail</title>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;

export type FormValues = Record<string, string | string[] | undefined>;

const val = (v: FormValues, k: string): string => {
  const x = v[k];
  return Array.isArray(x) ? (x[0] ?? "") : (x ?? "");
};

export function renderForm(
  lang: Lang,
  values: FormValues = {},
  errors: { path: string; message: string }[] = [],
): string {
  const tr = t[lang];
  const other: Lang = lang === "nl" ? "en" : "nl";
  const checked = (k: string) => (val(values, k) ? " checked" : "");
  const option = (value: string, label: string, current: string) =>
    `<option value="${esc(value)}"${value === current ? " selected" : ""}>${esc(label)}</option>`;
  const errorList =
    errors.length > 0
      ? `<div role="alert"><p><strong>${esc(tr.errors)}</strong></p><ul>${errors
          .map((e) => `<li>${esc(e.path)}: ${esc(e.message)}</li>`)
          .join("")}</ul></div>`
      : "";
  return page(
    lang,
    tr.title,
    `<p><a href="/report-basic?lang=${other}" hreflang="${other}">${other === "en" ? "English" : "Nederlands"}</a></p>
<h1>${esc(tr.title)}</h1>
<p>${esc(tr.intro)}</p>
<p>${esc(tr.csamWarning)}</p>
${errorList}
<form method="post" action="/report-basic">
<input type="hidden" name="lang" value="${lang}">
<p><label for="category">${esc(tr.category)}</label><br>
<select id="category" name="category" required>${taxonomy.categories
      .map((c) => option(c.id, c.label[lang], val(values, "category")))
      .join("")}</select></p>
<p><label for="urls">${esc(tr.urls)}</label><br>
<textarea id="urls" name="urls" rows="4" cols="40">${esc(val(values, "urls"))}</textarea></p>
<p><label for="description">${esc(tr.description)}</label><br>
<textarea id="description" name="description" rows="6" cols="40">${esc(val(values, "description"))}</textarea></p>
<p><label for="reporterRole">${esc(tr.role)}</label><br>
<select id="reporterRole" name="reporterRole" required>${reporterRoles
      .map((r) => option(r, tr.roles[r], val(values, "reporterRole")))
      .join("")}</select></p>
<p><label for="ageBand">${esc(tr.age)}</label><br>
<select id="ageBand" name="ageBand" required>${ageBands.map((a) => option(a, tr.ages[a], val(values, "ageBand") || "unknown")).join("")}</select></p>
<fieldset><legend>${esc(tr.questions)}</legend>
${(Object.keys(tr.q) as (keyof typeof tr.q)[])
  .map(
    (k) =>
      `<p><input type="checkbox" id="${k}" name="${k}" value="1"${checked(k)}> <label for="${k}">${esc(tr.q[k])}</label></p>`,
  )
  .join("\n")}
</fieldset>
<p><label for="email">${esc(tr.email)}</label><br>
<input type="email" id="email" name="email" autocomplete="email" value="${esc(val(values, "email"))}"></p>
<div hidden><label for="website">Website</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>
<p><input type="checkbox" id="consent" name="consent" value="${esc(currentConsent.version)}" required${checked("consent")}>
<label for="consent">${esc(tr.consent)} ${esc(currentConsent[lang])}</label></p>
<p><button type="submit">${esc(tr.send)}</button></p>
</form>`,
  );
}

export function renderReceipt(lang: Lang, receipt: string, secret: string, help: HelpRoute[]): string {
  const tr = t[lang];
  const routes = help
    .map(
      (h) =>
        `<li><strong>${esc(h.title[lang])}</strong><br>${esc(h.text[lang])}${h.phone ? `<br><a href="tel:${esc(h.phone.replace(/[^0-9+]/g, ""))}">${esc(h.phone)}</a>` : ""}${h.url ? `<br><a href="${esc(h.url)}" rel="noreferrer">${esc(h.url)}</a>` : ""}</li>`,
    )
    .join("\n");
  return page(
    lang,
    tr.thanks,
    `<h1>${esc(tr.thanks)}</h1>
<h2>${esc(tr.help)}</h2>
<ul>${routes}</ul>
<p>${esc(tr.keep)}</p>
<dl><dt>${esc(tr.receipt)}</dt><dd><strong>${esc(receipt)}</strong></dd><dt>${esc(tr.secret)}</dt><dd><strong>${esc(secret)}</strong></dd></dl>`,
  );
}

/** Turns the posted form into the JSON the intake API takes. */
export function formToReport(v: FormValues): Record<string, unknown> {
  const lang = val(v, "lang") === "en" ? "en" : "nl";
  return {
    category: val(v, "category"),
    urls: val(v, "urls")
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean),
    description: val(v, "description"),
    reporterRole: val(v, "reporterRole"),
    ageBand: val(v, "ageBand") || "unknown",
    answers: {
      immediateDanger: Boolean(val(v, "immediateDanger")),
      selfHarm: Boolean(val(v, "selfHarm")),
      minorInvolved: Boolean(val(v, "minorInvolved")),
      ongoingThreat: Boolean(val(v, "ongoingThreat")),
    },
    ...(val(v, "email") && { contact: { email: val(v, "email") } }),
    language: lang,
    consent: val(v, "consent") ? { given: true, version: val(v, "consent") } : { given: false, version: "" },
    ...(val(v, "website") && { website: val(v, "website") }),
  };
}
