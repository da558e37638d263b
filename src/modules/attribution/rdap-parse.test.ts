// Reading RDAP answers: jCards, entities nested under registrars and organisations, the RIRs'
// shapes, placeholders of withheld contacts, and hostile shapes that must be bounded, not
// crash. Also the registrable-domain rules attribution asks domain RDAP with.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { hostAndParents, publicSuffixOf, registrableDomain, tldOf } from "./domains.ts";
import {
  abuseContactOf,
  jsonDepth,
  parseEntities,
  parseVcard,
  storable,
  summariseDomain,
  summariseNetwork,
  usableEmail,
  withRole,
} from "./rdap-parse.ts";

const vcard = (...props: unknown[][]) => ["vcard", [["version", {}, "text", "4.0"], ...props]];

describe("jCard", () => {
  test("fn, kind, email, tel and a labelled address with a country code", () => {
    const v = parseVcard(
      vcard(
        ["fn", {}, "text", "Fictional Hosting B.V."],
        ["kind", {}, "text", "org"],
        ["email", { type: "work" }, "text", "Abuse@Fictional-Hosting.EXAMPLE"],
        ["tel", { type: ["work", "voice"] }, "uri", "tel:+31-20-555-0100"],
        [
          "adr",
          { label: "Keizersgracht 1\nAmsterdam\nNetherlands", cc: "nl" },
          "text",
          ["", "", "", "", "", "", ""],
        ],
      ),
    );
    assert.deepEqual(v, {
      name: "Fictional Hosting B.V.",
      kind: "org",
      emails: ["Abuse@fictional-hosting.example"],
      phones: ["+31-20-555-0100"],
      country: "NL",
      address: "Keizersgracht 1 Amsterdam Netherlands",
    });
  });

  test("an address from its structured parts, org when there is no fn", () => {
    const v = parseVcard(
      vcard(
        ["org", {}, "text", ["Example Registrar, LLC", "Abuse Desk"]],
        ["adr", {}, "text", ["", "Suite 5", ["1 Main St", "Floor 2"], "Springfield", "VA", "20171", "US"]],
      ),
    );
    assert.equal(v.name, "Example Registrar, LLC");
    assert.equal(v.address, "Suite 5, 1 Main St, Floor 2, Springfield, VA, 20171, US");
    assert.equal(v.country, "US");
  });

  test("wrong shapes are ignored, not thrown on", () => {
    for (const bad of [
      null,
      5,
      "vcard",
      ["vcard"],
      ["vcard", "x"],
      ["vcard", [null, 1, ["fn"], [7, {}, "text", "x"]]],
    ])
      assert.deepEqual(parseVcard(bad), {
        name: null,
        kind: null,
        emails: [],
        phones: [],
        country: null,
        address: null,
      });
    assert.equal(
      parseVcard(vcard(["fn", [], "text", { x: 1 }], ["email", null, "text", ["a@b.example"]])).name,
      null,
    );
  });
});

describe("e-mail addresses", () => {
  const ok = ["abuse@example.net", "mailto:abuse@example.net", " noc+abuse@sub.example.co.uk "];
  for (const e of ok) test(`accepts ${JSON.stringify(e)}`, () => assert.ok(usableEmail(e)));
  const placeholders = [
    "REDACTED FOR PRIVACY",
    "redacted@redacted.invalid",
    "Please query the RDAP service of the Registrar of Record identified in this output for information on how to contact the Registrant, Admin, or Tech contact of the queried domain name.",
    "abuse@example.invalid",
    "no-reply@registrar.example",
    "withheld@privacy.example",
    "not-disclosed@example.net",
    "gdpr-masked@example.org",
    "not an address",
    "a@b",
    `${"x".repeat(250)}@example.net`,
    42,
  ];
  for (const e of placeholders)
    test(`refuses ${JSON.stringify(e).slice(0, 60)}`, () => assert.equal(usableEmail(e), null));
});

