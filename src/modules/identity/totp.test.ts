import assert from "node:assert/strict";
import { test } from "node:test";
import { matchTotp, newTotpSecret, otpauthUri, totpCode } from "./totp.ts";

test("RFC 6238 test vector (SHA-1, 6 digits)", () => {
  // The RFC's secret "12345678901234567890" in base32; at T=59 s the 8-digit code is 94287082.
  const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  assert.equal(totpCode(secret, new Date(59_000)), "287082");
});

test("a code matches its own step and the neighbours only", () => {
  const secret = newTotpSecret();
  const t = new Date("2026-05-01T12:00:00Z");
  const code = totpCode(secret, t);
  const step = Math.floor(t.getTime() / 30_000);
  assert.equal(matchTotp(secret, code, t), step);
  assert.equal(matchTotp(secret, code, new Date(t.getTime() + 30_000)), step);
  assert.equal(matchTotp(secret, code, new Date(t.getTime() + 95_000)), null);
  assert.equal(matchTotp(secret, "12345", t), null);
  assert.equal(matchTotp(secret, "abcdef", t), null);
});

test("the otpauth URI names the issuer and never the password", () => {
  const uri = otpauthUri(newTotpSecret(), "someone@test.example");
  assert.match(uri, /^otpauth:\/\/totp\/Vangrail:someone%40test\.example\?/);
  assert.match(uri, /issuer=Vangrail/);
});
