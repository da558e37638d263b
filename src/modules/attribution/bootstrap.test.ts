// The bootstrap registry: the shipped files are valid RFC 9224 and answer for the RIRs' space;
// longest prefix wins for IPv4 and IPv6; AS ranges and TLDs; bad files are refused; a download
// replaces all four files or none.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  Bootstrap,
  type BootstrapFile,
  downloadBootstrap,
  loadBootstrap,
  registryOperator,
  validateBootstrap,
} from "./bootstrap.ts";
import { parseIp } from "./ip.ts";

const shipped = loadBootstrap();
const ripe = "https://rdap.db.ripe.net/";
const arin = "https://rdap.arin.net/registry/";
const apnic = "https://rdap.apnic.net/";
const lacnic = "https://rdap.lacnic.net/rdap/";
const afrinic = "https://rdap.afrinic.net/rdap/";

describe("IP parsing", () => {
  const cases: [string, 4 | 6, bigint][] = [
    ["1.2.3.4", 4, 0x01020304n],
    ["255.255.255.255", 4, 0xffffffffn],
    ["::", 6, 0n],
    ["::1", 6, 1n],
    ["2001:db8::1", 6, 0x20010db8000000000000000000000001n],
    ["2a00:1450:4001:80b::200e", 6, 0x2a0014504001080b000000000000200en],
    ["::ffff:1.2.3.4", 6, 0xffff01020304n],
    ["::1.2.3.4", 6, 0x01020304n],
    ["1:2:3:4:5:6:7.8.9.10", 6, 0x0001000200030004000500060708090an],
    ["[2001:db8::1]", 6, 0x20010db8000000000000000000000001n],
    ["fe80::1%eth0", 6, 0xfe800000000000000000000000000001n],
  ];
  for (const [text, family, value] of cases)
    test(text, () => {
      assert.deepEqual(parseIp(text), { family, value });
    });
  for (const bad of ["", "1.2.3", "1.2.3.256", "example.com", "::g", "1::2::3", "01.2.3.4x"])
    test(`refuses ${JSON.stringify(bad)}`, () => assert.equal(parseIp(bad), null));
});

describe("the shipped bootstrap", () => {
  test("is valid RFC 9224 and says it was reconstructed, not downloaded", () => {
    for (const kind of ["dns", "ipv4", "ipv6", "asn"] as const) {
      const f = shipped.files[kind];
      assert.equal(f.version, "1.0");
      assert.match(f.description ?? "", /NOT a copy downloaded from data\.iana\.org/);
      assert.ok(!Number.isNaN(Date.parse(f.publication)));
    }
  });

  const ips: [string, string][] = [
    ["185.10.1.5", ripe],
    ["193.0.6.139", ripe],
    ["8.8.8.8", arin],
    ["104.16.0.1", arin],
    ["1.1.1.1", apnic],
    ["203.0.114.1", apnic],
    ["200.160.2.3", lacnic],
    ["41.1.2.3", afrinic],
    ["196.1.2.3", afrinic],
    ["2a00:1450:4001::1", ripe],
    ["2001:67c:2e8::1", ripe],
    ["2600:1f18::1", arin],
    ["2400:cb00::1", apnic],
    ["2800:3f0::1", lacnic],
    ["2c0f:f000::1", afrinic],
  ];
  for (const [ip, url] of ips)
    test(`${ip} → ${url}`, () => {
      assert.equal(shipped.forIp(ip)?.urls[0], url);
    });

  test("space outside every RIR block has no server", () => {
    for (const ip of ["10.0.0.1", "127.0.0.1", "240.0.0.1", "fc00::1", "3fff::1"])
      assert.equal(shipped.forIp(ip), null);
  });

  test("AS numbers and TLDs", () => {
    assert.equal(shipped.forAsn(3333)?.urls[0], undefined);
    assert.equal(shipped.forAsn(8283)?.urls[0], ripe);
    assert.equal(shipped.forAsn(60781)?.urls[0], ripe);
    assert.equal(shipped.forAsn(13335)?.urls[0], arin);
    assert.equal(shipped.forAsn(64512), null);
    assert.equal(shipped.forDomain("www.example.com")?.urls[0], "https://rdap.verisign.com/com/v1/");
    assert.equal(shipped.forDomain("voorbeeld.NL.")?.urls[0], "https://rdap.sidn.nl/");
    assert.equal(shipped.forDomain("x.y.invalidtld"), null);
  });

  test("HTTPS base URLs come first", () => {
    assert.deepEqual(shipped.forIp("8.8.8.8")?.urls, [arin, "http://rdap.arin.net/registry/"]);
  });

  test("registry operators by server", () => {
    assert.equal(
      registryOperator("https://rdap.sidn.nl/"),
      "SIDN (Stichting Internet Domeinregistratie Nederland)",
    );
    assert.equal(registryOperator("https://rdap.nic.example/"), "rdap.nic.example");
  });
});

