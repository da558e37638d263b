// URL normalisation for de-duplication: the same resource reported twice, in different
// spellings, gets the same key. Scheme and host lower case, IDN to punycode, default port
// dropped, dot segments resolved, tracking parameters and the fragment removed, remaining
// query parameters sorted.
import { domainToASCII } from "node:url";

// Parameters that track clicks and never select content.
const TRACKING = [
  /^utm_/i,
  /^fbclid$/i,
  /^gclid$/i,
  /^dclid$/i,
  /^gbraid$/i,
  /^wbraid$/i,
  /^msclkid$/i,
  /^mc_[ce]id$/i,
  /^igshid$/i,
  /^igsh$/i,
  /^si$/i,
  /^s_cid$/i,
  /^yclid$/i,
  /^twclid$/i,
  /^ttclid$/i,
  /^_hs(enc|mi)$/i,
  /^mkt_tok$/i,
  /^ref_src$/i,
  /^ref_url$/i,
  /^spm$/i,
  /^vero_id$/i,
  /^oly_(anon|enc)_id$/i,
];

export class InvalidUrlError extends Error {}

export const MAX_URL_LENGTH = 4096;

/** Parses a reported URL; accepts a missing scheme ("example.org/x"); only http(s). */
export function parseReportedUrl(input: string): URL {
  const text = input.trim();
  if (text.length === 0) throw new InvalidUrlError("The link is empty.");
  if (text.length > MAX_URL_LENGTH)
    throw new InvalidUrlError(`The link is longer than ${MAX_URL_LENGTH} characters.`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\s]/.test(text))
    throw new InvalidUrlError("The link contains spaces or control characters.");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidUrlError("This is not a valid web address.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidUrlError("Only http and https links can be reported.");
  }
  if (!url.hostname || (!url.hostname.includes(".") && !url.hostname.startsWith("["))) {
    throw new InvalidUrlError("The link has no valid host name.");
  }
  if (url.username || url.password) {
    // Credentials in a link are never needed to find content and must not be stored.
    url.username = "";
    url.password = "";
  }
  return url;
}

/** The de-duplication key of a URL. */
export function normaliseUrl(input: string): string {
  const url = parseReportedUrl(input);
  const host = domainToASCII(url.hostname.replace(/\.$/, "")).toLowerCase() || url.hostname.toLowerCase();
  const defaultPort =
    (url.protocol === "http:" && url.port === "80") || (url.protocol === "https:" && url.port === "443");
  const port = url.port && !defaultPort ? `:${url.port}` : "";
  // WHATWG parsing already resolved dot segments and percent-encoded what must be.
  let path = url.pathname || "/";
  // RFC 3986 6.2.2: escapes of unreserved characters are decoded, the rest upper-cased.
  path = path.replace(/%[0-9a-f]{2}/gi, (m) => {
    const ch = String.fromCharCode(Number.parseInt(m.slice(1), 16));
    return /[A-Za-z0-9\-._~]/.test(ch) ? ch : m.toUpperCase();
  });
  const params = [...url.searchParams.entries()]
    .filter(([k]) => !TRACKING.some((re) => re.test(k)))
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  const query = params.length > 0 ? `?${new URLSearchParams(params).toString()}` : "";
  return `${url.protocol}//${host}${port}${path}${query}`;
}

/** The registrable-ish host of a URL, for grouping by platform. */
export const hostOf = (normalised: string): string => new URL(normalised).hostname;
