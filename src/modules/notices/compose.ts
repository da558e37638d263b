// The notice itself: a pure function from facts (category, URLs, notifier, deadline, response
// link) to the message a party receives, in Dutch or English, as plain text and HTML, with a
// machine-readable attachment (X-ARF v4 for the child-abuse categories, Vangrail's notice JSON
// for the others). It carries every element of DSA art. 16(2):
//   (a) why the content is illegal: the category's legal grounds and an explanation;
//   (b) the exact URLs, with identifiers from the captured evidence;
//   (c) the notifier's name and e-mail, left out where art. 16(2)(c) allows it (offences of
//       arts. 3–7 of Directive 2011/93/EU: child sexual abuse material and grooming);
//   (d) the statement of good faith.
// Nothing about the person who reported or is depicted goes in: the input has no field for it.
import { taxonomy, category as taxonomyCategory } from "../cases/taxonomy.ts";
import { bareAddress, domainOfAddress, escapeHtml, utc } from "./text.ts";

export type Language = "nl" | "en";

export interface NoticeFacts {
  noticeId: string;
  reference: string;
  language: Language;
  category: string;
  /** platform, hosting, registrar, registry (or a later escalation step). */
  step: string;
  notifier: {
    name: string;
    email: string;
    trustedFlagger: boolean;
    trustedFlaggerArea: string | null;
  };
  /** The address notices are sent from (MAIL_FROM): X-ARF's contact when the notifier is withheld. */
  senderAddress: string;
  party: { name: string };
  items: NoticeItemFacts[];
  createdAt: Date;
  deadline: Date;
  responseUrl: string;
  apiUrl: string;
  /** X-ARF's required classification of child sexual abuse material, set by the analyst. */
  csamClassification?: "baseline" | "A1" | "A2" | "B1" | "B2" | undefined;
}

export interface NoticeItemFacts {
  id: string;
  url: string;
  /** When Vangrail captured it and the SHA-256 of the signed capture manifest, if captured. */
  capturedAt?: string | undefined;
  evidenceSha256?: string | undefined;
  /** The hosting address, when attribution resolved one (X-ARF's source_identifier). */
  address?: string | undefined;
  mediaSha256?: string | undefined;
  mediaMd5?: string | undefined;
  pdq?: string | undefined;
}

export interface ComposedNotice {
  subject: string;
  text: string;
  html: string;
  attachmentKind: "xarf" | "vangrail";
  attachment: Record<string, unknown>;
  /** The attachment as files for an e-mail. */
  files: { filename: string; content: string }[];
}

/** The child-abuse offences of arts. 3–7 Directive 2011/93/EU: name and e-mail may be left out. */
export const withholdsNotifier = (category: string): boolean =>
  category === "csam" || category === "grooming";

/** Grounds beyond the Dutch Criminal Code, per category. */
const extraGrounds: Record<string, { code: string; nl: string; en: string }[]> = {
  ncii: [
    {
      code: "GDPR 6, 9",
      nl: "AVG art. 6 en 9: verwerking van gegevens over iemands seksuele leven zonder grondslag",
      en: "GDPR arts. 6 and 9: processing of data about a person's sex life without a lawful basis",
    },
    {
      code: "Aw 21",
      nl: "Portretrecht (art. 21 Auteurswet): openbaarmaking in strijd met een redelijk belang van de geportretteerde",
      en: "Portrait right (art. 21 Dutch Copyright Act): publication against the reasonable interest of the person portrayed",
    },
  ],
  sextortion: [
    {
      code: "GDPR 6, 9",
      nl: "AVG art. 6 en 9: verwerking van gegevens over iemands seksuele leven zonder grondslag",
      en: "GDPR arts. 6 and 9: processing of data about a person's sex life without a lawful basis",
    },
  ],
  deepfake: [
    {
      code: "GDPR 6, 9",
      nl: "AVG art. 6 en 9: verwerking van gegevens over iemands seksuele leven zonder grondslag",
      en: "GDPR arts. 6 and 9: processing of data about a person's sex life without a lawful basis",
    },
    {
      code: "Aw 21",
      nl: "Portretrecht (art. 21 Auteurswet)",
      en: "Portrait right (art. 21 Dutch Copyright Act)",
    },
  ],
  exposure_list: [
    {
      code: "GDPR 6, 9",
      nl: "AVG art. 6 en 9: verwerking van persoonsgegevens en gegevens over iemands seksuele leven zonder grondslag",
      en: "GDPR arts. 6 and 9: processing of personal data and data about a person's sex life without a lawful basis",
    },
    {
      code: "Aw 21",
      nl: "Portretrecht (art. 21 Auteurswet)",
      en: "Portrait right (art. 21 Dutch Copyright Act)",
    },
  ],
  doxing: [
    {
      code: "GDPR 6",
      nl: "AVG art. 6: verwerking van persoonsgegevens zonder grondslag",
      en: "GDPR art. 6: processing of personal data without a lawful basis",
    },
  ],
  nudify_service: [
    {
      code: "GDPR 6, 9",
      nl: "AVG art. 6 en 9: het maken van seksuele beelden van herkenbare personen zonder grondslag",
      en: "GDPR arts. 6 and 9: making sexual images of identifiable people without a lawful basis",
    },
  ],
  csam: [
    {
      code: "Dir. 2011/93/EU art. 5",
      nl: "Richtlijn 2011/93/EU art. 5 (kinderpornografie)",
      en: "Directive 2011/93/EU art. 5 (child pornography)",
    },
  ],
  grooming: [
    {
      code: "Dir. 2011/93/EU art. 6",
      nl: "Richtlijn 2011/93/EU art. 6 (benaderen van kinderen voor seksuele doeleinden)",
      en: "Directive 2011/93/EU art. 6 (solicitation of children for sexual purposes)",
    },
  ],
};

