// The web catalogues: TypeScript already makes en.ts have exactly the keys of nl.ts; this
// checks what the type cannot: no empty texts and the same {placeholders} in both languages.
import assert from "node:assert/strict";
import { test } from "node:test";
import { en } from "../../web/src/i18n/en.ts";
import { nl } from "../../web/src/i18n/nl.ts";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("the Dutch and English catalogues have the same keys", () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(nl).sort());
});

test("every text is filled in and uses the same placeholders in both languages", () => {
  for (const [key, dutch] of Object.entries(nl)) {
    const english = en[key as keyof typeof nl];
    assert.ok(dutch.trim(), `nl ${key} is empty`);
    assert.ok(english.trim(), `en ${key} is empty`);
    assert.deepEqual(placeholders(english), placeholders(dutch), `placeholders differ for ${key}`);
  }
});
