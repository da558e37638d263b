// Hash banks, the matching API and the automatic check, on PGlite and PostgreSQL: permissions,
// per-item import results, degenerate hashes refused, import/export round trip, matches applied
// and withdrawn at once (also on a second replica's index), dihedral matching of rotated
// copies, partner tokens seeing only shared banks, auditing without non-matching hashes,
// device-hash submissions and their withdrawal, expiry, the batch limit and the rate limit.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import * as audit from "../src/modules/audit/service.ts";
import { hashImage } from "../src/modules/hashing/image.ts";
import { Matcher } from "../src/modules/hashing/matcher.ts";
import * as banks from "../src/modules/hashing/service.ts";
import { noise, shapes } from "../src/modules/hashing/synthetic.ts";
import { type Agent, startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";

for (const backend of backends) {
  describe(`hash banks and matching (${backend.name})`, () => {
    let t: TestApp;
    let hotline: Awaited<ReturnType<typeof userAgent>>;
    let agent: Agent;
    let bankId: string;
    let image: Buffer;
    let imageHash: Awaited<ReturnType<typeof hashImage>>;

    before(async () => {
      t = await startApp(backend, { MATCH_RATE_LIMIT_PER_MINUTE: "1000" });
      hotline = await userAgent(t, "hotline", "admin");
      agent = hotline.agent;
      image = await shapes(21, 900, 700);
      imageHash = await hashImage(image);
      const res = await agent.request("POST", "/api/v1/banks", {
        name: "Confirmed",
        kind: "hotline_confirmed",
        shared: true,
      });
      assert.equal(res.statusCode, 201, res.body);
      bankId = res.json().id;
    });
    after(() => t.close());

    let platformOrgId = "";
    async function platformToken(): Promise<string> {
      const platform = await userAgent(t, "platform", "admin");
      platformOrgId = platform.org.id;
      const res = await platform.agent.request("POST", "/api/v1/tokens", {
        name: "matcher",
        scopes: ["match"],
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().token as string;
    }

    const matchWith = (token: string, body: unknown) =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/match",
        headers: { authorization: `Bearer ${token}` },
        payload: body as object,
      });

    it("creates, lists and hides banks by organisation and permission", async () => {
      const list = await agent.request("GET", "/api/v1/banks");
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        list.json().items.map((b: { name: string }) => b.name),
        ["Confirmed"],
      );
      const dup = await agent.request("POST", "/api/v1/banks", { name: "Confirmed", kind: "partner_list" });
      assert.equal(dup.statusCode, 409);
      const bad = await agent.request("POST", "/api/v1/banks", { name: "x", kind: "nope" });
      assert.equal(bad.statusCode, 422);
      const other = await userAgent(t, "hotline", "admin");
      assert.equal((await other.agent.request("GET", `/api/v1/banks/${bankId}`)).statusCode, 404);
      assert.equal((await other.agent.request("GET", `/api/v1/banks/${bankId}/entries`)).statusCode, 404);
      const auditor = await userAgent(t, "hotline", "auditor");
      assert.equal((await auditor.agent.request("GET", "/api/v1/banks")).statusCode, 200);
      const denied = await auditor.agent.request("POST", "/api/v1/banks", {
        name: "A",
        kind: "partner_list",
      });
      assert.equal(denied.statusCode, 403);
      assert.equal((await t.app.inject({ method: "GET", url: "/api/v1/banks" })).statusCode, 401);
    });

    it("adds entries with one result per item and refuses degenerate hashes with a reason", async () => {
      const res = await agent.request("POST", `/api/v1/banks/${bankId}/entries`, {
        entries: [
          {
            signalType: "pdq",
            value: imageHash.hash,
            quality: imageHash.quality,
            pipeline: imageHash.pipeline,
            caseId: "case-1",
          },
          { signalType: "pdq", value: "0".repeat(64) },
          { signalType: "pdq", value: "a".repeat(64), quality: 30 },
          { signalType: "pdq", value: `${"0".repeat(60)}000f` },
          { signalType: "md5", value: imageHash.md5.toUpperCase() },
          { signalType: "md5", value: "abc" },
          { signalType: "sha256", value: imageHash.sha256 },
          { signalType: "pdq", value: imageHash.hash },
          { signalType: "photodna", value: "x" },
          { signalType: "sha256", value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
      const results = res.json().results as banks.BulkResult[];
      assert.deepEqual(
        results.map((r) => [r.line, r.ok]),
        [
          [1, true],
          [2, false],
          [3, false],
          [4, false],
          [5, true],
          [6, false],
          [7, true],
          [8, false],
          [9, false],
          [10, false],
        ],
      );
      assert.match(results[1]?.error ?? "", /all zeros/);
      assert.match(results[2]?.error ?? "", /quality 30/);
      assert.match(results[3]?.error ?? "", /degenerate/);
      assert.match(results[5]?.error ?? "", /32 hexadecimal/);
      assert.match(results[7]?.error ?? "", /duplicate/);
      assert.match(results[8]?.error ?? "", /unknown signal type/);
      assert.match(results[9]?.error ?? "", /empty file/);
      const entries = (await agent.request("GET", `/api/v1/banks/${bankId}/entries`)).json().items;
      assert.equal(entries.length, 3);
      assert.equal(entries[0].provenance.caseId, "case-1");
      assert.equal(entries[0].provenance.createdBy, hotline.user.id);
      assert.equal(entries[1].value, imageHash.md5);
      const again = await agent.request("POST", `/api/v1/banks/${bankId}/entries`, {
        entries: [{ signalType: "md5", value: imageHash.md5 }],
      });
      assert.match(again.json().results[0].error, /already in this bank/);
    });

    it("imports CSV and JSON lines per line, and exports them back", async () => {
      const created = await agent.request("POST", "/api/v1/banks", {
        name: "Partner list",
        kind: "partner_list",
      });
      const id = created.json().id as string;
      const other = await hashImage(await noise(5));
      const csv = [
        "signal_type,value,quality,source,note",
        `pdq,${other.hash},${other.quality},partner-x,"a note, with a comma"`,
        `md5,${other.md5},,partner-x,`,
        "pdq,zzzz,,,",
        "",
        `sha256,${"0".repeat(64)},,,`,
      ].join("\n");
      const res = await t.app.inject({
        method: "POST",
        url: `/api/v1/banks/${id}/import`,
        headers: { cookie: agent.cookie, "x-csrf-token": agent.csrf, "content-type": "text/csv" },
        payload: csv,
      });
      assert.equal(res.statusCode, 200, res.body);
      const out = res.json();
      assert.equal(out.added, 2);
      assert.deepEqual(
        out.results.map((r: banks.BulkResult) => [r.line, r.ok]),
        [
          [2, true],
          [3, true],
          [4, false],
          [6, false],
        ],
      );
      const jsonl = [
        JSON.stringify({ signal_type: "sha256", value: other.sha256, expires_at: "2099-01-01T00:00:00Z" }),
        "not json",
        JSON.stringify({ signal_type: "pdq", value: other.hash }),
      ].join("\n");
      const res2 = await t.app.inject({
        method: "POST",
        url: `/api/v1/banks/${id}/import`,
        headers: { cookie: agent.cookie, "x-csrf-token": agent.csrf, "content-type": "application/x-ndjson" },
        payload: jsonl,
      });
      assert.deepEqual(
        res2.json().results.map((r: banks.BulkResult) => [r.line, r.ok, r.error ?? ""]),
        [
          [1, true, ""],
          [2, false, "not a JSON object"],
          [3, false, "already in this bank"],
        ],
      );
      const exported = await agent.request("GET", `/api/v1/banks/${id}/export?format=csv`);
      assert.equal(exported.statusCode, 200);
      assert.match(exported.headers["content-type"] as string, /text\/csv/);
      const lines = exported.body.trim().split("\n");
      assert.equal(lines[0], "signal_type,value,quality,pipeline,created_at,expires_at,source");
      assert.equal(lines.length, 4);
      assert.ok(lines.some((l) => l.startsWith(`pdq,${other.hash},${other.quality},`)));
      // The export imports again into an empty bank, every line accepted.
      const copy = (
        await agent.request("POST", "/api/v1/banks", { name: "Copy", kind: "partner_list" })
      ).json().id;
      const back = await t.app.inject({
        method: "POST",
        url: `/api/v1/banks/${copy}/import`,
        headers: { cookie: agent.cookie, "x-csrf-token": agent.csrf, "content-type": "text/csv" },
        payload: exported.body,
      });
      assert.equal(back.json().added, 3);
      const jl = await agent.request("GET", `/api/v1/banks/${id}/export?format=jsonl`);
      assert.equal(jl.body.trim().split("\n").length, 3);
      assert.equal(JSON.parse(jl.body.split("\n")[0] as string).signal_type, "pdq");
      const unsupported = await t.app.inject({
        method: "POST",
        url: `/api/v1/banks/${id}/import`,
        headers: { cookie: agent.cookie, "x-csrf-token": agent.csrf, "content-type": "text/plain" },
        payload: "x",
      });
      assert.equal(unsupported.statusCode, 415);
    });

    it("matches a partner's hashes of rotated and re-encoded copies, and audits only counts and matches", async () => {
      const token = await platformToken();
      const rotated = await hashImage(await sharp(image).rotate(90).jpeg({ quality: 70 }).toBuffer());
      const unrelated = await hashImage(await noise(99));
      const res = await matchWith(token, {
        hashes: [
          { pdq: rotated.hash, dihedral: rotated.dihedral, ref: "rotated" },
          { pdq: rotated.hash, ref: "rotated-without-dihedral" },
          { md5: imageHash.md5 },
          { pdq: unrelated.hash, dihedral: unrelated.dihedral, md5: unrelated.md5 },
          { pdq: "0".repeat(64) },
          { pdq: unrelated.hash, quality: 10 },
          {},
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.radius, 31);
      const [rot, rotNoDih, md5, none, zero, low, empty] = body.results;
      assert.equal(rot.ref, "rotated");
      assert.equal(rot.matches.length, 1);
      assert.equal(rot.matches[0].bankId, bankId);
      assert.equal(rot.matches[0].signalType, "pdq");
      assert.ok(rot.matches[0].distance <= 31);
      assert.equal(rot.matches[0].caseId, undefined, "partners never see case ids");
      assert.equal(rotNoDih.matches.length, 0, "a rotated copy needs the dihedral variants");
      assert.equal(md5.matches[0].signalType, "md5");
      assert.equal(md5.matches[0].distance, 0);
      assert.deepEqual(none.matches, []);
      assert.equal(zero.ok, false);
      assert.match(zero.error, /all zeros/);
      assert.match(low.warning, /below 50/);
      assert.equal(empty.ok, false);
      const events = await audit.listForOrganisation(t.deps.db, platformOrgId, { limit: 5 });
      const q = events.find((e) => e.action === "banks.match_query") as
        | { data: Record<string, unknown> }
        | undefined;
      assert.ok(q);
      assert.equal(q.data.hashes, 7);
      assert.equal(q.data.matchedItems, 2);
      assert.deepEqual((q.data.matchedEntryIds as string[]).length, 2);
      const raw = JSON.stringify(q.data);
      assert.ok(
        !raw.includes(unrelated.hash) && !raw.includes(unrelated.md5),
        "non-matching hashes are not stored",
      );
    });

    it("does not match another organisation's unshared bank, nor without the match scope", async () => {
      const priv = (
        await agent.request("POST", "/api/v1/banks", { name: "Private", kind: "hotline_confirmed" })
      ).json().id;
      const secret = await hashImage(await shapes(77));
      await agent.request("POST", `/api/v1/banks/${priv}/entries`, {
        entries: [{ signalType: "pdq", value: secret.hash, quality: secret.quality }],
      });
      const token = await platformToken();
      const res = await matchWith(token, { hashes: [{ pdq: secret.hash }] });
      assert.deepEqual(res.json().results[0].matches, []);
      const own = await agent.request("POST", "/api/v1/match", { hashes: [{ pdq: secret.hash }] });
      assert.equal(own.json().results[0].matches[0].bankId, priv);
      const platform = await userAgent(t, "platform", "admin");
      const readOnly = await platform.agent.request("POST", "/api/v1/tokens", {
        name: "ro",
        scopes: ["org:read"],
      });
      const denied = await matchWith(readOnly.json().token, { hashes: [{ pdq: secret.hash }] });
      assert.equal(denied.statusCode, 403);
    });

    it("applies disabling, expiry and deletion at once, also on another replica's index", async () => {
      const img = await hashImage(await shapes(31));
      const add = await agent.request("POST", `/api/v1/banks/${bankId}/entries`, {
        entries: [{ signalType: "pdq", value: img.hash, quality: img.quality }],
      });
      const entryId = add.json().results[0].id as string;
      const replica = new Matcher();
      await replica.sync(t.deps.db);
      const q = () => agent.request("POST", "/api/v1/match", { hashes: [{ pdq: img.hash }] });
      assert.equal((await q()).json().results[0].matches.length, 1);
      assert.equal(replica.searchPdq([img.hash], 31).length, 1);

      const off = await agent.request("PATCH", `/api/v1/bank-entries/${entryId}`, {
        enabled: false,
        reason: "review",
      });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal(off.json().enabled, false);
      assert.equal((await q()).json().results[0].matches.length, 0);
      await replica.sync(t.deps.db);
      assert.equal(replica.searchPdq([img.hash], 31).length, 0);

      await agent.request("PATCH", `/api/v1/bank-entries/${entryId}`, { enabled: true });
      assert.equal((await q()).json().results[0].matches.length, 1);
      await replica.sync(t.deps.db);
      assert.equal(replica.searchPdq([img.hash], 31).length, 1);

      const soon = new Date(t.clock.now().getTime() + 60_000).toISOString();
      await agent.request("PATCH", `/api/v1/bank-entries/${entryId}`, { expiresAt: soon });
      assert.equal((await q()).json().results[0].matches.length, 1);
      t.clock.advance(120_000);
      assert.equal((await q()).json().results[0].matches.length, 0, "expired entries do not match");

      const del = await agent.request("DELETE", `/api/v1/bank-entries/${entryId}`, { reason: "wrong" });
      assert.equal(del.statusCode, 204);
      assert.equal((await agent.request("GET", `/api/v1/bank-entries/${entryId}`)).statusCode, 404);
      await replica.sync(t.deps.db);
      assert.equal(replica.searchPdq([img.hash], 31).length, 0);
      const events = await audit.listForOrganisation(t.deps.db, hotline.org.id, { limit: 50 });
      for (const action of [
        "banks.entry_updated",
        "banks.entry_deleted",
        "banks.entries_added",
        "banks.bank_created",
      ])
        assert.ok(
          events.some((e) => e.action === action),
          action,
        );
    });

    it("checks captured images automatically and links matches to the earlier case", async () => {
      const copy = await sharp(image).resize({ width: 450 }).jpeg({ quality: 60 }).toBuffer();
      const r = await banks.checkImage(t.deps, copy, {
        organisationId: hotline.org.id,
        subject: { type: "evidence_artefact", id: "artefact-1" },
        caseId: "case-2",
      });
      assert.equal(r.hashes.dihedral.length, 8);
      const pdqMatch = r.matches.find((m) => m.signalType === "pdq");
      assert.ok(pdqMatch, JSON.stringify(r.matches));
      assert.equal(pdqMatch.caseId, "case-1");
      const exact = await banks.checkImage(t.deps, image, { organisationId: hotline.org.id });
      assert.deepEqual([...new Set(exact.matches.map((m) => m.signalType))].sort(), ["md5", "pdq", "sha256"]);
      const miss = await banks.checkImage(t.deps, await noise(1234), { organisationId: hotline.org.id });
      assert.deepEqual(miss.matches, []);
      const events = await audit.listForOrganisation(t.deps.db, hotline.org.id, { limit: 20 });
      const matched = events.filter((e) => e.action === "banks.image_matched");
      assert.equal(matched.length, 2);
      await assert.rejects(banks.checkImage(t.deps, Buffer.from("nope"), { organisationId: null }), {
        code: "image_unreadable",
      });
    });

    it("stores device hashes for a report and deletes them on withdrawal", async () => {
      const a = await hashImage(await shapes(41));
      const b = await hashImage(await shapes(42));
      const c = await hashImage(await shapes(43));
      const sub = await banks.submitDeviceHashes(
        t.deps,
        { organisationId: hotline.org.id, reportId: "report-7", caseId: "case-7" },
        [
          { pdq: a.hash, quality: a.quality },
          { pdq: b.hash, quality: b.quality },
          { pdq: "0".repeat(64), quality: 0 },
        ],
      );
      assert.deepEqual(
        sub.results.map((x) => x.ok),
        [true, true, false],
      );
      assert.ok(sub.withdrawalSecret.length >= 24);
      const second = await banks.submitDeviceHashes(
        t.deps,
        { organisationId: hotline.org.id, reportId: "report-8" },
        [{ pdq: c.hash, quality: c.quality }],
      );
      const victimBank = (await agent.request("GET", "/api/v1/banks"))
        .json()
        .items.find((x: { kind: string }) => x.kind === "victim_submitted");
      assert.equal(victimBank.entries, 3);
      const q = async (h: string) =>
        (await agent.request("POST", "/api/v1/match", { hashes: [{ pdq: h }] })).json().results[0].matches;
      assert.equal((await q(a.hash))[0].bankId, victimBank.id);

      assert.deepEqual(await banks.withdraw(t.deps, { secret: sub.withdrawalSecret }), { deleted: 2 });
      assert.deepEqual(await q(a.hash), []);
      assert.deepEqual(await q(b.hash), []);
      assert.equal((await q(c.hash)).length, 1);
      assert.deepEqual(await banks.withdraw(t.deps, { secret: "wrong secret" }), { deleted: 0 });
      assert.deepEqual(await banks.withdraw(t.deps, { reportId: "report-8" }), { deleted: 1 });
      assert.deepEqual(await q(c.hash), []);
      void second;
      const events = await audit.listForOrganisation(t.deps.db, hotline.org.id, { limit: 20 });
      assert.equal(events.filter((e) => e.action === "banks.entries_withdrawn").length, 2);
    });

    it("purges expired entries (the hourly job) with an audit event", async () => {
      const img = await hashImage(await shapes(61));
      const expiresAt = new Date(t.clock.now().getTime() + 1000).toISOString();
      await agent.request("POST", `/api/v1/banks/${bankId}/entries`, {
        entries: [{ signalType: "pdq", value: img.hash, quality: img.quality, expiresAt }],
      });
      assert.deepEqual(await banks.purgeExpired(t.deps), { deleted: 0 });
      t.clock.advance(5000);
      assert.deepEqual(await banks.purgeExpired(t.deps), { deleted: 1 });
      const events = await audit.listForOrganisation(t.deps.db, hotline.org.id, { limit: 5 });
      assert.equal(events[0]?.action, "banks.entries_expired");
    });

    it("refuses more than 1,000 hashes per call and deletes banks with their entries", async () => {
      const many = Array.from({ length: 1001 }, () => ({ md5: imageHash.md5 }));
      const res = await agent.request("POST", "/api/v1/match", { hashes: many });
      assert.equal(res.statusCode, 422);
      const ok = await agent.request("POST", "/api/v1/match", { hashes: many.slice(0, 1000) });
      assert.equal(ok.statusCode, 200);
      const del = await agent.request("DELETE", `/api/v1/banks/${bankId}`, { reason: "test" });
      assert.equal(del.statusCode, 204);
      const after = await agent.request("POST", "/api/v1/match", { hashes: [{ md5: imageHash.md5 }] });
      assert.deepEqual(after.json().results[0].matches, []);
    });
  });
}

describe("matching rate limit", () => {
  it("answers 429 beyond MATCH_RATE_LIMIT_PER_MINUTE calls a minute per token", async () => {
    const t = await startApp(backends[0] as (typeof backends)[number], { MATCH_RATE_LIMIT_PER_MINUTE: "2" });
    try {
      const platform = await userAgent(t, "platform", "admin");
      const token = (
        await platform.agent.request("POST", "/api/v1/tokens", { name: "m", scopes: ["match"] })
      ).json().token as string;
      const call = () =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/match",
          headers: { authorization: `Bearer ${token}` },
          payload: { hashes: [{ md5: "0123456789abcdef0123456789abcdef" }] },
        });
      assert.equal((await call()).statusCode, 200);
      assert.equal((await call()).statusCode, 200);
      const third = await call();
      assert.equal(third.statusCode, 429);
      assert.equal(third.json().type, "https://vangrail.org/problems/rate-limited");
    } finally {
      await t.close();
    }
  });
});
