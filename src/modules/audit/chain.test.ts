import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson, eventHash, GENESIS_HASH } from "./chain.ts";

test("canonical JSON sorts keys at every level and drops undefined", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null }, u: undefined }),
    '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
  );
});

test("the hash changes with any field and with the previous hash", () => {
  const e = {
    seq: 1,
    id: "00000000-0000-4000-8000-000000000001",
    occurredAt: "2026-01-01T00:00:00.000Z",
    actorType: "system",
    actorId: null,
    organisationId: null,
    action: "x",
    subjectType: null,
    subjectId: null,
    reason: null,
    data: { a: 1 },
    prevHash: GENESIS_HASH,
  };
  const h = eventHash(e);
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.equal(eventHash({ ...e, data: { a: 1 } }), h);
  assert.notEqual(eventHash({ ...e, reason: "y" }), h);
  assert.notEqual(eventHash({ ...e, data: { a: 2 } }), h);
  assert.notEqual(eventHash({ ...e, prevHash: "1".repeat(64) }), h);
});