const explanation: Record<Language, (label: string) => string> = {
  nl: (label) =>
    `De inhoud op de hieronder genoemde URL's valt onder "${label}". Een analist van de melder heeft elke URL beoordeeld en vastgelegd; het bewijs (tijdstip, technische gegevens, hashes) is ondertekend en met een tijdstempel bewaard. De verspreiding is strafbaar en onrechtmatig op de genoemde gronden; er is geen toestemming van de afgebeelde persoon en geen rechtvaardiging voor openbaarmaking.`,
  en: (label) =>
    `The content at the URLs below falls under "${label}". An analyst of the notifier has reviewed and recorded each URL; the evidence (time, technical details, hashes) is kept signed and timestamped. Distributing it is a criminal offence and unlawful on the grounds listed; the person depicted has not consented and there is no justification for publication.`,
};

const goodFaith: Record<Language, string> = {
  nl: "De melder verklaart te goeder trouw dat de informatie en beweringen in deze melding juist en volledig zijn (art. 16 lid 2 onder d DSA).",
  en: "The notifier declares in good faith that the information and allegations in this notice are accurate and complete (DSA art. 16(2)(d)).",
};

const words = {
  nl: {
    subject: (n: number, ref: string) =>
      `Melding van illegale inhoud (art. 16 DSA), ${n} URL${n === 1 ? "" : "'s"} [${ref}]`,
    dear: (party: string) => `Aan ${party},`,
    intro:
      "Dit is een melding van illegale inhoud op grond van artikel 16 van de Digitaledienstenverordening (DSA, Verordening (EU) 2022/2065). Wij vragen u de inhoud op onderstaande URL's te verwijderen of ontoegankelijk te maken.",
    trusted: (area: string | null) =>
      `De melder is een betrouwbare flagger (trusted flagger) in de zin van artikel 22 DSA${area ? ` voor: ${area}` : ""}. Op grond van artikel 22 lid 1 krijgt deze melding voorrang en wordt zij zonder onnodige vertraging behandeld.`,
    where: "Exacte locatie (art. 16 lid 2 onder b)",
    captured: "vastgelegd",
    evidence: "bewijs (SHA-256 van het ondertekende manifest)",
    why: "Waarom deze inhoud illegaal is (art. 16 lid 2 onder a)",
    category: "Categorie",
    grounds: "Juridische gronden",
    who: "Melder (art. 16 lid 2 onder c)",
    withheld:
      "Naam en e-mailadres van de melder zijn weggelaten: voor inhoud die een strafbaar feit uit de artikelen 3 tot en met 7 van Richtlijn 2011/93/EU betreft, zijn zij op grond van artikel 16 lid 2 onder c DSA niet vereist. Gebruik voor vragen de antwoordlink hieronder.",
    name: "Naam",
    email: "E-mail",
    faith: "Verklaring van goede trouw (art. 16 lid 2 onder d)",
    deadline: "Termijn",
    deadlineText: (d: string) =>
      `Wij verwachten dat u uiterlijk ${d} handelt en dat via de antwoordlink laat weten. Na deze termijn sturen wij een herinnering en kunnen wij de melding voorleggen aan de hostingprovider, de registrar of de bevoegde toezichthouder.`,
    respond: "Antwoorden (één klik, geen account nodig)",
    respondText:
      "Bevestig de ontvangst (art. 16 lid 4) en laat weten wat u hebt gedaan: verwijderd, ontoegankelijk gemaakt, beperkt in bepaalde landen, geweigerd (met de gegevens van art. 17 lid 3) of niet verantwoordelijk (met wie dat wel is). U kunt ook een vraag stellen.",
    api: "Voor systemen",
    attachment: (kind: string) => `Een machineleesbare versie van deze melding is bijgevoegd (${kind}).`,
    privacy:
      "Deze melding bevat geen persoonsgegevens van de melder of van de afgebeelde persoon. Deel deze melding niet met de uploader.",
    reference: "Kenmerk",
  },
  en: {
    subject: (n: number, ref: string) =>
      `Notice of illegal content (DSA art. 16), ${n} URL${n === 1 ? "" : "s"} [${ref}]`,
    dear: (party: string) => `To ${party},`,
    intro:
      "This is a notice of illegal content under Article 16 of the Digital Services Act (DSA, Regulation (EU) 2022/2065). We ask you to remove or disable access to the content at the URLs below.",
    trusted: (area: string | null) =>
      `The notifier is a trusted flagger within the meaning of Article 22 DSA${area ? ` for: ${area}` : ""}. Under Article 22(1) this notice is to be given priority and decided upon without undue delay.`,
    where: "Exact location (art. 16(2)(b))",
    captured: "captured",
    evidence: "evidence (SHA-256 of the signed manifest)",
    why: "Why this content is illegal (art. 16(2)(a))",
    category: "Category",
    grounds: "Legal grounds",
    who: "Notifier (art. 16(2)(c))",
    withheld:
      "The notifier's name and e-mail address are left out: for content involving an offence of Articles 3 to 7 of Directive 2011/93/EU they are not required under Article 16(2)(c) DSA. Please use the response link below for questions.",
    name: "Name",
    email: "E-mail",
    faith: "Statement of good faith (art. 16(2)(d))",
    deadline: "Deadline",
    deadlineText: (d: string) =>
      `We expect you to act by ${d} and to tell us so through the response link. After this deadline we send a reminder and may refer the notice to the hosting provider, the registrar or the competent authority.`,
    respond: "Respond (one click, no account needed)",
    respondText:
      "Confirm receipt (art. 16(4)) and tell us what you did: removed, disabled, restricted in some countries, refused (with the facts of art. 17(3)) or not responsible (with who is). You can also ask a question.",
    api: "For systems",
    attachment: (kind: string) => `A machine-readable version of this notice is attached (${kind}).`,
    privacy:
      "This notice contains no personal data of the reporter or of the person depicted. Do not share this notice with the uploader.",
    reference: "Reference",
  },
} as const;

