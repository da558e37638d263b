// Help routes shown right after a report, chosen from the answers: emergency first, then the
// people who help with what this person is going through. Public Dutch services only; every
// link is plain text the page renders, never a resource it loads.

export interface Answers {
  /** Someone is in danger right now. */
  immediateDanger: boolean;
  /** The reporter thinks about hurting themselves. */
  selfHarm: boolean;
  /** Someone depicted or involved is under 18. */
  minorInvolved: boolean;
  /** Threats or demands are still going on (sextortion). */
  ongoingThreat: boolean;
  /** Money or images were already handed over. */
  paid: boolean;
  /** There was also physical sexual violence. */
  physicalViolence: boolean;
}

export const noAnswers: Answers = {
  immediateDanger: false,
  selfHarm: false,
  minorInvolved: false,
  ongoingThreat: false,
  paid: false,
  physicalViolence: false,
};

type Text = { nl: string; en: string };

export interface HelpRoute {
  id: string;
  title: Text;
  text: Text;
  phone?: string;
  phoneAlt?: string;
  url?: string;
  urgent: boolean;
}

const catalogue: (HelpRoute & { when: (a: Answers, category: string, minor: boolean) => boolean })[] = [
  {
    id: "emergency",
    urgent: true,
    phone: "112",
    title: { nl: "In direct gevaar? Bel 112", en: "In immediate danger? Call 112" },
    text: {
      nl: "Bel 112 als iemand nu in gevaar is. Dat kan altijd, ook als je twijfelt.",
      en: "Call 112 if someone is in danger right now. You can always call, even if you are not sure.",
    },
    when: (a) => a.immediateDanger,
  },
  {
    id: "suicide_prevention",
    urgent: true,
    phone: "113",
    phoneAlt: "0800-0113",
    url: "https://www.113.nl",
    title: { nl: "Praat erover met 113", en: "Talk to 113" },
    text: {
      nl: "Denk je aan zelfmoord of wil je jezelf iets aandoen? Bel 113 of gratis 0800-0113, of chat via 113.nl. Dag en nacht, anoniem.",
      en: "Are you thinking about suicide or hurting yourself? Call 113 or 0800-0113 (free), or chat at 113.nl. Day and night, anonymous.",
    },
    when: (a) => a.selfHarm,
  },
  {
    id: "sextortion_advice",
    urgent: true,
    title: { nl: "Word je afgeperst? Dit kun je nu doen", en: "Being blackmailed? What to do now" },
    text: {
      nl: "Betaal niet en stuur geen beelden meer: betalen stopt het bijna nooit. Stop het contact en blokkeer de afperser, maar verwijder het gesprek niet. Bewaar bewijs: maak screenshots van berichten, profielen en betaalverzoeken. Het is niet jouw schuld.",
      en: "Do not pay and do not send more images: paying almost never stops it. Stop contact and block the blackmailer, but do not delete the conversation. Keep evidence: take screenshots of messages, profiles and payment requests. It is not your fault.",
    },
    when: (a, category) => category === "sextortion" || a.ongoingThreat,
  },
  {
    id: "sexual_violence_centre",
    urgent: false,
    phone: "0800-0188",
    url: "https://centrumseksueelgeweld.nl",
    title: { nl: "Centrum Seksueel Geweld", en: "Sexual Violence Centre (Centrum Seksueel Geweld)" },
    text: {
      nl: "Is er ook lichamelijk seksueel geweld gebeurd? Bel gratis 0800-0188, dag en nacht. Hulp is het best binnen 7 dagen.",
      en: "Was there also physical sexual violence? Call 0800-0188 (free), day and night. Help works best within 7 days.",
    },
    when: (a) => a.physicalViolence,
  },
  {
    id: "kindertelefoon",
    urgent: false,
    phone: "0800-0432",
    url: "https://www.kindertelefoon.nl",
    title: { nl: "De Kindertelefoon", en: "De Kindertelefoon (children's helpline)" },
    text: {
      nl: "Ben je jonger dan 18? Praat erover met de Kindertelefoon: gratis en anoniem, bellen of chatten.",
      en: "Under 18? Talk to the Kindertelefoon: free and anonymous, by phone or chat.",
    },
    when: (_a, _c, minor) => minor,
  },
  {
    id: "helpline",
    urgent: false,
    url: "https://www.helpwanted.nl",
    title: { nl: "Hulplijn voor online seksueel misbruik", en: "Helpline for online sexual abuse" },
    text: {
      nl: "Wil je met iemand praten over wat er gebeurd is, of advies over de volgende stap? De hulplijn helpt, ook anoniem.",
      en: "Want to talk to someone about what happened, or get advice on the next step? The helpline helps, anonymously too.",
    },
    when: () => true,
  },
  {
    id: "police",
    urgent: false,
    phone: "0900-8844",
    url: "https://www.politie.nl",
    title: { nl: "Aangifte bij de politie", en: "Report to the police" },
    text: {
      nl: "Wat je meemaakt is strafbaar. Je kunt aangifte doen bij de politie (0900-8844). Neem je bewijs mee.",
      en: "What is happening to you is a crime. You can report it to the police (0900-8844). Bring your evidence.",
    },
    when: (_a, category) => category !== "nudify_service",
  },
  {
    id: "victim_support",
    urgent: false,
    phone: "0900-0101",
    url: "https://www.slachtofferhulp.nl",
    title: { nl: "Slachtofferhulp Nederland", en: "Victim Support Netherlands" },
    text: {
      nl: "Slachtofferhulp helpt gratis met praktische, juridische en emotionele steun.",
      en: "Victim Support helps for free with practical, legal and emotional support.",
    },
    when: (_a, category) => category !== "nudify_service",
  },
];

/** The help routes for these answers, most urgent first. */
export function helpRoutes(answers: Answers, category: string, ageBand: string): HelpRoute[] {
  const minor = answers.minorInvolved || ageBand === "under_13" || ageBand === "13_15" || ageBand === "16_17";
  return catalogue.filter((r) => r.when(answers, category, minor)).map(({ when: _w, ...r }) => r);
}

/** Every route, for the report form to show before anything is sent. */
export const allHelpRoutes = (): HelpRoute[] => catalogue.map(({ when: _w, ...r }) => r);
