// Attribution against a real local RDAP server shaped like the RIRs' and registries' (RFC 9083),
// on both databases: platform by domain pattern, host by DNS → IP → RDAP (abuse contacts at
// the top and nested, redirects between RIRs, IPv6), registrar by domain RDAP (nested abuse
// contact, IANA id), registry by TLD; provenance (source, URL, SHA-256 of the raw answer);
// the cache and per-batch sharing; failures stored and visible; hostile answers (huge,
// malformed, deep, slow, 429, 500, loops) that never crash a batch or lose an item; the job
// and the HTTP routes with their authorization.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import type { AttributionRole } from "../migrations/schema.ts";
import { attributeItemsJob } from "../src/modules/attribution/attribute-job.ts";
import { buildAttributionEnv, setAttributionEnv } from "../src/modules/attribution/env.ts";
import { registerAttributionJobs } from "../src/modules/attribution/jobs.ts";
import * as attribution from "../src/modules/attribution/service.ts";
import { systemActor } from "../src/modules/audit/service.ts";
import * as cases from "../src/modules/cases/service.ts";
import type { Deps } from "../src/modules/deps.ts";
import { hours } from "../src/platform/clock.ts";
import type { Resolver } from "../src/platform/fetcher/guard.ts";
import { createQueue, JobRegistry, type Queue } from "../src/platform/queue.ts";
import { login, makeOrganisation, makeUser, startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";
import { type RdapServer, startRdapServer } from "./support/rdap-server.ts";

process.env.VANGRAIL_TEST_MODE = "1";

let rdap: RdapServer;
before(async () => {
  rdap = await startRdapServer();
});
after(() => rdap.close());

/**
 * DNS for the items' hosts, never the real one: a few named hosts, and any host whose first
 * label spells its address ("ip-45-0-0-7.hostile.nl" → 45.0.0.7, "ip6-2a00-1000--7.x.nl" → 2a00:1000::7).
 */
const itemDns: Resolver = async (host) => {
  const named: Record<string, string[]> = {
    "www.fictional-platform.com": ["185.10.1.5"],
    "cdn.nudify-example.com": ["23.1.2.4", "2a00:1000::5"],
    "old.legacy-site.com": ["146.1.2.3"],
    "leak.voorbeeld.nl": ["185.10.1.6"],
    "redacted.com": ["185.10.1.7"],
    "unregistered-site.com": ["185.10.1.7"],
    "intranet.voorbeeld.nl": ["10.1.2.3"],
  };
  if (host === "slowdns.voorbeeld.nl") return new Promise(() => undefined);
  const first = host.split(".")[0] ?? "";
  const v4 = /^ip-(\d+)-(\d+)-(\d+)-(\d+)$/.exec(first);
  const v6 = /^ip6-([0-9a-f-]+)$/.exec(first);
  const list =
    named[host] ??
    (v4
      ? [v4.slice(1).join(".")]
      : v6
        ? [(v6[1] as string).replaceAll("--", "::").replaceAll("-", ":")]
        : null);
  if (!list) throw Object.assign(new Error(`queryA ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

async function makeParty(
  deps: Deps,
  organisationId: string,
  name: string,
  kind: "platform" | "hosting" | "registrar" | "registry",
  matchers: ["domain" | "asn" | "registrar_iana_id" | "tld" | "abuse_email", string][],
  email?: string,
): Promise<string> {
  const now = deps.clock.now();
  const p = await deps.db
    .insertInto("parties")
    .values({ organisation_id: organisationId, name, kind, created_at: now, updated_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const [k, value] of matchers)
    await deps.db
      .insertInto("party_matchers")
      .values({ organisation_id: organisationId, party_id: p.id, kind: k, value, created_at: now })
      .execute();
  if (email)
    await deps.db
      .insertInto("party_channels")
      .values({ party_id: p.id, kind: "email", address: email, created_at: now, updated_at: now })
      .execute();
  return p.id;
}

async function makeCase(deps: Deps, organisationId: string, urls: string[]) {
  const out = await deps.db.transaction().execute((tx) =>
    cases.createCaseInTx(
      tx,
      deps,
      { ...systemActor, organisationId },
      {
        organisationId,
        category: "ncii",
        source: "staff",
        priority: "normal",
        urgentReasons: [],
        items: urls.map((value) => ({ kind: "url" as const, value })),
      },
    ),
  );
  return { caseId: out.case.id, itemIds: out.items.map((i) => i.id) };
}

const byRole = (rows: attribution.Attribution[], itemId: string) => {
  const m = new Map<AttributionRole, attribution.Attribution>();
  for (const r of rows) if (r.itemId === itemId) m.set(r.role, r);
  return m;
};

for (const backend of backends) {
  describe(`attribution on ${backend.name}`, () => {
    let t: TestApp;
    let orgId: string;

    before(async () => {
      t = await startApp(backend, {
        RDAP_BOOTSTRAP_DIR: rdap.bootstrapDir,
        RDAP_TIMEOUT_SECONDS: "3",
        RDAP_MAX_BYTES: "262144",
        RDAP_CACHE_HOURS: "24",
        // Matching and provenance as such; registering unknown hosts is tested in attribution-auto.
        ATTRIBUTION_AUTO_REGISTER: "false",
      });
      setAttributionEnv(
        t.deps,
        buildAttributionEnv(t.deps, {
          fetcher: { allowLoopback: true, resolver: rdap.resolver },
          resolver: itemDns,
          dnsTimeoutMs: 500,
          maxWaitMs: 1500,
        }),
      );
      orgId = (await makeOrganisation(t.deps, "hotline")).id;
    });
    after(() => t.close());

    const current = async (itemIds: string[]) => attribution.currentAttributions(t.deps.db, orgId, itemIds);

    test("a URL on a registered platform: the platform, and host, registrar and registry with provenance", async () => {
      const platform = await makeParty(
        t.deps,
        orgId,
        "Fictional Platform",
        "platform",
        [["domain", "*.Fictional-Platform.com"]],
        "dsa@fictional-platform.example",
      );
      const { itemIds } = await makeCase(t.deps, orgId, ["https://www.fictional-platform.com/p/1"]);
      const id = itemIds[0] as string;
      const [out] = await attribution.attributeItems(t.deps, orgId, itemIds);
      assert.equal(out?.ok, true);
      assert.equal(out?.reachable, true);
      const rows = byRole(await current([id]), id);
      assert.deepEqual([...rows.keys()], ["platform", "hosting", "registrar", "registry"]);

      const p = rows.get("platform");
      assert.equal(p?.partyId, platform);
      assert.equal(p?.partyName, "Fictional Platform");
      assert.equal(p?.partyReachable, true);
      assert.equal(p?.source, "registry");
      assert.equal(p?.address, "www.fictional-platform.com");

      const h = rows.get("hosting");
      assert.equal(h?.name, "Fictional Hosting B.V.");
      assert.equal(h?.abuseEmail, "abuse@fictional-hosting.example");
      assert.equal(h?.country, "NL");
      assert.equal(h?.network, "FICTIONAL-HOSTING-NL 185.10.0.0/22");
      assert.equal(h?.address, "185.10.1.5");
      assert.equal(h?.source, "rdap-ip");
      assert.equal(h?.sourceUrl, `${rdap.base("ripe")}ip/185.10.1.5`);
      assert.equal(
        h?.rawSha256,
        rdap.served.get("/ripe/ip/185.10.1.5"),
        "the hash of the bytes the server sent",
      );
      assert.equal(h?.error, null);
      assert.equal(h?.partyId, null);

      const r = rows.get("registrar");
      assert.equal(r?.name, "Brand Registrar Inc.");
      assert.equal(r?.abuseEmail, "abuse@brand-registrar.example");
      assert.equal(r?.address, "fictional-platform.com");
      assert.equal(r?.sourceUrl, `${rdap.base("com")}domain/fictional-platform.com`);
      assert.equal(r?.rawSha256, rdap.served.get("/tld/com/domain/fictional-platform.com"));

      const g = rows.get("registry");
      assert.equal(g?.source, "tld");
      assert.equal(g?.name, "com.rdap.test", "the operator of the TLD's RDAP server");
      assert.equal(g?.sourceUrl, rdap.base("com"));

      const item = await t.deps.db
        .selectFrom("items")
        .select("status")
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      assert.equal(item.status, "attributed");
      const events = await t.deps.db
        .selectFrom("audit_events")
        .select(["action", "data"])
        .where("subject_id", "=", id)
        .where("action", "=", "item.attributed")
        .execute();
      assert.equal(events.length, 1);
      const data = events[0]?.data as {
        roles: { role: string; rawSha256: string | null }[];
        status: unknown;
      };
      assert.deepEqual(data.status, { from: "reported", to: "attributed" });
      assert.equal(data.roles.find((x) => x.role === "hosting")?.rawSha256, h?.rawSha256);
    });

    test("ARIN: the abuse contact nested in the organisation, the origin AS matched to a host; a registrar by IANA id", async () => {
      const cloud = await makeParty(
        t.deps,
        orgId,
        "Example Cloud",
        "hosting",
        [["asn", "AS64500"]],
        "abuse-desk@example-cloud.example",
      );
      const registrar = await makeParty(t.deps, orgId, "Fictional Registrar", "registrar", [
        ["registrar_iana_id", "9999"],
      ]);
      const { itemIds } = await makeCase(t.deps, orgId, ["https://cdn.nudify-example.com/img/1.jpg"]);
      const id = itemIds[0] as string;
      await attribution.attributeItem(t.deps, orgId, id);
      const rows = byRole(await current([id]), id);
      assert.equal(rows.has("platform"), false);
      const h = rows.get("hosting");
      assert.equal(h?.partyId, cloud);
      assert.equal(h?.asn, 64500);
      assert.equal(h?.name, "Example Cloud, Inc.");
      assert.equal(h?.abuseEmail, "trustandsafety@example-cloud.example");
      assert.equal(h?.address, "23.1.2.4", "the IPv4 address first");
      assert.equal(h?.network, "EXAMPLE-CLOUD 23.1.0.0/16");
      const r = rows.get("registrar");
      assert.equal(r?.partyId, registrar);
      assert.equal(r?.partyReachable, false, "a party without a channel");
      assert.equal(r?.name, "Fictional Registrar, LLC");
      assert.equal(r?.abuseEmail, "abuse@fictional-registrar.example");
    });

    test("legacy space: ARIN redirects to RIPE, and the answer's own URL is recorded", async () => {
      const { itemIds } = await makeCase(t.deps, orgId, ["http://old.legacy-site.com/x"]);
      const id = itemIds[0] as string;
      await attribution.attributeItem(t.deps, orgId, id);
      const h = byRole(await current([id]), id).get("hosting");
      assert.equal(h?.name, "Legacy Transfer B.V.");
      assert.equal(h?.abuseEmail, "abuse@legacy-transfer.example");
      assert.equal(h?.sourceUrl, `${rdap.base("ripe")}ip/146.1.2.3`);
      assert.equal(h?.rawSha256, rdap.served.get("/ripe/ip/146.1.2.3"));
      assert.ok(rdap.count("/arin/ip/146.1.2.3") >= 1, "asked ARIN first, as the bootstrap says");
    });

    test(".nl: a registrar without IANA id, the registry claimed by a party; an IPv6-only host", async () => {
      const sidn = await makeParty(t.deps, orgId, "SIDN", "registry", [["tld", ".NL"]], "abuse@sidn.example");
      const { itemIds } = await makeCase(t.deps, orgId, [
        "https://leak.voorbeeld.nl/a",
        "https://ip6-2a00-1000--7.voorbeeld.nl/b",
      ]);
      await attribution.attributeItems(t.deps, orgId, itemIds);
      const rows = await current(itemIds);
      const a = byRole(rows, itemIds[0] as string);
      assert.equal(a.get("registrar")?.name, "Voorbeeld Registrar B.V.");
      assert.equal(a.get("registrar")?.abuseEmail, "abuse@voorbeeld-registrar.example");
      assert.equal(a.get("registrar")?.country, "NL");
      assert.equal(a.get("registry")?.partyId, sidn);
      assert.equal(a.get("registry")?.source, "registry");
      assert.equal(a.get("registry")?.name, "SIDN");
      const b = byRole(rows, itemIds[1] as string);
      assert.equal(b.get("hosting")?.address, "2a00:1000::7");
      assert.equal(b.get("hosting")?.network, "FICTIONAL-HOSTING-NL 2a00:1000::/32");
      assert.equal(rdap.count("/tld/nl/domain/voorbeeld.nl") >= 1, true);
    });

    test("failures are stored with their reason, visible, and no item is lost", async () => {
      const { itemIds } = await makeCase(t.deps, orgId, [
        "https://gone.voorbeeld.nl/1",
        "https://intranet.voorbeeld.nl/2",
        "https://redacted.com/3",
        "https://unregistered-site.com/4",
        "https://slowdns.voorbeeld.nl/5",
        "https://ip-185-10-3-1.unknowntld/6",
      ]);
      const [gone, intranet, redacted, unregistered, slowdns, unknownTld] = itemIds as string[];
      const out = await attribution.attributeItems(t.deps, orgId, itemIds);
      assert.deepEqual(
        out.map((o) => o.ok),
        itemIds.map(() => true),
        "every item is written",
      );
      const rows = await current(itemIds);
      const err = (id: string | undefined, role: AttributionRole) =>
        byRole(rows, id as string).get(role)?.error ?? null;
      assert.match(err(gone, "hosting") ?? "", /does not resolve|no A or AAAA/);
      assert.equal(byRole(rows, gone as string).get("hosting")?.source, "dns");
      assert.equal(err(gone, "registrar"), null, "the domain still has a registrar");
      assert.match(err(intranet, "hosting") ?? "", /10\.1\.2\.3 \(private\)/);
      assert.match(err(redacted, "registrar") ?? "", /no abuse contact/);
      assert.equal(byRole(rows, redacted as string).get("registrar")?.name, "Quiet Registrar Ltd");
      assert.match(err(unregistered, "registrar") ?? "", /has no record of unregistered-site\.com/);
      assert.equal(err(unregistered, "hosting"), null);
      assert.match(err(slowdns, "hosting") ?? "", /did not answer/);
      assert.equal(out[4]?.retryAt instanceof Date, true, "a DNS timeout is asked again later");
      assert.match(err(unknownTld, "registrar") ?? "", /names no server for ip-185-10-3-1\.unknowntld/);
      assert.match(err(unknownTld, "registry") ?? "", /No registry is known for \.unknowntld/);

      // Shown through the API as well.
      const { agent } = await (async () => {
        const user = await makeUser(t.deps, orgId, "analyst");
        return { agent: await login(t, user.email) };
      })();
      const res = await agent.request("GET", `/api/v1/items/${intranet}/attributions`);
      assert.equal(res.statusCode, 200);
      const hosting = (res.json().attributions as { role: string; error: string | null }[]).find(
        (a) => a.role === "hosting",
      );
      assert.match(hosting?.error ?? "", /not on the public internet/);
    });

    test("hostile RDAP answers never crash a batch or lose an item", async () => {
      const hostile = ["1", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14"];
      const domains = [
        "b404",
        "b500",
        "bhuge",
        "bmalformed",
        "bslow",
        "bdeep",
        "barray",
        "bhtml",
        "bentities",
        "bloop",
        "bprivate",
        "bclass",
      ];
      const urls = [
        ...hostile.map((n) => `https://ip-45-0-0-${n}.hostile.nl/x`),
        ...domains.map((d) => `https://ip-185-10-1-8.${d}.org/y`),
        "https://leak.voorbeeld.nl/still-fine",
      ];
      const { itemIds } = await makeCase(t.deps, orgId, urls);
      const started = Date.now();
      const out = await attribution.attributeItems(t.deps, orgId, itemIds);
      assert.ok(Date.now() - started < 20_000, "time limits hold");
      assert.equal(out.length, urls.length);
      assert.ok(
        out.every((o) => o.ok),
        JSON.stringify(out.filter((o) => !o.ok)),
      );
      const rows = await current(itemIds);
      const hostingErr = (i: number) => byRole(rows, itemIds[i] as string).get("hosting")?.error ?? "";
      const registrarErr = (i: number) =>
        byRole(rows, itemIds[hostile.length + i] as string).get("registrar")?.error ?? "";
      const expected: [string, RegExp][] = [
        ["404", /has no record/],
        ["500", /answered 500/],
        ["huge", /larger than 262144 bytes/],
        ["malformed", /not valid JSON/],
        ["slow", /did not answer within 3000 ms/],
        ["deep", /nested deeper than 100 levels/],
        ["array", /not a JSON object/],
        ["html", /text\/html, not RDAP JSON/],
        ["entities", /^$/],
        ["loop", /redirected more than 5 times/],
        ["private", /not on the public internet|10\.0\.0\.1/],
        ["class", /not ip network|not domain/],
      ];
      for (const [i, [what, re]] of expected.entries()) {
        assert.match(hostingErr(i), re, `hosting, ${what}`);
        assert.match(registrarErr(i), re, `registrar, ${what}`);
      }
      // The noisy answer is read within bounds, NULs and all.
      const noisy = byRole(rows, itemIds[8] as string).get("hosting");
      assert.equal(noisy?.abuseEmail, "abuse@noisy.example");
      assert.equal(noisy?.name, "Noisy\uFFFD Hosting", "the NUL replaced, not stored");
      const noisyDomain = byRole(rows, itemIds[hostile.length + 8] as string).get("registrar");
      assert.equal(noisyDomain?.abuseEmail, "abuse@noisy.example");
      // The good item in the same batch is attributed as usual.
      const fine = byRole(rows, itemIds[urls.length - 1] as string);
      assert.equal(fine.get("hosting")?.abuseEmail, "abuse@fictional-hosting.example");
      // Transient failures (500, timeouts) come back to be asked again; permanent ones do not.
      assert.ok(out[1]?.retryAt, "500");
      assert.ok(out[4]?.retryAt, "timeout");
      assert.equal(out[0]?.retryAt, undefined, "404");
      // And failures are cached: asking again costs the servers nothing.
      const before = rdap.requests.length;
      await attribution.attributeItems(t.deps, orgId, itemIds, { force: true });
      assert.equal(rdap.requests.length, before);
    });

    test("many items on few hosts cost one lookup per host; later batches use the cache until it expires", async () => {
      const tag = backend.name;
      const urls = Array.from({ length: 60 }, (_, i) =>
        i % 2 === 0
          ? `https://ip-185-10-2-1.memo-${tag}.nl/p/${i}`
          : `https://ip-23-1-9-9.memo-${tag}.com/p/${i}`,
      );
      const { itemIds } = await makeCase(t.deps, orgId, urls);
      const before = rdap.requests.length;
      const out = await attribution.attributeItems(t.deps, orgId, itemIds);
      assert.ok(out.every((o) => o.ok && o.reachable));
      const asked = rdap.requests.slice(before);
      assert.deepEqual(asked.sort(), [
        "GET /arin/ip/23.1.9.9",
        "GET /ripe/ip/185.10.2.1",
        `GET /tld/com/domain/memo-${tag}.com`,
        `GET /tld/nl/domain/memo-${tag}.nl`,
      ]);

      // Fresh: nothing to do.
      const again = await attribution.attributeItems(t.deps, orgId, itemIds);
      assert.ok(again.every((o) => o.skipped === "fresh"));
      // Forced: attributed again from the cache, no server asked; the same answer is confirmed,
      // not copied, and needs no audit event.
      const id = itemIds[0] as string;
      const events = async () =>
        (
          await t.deps.db
            .selectFrom("audit_events")
            .select("seq")
            .where("subject_id", "=", id)
            .where("action", "=", "item.attributed")
            .execute()
        ).length;
      const n = rdap.requests.length;
      const forced = await attribution.attributeItems(t.deps, orgId, itemIds, { force: true });
      assert.ok(forced.every((o) => o.unchanged));
      assert.equal(rdap.requests.length, n);
      assert.equal(await events(), 1);
      // A new party in the registry changes the answer: new rows, the earlier ones superseded.
      const host = await makeParty(t.deps, orgId, `Fictional Hosting ${tag}`, "hosting", [
        ["abuse_email", "Abuse@Fictional-Hosting.example"],
      ]);
      const changed = await attribution.attributeItems(t.deps, orgId, itemIds, { force: true });
      assert.equal(changed.filter((o) => !o.unchanged).length, 30, "the items on the RIPE-hosted host");
      assert.equal(byRole(await current([id]), id).get("hosting")?.partyId, host);
      assert.equal(await events(), 2);
      // A day later the cache has expired: the servers are asked again; the same answer keeps
      // its rows, confirmed at the new time.
      t.clock.advance(hours(25));
      await attribution.attributeItems(t.deps, orgId, itemIds);
      assert.equal(rdap.requests.length, n + 4);
      const user = await makeUser(t.deps, orgId, "analyst");
      const agent = await login(t, user.email);
      const res = await agent.request("GET", `/api/v1/items/${id}/attributions?history=true`);
      assert.equal(res.statusCode, 200);
      const body = res.json() as {
        attributions: { role: string; resolvedAt: string }[];
        history: { supersededAt: string | null }[];
      };
      assert.equal(body.attributions.length, 3);
      assert.equal(body.attributions[0]?.resolvedAt, t.clock.now().toISOString());
      assert.equal(body.history.length, 6, "two answers of three roles");
      assert.equal(body.history.filter((h) => h.supersededAt === null).length, 3);
    });

    test("the job attributes its batch and queues again what failed for a while", async () => {
      const sent: { payload: unknown; startAfter: Date | undefined }[] = [];
      const stub = {
        send: async (_spec: unknown, payload: unknown, o: { startAfter?: Date } = {}) => {
          sent.push({ payload, startAfter: o.startAfter });
          return "job";
        },
      } as unknown as Queue;
      const deps: Deps = { ...t.deps, queue: stub };
      setAttributionEnv(
        deps,
        buildAttributionEnv(deps, {
          fetcher: { allowLoopback: true, resolver: rdap.resolver },
          resolver: itemDns,
          dnsTimeoutMs: 500,
        }),
      );
      const registry = new JobRegistry();
      registerAttributionJobs(registry, deps);
      const { itemIds } = await makeCase(t.deps, orgId, [
        "https://ip-185-10-2-2.job-site.nl/ok",
        "https://ip-45-0-0-4.job-site.nl/500",
      ]);
      const handler = registry.handler(attributeItemsJob.name);
      const result = await handler?.(attributeItemsJob.schema.parse({ organisationId: orgId, itemIds }), {
        jobId: "j",
        retryCount: 0,
        signal: new AbortController().signal,
      });
      assert.deepEqual(result, { items: 2, attributed: 2, reachable: 2, skipped: 0, failed: 0, requeued: 1 });
      assert.equal(sent.length, 1);
      const [again] = sent as { payload: { itemIds: string[]; attempt: number }; startAfter: Date }[];
      assert.deepEqual(again?.payload.itemIds, [itemIds[1]]);
      assert.equal(again?.payload.attempt, 1);
      assert.ok((again?.startAfter.getTime() ?? 0) > t.clock.now().getTime());
    });

    test("routes: queue a case's attribution; read an item's attributions in the same organisation only", async () => {
      const { agent, org } = await userAgent(t, "hotline", "analyst");
      const { caseId, itemIds } = await makeCase(t.deps, org.id, [
        "https://leak.voorbeeld.nl/r1",
        "https://leak.voorbeeld.nl/r2",
      ]);
      // Without a queue the request is refused rather than run inside the request.
      const none = await agent.request("POST", `/api/v1/cases/${caseId}/attribute`, {});
      assert.equal(none.statusCode, 503);
      const sent: unknown[] = [];
      t.deps.queue = {
        send: async (_s: unknown, payload: unknown) => {
          sent.push(payload);
          return "job";
        },
      } as unknown as Queue;
      try {
        const res = await agent.request("POST", `/api/v1/cases/${caseId}/attribute`, { refresh: true });
        assert.equal(res.statusCode, 202, res.body);
        assert.deepEqual(res.json(), { items: 2, jobs: 1 });
        assert.deepEqual(sent, [{ organisationId: org.id, itemIds, force: true, refresh: true, attempt: 0 }]);
        const other = await userAgent(t, "hotline", "analyst");
        assert.equal(
          (await other.agent.request("POST", `/api/v1/cases/${caseId}/attribute`, {})).statusCode,
          404,
        );
        const auditor = await userAgent(t, "hotline", "auditor");
        assert.equal(
          (await auditor.agent.request("POST", `/api/v1/cases/${caseId}/attribute`, {})).statusCode,
          403,
        );
      } finally {
        t.deps.queue = undefined;
      }

      await attribution.attributeItems(t.deps, org.id, itemIds);
      const res = await agent.request("GET", `/api/v1/items/${itemIds[0]}/attributions`);
      assert.equal(res.statusCode, 200);
      const roles = (res.json().attributions as { role: string; abuseEmail: string | null }[]).map(
        (a) => a.role,
      );
      assert.deepEqual(roles, ["hosting", "registrar", "registry"]);
      const stranger = await userAgent(t, "hotline", "analyst");
      assert.equal(
        (await stranger.agent.request("GET", `/api/v1/items/${itemIds[0]}/attributions`)).statusCode,
        404,
      );
      const platform = await userAgent(t, "platform", "platform_agent");
      assert.equal(
        (await platform.agent.request("GET", `/api/v1/items/${itemIds[0]}/attributions`)).statusCode,
        403,
      );
      const anon = await t.app.inject({ method: "GET", url: `/api/v1/items/${itemIds[0]}/attributions` });
      assert.equal(anon.statusCode, 401);
    });

    test("through the real queue: the route queues the job, a worker attributes the case's items", async () => {
      const registry = new JobRegistry();
      registerAttributionJobs(registry, t.deps);
      const queue = await createQueue(t.handle, {
        registry,
        logger: pino({ level: "silent" }),
        supervise: false,
      });
      t.deps.queue = queue;
      try {
        await queue.work({ pollingIntervalSeconds: 0.5 });
        const { agent, org } = await userAgent(t, "hotline", "analyst");
        const { caseId, itemIds } = await makeCase(t.deps, org.id, [
          "https://leak.voorbeeld.nl/q1",
          "https://cdn.nudify-example.com/q2",
        ]);
        const res = await agent.request("POST", `/api/v1/cases/${caseId}/attribute`, { reason: "new URLs" });
        assert.equal(res.statusCode, 202, res.body);
        const deadline = Date.now() + 30_000;
        let rows: attribution.Attribution[] = [];
        while (Date.now() < deadline) {
          rows = await attribution.currentAttributions(t.deps.db, org.id, itemIds);
          if (new Set(rows.map((r) => r.itemId)).size === 2) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.deepEqual(new Set(rows.map((r) => r.itemId)), new Set(itemIds));
        const statuses = await t.deps.db
          .selectFrom("items")
          .select("status")
          .where("id", "in", itemIds)
          .execute();
        assert.ok(statuses.every((x) => x.status === "attributed"));
      } finally {
        t.deps.queue = undefined;
        await queue.stop();
      }
    });

    // Last: a long Retry-After puts the hostile server in back-off for the rest of this suite.
    test("a short Retry-After is waited out; a long one backs the server off, visibly", async () => {
      // Its own addresses per database, so the server's "429 the first time" is a first time.
      const k = backends.indexOf(backend) + 1;
      const { itemIds: first } = await makeCase(t.deps, orgId, [`https://ip-45-0-${k}-2.rate.nl/once`]);
      const started = Date.now();
      await attribution.attributeItems(t.deps, orgId, first);
      assert.ok(Date.now() - started >= 900, "waited for the Retry-After");
      const once = byRole(await current(first), first[0] as string).get("hosting");
      assert.equal(once?.error, null, "answered after the wait");
      assert.equal(once?.abuseEmail, "abuse@fictional-hosting.example");
      const { itemIds: second } = await makeCase(t.deps, orgId, [`https://ip-45-0-${k}-3.rate.nl/long`]);
      const out = await attribution.attributeItems(t.deps, orgId, second);
      const long = byRole(await current(second), second[0] as string).get("hosting");
      assert.match(long?.error ?? "", /429 Too Many Requests; retry after 3600 s/);
      assert.ok(out[0]?.retryAt);
      // Another address on the same server is not asked while it is backed off.
      const before = rdap.count("/bad/");
      const { itemIds: next } = await makeCase(t.deps, orgId, [`https://ip-45-0-${k}-1.rate.nl/next`]);
      await attribution.attributeItems(t.deps, orgId, next);
      assert.equal(rdap.count("/bad/"), before);
      const nextRow = byRole(await current(next), next[0] as string).get("hosting");
      assert.match(nextRow?.error ?? "", /asked to slow down/);
    });
  });
}
