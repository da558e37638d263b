// Every category composes, in both languages, with the four art. 16(2) elements; URLs with
// markup stay inert in the HTML; the policy file is validated.
import assert from "node:assert/strict";
import { test } from "node:test";
import { categoryIds } from "../cases/taxonomy.ts";
import { composeNotice, legalGrounds, withholdsNotifier } from "./compose.ts";
import { deadlineHours, loadPolicy, parsePolicy, reminderDueAt } from "./policy.ts";

const facts = (category: string, language: "nl" | "en") => ({
  noticeId: "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
  reference: "VGN-3F2504E04F",
  language,
  category,
  step: "platform",
  notifier: {
    name: "Meldpunt Test",
    email: "meldpunt@test.example",
    trustedFlagger: true,
    trustedFlaggerArea: null,
  },
  senderAddress: "Vangrail <notices@test.example>",
  party: { name: "Party <b>X</b>" },
  items: [
    { id: "9b2c1b0e-1111-4c3d-8e9f-000000000001", url: 'https://x.example/a?q="><script>alert(1)</script>' },
    {
      id: "9b2c1b0e-1111-4c3d-8e9f-000000000002",
      url: "https://x.example/b",
      capturedAt: "2026-11-20T10:00:00.000Z",
      evidenceSha256: "a".repeat(64),
    },
  ],
  createdAt: new Date("2026-11-22T09:00:00Z"),
  deadline: new Date("2026-11-23T09:00:00Z"),
  responseUrl: "https://v.example/respond/TOKEN",
  apiUrl: "https://v.example/api/v1/public/notices/TOKEN/responses",
  csamClassification: "B2" as const,
});

test("every category composes with the four art. 16(2) elements in both languages", () => {
  for (const c of categoryIds)
    for (const lang of ["nl", "en"] as const) {
      const n = composeNotice(facts(c, lang));
      assert.ok(n.text.includes("https://x.example/b"), `${c} ${lang}: URL`);
      for (const g of legalGrounds(c, lang))
        assert.ok(n.text.includes(g.label), `${c} ${lang}: ground ${g.code}`);
      assert.equal(n.text.includes("meldpunt@test.example"), !withholdsNotifier(c), `${c}: notifier e-mail`);
      assert.match(n.text, lang === "nl" ? /goeder trouw/ : /good faith/);
      assert.ok(n.text.includes("2026-11-23 09:00 UTC"));
      assert.ok(n.text.includes("https://v.example/respond/TOKEN"));
      assert.equal(n.attachmentKind, withholdsNotifier(c) ? "xarf" : "vangrail");
      assert.ok(!n.html.includes("<script>"), "markup in URLs is escaped");
      assert.ok(!n.html.includes("<b>X</b>"));
    }
});

test("a CSAM notice needs the analyst's classification", () => {
  assert.throws(
    () => composeNotice({ ...facts("csam", "en"), csamClassification: undefined }),
    /classification/,
  );
});

test("the shipped policy: 24 h for intimate images and child abuse material, 48 h otherwise", () => {
  const p = loadPolicy();
  assert.equal(deadlineHours(p, "csam"), 24);
  assert.equal(deadlineHours(p, "ncii"), 24);
  assert.equal(deadlineHours(p, "doxing"), 48);
  assert.equal(deadlineHours(p, "ncii", 4), 4, "a shorter agreed time wins");
  assert.equal(deadlineHours(p, "ncii", 100), 24, "a longer one does not");
  const due = reminderDueAt({ id: "x", hoursBeforeDeadline: 6 }, new Date("2026-01-02T00:00:00Z"));
  assert.equal(due.toISOString(), "2026-01-01T18:00:00.000Z");
});

test("a policy file with unknown categories, bad hours or extra keys is refused", () => {
  const base = { version: "1", defaultHours: 48, categories: {}, reminders: [] };
  assert.ok(parsePolicy(base));
  assert.throws(() => parsePolicy({ ...base, categories: { nope: 1 } }), /not a taxonomy category/);
  assert.throws(() => parsePolicy({ ...base, defaultHours: -1 }));
  assert.throws(() => parsePolicy({ ...base, extra: true }));
  assert.throws(
    () =>
      parsePolicy({
        ...base,
        reminders: [
          { id: "a", hoursBeforeDeadline: 1 },
          { id: "a", hoursAfterDeadline: 1 },
        ],
      }),
    /duplicate/,
  );
});