// Shaped like rdap.db.ripe.net/ip/…: abuse-c as a top-level entity with role "abuse", the ORG
// as "registrant", cidr0 extension, country.
export const ripeNetwork = {
  rdapConformance: ["cidr0", "rdap_level_0", "nro_rdap_profile_0", "redacted"],
  objectClassName: "ip network",
  handle: "185.10.0.0 - 185.10.3.255",
  startAddress: "185.10.0.0",
  endAddress: "185.10.3.255",
  ipVersion: "v4",
  name: "FICTIONAL-HOSTING-NL",
  type: "ASSIGNED PA",
  country: "NL",
  parentHandle: "185.10.0.0 - 185.10.255.255",
  cidr0_cidrs: [{ v4prefix: "185.10.0.0", length: 22 }],
  entities: [
    {
      objectClassName: "entity",
      handle: "ORG-FH1-RIPE",
      roles: ["registrant"],
      vcardArray: vcard(["fn", {}, "text", "Fictional Hosting B.V."], ["kind", {}, "text", "org"]),
    },
    {
      objectClassName: "entity",
      handle: "FHAB-RIPE",
      roles: ["abuse"],
      vcardArray: vcard(
        ["fn", {}, "text", "Abuse desk"],
        ["kind", {}, "text", "group"],
        ["email", { type: "abuse" }, "text", "abuse@fictional-hosting.example"],
      ),
    },
    { objectClassName: "entity", handle: "FH-TECH-RIPE", roles: ["technical", "administrative"] },
  ],
  port43: "whois.ripe.net",
};

// Shaped like rdap.arin.net/registry/ip/…: the abuse POC nested inside the organisation.
export const arinNetwork = {
  rdapConformance: ["nro_rdap_profile_0", "rdap_level_0", "cidr0", "arin_originas0"],
  objectClassName: "ip network",
  handle: "NET-23-1-0-0-1",
  startAddress: "23.1.0.0",
  endAddress: "23.1.255.255",
  ipVersion: "v4",
  name: "EXAMPLE-CLOUD",
  type: "DIRECT ALLOCATION",
  cidr0_cidrs: [{ v4prefix: "23.1.0.0", length: 16 }],
  arin_originas0_originautnums: [64500],
  entities: [
    {
      objectClassName: "entity",
      handle: "EXCL",
      roles: ["registrant"],
      vcardArray: vcard(
        ["fn", {}, "text", "Example Cloud, Inc."],
        [
          "adr",
          { label: "1 Cloud Way\nSeattle\nWA\n98101\nUnited States" },
          "text",
          ["", "", "", "", "", "", ""],
        ],
        ["kind", {}, "text", "org"],
      ),
      entities: [
        {
          objectClassName: "entity",
          handle: "ABUSE-EXCL-ARIN",
          roles: ["abuse"],
          vcardArray: vcard(
            ["fn", {}, "text", "Abuse"],
            ["kind", {}, "text", "group"],
            ["email", {}, "text", "trustandsafety@example-cloud.example"],
            ["tel", { type: ["work", "voice"] }, "text", "+1-206-555-0100"],
          ),
        },
        {
          objectClassName: "entity",
          handle: "NOC-EXCL-ARIN",
          roles: ["noc", "technical"],
          vcardArray: vcard(["email", {}, "text", "noc@example-cloud.example"]),
        },
      ],
    },
  ],
  port43: "whois.arin.net",
};

// Shaped like rdap.verisign.com/com/v1/domain/…: the registrar with its IANA id and, nested,
// the abuse contact (ICANN's RDAP response profile).
export const verisignDomain = {
  objectClassName: "domain",
  handle: "2336799_DOMAIN_COM-VRSN",
  ldhName: "NUDIFY-EXAMPLE.COM",
  links: [
    {
      value: "https://rdap.verisign.com/com/v1/domain/NUDIFY-EXAMPLE.COM",
      rel: "self",
      href: "https://rdap.verisign.com/com/v1/domain/NUDIFY-EXAMPLE.COM",
      type: "application/rdap+json",
    },
  ],
  status: ["client delete prohibited", "client transfer prohibited"],
  entities: [
    {
      objectClassName: "entity",
      handle: "9999",
      roles: ["registrar"],
      publicIds: [{ type: "IANA Registrar ID", identifier: "9999" }],
      vcardArray: vcard(["fn", {}, "text", "Fictional Registrar, LLC"]),
      entities: [
        {
          objectClassName: "entity",
          roles: ["abuse"],
          vcardArray: vcard(
            ["fn", {}, "text", ""],
            ["tel", { type: "voice" }, "uri", "tel:+1.4805550100"],
            ["email", {}, "text", "abuse@fictional-registrar.example"],
          ),
        },
      ],
    },
  ],
  nameservers: [{ objectClassName: "nameserver", ldhName: "NS1.EXAMPLE.NET" }],
  port43: "whois.verisign-grs.com",
};