const STEP_NAMES: Record<string, Record<Language, string>> = {
  platform: { nl: "platform", en: "platform" },
  hosting: { nl: "hostingprovider", en: "hosting provider" },
  registrar: { nl: "registrar", en: "registrar" },
  registry: { nl: "registry", en: "registry" },
};

/** The legal grounds of a category: its Dutch offences, then GDPR, portrait right, EU law. */
export function legalGrounds(categoryId: string, language: Language): { code: string; label: string }[] {
  const c = taxonomyCategory(categoryId);
  if (!c) throw new Error(`unknown category ${categoryId}`);
  const offences = c.offences.map((code) => ({
    code,
    label: `${code.replace(/^Sr (.+)$/, "art. $1 Sr")}: ${taxonomy.offences[code]?.[language] ?? code}`,
  }));
  return [
    ...offences,
    ...(extraGrounds[categoryId] ?? []).map((g) => ({ code: g.code, label: g[language] })),
  ];
}

export function composeNotice(f: NoticeFacts): ComposedNotice {
  const c = taxonomyCategory(f.category);
  if (!c) throw new Error(`unknown category ${f.category}`);
  if (f.items.length === 0) throw new Error("a notice needs at least one item");
  if (f.category === "csam" && !f.csamClassification)
    throw new Error("a notice about child sexual abuse material needs the analyst's X-ARF classification");
  const w = words[f.language];
  const label = c.label[f.language];
  const grounds = legalGrounds(f.category, f.language);
  const withheld = withholdsNotifier(f.category);
  const xarf = withheld;
  const attachment = xarf ? xarfReports(f) : vangrailNotice(f, grounds, withheld);
  const attachmentName = xarf ? "X-ARF v4" : "Vangrail notice v1 (JSON)";

  const itemLines = f.items.map((it, i) => {
    const extra: string[] = [];
    if (it.capturedAt) extra.push(`${w.captured} ${it.capturedAt}`);
    if (it.evidenceSha256) extra.push(`${w.evidence}: ${it.evidenceSha256}`);
    if (it.mediaSha256) extra.push(`SHA-256: ${it.mediaSha256}`);
    if (it.pdq) extra.push(`PDQ: ${it.pdq}`);
    return { n: i + 1, url: it.url, extra };
  });

  const textParts: string[] = [
    w.dear(f.party.name),
    "",
    w.intro,
    ...(f.notifier.trustedFlagger ? ["", w.trusted(f.notifier.trustedFlaggerArea)] : []),
    "",
    `${w.reference}: ${f.reference}`,
    "",
    `== ${w.where} ==`,
    ...itemLines.flatMap((l) => [`${l.n}. ${l.url}`, ...l.extra.map((e) => `   ${e}`)]),
    "",
    `== ${w.why} ==`,
    `${w.category}: ${label}`,
    explanation[f.language](label),
    `${w.grounds}:`,
    ...grounds.map((g) => `- ${g.label}`),
    "",
    `== ${w.who} ==`,
    ...(withheld ? [w.withheld] : [`${w.name}: ${f.notifier.name}`, `${w.email}: ${f.notifier.email}`]),
    "",
    `== ${w.faith} ==`,
    goodFaith[f.language],
    "",
    `== ${w.deadline} ==`,
    w.deadlineText(utc(f.deadline)),
    "",
    `== ${w.respond} ==`,
    w.respondText,
    f.responseUrl,
    `${w.api}: POST ${f.apiUrl}`,
    "",
    w.attachment(attachmentName),
    w.privacy,
  ];

  const h = escapeHtml;
  const section = (title: string, body: string) => `<h2>${h(title)}</h2>\n${body}`;
  const html = [
    `<!doctype html><html lang="${f.language}"><head><meta charset="utf-8"><title>${h(w.subject(f.items.length, f.reference))}</title></head><body>`,
    `<p>${h(w.dear(f.party.name))}</p>`,
    `<p>${h(w.intro)}</p>`,
    f.notifier.trustedFlagger ? `<p><strong>${h(w.trusted(f.notifier.trustedFlaggerArea))}</strong></p>` : "",
    `<p>${h(w.reference)}: <code>${h(f.reference)}</code></p>`,
    section(
      w.where,
      `<ol>${itemLines
        .map(
          (l) =>
            `<li><code>${h(l.url)}</code>${l.extra.length ? `<br><small>${l.extra.map(h).join("<br>")}</small>` : ""}</li>`,
        )
        .join("")}</ol>`,
    ),
    section(
      w.why,
      `<p>${h(w.category)}: <strong>${h(label)}</strong></p><p>${h(explanation[f.language](label))}</p><p>${h(w.grounds)}:</p><ul>${grounds.map((g) => `<li>${h(g.label)}</li>`).join("")}</ul>`,
    ),
    section(
      w.who,
      withheld
        ? `<p>${h(w.withheld)}</p>`
        : `<p>${h(w.name)}: ${h(f.notifier.name)}<br>${h(w.email)}: <a href="mailto:${h(f.notifier.email)}">${h(f.notifier.email)}</a></p>`,
    ),
    section(w.faith, `<p>${h(goodFaith[f.language])}</p>`),
    section(w.deadline, `<p>${h(w.deadlineText(utc(f.deadline)))}</p>`),
    section(
      w.respond,
      `<p>${h(w.respondText)}</p><p><a href="${h(f.responseUrl)}">${h(f.responseUrl)}</a></p><p><small>${h(w.api)}: POST <code>${h(f.apiUrl)}</code></small></p>`,
    ),
    `<p><small>${h(w.attachment(attachmentName))} ${h(w.privacy)}</small></p>`,
    "</body></html>",
  ].join("\n");

  const files = xarf
    ? (attachment.reports as Record<string, unknown>[]).map((r, i) => ({
        filename: `xarf-${f.reference}-${i + 1}.json`,
        content: JSON.stringify(r, null, 2),
      }))
    : [{ filename: `notice-${f.reference}.json`, content: JSON.stringify(attachment, null, 2) }];

  return {
    subject: w.subject(f.items.length, f.reference),
    text: `${textParts.join("\n")}\n`,
    html,
    attachmentKind: xarf ? "xarf" : "vangrail",
    attachment,
    files,
  };
}

