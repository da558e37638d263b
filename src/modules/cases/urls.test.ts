import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidUrlError, normaliseUrl } from "./urls.ts";

test("spellings of the same URL normalise to one key", () => {
  const key = "https://example.org/a/c?id=7&x=1";
  for (const spelling of [
    "https://example.org/a/c?id=7&x=1",
    "HTTPS://EXAMPLE.ORG/a/c?x=1&id=7",
    "https://example.org:443/a/b/../c?id=7&x=1#comments",
    "https://example.org/a/./c?utm_source=x&id=7&fbclid=abc&x=1",
    "example.org/a/c?id=7&x=1&gclid=1",
    "  https://example.org./a/c?id=7&x=1  ",
  ]) {
    assert.equal(normaliseUrl(spelling), key, spelling);
  }
});

test("IDN hosts become punycode; non-default ports stay; paths keep case", () => {
  assert.equal(normaliseUrl("https://bücher.example/Pad"), "https://xn--bcher-kva.example/Pad");
  assert.equal(normaliseUrl("http://example.org:8080/x"), "http://example.org:8080/x");
  assert.equal(normaliseUrl("http://example.org:80/x"), "http://example.org/x");
  assert.equal(normaliseUrl("https://example.org"), "https://example.org/");
  assert.equal(normaliseUrl("https://example.org/%7e/a%2fb"), "https://example.org/~/a%2Fb");
});

test("credentials are dropped from links", () => {
  assert.equal(normaliseUrl("https://user:secret@example.org/x"), "https://example.org/x");
});

test("hostile and invalid input is refused with a reason", () => {
  for (const bad of [
    "",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "ftp://example.org/x",
    "https://exa mple.org/",
    "https://example.org/\u0000",
    "localhost",
    `https://example.org/${"a".repeat(5000)}`,
    "http://[::1",
  ]) {
    assert.throws(() => normaliseUrl(bad), InvalidUrlError, bad);
  }
});
