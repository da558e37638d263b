// Notices end to end on PGlite and PostgreSQL, against a real local SMTP server and a real
// webhook receiver: a public report with URLs on three fictional parties → (recorded)
// attribution → notices built and delivered → every art. 16(2) element present and nothing of
// the reporter in any message → the party answers through its link → the case shows it, and a
// receipt goes back. Also: X-ARF for child abuse material validated against the X-ARF v4 rules;
// a bouncing address falls back to the next channel; a worker that dies after claiming a
// message leaves exactly one e-mail; deadlines, reminders and overdue items; hostile input on
// the response endpoints; organisation isolation.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import * as registry from "../src/modules/attribution/parties.ts";
import * as cases from "../src/modules/cases/service.ts";
import { currentConsent } from "../src/modules/intake/consent.ts";
import * as notices from "../src/modules/notices/service.ts";
import { createTransport } from "../src/modules/notices/transport.ts";
import { startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";
import { type SmtpSink, startSmtpSink } from "./support/smtp-sink.ts";

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateNotice = ajv.compile(
  JSON.parse(readFileSync(new URL("../src/modules/notices/notice-v1.schema.json", import.meta.url), "utf8")),
);
const validateXarf = ajv.compile(
  JSON.parse(readFileSync(new URL("./fixtures/xarf/xarf-v4-content.schema.json", import.meta.url), "utf8")),
);

const REPORTER = {
  name: "Reporter Testperson Unique",
  email: "reporter.unique.contact@reporter.example",
  phone: "+31 6 1234 5678",
};
const DESCRIPTION = "Omschrijving-die-nooit-in-een-melding-mag-staan-7f3a";

interface Hook {
  server: Server;
  url: string;
  received: { headers: Record<string, string | string[] | undefined>; body: string }[];
  status: number;
}

async function startHook(): Promise<Hook> {
  const hook: Hook = { server: createServer(), url: "", received: [], status: 200 };
  hook.server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hook.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(hook.status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => hook.server.listen(0, "127.0.0.1", r));
  hook.url = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}/vangrail`;
  return hook;
}

for (const backend of backends) {
  describe(`notices (${backend.name})`, () => {
    let t: TestApp;
    let sink: SmtpSink;
    let hook: Hook;
    let hotline: Awaited<ReturnType<typeof userAgent>>;

    before(async () => {
      process.env.VANGRAIL_TEST_MODE = "1";
      sink = await startSmtpSink();
      hook = await startHook();
      t = await startApp(backend, {
        MAIL_TRANSPORT: "smtp",
        SMTP_URL: sink.url,
        MAIL_FROM: "Vangrail Notices <notices@hotline.example>",
        PUBLIC_URL: "https://vangrail.hotline.example",
      });
      notices.setNoticeEnv(t.deps, {
        transport: createTransport(t.deps.config, { fetcher: { allowLoopback: true } }),
      });
      hotline = await userAgent(t, "hotline", "admin");
      await t.deps.db
        .updateTable("organisations")
        .set({
          notice_email: "meldpunt@hotline.example",
          trusted_flagger: true,
          trusted_flagger_area: "online sexual violence",
        })
        .where("id", "=", hotline.org.id)
        .execute();
    });
    after(async () => {
      notices.closeNoticeEnv(t.deps);
      await t.close();
      await sink.close();
      hook.server.close();
    });

    let webhookSecret = "";

    async function party(
      name: string,
      channels: { kind: "email" | "webhook" | "webform"; address: string }[],
      extra: {
        languages?: string[];
        maxUrls?: number;
        responseHours?: number;
        partyOrganisationId?: string;
      } = {},
    ): Promise<string> {
      const operator = registry.operatorFor(hotline.org.id);
      const p = await registry.createParty(t.deps, operator, {
        name,
        kind: "platform",
        country: "NL",
        languages: extra.languages ?? ["en"],
        maxUrlsPerNotice: extra.maxUrls ?? 50,
        responseHours: extra.responseHours ?? null,
        partyOrganisationId: extra.partyOrganisationId ?? null,
      });
      for (const c of channels) {
        const added = await registry.addChannel(t.deps, operator, p.id, { kind: c.kind, address: c.address });
        if (added.secret) webhookSecret = added.secret;
      }
      return p.id;
    }

    async function attribute(
      itemId: string,
      partyId: string | null,
      role: "platform" | "hosting" = "platform",
    ) {
      const now = t.clock.now();
      await t.deps.db
        .insertInto("attributions")
        .values({
          item_id: itemId,
          organisation_id: hotline.org.id,
          role,
          party_id: partyId,
          name: partyId ? null : "Unregistered Hosting Ltd",
          abuse_email: partyId ? null : "abuse@unregistered.example",
          address: "192.0.2.10",
          source: partyId ? "registry" : "rdap-ip",
          resolved_at: now,
          expires_at: new Date(now.getTime() + 86_400_000),
        })
        .execute();
    }

    async function publicCase(category: string, urls: string[]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/reports",
        payload: {
          category,
          urls,
          description: DESCRIPTION,
          reporterRole: "depicted",
          ageBand: "18_24",
          consent: { given: true, version: currentConsent.version },
          contact: REPORTER,
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const report = await t.deps.db
        .selectFrom("reports")
        .select("case_id")
        .where("receipt", "=", res.json().receipt)
        .executeTakeFirstOrThrow();
      const c = await cases.caseWithItems(t.deps, hotline.org.id, report.case_id);
      assert.ok(c);
      const byUrl = new Map(c.items.map((i) => [i.value, i.id]));
      return { caseId: report.case_id, item: (u: string) => byUrl.get(u) as string };
    }

    const tokenOf = (text: string): string => {
      const m = /https:\/\/vangrail\.hotline\.example\/respond\/([A-Za-z0-9_-]+)/.exec(text);
      assert.ok(m, "the message carries its response link");
      return m[1] as string;
    };

    let flow: { caseId: string; item: (u: string) => string };
    const U = {
      a: "https://fotodeel.example/p/1",
      b1: "https://snapgram.example/u/x/1",
      b2: "https://snapgram.example/u/x/2",
      c: "https://hookplatform.example/v/9",
      unknown: "https://nobody-knows.example/z",
      unregistered: "https://unregistered-host.example/q",
    };

    it("builds one notice per party (split at the party's URL limit), delivers them, and skips what it cannot notice", async () => {
      const a = await party("Fotodeel B.V.", [{ kind: "email", address: "abuse@fotodeel.example" }], {
        languages: ["nl", "en"],
      });
      const b = await party("Snapgram Ltd", [{ kind: "email", address: "dsa@snapgram.example" }], {
        maxUrls: 1,
      });
      const c = await party("Hook Platform", [{ kind: "webhook", address: hook.url }]);
      flow = await publicCase("ncii", Object.values(U));
      await attribute(flow.item(U.a), a);
      await attribute(flow.item(U.b1), b);
      await attribute(flow.item(U.b2), b);
      await attribute(flow.item(U.c), c);
      await attribute(flow.item(U.unregistered), null, "hosting");

      const res = await hotline.agent.request("POST", `/api/v1/cases/${flow.caseId}/notices`, {});
      assert.equal(res.statusCode, 201, res.body);
      const out = res.json() as notices.CreateResult;
      assert.equal(out.created.length, 4, "Fotodeel 1, Snapgram 2 (limit 1 URL), Hook 1");
      assert.deepEqual(out.skipped.map((s) => s.url).sort(), [U.unknown, U.unregistered].sort());
      assert.match(
        out.skipped.find((s) => s.url === U.unregistered)?.reason ?? "",
        /abuse@unregistered\.example/,
      );

      // Asking again creates nothing new: one notice per item, party and step.
      const again = await hotline.agent.request("POST", `/api/v1/cases/${flow.caseId}/notices`, {});
      assert.equal(again.json().created.length, 0);
      assert.ok(again.json().skipped.some((s: { reason: string }) => /already noticed/.test(s.reason)));

      const d = await notices.deliverAll(t.deps);
      assert.equal(d.sent, 4);
      await sink.waitFor(3);
      assert.equal(hook.received.length, 1);
      const items = await t.deps.db
        .selectFrom("items")
        .select(["value", "status"])
        .where("value", "in", [U.a, U.b1])
        .execute();
      assert.ok(items.every((i) => i.status === "notice_sent"));
    });

    it("puts every art. 16(2) element in each notice and nothing of the reporter", async () => {
      const mails = sink.messages.filter((m) => /fotodeel|snapgram/.test(m.to.join()));
      assert.equal(mails.length, 3);
      for (const m of mails) {
        const nl = m.to.includes("abuse@fotodeel.example");
        const urls = m.to.includes("abuse@fotodeel.example") ? [U.a] : [m.text.includes(U.b1) ? U.b1 : U.b2];
        for (const u of urls) {
          assert.ok(m.text.includes(u), "(b) the exact URL");
          assert.ok(m.html.includes(u));
        }
        assert.match(m.text, /254ba Sr/, "(a) the legal ground");
        assert.match(m.text, nl ? /Waarom deze inhoud illegaal is/ : /Why this content is illegal/);
        assert.ok(m.text.includes(hotline.org.name), "(c) the notifier's name");
        assert.ok(m.text.includes("meldpunt@hotline.example"), "(c) the notifier's e-mail");
        assert.match(m.text, nl ? /te goeder trouw/ : /in good faith/, "(d) the good-faith statement");
        assert.match(m.text, nl ? /betrouwbare flagger/ : /trusted flagger/, "trusted flagger under art. 22");
        assert.match(m.text, /\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/, "the deadline");
        tokenOf(m.text);
        assert.equal(m.headers.get("auto-submitted"), "auto-generated");
        assert.match(m.headers.get("message-id") ?? "", /@hotline\.example>$/);
        assert.equal(m.attachments.length, 1);
        const json = JSON.parse(m.attachments[0]?.content ?? "{}") as { dsa: { category: string } };
        assert.ok(validateNotice(json), JSON.stringify(validateNotice.errors));
        assert.equal(json.dsa.category, "STATEMENT_CATEGORY_CYBER_VIOLENCE");
        for (const secret of [REPORTER.name, REPORTER.email, REPORTER.phone, DESCRIPTION])
          assert.ok(!m.raw.includes(secret), `no reporter data (${secret}) in any message`);
      }
      const hookBody = hook.received[0]?.body ?? "";
      for (const secret of [REPORTER.name, REPORTER.email, REPORTER.phone, DESCRIPTION])
        assert.ok(!hookBody.includes(secret));
    });

    it("signs webhooks with HMAC-SHA256 over the timestamp and body", () => {
      const r = hook.received[0];
      assert.ok(r);
      const sig = String(r.headers["x-vangrail-signature"]);
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
      assert.ok(m, sig);
      const expected = createHmac("sha256", webhookSecret).update(`${m[1]}.`).update(r.body).digest("hex");
      assert.equal(m[2], expected);
      const body = JSON.parse(r.body);
      assert.equal(body.event, "notice");
      assert.ok(validateNotice(body.notice), JSON.stringify(validateNotice.errors));
      assert.ok(String(r.headers["x-vangrail-delivery"]).length > 10);
    });

    it("lets the party answer through its link; the case shows it and a receipt goes back", async () => {
      const mail = sink.messages.find((m) => m.to.includes("abuse@fotodeel.example"));
      assert.ok(mail);
      const token = tokenOf(mail.text);
      const view = await t.app.inject({ method: "GET", url: `/api/v1/public/notices/${token}` });
      assert.equal(view.statusCode, 200, view.body);
      assert.equal(view.json().party, "Fotodeel B.V.");
      assert.equal(view.json().items[0].url, U.a);
      assert.equal(view.headers["cache-control"], "no-store");

      const before = sink.messages.length;
      const ack = await t.app.inject({
        method: "POST",
        url: `/api/v1/public/notices/${token}/responses`,
        payload: { kind: "acknowledged" },
      });
      assert.equal(ack.statusCode, 201, ack.body);
      const removed = await t.app.inject({
        method: "POST",
        url: `/api/v1/public/notices/${token}/responses`,
        payload: { kind: "removed", message: "Taken down." },
      });
      assert.equal(removed.statusCode, 201, removed.body);
      assert.equal(removed.json().kind, "removed");
      assert.deepEqual(removed.json().itemIds, [flow.item(U.a)]);

      await notices.deliverAll(t.deps);
      await sink.waitFor(before + 2);
      const receipts = sink.messages.slice(before);
      assert.ok(receipts.every((m) => m.to.includes("abuse@fotodeel.example")));
      assert.ok(receipts.some((m) => /Ontvangen: uw antwoord/.test(m.headers.get("subject") ?? "")));

      const list = await hotline.agent.request("GET", `/api/v1/cases/${flow.caseId}/notices`);
      assert.equal(list.statusCode, 200, list.body);
      const n = list.json().items.find((x: { party: { name: string } }) => x.party.name === "Fotodeel B.V.");
      assert.equal(n.status, "answered");
      assert.ok(n.acknowledgedAt);
      assert.equal(n.items[0].outcome, "removed");
      assert.deepEqual(
        n.responses.map((r: { kind: string }) => r.kind),
        ["acknowledged", "removed"],
      );
      const trail = await t.deps.db
        .selectFrom("audit_events")
        .select("action")
        .where("subject_id", "=", n.id)
        .orderBy("seq")
        .execute();
      const actions = trail.map((e) => e.action);
      for (const a of [
        "notice.created",
        "notice.notice_sent",
        "notice.response_received",
        "notice.receipt_sent",
      ])
        assert.ok(actions.includes(a), a);
    });

    it("requires the art. 17 facts for a refusal and refuses hostile or unknown input", async () => {
      const mail = sink.messages.find((m) => m.text.includes(U.b1) && m.to.includes("dsa@snapgram.example"));
      assert.ok(mail);
      const token = tokenOf(mail.text);
      const post = (payload: unknown, tok = token) =>
        t.app.inject({
          method: "POST",
          url: `/api/v1/public/notices/${tok}/responses`,
          payload: payload as object,
        });
      const bare = await post({ kind: "refused" });
      assert.equal(bare.statusCode, 422);
      const pointers = bare.json().errors.map((e: { pointer: string }) => e.pointer);
      for (const p of ["/restriction", "/groundKind", "/ground", "/facts", "/automated"])
        assert.ok(pointers.includes(p), p);
      assert.equal((await post({ kind: "removed", itemIds: [randomUUID()] })).statusCode, 422);
      assert.equal((await post({ kind: "nonsense" })).statusCode, 422);
      assert.equal((await post({ kind: "question", message: "x".repeat(5001) })).statusCode, 422);
      assert.equal((await post({ kind: "question", message: "hi", extra: 1 })).statusCode, 422);
      assert.equal((await post({ kind: "acknowledged" }, "A".repeat(43))).statusCode, 404, "unknown token");
      assert.equal((await post({ kind: "acknowledged" }, "../../etc/passwd")).statusCode, 404);
      const refused = await post({
        kind: "refused",
        restriction: "no action",
        groundKind: "contractual",
        ground: "Our terms allow artistic nudity",
        facts: "<script>alert(1)</script> The account holder says it is consensual.",
        automated: false,
      });
      assert.equal(refused.statusCode, 201, refused.body);
      const list = await hotline.agent.request("GET", `/api/v1/cases/${flow.caseId}/notices`);
      const r = list
        .json()
        .items.flatMap((n: { responses: { kind: string; facts: string }[] }) => n.responses)
        .find((x: { kind: string }) => x.kind === "refused");
      assert.equal(
        r.facts,
        "<script>alert(1)</script> The account holder says it is consensual.",
        "stored as text",
      );
    });

    it("keeps notices within the organisation", async () => {
      const other = await userAgent(t, "hotline", "admin");
      assert.equal(
        (await other.agent.request("GET", `/api/v1/cases/${flow.caseId}/notices`)).statusCode,
        404,
      );
      assert.equal(
        (await other.agent.request("POST", `/api/v1/cases/${flow.caseId}/notices`, {})).statusCode,
        404,
      );
      const auditor = await userAgent(t, "hotline", "auditor");
      assert.equal(
        (await auditor.agent.request("POST", `/api/v1/cases/${flow.caseId}/notices`, {})).statusCode,
        403,
      );
    });

    it("falls back to the next channel when an address bounces, and marks the failing one", async () => {
      sink.refuse.add("gone@bouncer.example");
      const p = await party("Bouncer Hosting", [
        { kind: "email", address: "gone@bouncer.example" },
        { kind: "email", address: "legal@bouncer.example" },
      ]);
      const url = "https://bouncer.example/img/1";
      const c = await publicCase("deepfake", [url]);
      await attribute(c.item(url), p);
      const res = await hotline.agent.request("POST", `/api/v1/cases/${c.caseId}/notices`, {});
      assert.equal(res.json().created.length, 1);
      const before = sink.messages.length;
      await notices.deliverAll(t.deps);
      await sink.waitFor(before + 1);
      const got = sink.messages.slice(before).filter((m) => m.to.some((a) => a.endsWith("@bouncer.example")));
      assert.equal(got.length, 1);
      assert.deepEqual(got[0]?.to, ["legal@bouncer.example"]);
      const ch = await t.deps.db
        .selectFrom("party_channels")
        .select(["address", "failing_since", "failures", "last_failure"])
        .where("party_id", "=", p)
        .orderBy("priority")
        .execute();
      assert.ok(ch[0]?.failing_since);
      assert.match(ch[0]?.last_failure ?? "", /550/);
      assert.equal(ch[1]?.failing_since, null);
      const list = (await hotline.agent.request("GET", `/api/v1/cases/${c.caseId}/notices`)).json().items[0];
      assert.deepEqual(
        list.deliveries.map((x: { status: string }) => x.status),
        ["failed", "sent"],
      );
    });

    it("marks a notice undeliverable when every channel fails, and retries temporary failures", async () => {
      sink.refuse.add("only@dead.example");
      const p = await party("Dead Letters", [{ kind: "email", address: "only@dead.example" }]);
      const url = "https://dead.example/x";
      const c = await publicCase("ncii", [url]);
      await attribute(c.item(url), p);
      await hotline.agent.request("POST", `/api/v1/cases/${c.caseId}/notices`, {});
      await notices.deliverAll(t.deps);
      const n = (await hotline.agent.request("GET", `/api/v1/cases/${c.caseId}/notices`)).json().items[0];
      assert.equal(n.status, "failed");

      sink.defer.add("later@slow.example");
      const q = await party("Slow Mail", [{ kind: "email", address: "later@slow.example" }]);
      const url2 = "https://slowmail.example/y";
      const c2 = await publicCase("ncii", [url2]);
      await attribute(c2.item(url2), q);
      await hotline.agent.request("POST", `/api/v1/cases/${c2.caseId}/notices`, {});
      const first = await notices.deliverAll(t.deps);
      assert.equal(first.retried, 1);
      sink.defer.delete("later@slow.example");
      t.clock.advance(2 * 60_000);
      const before = sink.messages.length;
      const second = await notices.deliverAll(t.deps);
      assert.equal(second.sent, 1);
      await sink.waitFor(before + 1);
    });

    it("sends exactly one e-mail when a worker dies between claiming the message and sending it", async () => {
      const p = await party("Crash Test Platform", [{ kind: "email", address: "once@crash.example" }]);
      const url = "https://crash.example/1";
      const c = await publicCase("ncii", [url]);
      await attribute(c.item(url), p);
      await hotline.agent.request("POST", `/api/v1/cases/${c.caseId}/notices`, {});
      if (t.url) {
        // A real second process, killed with SIGKILL right after it claimed the row.
        const child = spawn(
          process.execPath,
          [new URL("./support/notice-worker-child.ts", import.meta.url).pathname],
          {
            env: {
              ...process.env,
              DATABASE_URL: t.url,
              VANGRAIL_MASTER_KEY: t.deps.masterKey.toString("base64"),
              MAIL_TRANSPORT: "smtp",
              SMTP_URL: sink.url,
              MAIL_FROM: "Vangrail Notices <notices@hotline.example>",
              LOG_LEVEL: "silent",
              VANGRAIL_CRASH_AFTER_CLAIM: "1",
              VANGRAIL_TEST_NOW: t.clock.now().toISOString(),
            },
            stdio: ["ignore", "inherit", "inherit"],
          },
        );
        const signal = await new Promise<string | null>((r) => child.on("exit", (_c, s) => r(s)));
        assert.equal(signal, "SIGKILL");
      } else {
        // PGlite is one process: the worker "dies" by throwing right after the claim.
        await assert.rejects(
          notices.deliverDue(t.deps, {
            afterClaim: () => {
              throw new Error("worker died");
            },
          }),
          /worker died/,
        );
      }
      const row = await t.deps.db
        .selectFrom("outbox")
        .select(["status", "attempts"])
        .where("recipient", "=", "once@crash.example")
        .executeTakeFirstOrThrow();
      assert.equal(row.status, "sending", "claimed, not sent");
      assert.equal(sink.messages.filter((m) => m.to.includes("once@crash.example")).length, 0);
      // Before the lease runs out nobody touches it; after, the next worker sends it once.
      assert.equal((await notices.deliverAll(t.deps)).sent, 0);
      t.clock.advance(6 * 60_000);
      assert.equal((await notices.deliverAll(t.deps)).sent, 1);
      assert.equal((await notices.deliverAll(t.deps)).sent, 0);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(sink.messages.filter((m) => m.to.includes("once@crash.example")).length, 1);
    });

    it("sends X-ARF v4 for child sexual abuse material, without the notifier's name", async () => {
      const p = await party("CSAM Host", [{ kind: "email", address: "abuse@csamhost.example" }]);
      const urls = ["https://csamhost.example/a", "https://csamhost.example/b"];
      const c = await publicCase("csam", urls);
      for (const u of urls) await attribute(c.item(u), p, "hosting");
      const missing = await hotline.agent.request("POST", `/api/v1/cases/${c.caseId}/notices`, {});
      assert.equal(missing.statusCode, 422);
      assert.equal(missing.json().errors[0].pointer, "/csamClassification");
      const res = await hotline.agent.request("POST", `/api/v1/cases/${c.caseId}/notices`, {
        csamClassification: "B2",
      });
      assert.equal(res.statusCode, 201, res.body);
      const before = sink.messages.length;
      await notices.deliverAll(t.deps);
      await sink.waitFor(before + 1);
      await new Promise((r) => setTimeout(r, 200));
      const m = sink.messages.slice(before).find((x) => x.to.includes("abuse@csamhost.example"));
      assert.ok(m);
      assert.ok(!m.text.includes(hotline.org.name), `name left out (art. 16(2)(c)): ${m.text}`);
      assert.ok(!m.text.includes("meldpunt@hotline.example"));
      assert.equal(m.headers.get("reply-to"), undefined);
      assert.match(m.text, /2011\/93/);
      assert.equal(m.attachments.length, 2, "one X-ARF report per URL");
      for (const a of m.attachments) {
        const x = JSON.parse(a.content) as { type: string; url: string; source_identifier: string };
        assert.ok(validateXarf(x), JSON.stringify(validateXarf.errors));
        assert.equal(x.type, "csam");
        assert.ok(urls.includes(x.url));
        assert.equal(x.source_identifier, "192.0.2.10");
      }
    });

    it("marks items overdue at the deadline and sends the policy's reminders once", async () => {
      const p = await party("Ignoring Inc", [{ kind: "email", address: "void@ignoring.example" }]);
      const url = "https://ignoring.example/1";
      const c = await publicCase("ncii", [url]);
      await attribute(c.item(url), p);
      await hotline.agent.request("POST", `/api/v1/cases/${c.caseId}/notices`, {});
      await notices.deliverAll(t.deps);
      const mine = () => sink.messages.filter((m) => m.to.includes("void@ignoring.example"));
      await sink.waitFor(sink.messages.length);
      assert.equal(mine().length, 1);
      const queued = () =>
        t.deps.db
          .selectFrom("outbox")
          .select("message_id")
          .where("recipient", "=", "void@ignoring.example")
          .where("purpose", "=", "reminder")
          .execute();
      t.clock.advance(19 * 3_600_000); // 5 h before the 24 h deadline: the "before" reminder
      assert.ok((await notices.checkDeadlines(t.deps)).reminders >= 1);
      assert.equal((await queued()).length, 1);
      assert.equal((await notices.checkDeadlines(t.deps)).reminders, 0, "once");
      await notices.deliverAll(t.deps);
      t.clock.advance(6 * 3_600_000); // past the deadline
      const at = await notices.checkDeadlines(t.deps);
      assert.ok(at.overdue >= 1);
      assert.equal((await queued()).length, 2);
      await notices.deliverAll(t.deps);
      await new Promise((r) => setTimeout(r, 300));
      const got = mine();
      assert.equal(got.length, 3);
      assert.match(got[1]?.headers.get("subject") ?? "", /^Reminder:/);
      assert.match(got[2]?.headers.get("subject") ?? "", /^Deadline passed:/);
      assert.ok(got[2]?.text.includes(url), "the reminder repeats the URLs");
      tokenOf(got[2]?.text ?? "");
      const overdue = await t.deps.db
        .selectFrom("notice_items")
        .select("overdue_at")
        .where("item_id", "=", c.item(url))
        .executeTakeFirstOrThrow();
      assert.ok(overdue.overdue_at);
    });
  });
}
