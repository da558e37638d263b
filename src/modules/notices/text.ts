// Small text helpers shared by the notice composer, the follow-up messages and the transport.

/** A time as notices print it: minutes, in UTC, said so. */
export const utc = (d: Date): string => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/** `Name <a@b.example>` → `a@b.example`. */
export const bareAddress = (address: string): string => /<([^<>]+)>/.exec(address)?.[1] ?? address.trim();

/** The domain of an address (with or without a display name), lower case. */
export const domainOfAddress = (address: string): string =>
  (/@([^<>\s@]+?)>?$/.exec(address.trim())?.[1] ?? "localhost").toLowerCase();

/**
 * What a remote server said, fit to store and show: control characters (NUL included, which
 * PostgreSQL refuses in text) and broken surrogates removed, whitespace collapsed, cut to `max`.
 */
export const remoteText = (s: string, max = 500): string =>
  s
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, max)
    .toWellFormed();