describe("entities", () => {
  test("nested entities keep their roles", () => {
    const es = parseEntities(arinNetwork.entities);
    assert.equal(es.length, 1);
    assert.deepEqual(
      es[0]?.entities.map((e) => e.roles),
      [["abuse"], ["noc", "technical"]],
    );
    assert.equal(abuseContactOf(es)?.emails[0], "trustandsafety@example-cloud.example");
  });

  test("withRole is breadth-first: the shallowest abuse contact first", () => {
    const es = parseEntities([
      {
        roles: ["registrant"],
        entities: [{ roles: ["abuse"], vcardArray: vcard(["email", {}, "text", "deep@x.example"]) }],
      },
      { roles: ["abuse"], vcardArray: vcard(["email", {}, "text", "top@x.example"]) },
    ]);
    assert.deepEqual(
      withRole(es, "abuse").map((e) => e.emails[0]),
      ["top@x.example", "deep@x.example"],
    );
  });

  test("an abuse entity without a usable address is passed over", () => {
    const es = parseEntities([
      { roles: ["abuse"], vcardArray: vcard(["email", {}, "text", "REDACTED FOR PRIVACY"]) },
      {
        roles: ["registrant"],
        entities: [{ roles: ["abuse"], vcardArray: vcard(["email", {}, "text", "real@x.example"]) }],
      },
    ]);
    assert.equal(abuseContactOf(es)?.emails[0], "real@x.example");
  });

  test("an entity repeated inside itself is not walked again", () => {
    const loop: Record<string, unknown> = { handle: "LOOP", roles: ["registrant"] };
    let inner = loop;
    for (let i = 0; i < 5; i++) {
      const next = {
        handle: "LOOP",
        roles: ["abuse"],
        vcardArray: vcard(["email", {}, "text", `l${i}@x.example`]),
      };
      inner.entities = [next];
      inner = next;
    }
    const es = parseEntities([loop]);
    assert.equal(es[0]?.entities.length, 1);
    assert.deepEqual(es[0]?.entities[0]?.entities, []);
  });

  test("depth and count are bounded", () => {
    let deep: Record<string, unknown> = {
      roles: ["abuse"],
      vcardArray: vcard(["email", {}, "text", "bottom@x.example"]),
    };
    for (let i = 0; i < 50; i++) deep = { handle: `H${i}`, roles: ["registrant"], entities: [deep] };
    assert.equal(abuseContactOf(parseEntities([deep])), null, "too deep to reach");
    const wide = Array.from({ length: 10_000 }, (_, i) => ({ handle: `E${i}`, roles: ["technical"] }));
    assert.equal(parseEntities(wide, { maxEntityDepth: 8, maxEntities: 100 }).length, 100);
  });
});

describe("networks and domains", () => {
  test("a RIPE network: holder, abuse contact, CIDR, country", () => {
    const n = summariseNetwork(ripeNetwork);
    assert.equal(n.name, "FICTIONAL-HOSTING-NL");
    assert.equal(n.holder?.name, "Fictional Hosting B.V.");
    assert.equal(n.abuse?.emails[0], "abuse@fictional-hosting.example");
    assert.deepEqual(n.cidrs, ["185.10.0.0/22"]);
    assert.equal(n.country, "NL");
    assert.deepEqual(n.asns, []);
    assert.equal(n.port43, "whois.ripe.net");
  });

  test("an ARIN network: abuse nested in the organisation, origin AS", () => {
    const n = summariseNetwork(arinNetwork);
    assert.equal(n.holder?.name, "Example Cloud, Inc.");
    assert.equal(n.abuse?.emails[0], "trustandsafety@example-cloud.example");
    assert.equal(n.abuse?.phones[0], "+1-206-555-0100");
    assert.deepEqual(n.asns, [64500]);
    assert.equal(n.country, null);
  });

  test("a .com domain: registrar, IANA id, nested abuse contact", () => {
    const d = summariseDomain(verisignDomain);
    assert.equal(d.ldhName, "nudify-example.com");
    assert.deepEqual(d.registrar, {
      name: "Fictional Registrar, LLC",
      handle: "9999",
      ianaId: "9999",
      abuseEmail: "abuse@fictional-registrar.example",
      abusePhone: "+1.4805550100",
      country: null,
    });
  });

  test("a ccTLD registrar with its own address and no nested abuse contact", () => {
    const d = summariseDomain({
      objectClassName: "domain",
      ldhName: "voorbeeld.nl",
      entities: [
        {
          roles: ["registrar"],
          vcardArray: vcard(
            ["fn", {}, "text", "Registrar B.V."],
            ["email", {}, "text", "support@registrar.example"],
          ),
        },
      ],
    });
    assert.equal(d.registrar?.abuseEmail, "support@registrar.example");
    assert.equal(d.registrar?.ianaId, null);
  });

  test("anything else gives empty facts", () => {
    for (const a of [
      null,
      [],
      "x",
      {
        entities: "x",
        cidr0_cidrs: [null, { v4prefix: 5 }],
        country: 7,
        arin_originas0_originautnums: ["AS64501", -1, 1e20],
      },
    ]) {
      const n = summariseNetwork(a);
      assert.equal(n.abuse, null);
      assert.deepEqual(n.cidrs, []);
      assert.equal(summariseDomain(a).registrar, null);
    }
    assert.deepEqual(summariseNetwork({ arin_originas0_originautnums: ["AS64501", -1, 1e20] }).asns, [64501]);
  });
});

