// IANA's RDAP bootstrap registries (RFC 9224): which RDAP server answers for an IP address, an
// AS number or a top-level domain. A copy ships in ./bootstrap/ (reconstructed, see its
// `description`); `vangrail attribution bootstrap` downloads IANA's current files into a folder,
// validating all four before it replaces any. Lookups: longest prefix for IPv4 and IPv6, the
// range for an AS number, the longest matching label sequence for a domain.
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AppError } from "../../platform/errors.ts";
import { parseIp } from "./ip.ts";

export type BootstrapKind = "dns" | "ipv4" | "ipv6" | "asn";
export const bootstrapKinds: readonly BootstrapKind[] = ["dns", "ipv4", "ipv6", "asn"];
export const bootstrapFileName = (kind: BootstrapKind): string => `${kind}.json`;

/** Where IANA publishes the files. */
export const IANA_BOOTSTRAP_BASE = "https://data.iana.org/rdap/";
/** The copy shipped with Vangrail. */
export const SHIPPED_BOOTSTRAP_DIR = fileURLToPath(new URL("./bootstrap/", import.meta.url));

/** One file as RFC 9224 §3 describes it. */
export interface BootstrapFile {
  version: "1.0";
  publication: string;
  description?: string;
  services: [string[], string[]][];
}

export interface BootstrapMatch {
  /** Base URLs, HTTPS first; each ends with "/". */
  urls: string[];
  /** What matched: the prefix, the AS range or the domain suffix. */
  entry: string;
}

// Far above IANA's real files (about 1,500 TLDs, a few hundred prefixes and ranges), far below
// what would hurt: a hostile or broken download is refused, not loaded.
const MAX_SERVICES = 10_000;
const MAX_ENTRIES = 50_000;
const MAX_URLS = 10;

const invalid = (kind: BootstrapKind, why: string) =>
  new AppError("bad_request", { detail: `The RDAP bootstrap file ${kind}.json is not valid: ${why}` });

/** Checks one file against RFC 9224 and the syntax of its entries; returns it with tidy URLs. */
export function validateBootstrap(kind: BootstrapKind, data: unknown): BootstrapFile {
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw invalid(kind, "not a JSON object");
  const o = data as Record<string, unknown>;
  if (o.version !== "1.0") throw invalid(kind, `version is ${JSON.stringify(o.version)}, not "1.0"`);
  if (typeof o.publication !== "string" || Number.isNaN(Date.parse(o.publication)))
    throw invalid(kind, "publication is not a date");
  if (o.description !== undefined && typeof o.description !== "string")
    throw invalid(kind, "description is not a string");
  if (!Array.isArray(o.services) || o.services.length === 0) throw invalid(kind, "no services");
  if (o.services.length > MAX_SERVICES) throw invalid(kind, "too many services");
  let entries = 0;
  const services: [string[], string[]][] = [];
  for (const [i, s] of o.services.entries()) {
    if (!Array.isArray(s) || s.length < 2 || !Array.isArray(s[0]) || !Array.isArray(s[1]))
      throw invalid(kind, `service ${i} is not a pair of arrays`);
    const keys = s[0] as unknown[];
    const urls = s[1] as unknown[];
    if (keys.length === 0 || urls.length === 0) throw invalid(kind, `service ${i} is empty`);
    if (urls.length > MAX_URLS) throw invalid(kind, `service ${i} has too many URLs`);
    entries += keys.length;
    if (entries > MAX_ENTRIES) throw invalid(kind, "too many entries");
    const cleanKeys: string[] = [];
    for (const k of keys) {
      if (typeof k !== "string" || !entryValid(kind, k))
        throw invalid(kind, `service ${i} has an entry that is not valid: ${JSON.stringify(k).slice(0, 80)}`);
      cleanKeys.push(kind === "dns" ? k.toLowerCase().replace(/\.$/, "") : k.toLowerCase());
    }
    const cleanUrls: string[] = [];
    for (const u of urls) {
      if (typeof u !== "string") throw invalid(kind, `service ${i} has a URL that is not a string`);
      let url: URL;
      try {
        url = new URL(u);
      } catch {
        throw invalid(kind, `service ${i} has a URL that is not valid: ${u.slice(0, 80)}`);
      }
      if (url.protocol !== "https:" && url.protocol !== "http:")
        throw invalid(kind, `service ${i} has a URL that is not http(s)`);
      url.search = "";
      url.hash = "";
      cleanUrls.push(url.toString().replace(/\/?$/, "/"));
    }
    services.push([cleanKeys, cleanUrls]);
  }
  return {
    version: "1.0",
    publication: o.publication,
    ...(typeof o.description === "string" ? { description: o.description } : {}),
    services,
  };
}

