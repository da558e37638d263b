// The mandate a reporter gives the hotline: shown in full with the form, versioned, and
// recorded with every report (version, hash of the exact text, time).
import { sha256Hex } from "../../platform/crypto.ts";

export interface ConsentText {
  version: string;
  nl: string;
  en: string;
  sha256: string;
}

const v1 = {
  version: "2026-11-1",
  nl:
    "Ik geef het meldpunt toestemming om namens mij met deze melding aan de slag te gaan: de gemelde " +
    "inhoud te bekijken en als bewijs vast te leggen, en platforms, hostingbedrijven en zo nodig " +
    "toezichthouders of de politie te vragen de inhoud te verwijderen. Mijn naam en contactgegevens " +
    "worden niet aan hen doorgegeven zonder dat ik daar apart toestemming voor geef. Ik kan deze " +
    "toestemming altijd intrekken.",
  en:
    "I allow the hotline to act on this report on my behalf: to look at the reported content and record " +
    "it as evidence, and to ask platforms, hosting companies and, where needed, regulators or the police " +
    "to remove it. My name and contact details are not passed on to them unless I agree to that " +
    "separately. I can withdraw this permission at any time.",
};

export const consentTexts: ConsentText[] = [
  { ...v1, sha256: sha256Hex(`${v1.version}\n${v1.nl}\n${v1.en}`) },
];

export const currentConsent = consentTexts[consentTexts.length - 1] as ConsentText;

export const findConsent = (version: string): ConsentText | undefined =>
  consentTexts.find((c) => c.version === version);
