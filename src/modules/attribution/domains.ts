// Which domain a host belongs to for registration purposes. A registrar registers
// "example.co.uk", not "www.example.co.uk" nor "co.uk", so domain RDAP asks for the registrable
// domain: one label below the public suffix. Vangrail does not ship the whole Public Suffix List;
// it knows every TLD as a suffix and, below, a short list of common second-level suffixes under
// which registries sell names (the ICANN section of the list, not private ones like github.io,
// whose names are registered as github.io). A host under a suffix missing here is attributed
// to the domain one label below the TLD, which the registry's RDAP answers with 404: visible,
// and fixed by adding the suffix.
import { isIP } from "node:net";

const SECOND_LEVEL = new Set(
  [
    // United Kingdom
    "co.uk ac.uk gov.uk org.uk me.uk ltd.uk plc.uk net.uk sch.uk nhs.uk police.uk",
    // Australia, New Zealand
    "com.au net.au org.au edu.au gov.au asn.au id.au co.nz net.nz org.nz ac.nz govt.nz geek.nz school.nz",
    // Asia
    "co.jp ne.jp or.jp ac.jp go.jp ad.jp gr.jp ed.jp lg.jp co.kr or.kr ne.kr go.kr ac.kr",
    "com.cn net.cn org.cn gov.cn edu.cn ac.cn com.hk net.hk org.hk edu.hk gov.hk",
    "com.tw net.tw org.tw edu.tw gov.tw com.sg net.sg org.sg edu.sg gov.sg",
    "com.my net.my org.my edu.my gov.my co.id or.id ac.id go.id web.id",
    "co.in net.in org.in firm.in gen.in ind.in ac.in gov.in co.th in.th ac.th go.th or.th",
    "com.ph net.ph org.ph com.vn net.vn org.vn com.pk net.pk org.pk com.bd",
    "co.il org.il net.il ac.il gov.il com.tr net.tr org.tr gen.tr biz.tr web.tr",
    "com.sa net.sa org.sa co.ae net.ae org.ae com.qa com.kw com.eg",
    // Africa
    "co.za org.za net.za web.za gov.za ac.za co.ke or.ke ac.ke com.ng org.ng co.tz co.ug com.gh",
    // Americas
    "com.br net.br org.br blog.br app.br art.br edu.br gov.br com.ar net.ar org.ar gob.ar",
    "com.mx net.mx org.mx gob.mx edu.mx com.co net.co org.co gov.co com.pe net.pe org.pe",
    "com.ve co.ve com.uy com.py com.bo com.ec co.cr com.gt com.do",
    // Europe
    "co.at or.at ac.at gv.at com.pl net.pl org.pl waw.pl com.ua net.ua org.ua kiev.ua",
    "com.ru net.ru org.ru com.es nom.es org.es com.gr com.cy com.mt com.pt",
    "co.hu org.hu co.no priv.no co.rs in.rs org.rs com.hr",
  ]
    .join(" ")
    .split(/\s+/),
);

/** The top-level domain of a host name (lower case, no trailing dot); null for an IP address. */
export function tldOf(host: string): string | null {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (isIP(h.replace(/^\[|\]$/g, ""))) return null;
  const labels = h.split(".");
  return labels.length >= 2 ? (labels[labels.length - 1] as string) : null;
}

/** The public suffix of a host: a known second-level suffix, else the TLD. */
export function publicSuffixOf(host: string): string | null {
  const tld = tldOf(host);
  if (!tld) return null;
  const labels = host.toLowerCase().replace(/\.$/, "").split(".");
  const two = labels.slice(-2).join(".");
  return labels.length >= 2 && SECOND_LEVEL.has(two) ? two : tld;
}

/**
 * The registrable domain of a host: its public suffix plus one label. Null for an IP address or
 * a host that is itself a public suffix.
 */
export function registrableDomain(host: string): string | null {
  const suffix = publicSuffixOf(host);
  if (!suffix) return null;
  const labels = host.toLowerCase().replace(/\.$/, "").split(".");
  const n = suffix.split(".").length + 1;
  return labels.length >= n ? labels.slice(-n).join(".") : null;
}

/** The host itself and each parent domain, longest first: "a.b.c" → a.b.c, b.c, c. */
export function hostAndParents(host: string): string[] {
  const labels = host.toLowerCase().replace(/\.$/, "").split(".");
  return labels.map((_, i) => labels.slice(i).join("."));
}
