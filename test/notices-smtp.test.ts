// Notice delivery against a hostile SMTP peer (test/support/hostile-smtp.ts), on PGlite and
// PostgreSQL: a garbage greeting, a server that never answers, one that answers a byte a
// second (before and after its greeting), a multi-megabyte reply, and one that drops the
// connection after DATA. Each delivery ends within its configured limits, is retried with the
// outbox's backoff, never throws out of the worker, never loses the notice, and when the peer
// behaves again exactly one message arrives. The message that arrives carries a DKIM signature
// made with a key generated here, verified by an independent verifier (test/support/dkim.ts).
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as registry from "../src/modules/attribution/parties.ts";
import * as cases from "../src/modules/cases/service.ts";
import { currentConsent } from "../src/modules/intake/consent.ts";
import * as notices from "../src/modules/notices/service.ts";
import { createTransport } from "../src/modules/notices/transport.ts";
import { startApp, type TestApp, userAgent } from "./support/app.ts";
import { backends } from "./support/db.ts";
import { verifyDkim } from "./support/dkim.ts";
import { type HostileSmtp, type SmtpBehaviour, startHostileSmtp } from "./support/hostile-smtp.ts";

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const keyDir = mkdtempSync(join(tmpdir(), "vg-dkim-"));
const keyFile = join(keyDir, "dkim.pem");
writeFileSync(keyFile, keys.privateKey.export({ type: "pkcs8", format: "pem" }));
after(() => rmSync(keyDir, { recursive: true, force: true }));

const MINUTE = 60_000;