/** One X-ARF v4 report per URL ("one incident = one report"); URLs and hashes, never media. */
function xarfReports(f: NoticeFacts): Record<string, unknown> {
  // The notifier is withheld (art. 16(2)(c)); X-ARF requires a contact, so it names the sending
  // system, whose address the e-mail already shows.
  const contact = {
    org: "Vangrail trusted-flagger notice service",
    contact: bareAddress(f.senderAddress),
    domain: domainOfAddress(f.senderAddress),
  };
  const reports = f.items.map((it) => {
    const host = new URL(it.url).hostname;
    const base = {
      xarf_version: "4.0.0",
      report_id: xarfId(f.noticeId, it.id),
      timestamp: (it.capturedAt ? new Date(it.capturedAt) : f.createdAt).toISOString(),
      reporter: contact,
      sender: contact,
      source_identifier: it.address ?? host,
      category: "content",
      evidence_source: "user_report",
      url: it.url,
      domain: host,
      verified_at: f.createdAt.toISOString(),
      verification_method: "manual",
      description: `Vangrail notice ${f.reference}; respond at ${f.responseUrl}`.slice(0, 1000),
      tags: [`vangrail:${f.reference.toLowerCase()}`],
    };
    if (f.category === "grooming")
      return { ...base, type: "csem", exploitation_type: "grooming", detection_method: "user_report" };
    const hashes: Record<string, string> = {};
    if (it.mediaSha256) hashes.sha256 = it.mediaSha256;
    if (it.mediaMd5) hashes.md5 = it.mediaMd5;
    return {
      ...base,
      type: "csam",
      classification: f.csamClassification,
      detection_method: "manual_review",
      ...(Object.keys(hashes).length ? { hash_values: hashes } : {}),
    };
  });
  return { reports };
}

