// Attribution without anyone pressing a button, on PGlite and PostgreSQL: a public report's
// new URLs get an attribution job in the report's own statement (job_outbox), a worker on the
// real queue relays and runs it against the local RDAP server, and the items come out
// attributed; URLs staff add to a case, and imported ones, go the same way.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { buildAttributionEnv, setAttributionEnv } from "../src/modules/attribution/env.ts";
import { registerAttributionJobs } from "../src/modules/attribution/jobs.ts";
import * as attribution from "../src/modules/attribution/service.ts";
import { currentConsent } from "../src/modules/intake/consent.ts";
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
  const address = named[host];
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
