// `vangrail capture URL --bundle OUT.zip`: capture one URL now (no queue), keep its artefacts in
// the evidence store, sign and time-stamp the manifest, and write the evidence bundle.
import { writeFile } from "node:fs/promises";
import { systemActor } from "../modules/audit/service.ts";
import { buildEvidenceEnv, closeEvidenceEnv, setEvidenceEnv } from "../modules/evidence/env.ts";
import * as evidence from "../modules/evidence/service.ts";
import { organisations } from "../modules/evidence/store.ts";
import { loopbackAllowed } from "../platform/fetcher/guard.ts";
import { parse, UsageError } from "./args.ts";
import { boot } from "./runtime.ts";

const help = `Usage: vangrail capture URL --bundle OUT.zip [--category ID] [--org ORG-ID] [--no-screenshot]

Fetches URL through the safe fetcher (public internet only), records the HTTP exchange, the
HTML, a full-page screenshot and linked images, signs the manifest with the organisation's
key, time-stamps it when TSA_URL is set, and writes the evidence bundle to OUT.zip.

  --category ID     taxonomy category; material of categories that must not be kept (csam) is
                    hashed in memory only: no body or screenshot is stored or put in the bundle
  --org ORG-ID      the organisation that signs (default: the only organisation there is)
  --no-screenshot   skip the browser
  --allow-private   reach loopback test fixtures; refused unless VANGRAIL_TEST_MODE=1 and
                    NODE_ENV is not production`;

export async function run(argv: string[]): Promise<number> {
  const a = parse(
    argv,
    {
      bundle: { type: "string" },
      category: { type: "string" },
      org: { type: "string" },
      "allow-private": { type: "boolean" },
      "no-screenshot": { type: "boolean" },
    },
    help,
  );
  if (!a) return 0;
  const url = a.positionals[0];
  if (!url || a.positionals.length > 1 || !a.values.bundle) throw new UsageError(help);
  if (a.values["allow-private"] && !loopbackAllowed()) {
    console.error(
      "vangrail capture: --allow-private is refused: it works only with VANGRAIL_TEST_MODE=1 outside production",
    );
    return 2;
  }
  const rt = await boot();
  try {
    const { deps } = rt;
    if (a.values["allow-private"] || a.values["no-screenshot"]) {
      const env = buildEvidenceEnv(deps, a.values["allow-private"] ? { allowLoopback: true } : {});
      if (a.values["no-screenshot"]) env.screenshotter = undefined;
      setEvidenceEnv(deps, env);
    }
    const orgs = await organisations(deps.db);
    const org = a.values.org
      ? orgs.find((o) => o.id === a.values.org)
      : orgs.length === 1
        ? orgs[0]
        : undefined;
    if (!org)
      throw new UsageError(
        orgs.length === 0
          ? "no organisation exists yet: create one with `vangrail admin init`"
          : `name the signing organisation with --org (one of: ${orgs.map((o) => `${o.id} ${o.name}`).join("; ")})`,
      );
    const actor = { ...systemActor, organisationId: org.id };
    const { captureId } = await evidence.captureUrl(
      deps,
      { url, organisationId: org.id, category: a.values.category ?? null },
      { actor, reason: "operator: vangrail capture" },
    );
    const r = await evidence.runCapture(deps, captureId);
    if ("skipped" in r || r.status !== "captured") {
      const c = await evidence.captureForOperator(deps, captureId);
      console.error(
        `vangrail capture: ${url} was not captured: ${c?.errorDetail ?? c?.errorCode ?? "unknown"}`,
      );
      return 1;
    }
    const out = await evidence.exportBundle(deps, actor, captureId, { reason: "operator: vangrail capture" });
    await writeFile(a.values.bundle, out.bundle, { mode: 0o600 });
    console.log(`captured ${url}`);
    console.log(`capture  ${captureId}`);
    console.log(`manifest sha256 ${out.manifestSha256}`);
    console.log(
      `bundle   ${a.values.bundle} (${out.bundle.length} bytes); check it with: vangrail verify ${a.values.bundle}`,
    );
    return 0;
  } finally {
    await closeEvidenceEnv(rt.deps);
    await rt.close();
  }
}