for (const backend of backends) {
  describe(`notice delivery to a hostile SMTP peer (${backend.name})`, () => {
    let t: TestApp;
    let peer: HostileSmtp;
    let hotline: Awaited<ReturnType<typeof userAgent>>;

    before(async () => {
      peer = await startHostileSmtp("good");
      t = await startApp(backend, {
        MAIL_TRANSPORT: "smtp",
        SMTP_URL: peer.url,
        MAIL_FROM: "Vangrail Notices <notices@hotline.example>",
        PUBLIC_URL: "https://vangrail.hotline.example",
        SMTP_CONNECTION_TIMEOUT_SECONDS: "2",
        SMTP_GREETING_TIMEOUT_SECONDS: "1",
        SMTP_SOCKET_TIMEOUT_SECONDS: "2",
        SMTP_SEND_TIMEOUT_SECONDS: "3",
        DKIM_DOMAIN: "hotline.example",
        DKIM_SELECTOR: "vg2026",
        DKIM_PRIVATE_KEY_FILE: keyFile,
      });
      notices.setNoticeEnv(t.deps, { transport: createTransport(t.deps.config) });
      hotline = await userAgent(t, "hotline", "admin");
    });
    after(async () => {
      notices.closeNoticeEnv(t.deps);
      await t.close();
      await peer.close();
    });

    /** A public report with one URL, attributed to a new party reached at `address`. */
    async function noticeTo(address: string, url: string): Promise<string> {
      const operator = registry.operatorFor(hotline.org.id);
      const party = await registry.createParty(t.deps, operator, {
        name: `Party for ${address}`,
        kind: "hosting",
        country: "NL",
        languages: ["en"],
      });
      await registry.addChannel(t.deps, operator, party.id, { kind: "email", address });
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/public/reports",
        payload: {
          category: "ncii",
          urls: [url],
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
      const c = await cases.caseWithItems(t.deps, hotline.org.id, caseId);
      const itemId = c?.items[0]?.id as string;
      const now = t.clock.now();
      await t.deps.db
        .insertInto("attributions")
        .values({
          item_id: itemId,
          organisation_id: hotline.org.id,
          role: "hosting",
          party_id: party.id,
          address: "192.0.2.10",
          source: "registry",
          resolved_at: now,
          expires_at: new Date(now.getTime() + 86_400_000),
        })
        .execute();
      // The system's own path (the clock runs past any session in these tests).
      const created = await notices.createNotices(
        t.deps,
        { type: "system", id: null, organisationId: hotline.org.id },
        hotline.org.id,
        "ncii",
        [{ id: itemId, value: url }],
        { caseId },
      );
      assert.equal(created.created.length, 1, JSON.stringify(created.skipped));
      return created.created[0]?.noticeId as string;
    }

    const outboxOf = (noticeId: string) =>
      t.deps.db
        .selectFrom("outbox")
        .select(["status", "attempts", "last_error", "next_attempt_at"])
        .where("notice_id", "=", noticeId)
        .where("purpose", "=", "notice")
        .executeTakeFirstOrThrow();

    const arrivedFor = (address: string) => peer.messages.filter((m) => m.to.includes(address));

    it("times out, retries with backoff, loses nothing and delivers exactly once when the peer behaves", async () => {
      const address = "abuse@hostile-host.example";
      const noticeId = await noticeTo(address, "https://hostile-host.example/a");
      const modes: [SmtpBehaviour, RegExp][] = [
        ["garbage_greeting", /greeting|protocol|EPROTOCOL/i],
        ["silent", /timeout|ETIMEDOUT/i],
        ["trickle", /timeout|ETIMEDOUT/i],
        ["huge_reply", /size|large|long|EPROTOCOL|ERESPONSE/i],
        ["drop_after_data", /clos|ECONNECTION/i],
      ];
      // The outbox's backoff after attempts 1-5: 1, 5, 15, 60 and 180 minutes.
      const backoff = [0, 1, 5, 15, 60, 180].map((m) => m * MINUTE);
      for (const [i, [mode, error]] of modes.entries()) {
        if (i > 0) {
          // Not before the backoff has passed.
          t.clock.advance((backoff[i] as number) - 1000);
          assert.deepEqual(await notices.deliverAll(t.deps), { sent: 0, retried: 0, failed: 0 }, mode);
          t.clock.advance(1000);
        }
        peer.behaviour = mode;
        const started = Date.now();
        const r = await notices.deliverAll(t.deps);
        const took = Date.now() - started;
        assert.deepEqual(r, { sent: 0, retried: 1, failed: 0 }, `${mode}: retried, not lost`);
        assert.ok(took < 6000, `${mode} ended within its limits (${took} ms)`);
        const row = await outboxOf(noticeId);
        assert.equal(row.status, "pending", mode);
        assert.equal(row.attempts, i + 1);
        assert.match(row.last_error ?? "", error, `${mode}: ${row.last_error}`);
        assert.equal(arrivedFor(address).length, 0, `${mode}: nothing accepted`);
      }
      const notice = await t.deps.db
        .selectFrom("notices")
        .select("status")
        .where("id", "=", noticeId)
        .executeTakeFirstOrThrow();
      assert.equal(notice.status, "queued", "still waiting to go, not failed");

      peer.behaviour = "good";
      t.clock.advance(backoff[5] as number);
      assert.deepEqual(await notices.deliverAll(t.deps), { sent: 1, retried: 0, failed: 0 });
      t.clock.advance(24 * 60 * MINUTE);
      assert.deepEqual(await notices.deliverAll(t.deps), { sent: 0, retried: 0, failed: 0 });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(arrivedFor(address).length, 1, "exactly one message");
      assert.equal((await outboxOf(noticeId)).status, "sent");
      const retries = await t.deps.db
        .selectFrom("audit_events")
        .select("action")
        .where("subject_id", "=", noticeId)
        .where("action", "=", "notice.delivery_retry")
        .execute();
      assert.equal(retries.length, 5, "every failed attempt is on record");
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(peer.open(), 0, "no connection left open");
    });

    it("ends a send that a peer drags out a byte a second after a normal greeting", async () => {
      const address = "abuse@trickling-host.example";
      const noticeId = await noticeTo(address, "https://trickling-host.example/b");
      peer.behaviour = "trickle_after_greeting";
      const started = Date.now();
      const r = await notices.deliverAll(t.deps);
      const took = Date.now() - started;
      assert.deepEqual(r, { sent: 0, retried: 1, failed: 0 });
      assert.ok(took >= 2500 && took < 6000, `the 3 s send limit ended it (${took} ms)`);
      assert.match((await outboxOf(noticeId)).last_error ?? "", /within 3000 ms/);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(peer.open(), 0, "the connection was cut, not left to finish later");
      peer.behaviour = "good";
      t.clock.advance(MINUTE);
      assert.equal((await notices.deliverAll(t.deps)).sent, 1);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(arrivedFor(address).length, 1);
    });

    it("signs notices with DKIM; the signature verifies with the public key and breaks when altered", () => {
      const m = arrivedFor("abuse@hostile-host.example")[0];
      assert.ok(m);
      const result = verifyDkim(m.raw, keys.publicKey);
      assert.ok(result.ok, result.reason ?? "");
      assert.equal(result.tags.d, "hotline.example");
      assert.equal(result.tags.s, "vg2026");
      assert.equal(result.tags.c, "relaxed/relaxed");
      for (const h of ["from", "to", "subject", "date", "message-id"])
        assert.ok(result.tags.h?.toLowerCase().split(":").includes(h), `h= covers ${h}`);
      const subject = /\r\nSubject: ([^\r\n]+)/.exec(m.raw)?.[1] ?? "";
      const forged = m.raw.replace(`Subject: ${subject}`, `Subject: ${subject} (changed)`);
      assert.equal(verifyDkim(forged, keys.publicKey).ok, false, "a changed header fails");
      const body = m.raw.replace(/(https:\/\/hostile-host\.example\/)a/, "$1z");
      assert.notEqual(body, m.raw);
      assert.match(verifyDkim(body, keys.publicKey).reason ?? "", /body hash/);
      const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
      assert.equal(verifyDkim(m.raw, other.publicKey).ok, false, "another key fails");
    });
  });
}
