// Enforcement requests end to end on PGlite and PostgreSQL, on the test clock: a hotline's case
// with notices to a fictional platform (delivered to a real local SMTP server) and a captured
// page (from a loopback fixture) → a request drafted, approved (signed) and filed with the ACM's
// organisation and e-mail → the dossier printed to PDF in Chromium with the notices in its
// chronology and the evidence bundle → the ACM confirms receipt in its portal and decides; the
// clock stops. A second request lapses: the notice of default is drafted, an extension is
// refused, and the penalty follows the table until a decision stops it. Isolation between
// regulators, platforms and hotlines; hostile uploads; the ladder's idempotent filing;
// coordination.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import * as registry from "../src/modules/attribution/parties.ts";
import * as cases from "../src/modules/cases/service.ts";
import { closePrinter, renderPendingDossiers } from "../src/modules/escalation/dossier.ts";
import * as enforcement from "../src/modules/escalation/enforcement.ts";
import { buildEvidenceEnv, closeEvidenceEnv, setEvidenceEnv } from "../src/modules/evidence/env.ts";
import * as evidence from "../src/modules/evidence/service.ts";
import { totpCode } from "../src/modules/identity/totp.ts";
import { currentConsent } from "../src/modules/intake/consent.ts";
import * as notices from "../src/modules/notices/service.ts";
import {
  cookieFrom,
  login,
  makeOrganisation,
  makeUser,
  PASSWORD,
  startApp,
  type TestApp,
} from "./support/app.ts";
import { backends } from "./support/db.ts";
import { type FixtureServer, startFixtureServer } from "./support/fixture-server.ts";
import { type SmtpSink, startSmtpSink } from "./support/smtp-sink.ts";

const DAY = 86_400_000;
const REPORTER = { name: "Melder Uniek Persoon", email: "melder.uniek@reporter.example" };
const DESCRIPTION = "Beschrijving-die-nooit-in-een-dossier-mag-staan-91c2";

/** A multipart/form-data body with the given parts. */
function multipart(parts: { name: string; fileName?: string; content: Buffer | string; type?: string }[]) {
  const boundary = `----vangrail${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = p.fileName
      ? `form-data; name="${p.name}"; filename="${p.fileName}"`
      : `form-data; name="${p.name}"`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.fileName ? `Content-Type: ${p.type ?? "application/octet-stream"}\r\n` : ""}\r\n`,
      ),
      Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content),
      Buffer.from("\r\n"),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: Buffer.concat(chunks),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

/** The /Title of a PDF's information dictionary, as literal or UTF-16 hex string. */
function pdfTitle(pdf: Buffer): string {
  const s = pdf.toString("latin1");
  const hex = /\/Title\s*<FEFF([0-9A-Fa-f]+)>/.exec(s);
  if (hex?.[1]) return Buffer.from(hex[1], "hex").swap16().toString("utf16le");
  const lit = /\/Title\s*\(((?:\\.|[^\\)])*)\)/.exec(s);
  if (!lit?.[1]) return "";
  const raw = lit[1].replace(/\\([()\\])/g, "$1");
  return raw.startsWith("\u00fe\u00ff")
    ? Buffer.from(raw.slice(2), "latin1").swap16().toString("utf16le")
    : raw;
}

let fx: FixtureServer;
let sink: SmtpSink;
before(async () => {
  // The loopback fixture is reachable only in test mode (see src/platform/fetcher/guard.ts).
  process.env.VANGRAIL_TEST_MODE = "1";
  fx = await startFixtureServer();
  sink = await startSmtpSink();
});
after(async () => {
  await fx.close();
  await sink.close();
});