function entryValid(kind: BootstrapKind, k: string): boolean {
  switch (kind) {
    case "dns":
      // A TLD or a longer suffix, A-labels (punycode) only; "" would match every name.
      return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i.test(k);
    case "asn": {
      const m = /^(\d{1,10})(?:-(\d{1,10}))?$/.exec(k);
      if (!m) return false;
      const a = Number(m[1]);
      const b = m[2] === undefined ? a : Number(m[2]);
      return a <= b && b <= 0xffffffff;
    }
    case "ipv4":
    case "ipv6":
      return parseCidr(k, kind === "ipv4" ? 4 : 6) !== null;
  }
}

function parseCidr(text: string, family: 4 | 6): { net: bigint; bits: number } | null {
  const [addr, len, extra] = text.split("/");
  if (!addr || len === undefined || extra !== undefined || !/^\d{1,3}$/.test(len)) return null;
  const ip = parseIp(addr);
  const bits = Number(len);
  if (!ip || ip.family !== family || bits > (family === 4 ? 32 : 128)) return null;
  const width = family === 4 ? 32 : 128;
  return { net: ip.value & prefixMask(bits, width), bits };
}

const prefixMask = (bits: number, width: number): bigint =>
  bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);

/** HTTPS before HTTP (RFC 9224 §3), order otherwise kept. */
const httpsFirst = (urls: string[]): string[] => [
  ...urls.filter((u) => u.startsWith("https:")),
  ...urls.filter((u) => !u.startsWith("https:")),
];

interface AsnRange {
  start: number;
  end: number;
  match: BootstrapMatch;
}

/** The four files loaded into lookup tables. */
export class Bootstrap {
  readonly files: Readonly<Record<BootstrapKind, BootstrapFile>>;
  readonly #prefixes: Record<4 | 6, Map<number, Map<bigint, BootstrapMatch>>>;
  readonly #asn: AsnRange[];
  readonly #dns: Map<string, BootstrapMatch>;

  constructor(files: Record<BootstrapKind, BootstrapFile>) {
    this.files = files;
    this.#prefixes = { 4: new Map(), 6: new Map() };
    for (const family of [4, 6] as const) {
      const table = this.#prefixes[family];
      for (const [keys, urls] of files[family === 4 ? "ipv4" : "ipv6"].services)
        for (const k of keys) {
          const c = parseCidr(k, family);
          if (!c) continue;
          let byNet = table.get(c.bits);
          if (!byNet) {
            byNet = new Map();
            table.set(c.bits, byNet);
          }
          if (!byNet.has(c.net)) byNet.set(c.net, { urls: httpsFirst(urls), entry: k });
        }
    }
    this.#asn = [];
    for (const [keys, urls] of files.asn.services)
      for (const k of keys) {
        const [a, b] = k.split("-");
        this.#asn.push({
          start: Number(a),
          end: Number(b ?? a),
          match: { urls: httpsFirst(urls), entry: k },
        });
      }
    this.#asn.sort((x, y) => x.start - y.start);
    this.#dns = new Map();
    for (const [keys, urls] of files.dns.services)
      for (const k of keys) if (!this.#dns.has(k)) this.#dns.set(k, { urls: httpsFirst(urls), entry: k });
  }

  /** The RDAP servers for an IP address: the longest registered prefix that holds it. */
  forIp(address: string): BootstrapMatch | null {
    const ip = parseIp(address);
    if (!ip) return null;
    const width = ip.family === 4 ? 32 : 128;
    const table = this.#prefixes[ip.family];
    const lengths = [...table.keys()].sort((a, b) => b - a);
    for (const bits of lengths) {
      const hit = table.get(bits)?.get(ip.value & prefixMask(bits, width));
      if (hit) return hit;
    }
    return null;
  }

  /** The RDAP servers for an AS number. */
  forAsn(asn: number): BootstrapMatch | null {
    let lo = 0;
    let hi = this.#asn.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#asn[mid] as AsnRange).start <= asn) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Ranges do not overlap in IANA's file; look back a little in case a hand-made one does.
    for (let i = best; i >= 0 && i > best - 8; i--) {
      const r = this.#asn[i] as AsnRange;
      if (r.start <= asn && asn <= r.end) return r.match;
    }
    return null;
  }

  /** The RDAP servers for a domain name: the longest entry that is a label suffix of it. */
  forDomain(name: string): BootstrapMatch | null {
    const labels = name.toLowerCase().replace(/\.$/, "").split(".");
    for (let i = 0; i < labels.length; i++) {
      const hit = this.#dns.get(labels.slice(i).join("."));
      if (hit) return hit;
    }
    return null;
  }

  /** Publication dates, for the CLI and the logs. */
  publications(): Record<BootstrapKind, string> {
    return Object.fromEntries(bootstrapKinds.map((k) => [k, this.files[k].publication])) as Record<
      BootstrapKind,
      string
    >;
  }
}