/** A stable UUID v4-shaped id per (notice, item), so a re-sent report keeps its id. */
function xarfId(noticeId: string, itemId: string): string {
  const hex = (noticeId.replace(/-/g, "").slice(0, 16) + itemId.replace(/-/g, "").slice(16)).split("");
  hex[12] = "4";
  hex[16] = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

export const VANGRAIL_NOTICE_SCHEMA_ID = "https://vangrail.org/schemas/notice/v1.json";

/** Vangrail's notice JSON (schema: docs/schemas/notice-v1.json), mapped onto DSA SoR fields. */
function vangrailNotice(
  f: NoticeFacts,
  grounds: { code: string; label: string }[],
  withheld: boolean,
): Record<string, unknown> {
  const c = taxonomyCategory(f.category);
  if (!c) throw new Error(`unknown category ${f.category}`);
  return {
    $schema: VANGRAIL_NOTICE_SCHEMA_ID,
    schema_version: "1.0.0",
    notice_id: f.noticeId,
    reference: f.reference,
    created_at: f.createdAt.toISOString(),
    deadline_at: f.deadline.toISOString(),
    language: f.language,
    step: f.step,
    recipient: { name: f.party.name, role: STEP_NAMES[f.step]?.en ?? f.step },
    notifier: withheld
      ? { withheld: "DSA art. 16(2)(c)", trusted_flagger: f.notifier.trustedFlagger }
      : {
          name: f.notifier.name,
          email: f.notifier.email,
          trusted_flagger: f.notifier.trustedFlagger,
          ...(f.notifier.trustedFlaggerArea ? { trusted_flagger_area: f.notifier.trustedFlaggerArea } : {}),
        },
    dsa: {
      category: c.dsa.category,
      category_specification: c.dsa.keywords,
      ...(c.dsa.other ? { category_specification_other: c.dsa.other } : {}),
      decision_ground: "DECISION_GROUND_ILLEGAL_CONTENT",
      illegal_content_legal_ground: grounds.map((g) => g.code).join("; "),
      illegal_content_explanation: explanation.en(c.label.en),
      territorial_scope: ["NL"],
    },
    vangrail_category: f.category,
    legal_grounds: grounds,
    items: f.items.map((it) => ({
      id: it.id,
      url: it.url,
      ...(it.capturedAt ? { captured_at: it.capturedAt } : {}),
      ...(it.evidenceSha256 ? { evidence_manifest_sha256: it.evidenceSha256 } : {}),
      ...(it.mediaSha256 ? { media_sha256: it.mediaSha256 } : {}),
      ...(it.pdq ? { media_pdq: it.pdq } : {}),
    })),
    good_faith_statement: goodFaith.en,
    response: {
      url: f.responseUrl,
      api: f.apiUrl,
      actions: [
        "acknowledged",
        "removed",
        "disabled",
        "geo_restricted",
        "refused",
        "not_responsible",
        "question",
      ],
    },
  };
}