for (const backend of backends) {
  describe(`enforcement requests (${backend.name})`, { timeout: 300_000 }, () => {
    let t: TestApp;
    let hotlineId = "";
    let analyst: Person;
    let supervisor: Person;
    let supervisorName = "";
    let acm: { id: string; officer: Person };
    let ap: { id: string; officer: Person };
    let platform: Person;
    let otherHotline: Person;
    const people: Person[] = [];

    /** A signed-in person whose session is renewed (password + TOTP) whenever the test clock jumps. */
    interface Person {
      email: string;
      secret: string;
      cookie: string;
      csrf: string;
      request(method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
    }

    async function signIn(p: Person): Promise<void> {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: p.email, password: PASSWORD },
      });
      assert.equal(res.statusCode, 200, res.body);
      let cookie = cookieFrom(res) as string;
      const csrfOf = async (): Promise<string> =>
        (await t.app.inject({ method: "GET", url: "/api/v1/auth/session", headers: { cookie } })).json()
          .csrfToken as string;
      if (!p.secret) {
        p.cookie = cookie;
        p.csrf = await csrfOf();
        return;
      }
      const verify = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/mfa/verify",
        headers: { cookie, "x-csrf-token": await csrfOf() },
        payload: { code: totpCode(p.secret, t.clock.now()) },
      });
      assert.equal(verify.statusCode, 200, verify.body);
      cookie = cookieFrom(verify) ?? cookie;
      p.cookie = cookie;
      p.csrf = await csrfOf();
    }

    /** Moves the test clock and renews every session (a jump of weeks ends them). */
    async function at(iso: string): Promise<void> {
      t.clock.set(iso);
      for (const p of people) await signIn(p);
    }
    let partyId = "";
    let flow: { caseId: string; items: string[] };
    let requestId = "";

    async function staff(
      orgId: string,
      role: "analyst" | "supervisor" | "admin" | "regulator_officer" | "platform_agent",
    ) {
      const u = await makeUser(t.deps, orgId, role);
      const first = await login(t, u.email);
      const p: Person = {
        email: u.email,
        secret: first.secret ?? "",
        cookie: first.cookie,
        csrf: first.csrf,
        request(method: string, url: string, body?: unknown) {
          return t.app.inject({
            method: method as "GET",
            url,
            headers: { cookie: p.cookie, "x-csrf-token": p.csrf },
            ...(body !== undefined && { payload: body as object }),
          });
        },
      };
      people.push(p);
      return { user: u, agent: p };
    }

    before(async () => {
      t = await startApp(backend, {
        MAIL_TRANSPORT: "smtp",
        SMTP_URL: sink.url,
        MAIL_FROM: "Meldpunt <meldingen@meldpunt.example>",
        PUBLIC_URL: "https://vangrail.meldpunt.example",
        CAPTURE_SCREENSHOTS: "false",
      });
      setEvidenceEnv(t.deps, buildEvidenceEnv(t.deps, { allowLoopback: true }));
      // Friday 2 January 2026: the dates below are checked by hand against awb.test.ts.
      t.clock.set("2026-01-02T08:00:00.000Z");
      const hotline = await makeOrganisation(t.deps, "hotline", "Meldpunt Testland");
      hotlineId = hotline.id;
      analyst = (await staff(hotlineId, "analyst")).agent;
      const sup = await staff(hotlineId, "supervisor");
      supervisor = sup.agent;
      supervisorName = sup.user.displayName;
      const acmOrg = await makeOrganisation(t.deps, "regulator", "ACM (test)");
      acm = { id: acmOrg.id, officer: (await staff(acmOrg.id, "regulator_officer")).agent };
      const apOrg = await makeOrganisation(t.deps, "regulator", "AP (test)");
      ap = { id: apOrg.id, officer: (await staff(apOrg.id, "regulator_officer")).agent };
      platform = (await staff((await makeOrganisation(t.deps, "platform", "Fotodeel")).id, "platform_agent"))
        .agent;
      otherHotline = (await staff((await makeOrganisation(t.deps, "hotline", "Ander meldpunt")).id, "admin"))
        .agent;

      // The case: a public report, attributed to a fictional platform, noticed, unanswered.
      const operator = registry.operatorFor(hotlineId);
      const p = await registry.createParty(t.deps, operator, {
        name: "Fotodeel B.V. (fictief)",
        kind: "platform",
        country: "NL",
        languages: ["nl"],
        maxUrlsPerNotice: 50,
        responseHours: 24,
        partyOrganisationId: null,
      });
      partyId = p.id;
      await registry.addChannel(t.deps, operator, partyId, {
        kind: "email",
        address: "abuse@fotodeel.example",
      });
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/reports",
        payload: {
          category: "ncii",
          urls: ["https://fotodeel.example/p/1", "https://fotodeel.example/p/2"],
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
      const c = await cases.caseWithItems(t.deps, hotlineId, report.case_id);
      assert.ok(c);
      flow = { caseId: c.case.id, items: c.items.map((i) => i.id) };
      const now = t.clock.now();
      for (const itemId of flow.items)
        await t.deps.db
          .insertInto("attributions")
          .values({
            item_id: itemId,
            organisation_id: hotlineId,
            role: "platform",
            party_id: partyId,
            address: "192.0.2.10",
            source: "registry",
            resolved_at: now,
            expires_at: new Date(now.getTime() + 30 * DAY),
          })
          .execute();
      const sent = await analyst.request("POST", `/api/v1/cases/${flow.caseId}/notices`, {});
      assert.equal(sent.statusCode, 201, sent.body);
      assert.equal((await notices.deliverAll(t.deps)).sent, 1);
      t.clock.set("2026-01-03T09:00:00.000Z");
      await notices.checkDeadlines(t.deps);
      // Evidence of the first URL: a capture of the loopback fixture page, linked to the item.
      const { captureId } = await evidence.captureUrl(t.deps, {
        url: `${fx.url}/page.html`,
        organisationId: hotlineId,
        caseId: flow.caseId,
        itemId: flow.items[0] as string,
        category: "ncii",
      });
      const captured = await evidence.runCapture(t.deps, captureId);
      assert.equal("status" in captured && captured.status, "captured", JSON.stringify(captured));
      await at("2026-01-03T09:30:00.000Z");
    });
    after(async () => {
      await closePrinter(t.deps);
      await closeEvidenceEnv(t.deps);
      notices.closeNoticeEnv(t.deps);
      await t.close();
    });

    it("refuses approval without the applicant's address, and by an analyst", async () => {
      const draft = await analyst.request("POST", "/api/v1/enforcement/requests", {
        regulator: "acm",
        partyId,
        caseIds: [flow.caseId],
        itemIds: flow.items,
      });
      assert.equal(draft.statusCode, 201, draft.body);
      requestId = draft.json().request.id;
      assert.equal(draft.json().request.status, "draft");
      assert.match(draft.json().request.facts, /Fotodeel B\.V\. \(fictief\)/);
      assert.match(draft.json().request.decisionRequested, /ACM/);
      const again = await analyst.request("POST", "/api/v1/enforcement/requests", {
        regulator: "acm",
        partyId,
        caseIds: [flow.caseId],
        itemIds: [...flow.items].reverse(),
      });
      assert.equal(again.statusCode, 200, "the same regulator, party, step and items: the same request");
      assert.equal(again.json().request.id, requestId);

      assert.equal(
        (await analyst.request("POST", `/api/v1/enforcement/requests/${requestId}/approve`)).statusCode,
        403,
      );
      const noAddress = await supervisor.request("POST", `/api/v1/enforcement/requests/${requestId}/approve`);
      assert.equal(noAddress.statusCode, 409);
      assert.match(noAddress.json().detail, /4:2 Awb/);
    });

    it("approves (signed by the supervisor), files with the ACM's portal and e-mail, and renders the dossier", async () => {
      const settings = await analyst.request("PUT", "/api/v1/enforcement/settings", {
        applicantName: "Stichting Meldpunt Testland",
        postalAddress: "Postbus 1234\n1000 AB Amsterdam",
        email: "handhaving@meldpunt.example",
      });
      assert.equal(settings.statusCode, 200, settings.body);
      const approved = await supervisor.request("POST", `/api/v1/enforcement/requests/${requestId}/approve`);
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.json().signedBy, supervisorName);

      // No contact yet: filing says what is missing.
      const blocked = await analyst.request("POST", `/api/v1/enforcement/requests/${requestId}/file`);
      assert.equal(blocked.statusCode, 409);
      assert.match(blocked.json().detail, /regulator contacts/);
      // A platform organisation cannot stand for a regulator.
      const platformOrg = await makeOrganisation(t.deps, "platform");
      const wrong = await analyst.request("PUT", "/api/v1/enforcement/contacts/acm", {
        regulatorOrganisationId: platformOrg.id,
      });
      assert.equal(wrong.statusCode, 422, wrong.body);
      const contact = await analyst.request("PUT", "/api/v1/enforcement/contacts/acm", {
        regulatorOrganisationId: acm.id,
        email: "handhavingsverzoeken@acm.example",
      });
      assert.equal(contact.statusCode, 200, contact.body);

      // Before filing the ACM sees nothing.
      assert.equal(
        (await acm.officer.request("GET", `/api/v1/portal/requests/${requestId}`)).statusCode,
        404,
      );
      const filed = await analyst.request("POST", `/api/v1/enforcement/requests/${requestId}/file`);
      assert.equal(filed.statusCode, 200, filed.body);
      assert.equal(filed.json().status, "filed");
      assert.deepEqual(filed.json().filedVia, ["portal", "email"]);
      assert.equal(filed.json().dossier.status, "pending");

      const r = await renderPendingDossiers(t.deps);
      assert.deepEqual(r, { rendered: 1, failed: 0 });
      const view = (await analyst.request("GET", `/api/v1/enforcement/requests/${requestId}`)).json();
      assert.equal(view.dossier.status, "ready");
      const kinds = view.documents.map((d: { kind: string }) => d.kind).sort();
      assert.deepEqual(kinds, ["dossier_html", "dossier_pdf", "evidence_bundle"]);

      const pdfDoc = view.documents.find((d: { kind: string }) => d.kind === "dossier_pdf");
      const pdf = await analyst.request(
        "GET",
        `/api/v1/enforcement/requests/${requestId}/documents/${pdfDoc.id}`,
      );
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers["content-type"], "application/pdf");
      assert.equal(pdf.rawPayload.subarray(0, 5).toString("latin1"), "%PDF-", "a real PDF");
      assert.ok(pdf.rawPayload.length > 5000);
      assert.equal(pdf.headers["x-content-sha256"], pdfDoc.sha256);
      assert.equal(
        pdfTitle(pdf.rawPayload),
        `Handhavingsverzoek ${view.reference}`,
        "the reference is in the PDF",
      );

      const htmlDoc = view.documents.find((d: { kind: string }) => d.kind === "dossier_html");
      const html = (
        await analyst.request("GET", `/api/v1/enforcement/requests/${requestId}/documents/${htmlDoc.id}`)
      ).body;
      const caseNotices = await notices.noticesOfCase(
        t.deps,
        {
          kind: "token",
          tokenId: "test",
          organisationId: hotlineId,
          organisationKind: "hotline",
          permissions: new Set(["notices:read"]),
        },
        flow.caseId,
      );
      assert.equal(caseNotices.length, 1);
      for (const n of caseNotices)
        assert.ok(html.includes(n.reference), `the chronology names notice ${n.reference}`);
      assert.match(html, /Melding verzonden/);
      assert.match(html, /Termijn van de melding verstreken/);
      assert.match(html, /abuse@fotodeel\.example/);
      assert.match(html, /Er zijn geen monitoringcontroles vastgelegd/, "no monitoring events yet: said so");
      assert.match(html, /Postbus 1234/);
      assert.ok(html.includes(supervisorName), "signed by the approving officer");
      assert.match(html, /DSA art\. 53/);
      for (const secret of [REPORTER.name, REPORTER.email, DESCRIPTION])
        assert.ok(!html.includes(secret), "nothing of the reporter in the dossier");
      const bundle = view.documents.find((d: { kind: string }) => d.kind === "evidence_bundle");
      assert.ok(html.includes(bundle.sha256), "the dossier names its bundle's hash");
      const zip = await analyst.request(
        "GET",
        `/api/v1/enforcement/requests/${requestId}/documents/${bundle.id}`,
      );
      assert.equal(zip.rawPayload.subarray(0, 2).toString("latin1"), "PK");
      const transfer = await t.deps.db
        .selectFrom("audit_events")
        .select(["action", "data"])
        .where("action", "=", "evidence.transferred")
        .where("organisation_id", "=", hotlineId)
        .execute();
      assert.equal(transfer.length, 1, "handing the bundle to a regulator is a recorded transfer");

      // The e-mail goes once the dossier is ready, with its hash and the portal link.
      const before = sink.messages.length;
      assert.deepEqual(await enforcement.deliverFilingEmails(t.deps), { sent: 1, failed: 0 });
      assert.deepEqual(await enforcement.deliverFilingEmails(t.deps), { sent: 0, failed: 0 });
      const [mail] = (await sink.waitFor(before + 1)).slice(before);
      assert.ok(mail);
      assert.deepEqual(mail.to, ["handhavingsverzoeken@acm.example"]);
      assert.ok(mail.text.includes(pdfDoc.sha256));
      assert.ok(mail.text.includes(`/portal/requests/${requestId}`));
      assert.equal(mail.attachments.length, 0, "no evidence by e-mail");
    });

    it("isolates requests: another regulator, a platform, another hotline see nothing", async () => {
      const acmList = await acm.officer.request("GET", "/api/v1/portal/requests");
      assert.equal(acmList.statusCode, 200);
      assert.deepEqual(
        acmList.json().items.map((i: { id: string }) => i.id),
        [requestId],
      );
      assert.equal(acmList.json().items[0].applicant, "Stichting Meldpunt Testland");
      for (const path of [
        `/api/v1/portal/requests/${requestId}`,
        `/api/v1/enforcement/requests/${requestId}`,
      ]) {
        assert.equal((await ap.officer.request("GET", path)).statusCode, 404, `AP: ${path}`);
        assert.equal((await otherHotline.request("GET", path)).statusCode, 404, `other hotline: ${path}`);
      }
      assert.deepEqual((await ap.officer.request("GET", "/api/v1/portal/requests")).json().items, []);
      assert.deepEqual((await otherHotline.request("GET", "/api/v1/enforcement/requests")).json().items, []);
      const apReceipt = await ap.officer.request("POST", `/api/v1/portal/requests/${requestId}/receipt`, {});
      assert.equal(apReceipt.statusCode, 404);
      const doc = (await analyst.request("GET", `/api/v1/enforcement/requests/${requestId}`)).json()
        .documents[0];
      assert.equal(
        (await ap.officer.request("GET", `/api/v1/portal/requests/${requestId}/documents/${doc.id}`))
          .statusCode,
        404,
      );
      // A platform has no access to enforcement at all.
      for (const path of [
        "/api/v1/portal/requests",
        `/api/v1/portal/requests/${requestId}`,
        "/api/v1/enforcement/requests",
      ])
        assert.ok([403, 404].includes((await platform.request("GET", path)).statusCode), path);
      // The regulator answers; it cannot rewrite, approve, file or withdraw the hotline's request.
      for (const [method, path, body] of [
        ["PATCH", "", { facts: "Herschreven door de toezichthouder." }],
        ["POST", "/approve", {}],
        ["POST", "/file", {}],
        ["POST", "/withdraw", { reason: "Niet nodig." }],
        ["POST", "/dossier", {}],
      ] as const) {
        const res = await acm.officer.request(
          method,
          `/api/v1/enforcement/requests/${requestId}${path}`,
          body,
        );
        assert.equal(res.statusCode, 403, `${method} ${path}`);
      }
      // A hotline cannot use the portal as if it were the regulator.
      assert.equal((await analyst.request("GET", `/api/v1/portal/requests/${requestId}`)).statusCode, 404);
      // The ACM may read and download what was filed with it.
      const mine = await acm.officer.request("GET", `/api/v1/portal/requests/${requestId}`);
      assert.equal(mine.statusCode, 200);
      assert.equal(mine.json().side, "regulator");
      assert.equal(mine.json().regulator.email, null, "the hotline's routing is not shown to the regulator");
      const pdfDoc = mine.json().documents.find((d: { kind: string }) => d.kind === "dossier_pdf");
      const dl = await acm.officer.request(
        "GET",
        `/api/v1/portal/requests/${requestId}/documents/${pdfDoc.id}`,
      );
      assert.equal(dl.statusCode, 200);
      const trail = await t.deps.db
        .selectFrom("audit_events")
        .select(["organisation_id", "data"])
        .where("action", "=", "enforcement.document_downloaded")
        .where("subject_id", "=", requestId)
        .execute();
      const byAcm = trail.filter(
        (e) => e.organisation_id === acm.id || (e.data as { by?: string }).by === acm.id,
      );
      assert.deepEqual(
        byAcm.map((e) => e.organisation_id).sort(),
        [hotlineId, acm.id].sort(),
        "the regulator's download is in the applicant's log and its own",
      );
    });

    it("refuses hostile uploads with clear errors and keeps a good one", async () => {
      const url = `/api/v1/portal/requests/${requestId}/documents`;
      const post = (parts: Parameters<typeof multipart>[0]) => {
        const m = multipart(parts);
        return t.app.inject({
          method: "POST",
          url,
          headers: { cookie: acm.officer.cookie, "x-csrf-token": acm.officer.csrf, ...m.headers },
          payload: m.body,
        });
      };
      const tooBig = await post([
        {
          name: "file",
          fileName: "big.pdf",
          content: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024 + 1)]),
        },
      ]);
      assert.equal(tooBig.statusCode, 413, tooBig.body);
      assert.match(tooBig.json().detail, /10 MB/);
      const exe = await post([
        { name: "file", fileName: "besluit.pdf", content: Buffer.from("MZ\x90\x00binary") },
      ]);
      assert.equal(exe.statusCode, 422, exe.body);
      assert.match(exe.json().detail, /not what its name says/);
      const html = await post([
        { name: "file", fileName: "besluit.html", content: "<script>alert(1)</script>" },
      ]);
      assert.equal(html.statusCode, 422);
      assert.match(html.json().detail, /PDF, PNG, JPEG or plain-text/);
      for (const fileName of [
        "../../etc/passwd.pdf",
        "a/b.pdf",
        "..\\..\\x.pdf",
        ".hidden.pdf",
        "x..pdf",
        "besluit .pdf",
      ]) {
        const r = await post([{ name: "file", fileName, content: PDF }]);
        assert.equal(r.statusCode, 422, `${fileName}: ${r.body}`);
        assert.match(r.json().detail, /no folders/);
      }
      const empty = await post([{ name: "file", fileName: "leeg.pdf", content: Buffer.alloc(0) }]);
      assert.equal(empty.statusCode, 422);
      const none = await post([{ name: "kind", content: "decision" }]);
      assert.equal(none.statusCode, 422);
      assert.match(none.body, /missing/);
      const two = await post([
        { name: "file", fileName: "a.pdf", content: PDF },
        { name: "file", fileName: "b.pdf", content: PDF },
      ]);
      assert.equal(two.statusCode, 422);
      const badKind = await post([
        { name: "kind", content: "dossier_pdf" },
        { name: "file", fileName: "a.pdf", content: PDF },
      ]);
      assert.equal(badKind.statusCode, 422);
      const json = await acm.officer.request("POST", url, { file: "x" });
      assert.equal(json.statusCode, 415);

      const ok = await post([
        { name: "kind", content: "decision" },
        { name: "file", fileName: "besluit-2026.pdf", content: PDF },
      ]);
      assert.equal(ok.statusCode, 201, ok.body);
      const docs = (await analyst.request("GET", `/api/v1/enforcement/requests/${requestId}`)).json()
        .documents;
      const added = docs.find((d: { fileName: string }) => d.fileName === "besluit-2026.pdf");
      assert.deepEqual(
        [added.kind, added.from, added.mediaType],
        ["decision", "regulator", "application/pdf"],
      );
      const back = await analyst.request(
        "GET",
        `/api/v1/enforcement/requests/${requestId}/documents/${added.id}`,
      );
      assert.ok(back.rawPayload.equals(PDF));
      assert.match(String(back.headers["content-disposition"]), /attachment; filename="besluit-2026\.pdf"/);
    });

    it("runs the clock from the regulator's receipt; a decision stops it", async () => {
      await at("2026-01-05T09:00:00.000Z");
      const receipt = await acm.officer.request("POST", `/api/v1/portal/requests/${requestId}/receipt`, {});
      assert.equal(receipt.statusCode, 200, receipt.body);
      assert.equal(receipt.json().receiptBy, "regulator");
      assert.equal(receipt.json().clock.termEndsAt, "2026-03-02T22:59:59.999Z");
      assert.equal(receipt.json().clock.state, "running");
      assert.equal(
        (await acm.officer.request("POST", `/api/v1/portal/requests/${requestId}/receipt`, {})).statusCode,
        409,
      );
      const status = await acm.officer.request("POST", `/api/v1/portal/requests/${requestId}/updates`, {
        kind: "status",
        message: "In behandeling bij team Online Platforms.",
      });
      assert.equal(status.statusCode, 201);
      const ext = await acm.officer.request("POST", `/api/v1/portal/requests/${requestId}/extensions`, {
        termEndsOn: "2026-04-30",
        reason: "Onderzoek bij de aanbieder loopt.",
      });
      assert.equal(ext.statusCode, 200, ext.body);
      assert.equal(ext.json().clock.termEndsAt, "2026-04-30T21:59:59.999Z");
      assert.equal(ext.json().extensions[0].recordedBy, "regulator");
      await at("2026-04-01T09:00:00.000Z");
      const decided = await acm.officer.request("POST", `/api/v1/portal/requests/${requestId}/decision`, {
        outcome: "granted",
        text: "De ACM legt Fotodeel B.V. een last onder dwangsom op.",
      });
      assert.equal(decided.statusCode, 200, decided.body);
      assert.equal(decided.json().status, "decided");
      assert.deepEqual([decided.json().clock.state, decided.json().clock.lapsed], ["decided", false]);
      await at("2026-09-01T09:00:00.000Z");
      assert.equal((await enforcement.runClock(t.deps)).checked, 0);
      const later = (await analyst.request("GET", `/api/v1/enforcement/requests/${requestId}`)).json();
      assert.deepEqual([later.clock.state, later.penalty.cents, later.defaultNotice], ["decided", 0, null]);
      const hotlineView = later.updates.map((u: { kind: string; from: string }) => `${u.from}:${u.kind}`);
      assert.deepEqual(hotlineView, ["regulator:status", "regulator:decision"]);
      const actions = await t.deps.db
        .selectFrom("audit_events")
        .select("action")
        .where("subject_id", "=", requestId)
        .where("organisation_id", "=", hotlineId)
        .orderBy("seq")
        .execute();
      const seen = actions.map((a) => a.action);
      for (const a of [
        "enforcement.drafted",
        "enforcement.approved",
        "enforcement.filed",
        "enforcement.dossier_rendered",
        "enforcement.email_sent",
        "enforcement.received",
        "enforcement.update_added",
        "enforcement.term_extended",
        "enforcement.decided",
      ])
        assert.ok(seen.includes(a), a);
      const chain = await t.app.inject({ method: "GET", url: "/healthz" });
      assert.equal(chain.statusCode, 200);
    });

    let lapsing = "";
    it("lapses: the notice of default is drafted, an extension is refused, the penalty follows the table", async () => {
      const contact = await analyst.request("PUT", "/api/v1/enforcement/contacts/ap", {
        regulatorOrganisationId: ap.id,
      });
      assert.equal(contact.statusCode, 200);
      const draft = await analyst.request("POST", "/api/v1/enforcement/requests", {
        regulator: "ap",
        partyId,
        caseIds: [flow.caseId],
        itemIds: [flow.items[1]],
        language: "en",
      });
      assert.equal(draft.statusCode, 201, draft.body);
      lapsing = draft.json().request.id;
      assert.match(draft.json().request.decisionRequested, /asks the AP/);
      await supervisor.request("POST", `/api/v1/enforcement/requests/${lapsing}/approve`);
      assert.equal(
        (await analyst.request("POST", `/api/v1/enforcement/requests/${lapsing}/file`)).statusCode,
        200,
      );
      await at("2026-09-07T09:00:00.000Z");
      const future = await analyst.request("POST", `/api/v1/enforcement/requests/${lapsing}/receipt`, {
        receivedAt: "2026-09-20T10:00:00Z",
      });
      assert.equal(future.statusCode, 422, "receipt in the future");
      // Recorded by the hotline: received on Saturday 5 September → eight weeks is Saturday
      // 31 October → the term runs to Monday 2 November (Algemene termijnenwet).
      const rec = await analyst.request("POST", `/api/v1/enforcement/requests/${lapsing}/receipt`, {
        receivedAt: "2026-09-05T11:00:00+02:00",
      });
      assert.equal(rec.statusCode, 200, rec.body);
      assert.equal(rec.json().clock.termEndsAt, "2026-11-02T22:59:59.999Z");
      assert.equal(rec.json().receiptBy, "applicant");
      const early = await analyst.request("POST", `/api/v1/enforcement/requests/${lapsing}/default-notice`, {
        sentAt: "2026-09-07T08:00:00Z",
      });
      assert.equal(early.statusCode, 409, "no notice of default before the term lapsed");

      t.clock.set("2026-11-02T22:00:00.000Z");
      assert.equal((await enforcement.runClock(t.deps)).lapsed, 0, "the last day still counts");
      await at("2026-11-03T08:00:00.000Z");
      const run = await enforcement.runClock(t.deps);
      assert.deepEqual([run.lapsed, run.drafted], [1, 1]);
      assert.equal((await enforcement.runClock(t.deps)).lapsed, 0, "idempotent");
      const lapsedView = (await analyst.request("GET", `/api/v1/enforcement/requests/${lapsing}`)).json();
      assert.equal(lapsedView.clock.state, "lapsed");
      assert.equal(lapsedView.clock.defaultNoticeDue, true);
      assert.match(lapsedView.defaultNotice.text, /notice of default/);
      assert.match(lapsedView.defaultNotice.text, /Stichting Meldpunt Testland/);
      assert.ok(lapsedView.documents.some((d: { kind: string }) => d.kind === "default_notice"));
      // The regulator sees the same clock.
      const regView = (await ap.officer.request("GET", `/api/v1/portal/requests/${lapsing}`)).json();
      assert.deepEqual(regView.clock, lapsedView.clock);

      const ext = await ap.officer.request("POST", `/api/v1/portal/requests/${lapsing}/extensions`, {
        termEndsOn: "2026-12-31",
      });
      assert.equal(ext.statusCode, 409, "an extension after lapse is refused");
      assert.match(ext.json().detail, /4:14/);

      const bad = await analyst.request("POST", `/api/v1/enforcement/requests/${lapsing}/default-notice`, {
        sentAt: "2026-11-04T08:00:00Z",
        receivedAt: "2026-11-03T07:00:00Z",
      });
      assert.equal(bad.statusCode, 422, "sent in the future, and received before it was sent");
      const sent = await analyst.request("POST", `/api/v1/enforcement/requests/${lapsing}/default-notice`, {
        sentAt: "2026-11-03T07:00:00Z",
      });
      assert.equal(sent.statusCode, 200, sent.body);
      await at("2026-11-05T08:00:00.000Z");
      const received = await analyst.request(
        "POST",
        `/api/v1/enforcement/requests/${lapsing}/default-notice`,
        {
          receivedAt: "2026-11-04T10:00:00Z",
        },
      );
      assert.equal(received.statusCode, 200, received.body);
      // Received 4 November → first penalty day 18 November; on 27 November ten days: 10 × €23.
      await at("2026-11-27T10:00:00.000Z");
      assert.equal((await enforcement.runClock(t.deps)).penalties, 1);
      const owed = (await analyst.request("GET", `/api/v1/enforcement/requests/${lapsing}`)).json();
      assert.deepEqual(
        [owed.clock.penalty.firstDay, owed.clock.penalty.days, owed.clock.penalty.cents, owed.penalty.cents],
        ["2026-11-18", 10, 23_000, 23_000],
      );
      await at("2026-12-04T10:00:00.000Z");
      await enforcement.runClock(t.deps);
      // 17 days (18 November – 4 December): 14 × €23 + 3 × €35.
      assert.equal(
        (await analyst.request("GET", `/api/v1/enforcement/requests/${lapsing}`)).json().penalty.cents,
        14 * 2300 + 3 * 3500,
      );
      await at("2026-12-05T09:00:00.000Z");
      const decided = await ap.officer.request("POST", `/api/v1/portal/requests/${lapsing}/decision`, {
        outcome: "refused",
        text: "Outside our competence.",
      });
      assert.equal(decided.statusCode, 200);
      await at("2027-01-15T10:00:00.000Z");
      await enforcement.runClock(t.deps);
      const final = (await analyst.request("GET", `/api/v1/enforcement/requests/${lapsing}`)).json();
      assert.deepEqual(
        [final.clock.state, final.clock.penalty.days, final.penalty.cents],
        ["decided", 17, 14 * 2300 + 3 * 3500],
        "the decision stopped the penalty; the decision day is not owed",
      );
      const accrued = await t.deps.db
        .selectFrom("audit_events")
        .select("action")
        .where("subject_id", "=", lapsing)
        .where("action", "in", [
          "enforcement.term_lapsed",
          "enforcement.default_notice_drafted",
          "enforcement.penalty_accrued",
        ])
        .execute();
      assert.equal(accrued.filter((a) => a.action === "enforcement.term_lapsed").length, 1);
      assert.ok(accrued.filter((a) => a.action === "enforcement.penalty_accrued").length >= 2);
    });

    it("files for the ladder idempotently, and waits where no contact is set", async () => {
      const sup = await t.deps.db
        .selectFrom("users")
        .select("id")
        .where("organisation_id", "=", hotlineId)
        .where("role", "=", "supervisor")
        .executeTakeFirstOrThrow();
      const req = {
        organisationId: hotlineId,
        regulator: "atkm",
        partyId,
        itemIds: [flow.items[0] as string],
        caseIds: [flow.caseId],
        step: "regulator",
        approvedBy: sup.id,
      };
      const a = await t.deps.db
        .transaction()
        .execute((tx) => enforcement.fileEnforcementRequest(t.deps, tx, req));
      const b = await t.deps.db
        .transaction()
        .execute((tx) => enforcement.fileEnforcementRequest(t.deps, tx, req));
      assert.equal(a.requestId, b.requestId);
      let v = (await analyst.request("GET", `/api/v1/enforcement/requests/${a.requestId}`)).json();
      assert.equal(v.status, "approved", "no contact for the ATKM: approved, waiting to be filed");
      await analyst.request("PUT", "/api/v1/enforcement/contacts/atkm", { email: "meldingen@atkm.example" });
      await t.deps.db.transaction().execute((tx) => enforcement.fileEnforcementRequest(t.deps, tx, req));
      v = (await analyst.request("GET", `/api/v1/enforcement/requests/${a.requestId}`)).json();
      assert.deepEqual([v.status, v.filedVia, v.signedBy], ["filed", ["email"], supervisorName]);
      const count = await t.deps.db
        .selectFrom("enforcement_requests")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("regulator", "=", "atkm")
        .executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 1);
      // A rollback leaves nothing behind.
      await assert.rejects(
        t.deps.db.transaction().execute(async (tx) => {
          await enforcement.fileEnforcementRequest(t.deps, tx, {
            ...req,
            regulator: "police",
            approvedBy: null,
          });
          throw new Error("the ladder's step failed");
        }),
      );
      assert.equal(
        (
          await t.deps.db
            .selectFrom("enforcement_requests")
            .select("id")
            .where("regulator", "=", "police")
            .execute()
        ).length,
        0,
      );
      // No Awb term for the police.
      const police = await t.deps.db
        .transaction()
        .execute((tx) =>
          enforcement.fileEnforcementRequest(t.deps, tx, { ...req, regulator: "police", approvedBy: null }),
        );
      const pv = (await analyst.request("GET", `/api/v1/enforcement/requests/${police.requestId}`)).json();
      assert.deepEqual([pv.status, pv.termApplies, pv.clock.state], ["draft", false, "not_applicable"]);
    });

    it("refuses hostile and malformed input", async () => {
      const bad = [
        { regulator: "nsa", partyId, caseIds: [flow.caseId] },
        { regulator: "acm", partyId: "not-a-uuid", caseIds: [flow.caseId] },
        { regulator: "acm", partyId, caseIds: [] },
        { regulator: "acm", partyId, caseIds: [flow.caseId], facts: "x".repeat(20_001) },
        { regulator: "acm", partyId, caseIds: [flow.caseId], extra: true },
      ];
      for (const body of bad) {
        const r = await analyst.request("POST", "/api/v1/enforcement/requests", body);
        assert.ok([400, 422].includes(r.statusCode), `${JSON.stringify(body).slice(0, 80)}: ${r.statusCode}`);
        assert.equal(r.headers["content-type"], "application/problem+json; charset=utf-8");
      }
      const otherCase = await analyst.request("POST", "/api/v1/enforcement/requests", {
        regulator: "acm",
        partyId,
        caseIds: ["00000000-0000-4000-8000-000000000000"],
      });
      assert.equal(otherCase.statusCode, 404);
      const strayItem = await analyst.request("POST", "/api/v1/enforcement/requests", {
        regulator: "acm",
        partyId,
        caseIds: [flow.caseId],
        itemIds: ["00000000-0000-4000-8000-000000000001"],
      });
      assert.equal(strayItem.statusCode, 404);
      assert.ok(
        [400, 422].includes(
          (await analyst.request("GET", "/api/v1/enforcement/requests/not-a-uuid")).statusCode,
        ),
      );
      const badDate = await acm.officer.request("POST", `/api/v1/portal/requests/${requestId}/extensions`, {
        termEndsOn: "2026-02-30x",
      });
      assert.ok([400, 422].includes(badDate.statusCode));
    });

    it("coordination: parties several regulators deal with, overdue requests, least compliant parties", async () => {
      await at("2027-02-10T10:00:00.000Z");
      const parties = (await analyst.request("GET", "/api/v1/enforcement/coordination/parties")).json().items;
      const fotodeel = parties.find((p: { party: { id: string } }) => p.party.id === partyId);
      assert.ok(fotodeel);
      assert.deepEqual(fotodeel.regulators.map((r: { id: string }) => r.id).sort(), ["atkm", "police"]);
      const agenda = (await analyst.request("GET", "/api/v1/enforcement/coordination/agenda")).json();
      assert.deepEqual(agenda.period, { from: "2027-01-01", to: "2027-03-31" });
      assert.deepEqual(
        agenda.overdue.map((o: { reason: string }) => o.reason),
        ["no_receipt"],
        "the ATKM request has waited four weeks for receipt",
      );
      assert.deepEqual(
        agenda.sharedParties.map((p: { party: { name: string }; regulators: { id: string }[] }) => [
          p.party.name,
          p.regulators.map((r) => r.id).sort(),
        ]),
        [["Fotodeel B.V. (fictief)", ["atkm", "police"]]],
        "the ATKM and the police both have an open request about the platform",
      );
      const html = await analyst.request("GET", "/api/v1/enforcement/coordination/agenda.html?lang=en");
      assert.equal(html.statusCode, 200);
      assert.match(html.body, /Requests past their term/);
      assert.match(html.body, /no receipt confirmed/);
      // Regulators and platforms do not get the hotline's overview.
      assert.equal(
        (await acm.officer.request("GET", "/api/v1/enforcement/coordination/agenda")).statusCode,
        403,
      );
      assert.ok(
        [403, 404].includes(
          (await platform.request("GET", "/api/v1/enforcement/coordination/parties")).statusCode,
        ),
      );
      // Least compliant: the platform left both noticed URLs unanswered past the deadline.
      const seeded = await t.deps.db
        .selectFrom("notice_items")
        .select(["party_id", "overdue_at"])
        .where("party_id", "=", partyId)
        .execute();
      assert.equal(seeded.length, 2);
      assert.ok(
        seeded.every((s) => s.overdue_at),
        "the notice went overdue in the setup",
      );
      assert.equal(agenda.leastCompliant.length, 0, "fewer than three noticed URLs: not ranked");
      const pdf = await analyst.request("GET", "/api/v1/enforcement/coordination/agenda.pdf");
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.rawPayload.subarray(0, 5).toString("latin1"), "%PDF-");
    });
  });
}
