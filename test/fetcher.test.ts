// The safe fetcher against a local fixture server: private addresses refused on the first
// request and on every redirect hop, bounds on size, time, decompression and redirects.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { denyReason } from "../src/platform/fetcher/addresses.ts";
import { Fetcher } from "../src/platform/fetcher/fetcher.ts";
import { loopbackAllowed, type Resolver } from "../src/platform/fetcher/guard.ts";
import { compressionBombs, type FixtureServer, startFixtureServer } from "./support/fixture-server.ts";

process.env.VANGRAIL_TEST_MODE = "1";

let fx: FixtureServer;
before(async () => {
  fx = await startFixtureServer();
  compressionBombs();
});
after(() => fx.close());

/** A resolver that never asks DNS: names map to fixed answers. */
const fakeDns =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const a = table[host];
    if (!a) throw new Error(`ENOTFOUND ${host}`);
    return a.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

describe("address judgement", () => {
  const cases: [string, string | null][] = [
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.5.4", "private"],
    ["172.32.0.1", null],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link_local"],
    ["100.64.0.1", "cgnat"],
    ["100.128.0.1", null],
    ["0.0.0.0", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["224.0.0.1", "multicast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.7", "documentation"],
    ["198.51.100.1", "documentation"],
    ["203.0.113.9", "documentation"],
    ["198.18.0.1", "reserved"],
    ["8.8.8.8", null],
    ["93.184.216.34", null],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.1.2.3", "private"],
    ["::ffff:8.8.8.8", null],
    ["::127.0.0.1", "reserved"],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b::169.254.169.254", "link_local"],
    ["64:ff9b::8.8.8.8", null],
    ["2002:0a00:0001::1", "private"],
    ["2002:0808:0808::1", null],
    ["2001:0:4136:e378:8000:63bf:f5ff:fffe", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["fe80::1%eth0", "link_local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["2606:4700:4700::1111", null],
    ["2a00:1450:4001::1", null],
    ["not-an-ip", "not_an_ip"],
  ];
  for (const [ip, want] of cases)
    test(`${ip} → ${want ?? "public"}`, () => {
      assert.equal(denyReason(ip), want);
    });
});

describe("loopback exception", () => {
  test("needs VANGRAIL_TEST_MODE=1 and a NODE_ENV other than production", () => {
    assert.equal(loopbackAllowed({ VANGRAIL_TEST_MODE: "1", NODE_ENV: "test" }), true);
    assert.equal(loopbackAllowed({ VANGRAIL_TEST_MODE: "1", NODE_ENV: "production" }), false);
    assert.equal(loopbackAllowed({ NODE_ENV: "test" }), false);
    assert.equal(loopbackAllowed({ VANGRAIL_TEST_MODE: "true" }), false);
  });
});

describe("refused in production mode", () => {
  const prod = new Fetcher({
    resolver: fakeDns({
      "evil.example": ["10.0.0.1"],
      "mixed.example": ["93.184.216.34", "127.0.0.1"],
      "meta.example": ["169.254.169.254"],
      "v6.example": ["::1"],
    }),
    timeoutMs: 5000,
  });

  for (const target of [
    "http://127.0.0.1:PORT/page.html",
    "http://10.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:PORT/page.html",
    "http://[::ffff:127.0.0.1]:PORT/page.html",
    "http://[::ffff:a9fe:a9fe]/",
    "http://evil.example/",
    "http://mixed.example/",
    "http://meta.example/",
    "http://v6.example/",
    "http://0.0.0.0:PORT/",
    "http://2130706433:PORT/",
    "http://0x7f.1:PORT/",
  ])
    test(target, async () => {
      const before = fx.requests.length;
      await assert.rejects(prod.fetch(target.replace("PORT", String(fx.port))), code("fetch_blocked"));
      assert.equal(fx.requests.length, before, "no request may reach the server");
    });

  test("non-http schemes", async () => {
    await assert.rejects(prod.fetch("file:///etc/passwd"), code("fetch_blocked"));
    await assert.rejects(prod.fetch("ftp://example.org/"), code("fetch_blocked"));
  });

  test("the loopback option alone does not open loopback without test mode", async () => {
    const saved = process.env.VANGRAIL_TEST_MODE;
    delete process.env.VANGRAIL_TEST_MODE;
    try {
      const f = new Fetcher({ allowLoopback: true });
      await assert.rejects(f.fetch(`${fx.url}/page.html`), code("fetch_blocked"));
    } finally {
      process.env.VANGRAIL_TEST_MODE = saved;
    }
  });
});

describe("with the loopback fixture allowed", () => {
  const f = new Fetcher({
    allowLoopback: true,
    timeoutMs: 10_000,
    headerTimeoutMs: 1000,
    maxBytes: 2 * 1024 * 1024,
    contactUrl: "https://hotline.example/about-our-crawler",
    resolver: fakeDns({ "fixture.test": ["127.0.0.1"], "evil.example": ["10.0.0.1"] }),
  });

  test("fetches a page, follows a redirect chain and records every hop", async () => {
    const r = await f.fetch(`${fx.url}/start`);
    assert.equal(r.status, 200);
    assert.equal(r.finalUrl, `${fx.url}/page.html`);
    assert.deepEqual(
      r.hops.map((h) => h.status),
      [302, 301, 307, 200],
    );
    assert.ok(r.hops.every((h) => h.address === "127.0.0.1"));
    assert.match(r.body.toString(), /Synthetic fixture/);
    assert.equal(r.mediaType, "text/html");
  });

  test("connects to the checked address but keeps the host name in Host", async () => {
    const r = await f.fetch(`http://fixture.test:${fx.port}/headers`);
    const seen = JSON.parse(r.body.toString()) as Record<string, string>;
    assert.equal(seen.host, `fixture.test:${fx.port}`);
    assert.match(seen["user-agent"] ?? "", /^Vangrail\/.*\+https:\/\/hotline\.example\/about-our-crawler/);
  });

  for (const to of [
    "http://10.0.0.1/x",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:10.0.0.1]/",
    "http://evil.example/",
    "http://[fd00::1]/",
  ])
    test(`a redirect to ${to} is refused`, async () => {
      await assert.rejects(f.fetch(`${fx.url}/to?u=${encodeURIComponent(to)}`), code("fetch_blocked"));
    });

  test("a redirect to a private address is refused in production mode on the hop too", async () => {
    const seen: string[] = [];
    const g = new Fetcher({
      resolver: async (h) => {
        seen.push(h);
        return [{ address: "10.9.9.9", family: 4 }];
      },
    });
    await assert.rejects(g.fetch("http://public.example/"), code("fetch_blocked"));
    assert.deepEqual(seen, ["public.example"]);
  });

  test("redirect loops stop at the limit", async () => {
    await assert.rejects(f.fetch(`${fx.url}/loop`), code("fetch_too_many_redirects"));
  });

  test("a 5 GB endless response is cut at the limit", async () => {
    await assert.rejects(f.fetch(`${fx.url}/endless`), code("fetch_too_large"));
    await assert.rejects(f.fetch(`${fx.url}/endless-chunked`), code("fetch_too_large"));
  });

  test("a gzip bomb and a brotli bomb stop at the decompressed limit", async () => {
    await assert.rejects(f.fetch(`${fx.url}/bomb.gz`), code("fetch_too_large"));
    await assert.rejects(f.fetch(`${fx.url}/bomb.br`), code("fetch_too_large"));
  });

  test("a compressed page is decoded", async () => {
    const r = await f.fetch(`${fx.url}/gzip`);
    assert.equal(r.contentEncoding, "gzip");
    assert.match(r.body.toString(), /compressed/);
  });

  test("a server that never answers times out", async () => {
    await assert.rejects(f.fetch(`${fx.url}/slow`), code("fetch_timeout"));
  });

  test("a body that stalls hits the total time limit", async () => {
    const g = new Fetcher({ allowLoopback: true, timeoutMs: 800 });
    await assert.rejects(g.fetch(`${fx.url}/slow-body`), code("fetch_timeout"));
  });

  test("no more than the per-host limit of requests run at once", async () => {
    const g = new Fetcher({ allowLoopback: true, perHostConcurrency: 2, timeoutMs: 10_000 });
    const start = fx.requests.length;
    const all = await Promise.all(Array.from({ length: 6 }, () => g.fetch(`${fx.url}/page.html`)));
    assert.equal(all.length, 6);
    assert.equal(fx.requests.length - start, 6);
  });
});

describe("https", () => {
  test("records the certificate's subject, issuer and fingerprint, checked against the host name", async () => {
    const { execFileSync } = await import("node:child_process");
    const { mkdtempSync, readFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { createServer } = await import("node:https");
    const { X509Certificate } = await import("node:crypto");
    const dir = mkdtempSync(join(tmpdir(), "vg-tls-"));
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          "k.pem",
          "-out",
          "c.pem",
          "-days",
          "2",
          "-subj",
          "/CN=fixture.test/O=Vangrail Test Site",
          "-addext",
          "subjectAltName=DNS:fixture.test",
        ],
        { cwd: dir, stdio: "pipe" },
      );
      const cert = readFileSync(join(dir, "c.pem"), "utf8");
      const server = createServer({ key: readFileSync(join(dir, "k.pem")), cert }, (_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<p>secure fixture</p>");
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as import("node:net").AddressInfo).port;
      try {
        const f = new Fetcher({
          allowLoopback: true,
          ca: cert,
          resolver: fakeDns({ "fixture.test": ["127.0.0.1"], "other.test": ["127.0.0.1"] }),
        });
        const r = await f.fetch(`https://fixture.test:${port}/`);
        const tls = r.hops[0]?.tls;
        assert.ok(tls);
        assert.match(tls.subject, /CN=fixture\.test/);
        assert.equal(tls.fingerprint256, new X509Certificate(cert).fingerprint256);
        // The same server under a name its certificate does not cover is refused.
        await assert.rejects(f.fetch(`https://other.test:${port}/`), code("fetch_failed"));
      } finally {
        server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