const file = (services: [string[], string[]][]): BootstrapFile => ({
  version: "1.0",
  publication: "2026-01-01T00:00:00Z",
  services,
});

describe("lookups", () => {
  const bs = new Bootstrap({
    ipv4: file([
      [["10.0.0.0/8"], ["https://a.test/"]],
      [["10.1.0.0/16"], ["https://b.test/"]],
      [["10.1.2.0/24"], ["https://c.test/"]],
    ]),
    ipv6: file([
      [["2001:db8::/32"], ["https://a.test/"]],
      [["2001:db8:1::/48"], ["https://b.test/"]],
    ]),
    asn: file([
      [["1-100", "200-300"], ["https://a.test/"]],
      [["101-199"], ["https://b.test/"]],
    ]),
    dns: file([
      [["uk"], ["https://a.test/"]],
      [["co.uk"], ["https://b.test/"]],
    ]),
  });

  test("the longest prefix wins", () => {
    assert.equal(bs.forIp("10.9.9.9")?.urls[0], "https://a.test/");
    assert.equal(bs.forIp("10.1.9.9")?.urls[0], "https://b.test/");
    assert.equal(bs.forIp("10.1.2.3")?.entry, "10.1.2.0/24");
    assert.equal(bs.forIp("11.0.0.1"), null);
    assert.equal(bs.forIp("2001:db8:2::1")?.urls[0], "https://a.test/");
    assert.equal(bs.forIp("2001:db8:1:ffff::1")?.entry, "2001:db8:1::/48");
    assert.equal(bs.forIp("::ffff:10.1.2.3"), null, "an IPv4-mapped address is IPv6 space");
  });

  test("AS ranges, inclusive at both ends", () => {
    assert.equal(bs.forAsn(1)?.urls[0], "https://a.test/");
    assert.equal(bs.forAsn(100)?.urls[0], "https://a.test/");
    assert.equal(bs.forAsn(101)?.urls[0], "https://b.test/");
    assert.equal(bs.forAsn(250)?.urls[0], "https://a.test/");
    assert.equal(bs.forAsn(301), null);
  });

  test("the longest label suffix wins", () => {
    assert.equal(bs.forDomain("x.co.uk")?.urls[0], "https://b.test/");
    assert.equal(bs.forDomain("x.org.uk")?.urls[0], "https://a.test/");
  });
});