/** Reads and validates the four files of a folder. Throws AppError naming the first problem. */
export function loadBootstrap(dir: string = SHIPPED_BOOTSTRAP_DIR): Bootstrap {
  const files = {} as Record<BootstrapKind, BootstrapFile>;
  for (const kind of bootstrapKinds) {
    const path = join(dir, bootstrapFileName(kind));
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new AppError("bad_request", {
        detail: `The RDAP bootstrap file ${path} cannot be read: ${(e as Error).message}`,
        cause: e,
      });
    }
    files[kind] = validateBootstrap(kind, data);
  }
  return new Bootstrap(files);
}

/** A fingerprint of a folder's files (size and modification time), to notice an update. */
export function bootstrapStamp(dir: string): string {
  return bootstrapKinds
    .map((k) => {
      try {
        const s = statSync(join(dir, bootstrapFileName(k)));
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return "-";
      }
    })
    .join("|");
}

/** Whether a folder holds all four files. */
export const hasBootstrap = (dir: string): boolean => !bootstrapStamp(dir).split("|").includes("-");

/** Fetches a URL and returns its body; the safe fetcher in production, a fixture in tests. */
export type Download = (url: string) => Promise<Buffer>;

export interface DownloadResult {
  dir: string;
  files: { kind: BootstrapKind; publication: string; services: number; replaced: string | null }[];
}

/**
 * Downloads the four files from `baseUrl` (IANA's by default), validates every one, then
 * replaces the files in `dir`, each by an atomic rename. Nothing is replaced unless all four
 * are valid; a file older than the one it would replace is refused unless `force`.
 */
export async function downloadBootstrap(
  download: Download,
  dir: string,
  opts: { baseUrl?: string; force?: boolean } = {},
): Promise<DownloadResult> {
  const base = (opts.baseUrl ?? IANA_BOOTSTRAP_BASE).replace(/\/?$/, "/");
  const fresh = {} as Record<BootstrapKind, { file: BootstrapFile; bytes: Buffer }>;
  for (const kind of bootstrapKinds) {
    const url = `${base}${bootstrapFileName(kind)}`;
    const bytes = await download(url);
    let data: unknown;
    try {
      data = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      throw new AppError("bad_request", { detail: `${url} is not JSON.`, cause: e });
    }
    fresh[kind] = { file: validateBootstrap(kind, data), bytes };
  }
  await mkdir(dir, { recursive: true });
  const previous = {} as Record<BootstrapKind, string | null>;
  for (const kind of bootstrapKinds) {
    previous[kind] = null;
    try {
      const old = validateBootstrap(
        kind,
        JSON.parse(await readFile(join(dir, bootstrapFileName(kind)), "utf8")),
      ).publication;
      previous[kind] = old;
      if (!opts.force && Date.parse(fresh[kind].file.publication) < Date.parse(old))
        throw new AppError("conflict", {
          detail: `The downloaded ${kind}.json (published ${fresh[kind].file.publication}) is older than the one in ${dir} (${old}); use --force to replace it anyway.`,
        });
    } catch (e) {
      if (e instanceof AppError && e.code === "conflict") throw e;
      // Missing or not valid: replacing it is an improvement.
    }
  }
  const temps: [string, string][] = [];
  try {
    for (const kind of bootstrapKinds) {
      const target = join(dir, bootstrapFileName(kind));
      const temp = join(dir, `.${bootstrapFileName(kind)}.${randomBytes(6).toString("hex")}.tmp`);
      await writeFile(temp, fresh[kind].bytes, { flag: "wx" });
      temps.push([temp, target]);
    }
    for (const [temp, target] of temps) await rename(temp, target);
  } finally {
    for (const [temp] of temps) await rm(temp, { force: true });
  }
  return {
    dir,
    files: bootstrapKinds.map((kind) => ({
      kind,
      publication: fresh[kind].file.publication,
      services: fresh[kind].file.services.length,
      replaced: previous[kind],
    })),
  };
}

// The registry behind a TLD's RDAP server, by the server's host name; IANA's file names only
// URLs. Used when no party in the registry claims the TLD.
const OPERATORS: Record<string, string> = {
  "rdap.verisign.com": "VeriSign, Inc.",
  "tld-rdap.verisign.com": "VeriSign, Inc.",
  "rdap.publicinterestregistry.org": "Public Interest Registry",
  "rdap.sidn.nl": "SIDN (Stichting Internet Domeinregistratie Nederland)",
  "rdap.nominet.uk": "Nominet UK",
  "rdap.nic.fr": "AFNIC",
  "rdap.nic.cz": "CZ.NIC, z.s.p.o.",
  "rdap.norid.no": "Norid AS",
  "rdap.registro.br": "NIC.br",
  "pubapi.registry.google": "Charleston Road Registry Inc. (Google Registry)",
  "rdap.centralnic.com": "CentralNic Ltd",
  "rdap.identitydigital.services": "Identity Digital Inc.",
};

/** A readable name for the operator of an RDAP server: known registries, else its host name. */
export function registryOperator(baseUrl: string): string {
  let host: string;
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    return baseUrl;
  }
  return OPERATORS[host] ?? host;
}