describe("hostile JSON", () => {
  test("depth is counted without parsing, strings and escapes respected", () => {
    assert.equal(jsonDepth('{"a":[1,{"b":"[[[["}]}'), 3);
    assert.equal(jsonDepth('"\\"[[["'), 0);
    assert.equal(jsonDepth("[".repeat(1_000_000), 100), 101, "stops counting past the limit");
  });

  test("storable removes what jsonb refuses", () => {
    const v = storable({ "a\u0000": ["x\u0000y", "\ud800lone"], n: 1 }) as Record<string, string[]>;
    assert.deepEqual(Object.keys(v), ["a\uFFFD", "n"]);
    assert.deepEqual(v["a\uFFFD"], ["x\uFFFDy", "\uFFFDlone"]);
  });
});

describe("registrable domains", () => {
  const cases: [string, string | null, string | null][] = [
    ["www.example.com", "example.com", "com"],
    ["example.com", "example.com", "com"],
    ["a.b.c.voorbeeld.nl", "voorbeeld.nl", "nl"],
    ["shop.example.co.uk", "example.co.uk", "uk"],
    ["example.co.uk", "example.co.uk", "uk"],
    ["co.uk", null, "uk"],
    ["com", null, null],
    ["x.example.com.au", "example.com.au", "au"],
    ["user.github.io", "github.io", "io"],
    ["EXAMPLE.COM.", "example.com", "com"],
    ["185.10.1.5", null, null],
    ["[2001:db8::1]", null, null],
  ];
  for (const [host, domain, tld] of cases)
    test(`${host} → ${domain}`, () => {
      assert.equal(registrableDomain(host), domain);
      assert.equal(tldOf(host), tld);
    });

  test("suffixes and parents", () => {
    assert.equal(publicSuffixOf("a.example.co.uk"), "co.uk");
    assert.deepEqual(hostAndParents("a.b.example.com"), [
      "a.b.example.com",
      "b.example.com",
      "example.com",
      "com",
    ]);
  });
});

describe("origin AS of an ip network answer", () => {
  const net = (extra: Record<string, unknown>) =>
    summariseNetwork({ objectClassName: "ip network", name: "N", ...extra });
  const cases: [string, Record<string, unknown>, number[], string | null][] = [
    [
      "ARIN's extension",
      { arin_originas0_originautnums: [64500, "64501"] },
      [64500, 64501],
      "arin_originas0",
    ],
    [
      "LACNIC's field, a string",
      { lacnic_originAutnum: "AS64510, AS64512" },
      [64510, 64512],
      "lacnic_originAutnum",
    ],
    ["NIC.br's number", { nicbr_autnum: 64511 }, [64511], "nicbr_autnum"],
    [
      "embedded autnums",
      { autnums: [{ handle: "AS64520" }, { startAutnum: 64521 }] },
      [64520, 64521],
      "autnums",
    ],
    [
      "a link to an autnum object",
      {
        links: [
          { rel: "self", href: "https://x/ip/1" },
          { rel: "related", href: "https://x/autnum/64530" },
        ],
      },
      [64530],
      "autnum link",
    ],
    [
      "ARIN first when several say",
      { nicbr_autnum: 1, arin_originas0_originautnums: [2] },
      [2],
      "arin_originas0",
    ],
    ["RIPE, APNIC, AFRINIC: none", { cidr0_cidrs: [{ v4prefix: "185.10.0.0", length: 22 }] }, [], null],
    [
      "nonsense refused",
      { lacnic_originAutnum: "N/A", nicbr_autnum: -5, arin_originas0_originautnums: [0, 2 ** 33, "x"] },
      [],
      null,
    ],
  ];
  for (const [name, extra, asns, source] of cases)
    test(name, () => {
      const s = net(extra);
      assert.deepEqual(s.asns, asns);
      assert.equal(s.asnSource, source);
    });
});
