// `vangrail attribution`: the RDAP bootstrap registry (which one is in use; download IANA's
// current files into a folder) and a lookup of what attribution finds for a host right now.
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import {
  type Download,
  downloadBootstrap,
  IANA_BOOTSTRAP_BASE,
  loadBootstrap,
} from "../modules/attribution/bootstrap.ts";
import {
  bootstrapDirFor,
  buildAttributionEnv,
  dataBootstrapDir,
  setAttributionEnv,
} from "../modules/attribution/env.ts";
import { lookupHost } from "../modules/attribution/service.ts";
import { loadConfig } from "../platform/config.ts";
import { AppError } from "../platform/errors.ts";
import { Fetcher } from "../platform/fetcher/fetcher.ts";
import { loopbackAllowed } from "../platform/fetcher/guard.ts";
import { parse, UsageError } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage:
  vangrail attribution bootstrap [--dir DIR] [--from URL|DIR] [--force]
  vangrail attribution status
  vangrail attribution lookup [--org ORG_ID] [--refresh] HOST_OR_URL...

bootstrap  downloads IANA's RDAP bootstrap files (dns.json, ipv4.json, ipv6.json, asn.json)
           from ${IANA_BOOTSTRAP_BASE} (or --from another URL, or a folder for machines
           without internet) into DIR: RDAP_BOOTSTRAP_DIR when set, else
           VANGRAIL_DATA_DIR/rdap-bootstrap, which Vangrail uses over its shipped copy. All four
           are validated before any is replaced; each is replaced by an atomic rename; an older
           publication than the one in DIR is refused unless --force. A running server notices
           new files within a minute.
status     prints which bootstrap folder is in use and its publication dates.
lookup     prints, as JSON lines, what attribution finds for each host now (platform, hosting,
           registrar, registry), with the party registry of --org when given. Nothing is stored
           but the RDAP answers in their cache; --refresh asks the servers again.

Options:
  --allow-private   reach loopback test fixtures; refused unless VANGRAIL_TEST_MODE=1 and
                    NODE_ENV is not production`;

export async function run(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    {
      dir: { type: "string" },
      from: { type: "string" },
      force: { type: "boolean" },
      org: { type: "string" },
      refresh: { type: "boolean" },
      "allow-private": { type: "boolean" },
    },
    help,
  );
  if (!a) return 0;
  const [sub, ...rest] = a.positionals;
  const v = a.values;
  if (v["allow-private"] && !loopbackAllowed()) {
    console.error(
      "vangrail attribution: --allow-private is refused: it works only with VANGRAIL_TEST_MODE=1 outside production",
    );
    return 2;
  }
  const allowLoopback = v["allow-private"] === true;

  if (sub === "bootstrap") {
    const config = loadConfig();
    const deps = { config };
    const dir = resolve(v.dir ?? config.attribution.bootstrapDir ?? dataBootstrapDir(deps));
    const from = v.from ?? IANA_BOOTSTRAP_BASE;
    let download: Download;
    let baseUrl: string;
    if (/^https?:\/\//i.test(from)) {
      const f = config.evidence.fetcher;
      const fetcher = new Fetcher({
        contactUrl: f.contactUrl,
        maxBytes: 16 * 1024 * 1024,
        timeoutMs: 120_000,
        headerTimeoutMs: 30_000,
        maxRedirects: f.maxRedirects,
        perHostConcurrency: 1,
        allowLoopback,
      });
      baseUrl = from;
      download = async (url) => {
        const r = await fetcher.fetch(url, { headers: { accept: "application/json" } });
        if (r.status !== 200)
          throw new AppError("fetch_failed", { detail: `${url} answered ${r.status}, not 200.` });
        return r.body;
      };
    } else {
      const folder = resolve(from);
      baseUrl = "file:///";
      download = (url) => readFile(join(folder, basename(url)));
    }
    const out = await downloadBootstrap(download, dir, { baseUrl, force: v.force === true });
    for (const f of out.files)
      console.log(
        JSON.stringify({
          file: `${f.kind}.json`,
          publication: f.publication,
          services: f.services,
          replaced: f.replaced,
        }),
      );
    console.error(`vangrail attribution: bootstrap files written to ${out.dir}`);
    if (config.attribution.bootstrapDir && resolve(config.attribution.bootstrapDir) !== dir)
      console.error(
        `vangrail attribution: note: RDAP_BOOTSTRAP_DIR is ${config.attribution.bootstrapDir}; Vangrail reads that folder, not this one.`,
      );
    return 0;
  }

  if (sub === "status") {
    const config = loadConfig();
    const dir = bootstrapDirFor({ config });
    const bs = loadBootstrap(dir);
    console.log(JSON.stringify({ dir, publication: bs.publications() }));
    return 0;
  }

  if (sub === "lookup") {
    if (rest.length === 0) throw new UsageError(`give a HOST or URL to look up\n\n${help}`);
    const rt = await boot();
    try {
      if (allowLoopback)
        setAttributionEnv(rt.deps, buildAttributionEnv(rt.deps, { fetcher: { allowLoopback } }));
      for (const host of rest) {
        const findings = await lookupHost(rt.deps, host, {
          ...(v.org ? { organisationId: v.org } : {}),
          refresh: v.refresh === true,
        });
        console.log(JSON.stringify({ host, findings }));
      }
    } finally {
      await rt.close();
    }
    return 0;
  }

  console.error(help);
  return 2;
}
