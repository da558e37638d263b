// Attribution without anyone pressing a button, on PGlite and PostgreSQL: a public report's
// new URLs get an attribution job in the report's own statement (job_outbox), a worker on the
// real queue relays and runs it against the local RDAP server, and the items come out
// attributed; URLs staff add to a case, and imported ones, go the same way. Hosts and
// registrars RDAP names that no party has are registered as parties for review (provenance
// kept, hostile data refused or cleaned, a switch to turn it off), so notices can follow. The
// origin AS is read from each RIR's shape where it has one (ARIN, LACNIC, NIC.br), and left
// empty where it has none (RIPE NCC, APNIC, AFRINIC).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { buildAttributionEnv, setAttributionEnv } from "../src/modules/attribution/env.ts";
import { registerAttributionJobs } from "../src/modules/attribution/jobs.ts";
import * as parties from "../src/modules/attribution/parties.ts";
import * as attribution from "../src/modules/attribution/service.ts";
import { systemActor } from "../src/modules/audit/service.ts";
import * as cases from "../src/modules/cases/service.ts";
import { currentConsent } from "../src/modules/intake/consent.ts";
import * as notices from "../src/modules/notices/service.ts";
import type { Resolver } from "../src/platform/fetcher/guard.ts";
import { createQueue, JobRegistry, type Queue } from "../src/platform/queue.ts";
import { startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";
import { type RdapServer, startRdapServer } from "./support/rdap-server.ts";

process.env.VANGRAIL_TEST_MODE = "1";

let rdap: RdapServer;
before(async () => {
  rdap = await startRdapServer();
});
after(() => rdap.close());

/** DNS for the reported hosts: fixed answers, never the real resolver. */
const itemDns: Resolver = async (host) => {
  const named: Record<string, string> = {
    "leak.voorbeeld.nl": "185.10.1.6",
    "cdn.nudify-example.com": "23.1.2.4",
    "staff.voorbeeld.nl": "185.10.1.8",
    "import.voorbeeld.nl": "185.10.1.9",
  };
  const v4 = /^ip-(\d+)-(\d+)-(\d+)-(\d+)\./.exec(host);
  const address = named[host] ?? (v4 ? v4.slice(1).join(".") : undefined);
  if (!address) throw Object.assign(new Error(`queryA ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return [{ address, family: 4 }];
};

for (const backend of backends) {
  describe(`attribution queued by intake (${backend.name})`, () => {
    let t: TestApp;
    let queue: Queue;
    let hotline: Awaited<ReturnType<typeof userAgent>>;

    before(async () => {
      t = await startApp(backend, {
        RDAP_BOOTSTRAP_DIR: rdap.bootstrapDir,
        RDAP_TIMEOUT_SECONDS: "3",
        REPORT_RATE_LIMIT_PER_MINUTE: "100000",
      });
      setAttributionEnv(
        t.deps,
        buildAttributionEnv(t.deps, {
          fetcher: { allowLoopback: true, resolver: rdap.resolver },
          resolver: itemDns,
          dnsTimeoutMs: 500,
        }),
      );
      // The oldest hotline receives public reports.
      hotline = await userAgent(t, "hotline", "admin");
      // Only attribution's jobs run here: capture jobs wait in the outbox, unrelayed.
      const registry = new JobRegistry();
      registerAttributionJobs(registry, t.deps);
      queue = await createQueue(t.handle, { registry, logger: pino({ level: "silent" }), supervise: false });
      t.deps.queue = queue;
      await queue.work({ pollingIntervalSeconds: 0.5, outboxIntervalMs: 100 });
    });
    after(async () => {
      t.deps.queue = undefined;
      await queue.stop();
      await t.close();
    });

    async function attributed(itemIds: string[]) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const rows = await attribution.currentAttributions(t.deps.db, hotline.org.id, itemIds);
        if (new Set(rows.map((r) => r.itemId)).size === itemIds.length) return rows;
        if (Date.now() > deadline) assert.fail(`not attributed in time: ${JSON.stringify(rows)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    test("a public report's URLs are attributed by the worker, nobody asking", async () => {
      const urls = ["https://leak.voorbeeld.nl/p1", "https://cdn.nudify-example.com/p2"];
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/reports",
        payload: {
          category: "ncii",
          urls,
          description: "synthetic",
          reporterRole: "bystander",
          ageBand: "25_plus",
          consent: { given: true, version: currentConsent.version },
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const { case_id: caseId } = await t.deps.db
        .selectFrom("reports")
        .select("case_id")
        .where("receipt", "=", res.json().receipt)
        .executeTakeFirstOrThrow();
      const items = await t.deps.db
        .selectFrom("case_items")
        .innerJoin("items", "items.id", "case_items.item_id")
        .select(["items.id", "items.value"])
        .where("case_items.case_id", "=", caseId)
        .execute();
      const ids = items.map((i) => i.id);
      const rows = await attributed(ids);
      const hosting = (url: string) =>
        rows.find((r) => r.role === "hosting" && r.itemId === items.find((i) => i.value === url)?.id);
      assert.equal(hosting(urls[0] as string)?.abuseEmail, "abuse@fictional-hosting.example");
      assert.equal(hosting(urls[1] as string)?.abuseEmail, "trustandsafety@example-cloud.example");
      const statuses = await t.deps.db.selectFrom("items").select("status").where("id", "in", ids).execute();
      assert.ok(statuses.every((s) => s.status === "attributed"));
      const events = await t.deps.db
        .selectFrom("audit_events")
        .select(["actor_type", "subject_id"])
        .where("action", "=", "item.attributed")
        .where("subject_id", "in", ids)
        .execute();
      assert.equal(events.length, 2);
      assert.ok(
        events.every((e) => e.actor_type === "system"),
        "the system did it, nobody asked",
      );
    });

    test("URLs staff add to a case and imported ones are attributed too; known ones are not asked again", async () => {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/reports",
        payload: {
          category: "ncii",
          urls: [],
          description: "a description only",
          reporterRole: "bystander",
          ageBand: "25_plus",
          consent: { given: true, version: currentConsent.version },
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const { case_id: caseId } = await t.deps.db
        .selectFrom("reports")
        .select("case_id")
        .where("receipt", "=", res.json().receipt)
        .executeTakeFirstOrThrow();
      const add = await hotline.agent.request("POST", `/api/v1/cases/${caseId}/items`, {
        items: [
          { kind: "url", value: "https://staff.voorbeeld.nl/s1" },
          { kind: "url", value: "https://leak.voorbeeld.nl/p1" },
          { kind: "account", value: "@someone" },
        ],
      });
      assert.equal(add.statusCode, 200, add.body);
      const [fresh, known] = add.json().results as { itemId: string; linked: boolean }[];
      assert.equal(known?.linked, true);
      const outbox = await t.deps.db
        .selectFrom("job_outbox")
        .select(["name", "data"])
        .where("name", "=", attribution.autoAttributionJob)
        .execute();
      // The worker may already have relayed it; either way only the new URL is asked for.
      for (const row of outbox)
        assert.deepEqual((row.data as { itemIds: string[] }).itemIds, [fresh?.itemId]);
      await attributed([fresh?.itemId as string]);

      const csv = "url,category\nhttps://import.voorbeeld.nl/i1,ncii\n";
      const imported = await hotline.agent.request("POST", "/api/v1/cases/import", { csv });
      assert.ok([200, 201].includes(imported.statusCode), imported.body);
      const row = (imported.json().results as { itemId?: string }[])[0];
      assert.ok(row?.itemId);
      const rows = await attributed([row.itemId]);
      assert.equal(rows.find((r) => r.role === "hosting")?.abuseEmail, "abuse@fictional-hosting.example");
    });
  });
}

for (const backend of backends) {
  describe(`parties registered from RDAP, and the origin AS of each RIR (${backend.name})`, () => {
    let t: TestApp;
    let hotline: Awaited<ReturnType<typeof userAgent>>;

    before(async () => {
      t = await startApp(backend, { RDAP_BOOTSTRAP_DIR: rdap.bootstrapDir, RDAP_TIMEOUT_SECONDS: "3" });
      setAttributionEnv(
        t.deps,
        buildAttributionEnv(t.deps, {
          fetcher: { allowLoopback: true, resolver: rdap.resolver },
          resolver: itemDns,
          dnsTimeoutMs: 500,
        }),
      );
      hotline = await userAgent(t, "hotline", "admin");
    });
    after(() => t.close());

    async function itemsOf(urls: string[]) {
      const out = await t.deps.db.transaction().execute((tx) =>
        cases.createCaseInTx(
          tx,
          t.deps,
          { ...systemActor, organisationId: hotline.org.id },
          {
            organisationId: hotline.org.id,
            category: "ncii",
            source: "staff",
            priority: "normal",
            urgentReasons: [],
            items: urls.map((value) => ({ kind: "url" as const, value })),
          },
        ),
      );
      return out.items.map((i) => ({ id: i.id, value: i.value }));
    }
    const hostingOf = async (itemId: string) =>
      (await attribution.currentAttributions(t.deps.db, hotline.org.id, [itemId])).find(
        (r) => r.role === "hosting",
      );
    const partiesNamed = (like: string) =>
      t.deps.db
        .selectFrom("parties")
        .selectAll()
        .where("organisation_id", "=", hotline.org.id)
        .where("name", "like", like)
        .execute();

    test("an unknown host RDAP names is registered for review, with provenance, and its items can be noticed", async () => {
      const items = await itemsOf(["https://ip-23-1-9-9.cloud.nl/a", "https://ip-23-1-9-8.cloud.nl/b"]);
      const out = await attribution.attributeItems(
        t.deps,
        hotline.org.id,
        items.map((i) => i.id),
      );
      assert.ok(out.every((o) => o.ok && o.reachable));
      const a = await hostingOf(items[0]?.id as string);
      assert.ok(a?.partyId, "the hosting role has a party now");
      assert.equal((await hostingOf(items[1]?.id as string))?.partyId, a.partyId, "one party per address");
      const detail = await parties.getPartyDetail(t.deps, parties.operatorFor(hotline.org.id), a.partyId);
      assert.equal(detail.name, "Example Cloud, Inc.");
      assert.equal(detail.kind, "hosting");
      assert.deepEqual(detail.autoRegistered, {
        source: "rdap",
        sourceUrl: a.sourceUrl,
        rawSha256: a.rawSha256,
      });
      assert.match(a.sourceUrl ?? "", /\/arin\/ip\/23\.1\.9\.9$/);
      assert.equal(a.rawSha256, rdap.served.get("/arin/ip/23.1.9.9"), "the hash of the bytes served");
      assert.deepEqual(
        detail.channels.map((c) => [c.kind, c.address]),
        [["email", "trustandsafety@example-cloud.example"]],
      );
      assert.deepEqual(detail.matchers.map((m) => `${m.kind}:${m.value}`).sort(), [
        "abuse_email:trustandsafety@example-cloud.example",
        "asn:64500",
      ]);
      const events = await t.deps.db
        .selectFrom("audit_events")
        .select(["action", "actor_type"])
        .where("subject_id", "=", a.partyId)
        .execute();
      assert.deepEqual(events, [{ action: "parties.auto_registered", actor_type: "system" }]);

      // The chain goes on: the items can be noticed now.
      const made = await notices.createNotices(
        t.deps,
        { ...systemActor, organisationId: hotline.org.id },
        hotline.org.id,
        "ncii",
        items,
      );
      assert.equal(made.skipped.length, 0, JSON.stringify(made.skipped));
      assert.equal(made.created[0]?.partyId, a.partyId);

      // The party pages mark it for review; a person confirms it.
      const list = await hotline.agent.request("GET", "/api/v1/parties?q=Example%20Cloud");
      assert.equal(list.statusCode, 200, list.body);
      const row = list.json().items.find((p: { id: string }) => p.id === a.partyId);
      assert.equal(row.needsReview, true);
      const reviewed = await hotline.agent.request("POST", `/api/v1/parties/${a.partyId}/review`, {});
      assert.equal(reviewed.statusCode, 200, reviewed.body);
      assert.equal(reviewed.json().needsReview, false);
      assert.ok(reviewed.json().reviewedAt);
      const manual = await parties.createParty(t.deps, parties.operatorFor(hotline.org.id), {
        name: "Hand Made Hosting",
        kind: "hosting",
      });
      const refused = await hotline.agent.request("POST", `/api/v1/parties/${manual.id}/review`, {});
      assert.equal(refused.statusCode, 409);
    });

    test("hostile RDAP data is cleaned or refused before it becomes a party", async () => {
      const [huge, odd, bidi] = await itemsOf([
        "https://ip-45-0-0-15.hostile.nl/x",
        "https://ip-45-0-0-16.hostile.nl/x",
        "https://ip-45-0-0-17.hostile.nl/x",
      ]);
      await attribution.attributeItems(
        t.deps,
        hotline.org.id,
        [huge, odd, bidi].map((i) => i?.id as string),
      );
      const h = await hostingOf(huge?.id as string);
      assert.ok(h?.partyId);
      const hp = await parties.getPartyDetail(t.deps, parties.operatorFor(hotline.org.id), h.partyId);
      assert.ok(hp.name.length <= 150, `bounded (${hp.name.length})`);
      assert.ok(hp.name.startsWith("Huge"), hp.name);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
      assert.doesNotMatch(hp.name, /[\u0000-\u001f\u007f]/);
      const o = await hostingOf(odd?.id as string);
      assert.equal(o?.partyId, null, "no usable address: nothing registered");
      assert.equal(o?.abuseEmail, null);
      assert.equal((await partiesNamed("%Odd Mail%")).length, 0);
      const b = await hostingOf(bidi?.id as string);
      const bp = await parties.getPartyDetail(
        t.deps,
        parties.operatorFor(hotline.org.id),
        b?.partyId as string,
      );
      assert.equal(bp.name, "Trusted gnitsoH B.V.", "no bidi overrides or invisible characters");
    });

    test("the switch turns it off; an archived party or a taken name is respected", async () => {
      t.deps.config.attribution.autoRegister = false;
      try {
        const [off] = await itemsOf(["https://ip-202-5-1-1.apnic.nl/off"]);
        await attribution.attributeItems(t.deps, hotline.org.id, [off?.id as string]);
        const a = await hostingOf(off?.id as string);
        assert.equal(a?.partyId, null);
        assert.equal(a?.abuseEmail, "abuse@pacific-example.example");
        const made = await notices.createNotices(
          t.deps,
          { ...systemActor, organisationId: hotline.org.id },
          hotline.org.id,
          "ncii",
          [off as { id: string; value: string }],
        );
        assert.equal(made.created.length, 0);
        assert.match(made.skipped[0]?.reason ?? "", /no registered party/);
        assert.equal(made.skipped[0]?.code, "no_registered_party", "a stable code for the web app");
        assert.deepEqual(made.skipped[0]?.params, {
          name: "Pacific Example Hosting Pty Ltd",
          abuseEmail: "abuse@pacific-example.example",
        });
      } finally {
        t.deps.config.attribution.autoRegister = true;
      }
      // A party named like the holder exists already (added by hand): a new one with its own name.
      const operator = parties.operatorFor(hotline.org.id);
      await parties.createParty(t.deps, operator, { name: "Africa Example Networks Ltd", kind: "hosting" });
      const [taken] = await itemsOf(["https://ip-41-9-1-1.africa.nl/t"]);
      await attribution.attributeItems(t.deps, hotline.org.id, [taken?.id as string]);
      const tp = await hostingOf(taken?.id as string);
      const detail = await parties.getPartyDetail(t.deps, operator, tp?.partyId as string);
      assert.equal(detail.name, "Africa Example Networks Ltd (abuse@africa-example.example)");
      // Archived by the hotline: not registered again.
      await parties.archiveParty(t.deps, operator, detail.id, true);
      const [again] = await itemsOf(["https://ip-41-9-1-2.africa.nl/u"]);
      await attribution.attributeItems(t.deps, hotline.org.id, [again?.id as string]);
      assert.equal((await hostingOf(again?.id as string))?.partyId, null);
      assert.equal((await partiesNamed("Africa Example%")).length, 2);
    });

    test("the origin AS of each RIR's answer, where it gives one", async () => {
      const cases_: [string, string, number | null][] = [
        ["https://ip-23-1-5-5.asn.nl/", "arin", 64500],
        ["https://ip-200-7-1-1.asn.nl/", "lacnic", 64510],
        ["https://ip-177-10-1-1.asn.nl/", "nicbr (redirected from lacnic)", 64511],
        ["https://ip-185-10-2-2.asn.nl/", "ripe", null],
        ["https://ip-202-5-2-2.asn.nl/", "apnic", null],
        ["https://ip-41-9-2-2.asn.nl/", "afrinic", null],
      ];
      const items = await itemsOf(cases_.map(([u]) => u));
      await attribution.attributeItems(
        t.deps,
        hotline.org.id,
        items.map((i) => i.id),
      );
      for (const [i, [url, rir, asn]] of cases_.entries()) {
        const a = await hostingOf(items[i]?.id as string);
        assert.equal(a?.error, null, `${rir}: ${a?.error}`);
        assert.equal(a?.asn, asn, `${rir} (${url})`);
        assert.ok(a?.abuseEmail, `${rir}: abuse contact found`);
      }
      assert.match(
        (await hostingOf(items[2]?.id as string))?.sourceUrl ?? "",
        /\/nicbr\/ip\//,
        "NIC.br answered after LACNIC's redirect",
      );
    });
  });
}