describe("validation", () => {
  const bad: [string, unknown][] = [
    ["not an object", []],
    [
      "wrong version",
      { version: "2.0", publication: "2026-01-01", services: [[["1.0.0.0/8"], ["https://x/"]]] },
    ],
    ["no publication", { version: "1.0", services: [[["1.0.0.0/8"], ["https://x/"]]] }],
    ["no services", { version: "1.0", publication: "2026-01-01", services: [] }],
    [
      "bad prefix",
      { version: "1.0", publication: "2026-01-01", services: [[["1.0.0.0/33"], ["https://x/"]]] },
    ],
    ["v6 in v4", { version: "1.0", publication: "2026-01-01", services: [[["2001::/16"], ["https://x/"]]] }],
    ["bad URL", { version: "1.0", publication: "2026-01-01", services: [[["1.0.0.0/8"], ["ftp://x/"]]] }],
    ["no URL", { version: "1.0", publication: "2026-01-01", services: [[["1.0.0.0/8"], []]] }],
  ];
  for (const [why, data] of bad)
    test(`refuses: ${why}`, () => assert.throws(() => validateBootstrap("ipv4", data), /not valid/));

  test("refuses a reversed AS range and an empty label", () => {
    const f = (k: string) => ({
      version: "1.0",
      publication: "2026-01-01",
      services: [[[k], ["https://x/"]]],
    });
    assert.throws(() => validateBootstrap("asn", f("10-1")), /not valid/);
    assert.throws(() => validateBootstrap("dns", f("")), /not valid/);
    assert.throws(() => validateBootstrap("dns", f("a..b")), /not valid/);
  });

  test("adds the closing slash to a base URL", () => {
    const v = validateBootstrap("dns", {
      version: "1.0",
      publication: "2026-01-01",
      services: [[["Example"], ["https://rdap.example/v1"]]],
    });
    assert.deepEqual(v.services[0], [["example"], ["https://rdap.example/v1/"]]);
  });
});

describe("download", () => {
  const good = (kind: string, publication = "2027-01-01T00:00:00Z") =>
    Buffer.from(
      JSON.stringify({
        version: "1.0",
        publication,
        services: [
          [
            [kind === "dns" ? "nl" : kind === "asn" ? "1-10" : kind === "ipv4" ? "1.0.0.0/8" : "2001::/16"],
            ["https://x.test/"],
          ],
        ],
      }),
    );

  test("replaces all four files after validating every one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vg-boot-"));
    try {
      const asked: string[] = [];
      const out = await downloadBootstrap(async (url) => {
        asked.push(url);
        return good(/(\w+)\.json$/.exec(url)?.[1] as string);
      }, dir);
      assert.deepEqual(
        asked,
        ["dns", "ipv4", "ipv6", "asn"].map((k) => `https://data.iana.org/rdap/${k}.json`),
      );
      assert.equal(out.files.length, 4);
      assert.deepEqual(readdirSync(dir).sort(), ["asn.json", "dns.json", "ipv4.json", "ipv6.json"]);
      assert.equal(loadBootstrap(dir).forDomain("a.nl")?.urls[0], "https://x.test/");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("one bad file leaves every file as it was", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vg-boot-"));
    try {
      for (const k of ["dns", "ipv4", "ipv6", "asn"])
        writeFileSync(join(dir, `${k}.json`), good(k, "2026-06-01T00:00:00Z"));
      const before = readFileSync(join(dir, "dns.json"), "utf8");
      await assert.rejects(
        downloadBootstrap(
          async (url) =>
            url.endsWith("ipv6.json") ? Buffer.from("<html>") : good(/(\w+)\.json$/.exec(url)?.[1] as string),
          dir,
        ),
        /not JSON/,
      );
      assert.equal(readFileSync(join(dir, "dns.json"), "utf8"), before);
      assert.deepEqual(
        readdirSync(dir).sort(),
        ["asn.json", "dns.json", "ipv4.json", "ipv6.json"],
        "no temp files left",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an older publication is refused unless forced", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vg-boot-"));
    try {
      for (const k of ["dns", "ipv4", "ipv6", "asn"])
        writeFileSync(join(dir, `${k}.json`), good(k, "2028-01-01T00:00:00Z"));
      const dl = async (url: string) => good(/(\w+)\.json$/.exec(url)?.[1] as string, "2027-01-01T00:00:00Z");
      await assert.rejects(downloadBootstrap(dl, dir), /older/);
      const out = await downloadBootstrap(dl, dir, { force: true });
      assert.equal(out.files[0]?.replaced, "2028-01-01T00:00:00Z");
      assert.equal(loadBootstrap(dir).files.dns.publication, "2027-01-01T00:00:00Z");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
