// A local RDAP server standing in for the RIRs and registries, with answers in the shape of
// RFC 9083 as rdap.db.ripe.net, rdap.arin.net, Verisign's and SIDN's servers give them:
//   /ripe/ip/…   RIPE NCC: abuse-c as a top-level entity with role "abuse", the ORG as
//                registrant, cidr0; IPv4 185.10.0.0/16, 146.0.0.0/8 (legacy space, see ARIN)
//                and IPv6 2a00::/12
//   /arin/ip/…   ARIN: the abuse POC nested in the organisation, arin_originas0 origin AS;
//                23.0.0.0/8; redirects 146.0.0.0/8 to /ripe/ (legacy space transferred away)
//   /apnic/ip/…  APNIC: the abuse IRT at the top level, no origin AS; 202.0.0.0/8
//   /lacnic/ip/… LACNIC: abuse nested in the holder, `lacnic_originAutnum`; 200.0.0.0/8, and
//                redirects 177.0.0.0/8 to /nicbr/ (NIC.br: `nicbr_autnum`)
//   /afrinic/ip/… AFRINIC: RIPE-like, no origin AS; 41.0.0.0/8
//   /tld/com/…   a thin gTLD registry: the registrar with its IANA id and a nested abuse entity
//   /tld/nl/…    a ccTLD registry: the registrar with its own address, no IANA id
//   /bad/…       hostile: 404 documents, 429 with Retry-After, 500, a body far past any
//                limit, malformed JSON, JSON that is not an object, nesting a million deep, HTML,
//                five thousand entities with NULs and loops, a redirect loop, a redirect to a
//                private address, the wrong object class, no answer at all, a 20,000-character
//                holder name with control characters, only unusable abuse addresses, a name
//                with bidi overrides
// The hostile behaviour is chosen by the last octet of an IP (45.0.0.N) or the first label of
// a domain under .org (b404.org …). Each "server" has its own host name (ripe.rdap.test,
// arin.rdap.test, com.rdap.test, nl.rdap.test, bad.rdap.test), all on one loopback port;
// `resolver` maps them for the fetcher. It writes a bootstrap folder pointing at itself.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Resolver } from "../../src/platform/fetcher/guard.ts";

export interface RdapServer {
  /** Base URL of one of the servers: `rdap.base("ripe")` = http://ripe.rdap.test:PORT/ripe/. */
  base(name: "ripe" | "arin" | "apnic" | "lacnic" | "nicbr" | "afrinic" | "com" | "nl" | "bad"): string;
  /** Resolves the servers' host names to 127.0.0.1, for the fetcher. */
  resolver: Resolver;
  /** Bootstrap files (RFC 9224) whose servers are this one. */
  bootstrapDir: string;
  /** The same with 127.0.0.1 instead of the host names, for child processes without the resolver. */
  loopbackBootstrapDir: string;
  /** Where the bootstrap files are served over HTTP, as data.iana.org/rdap/ serves IANA's. */
  bootstrapUrl: string;
  /** Every request, as `GET /path`. */
  requests: string[];
  /** Requests whose path starts with `prefix`. */
  count(prefix: string): number;
  /** SHA-256 of the last body served for a path. */
  served: Map<string, string>;
  close(): Promise<void>;
}

const RDAP = "application/rdap+json";

const vcard = (...props: unknown[][]) => ["vcard", [["version", {}, "text", "4.0"], ...props]];

const notFound = (what: string) => ({
  errorCode: 404,
  title: "Not Found",
  description: [`${what} was not found in this registry.`],
});

function ripeNetwork(ip: string) {
  const legacy = ip.startsWith("146.");
  const v6 = ip.includes(":");
  const org = legacy ? "Legacy Transfer B.V." : "Fictional Hosting B.V.";
  const abuse = legacy ? "abuse@legacy-transfer.example" : "abuse@fictional-hosting.example";
  const [start, end, prefix, length] = v6
    ? ["2a00:1000::", "2a00:1000:ffff:ffff:ffff:ffff:ffff:ffff", "2a00:1000::", 32]
    : legacy
      ? ["146.1.0.0", "146.1.255.255", "146.1.0.0", 16]
      : ["185.10.0.0", "185.10.3.255", "185.10.0.0", 22];
  return {
    rdapConformance: ["cidr0", "rdap_level_0", "nro_rdap_profile_0", "redacted"],
    notices: [
      {
        title: "Filtered",
        description: ["This output has been filtered."],
      },
      {
        title: "Terms and Conditions",
        description: ["This is the RIPE Database query service. The objects are in RDAP format."],
        links: [
          { rel: "terms-of-service", href: "https://apps.db.ripe.net/docs/terms", type: "application/pdf" },
        ],
      },
    ],
    objectClassName: "ip network",
    handle: `${start} - ${end}`,
    startAddress: start,
    endAddress: end,
    ipVersion: v6 ? "v6" : "v4",
    name: legacy ? "LEGACY-TRANSFER-NET" : "FICTIONAL-HOSTING-NL",
    type: "ASSIGNED PA",
    country: "NL",
    parentHandle: "0.0.0.0 - 255.255.255.255",
    cidr0_cidrs: [v6 ? { v6prefix: prefix, length } : { v4prefix: prefix, length }],
    entities: [
      {
        objectClassName: "entity",
        handle: legacy ? "ORG-LT1-RIPE" : "ORG-FH1-RIPE",
        roles: ["registrant"],
        vcardArray: vcard(["fn", {}, "text", org], ["kind", {}, "text", "org"]),
      },
      {
        objectClassName: "entity",
        handle: legacy ? "LTAB-RIPE" : "FHAB-RIPE",
        roles: ["abuse"],
        vcardArray: vcard(
          ["fn", {}, "text", "Abuse desk"],
          ["kind", {}, "text", "group"],
          ["email", { type: "abuse" }, "text", abuse],
        ),
      },
      {
        objectClassName: "entity",
        handle: "FH-TECH-RIPE",
        roles: ["administrative", "technical"],
        vcardArray: vcard(
          ["fn", {}, "text", "Technical team"],
          ["email", {}, "text", "noc@fictional-hosting.example"],
        ),
      },
    ],
    links: [
      { value: `https://rdap.db.ripe.net/ip/${ip}`, rel: "self", href: `https://rdap.db.ripe.net/ip/${ip}` },
    ],
    port43: "whois.ripe.net",
  };
}

function arinNetwork(ip: string) {
  return {
    rdapConformance: ["nro_rdap_profile_0", "rdap_level_0", "cidr0", "arin_originas0"],
    notices: [
      {
        title: "Terms of Service",
        description: [
          "By using the ARIN RDAP/Whois service, you are agreeing to the RDAP/Whois Terms of Use",
        ],
      },
    ],
    objectClassName: "ip network",
    handle: "NET-23-1-0-0-1",
    startAddress: "23.1.0.0",
    endAddress: "23.1.255.255",
    ipVersion: "v4",
    name: "EXAMPLE-CLOUD",
    type: "DIRECT ALLOCATION",
    parentHandle: "NET-23-0-0-0-0",
    cidr0_cidrs: [{ v4prefix: "23.1.0.0", length: 16 }],
    arin_originas0_originautnums: [64500],
    events: [{ eventAction: "registration", eventDate: "2012-01-01T00:00:00-05:00" }],
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
              ["org", {}, "text", "Abuse"],
              ["kind", {}, "text", "group"],
              ["email", {}, "text", "trustandsafety@example-cloud.example"],
              ["tel", { type: ["work", "voice"] }, "text", "+1-206-555-0100"],
            ),
          },
          {
            objectClassName: "entity",
            handle: "NOC-EXCL-ARIN",
            roles: ["noc", "technical"],
            vcardArray: vcard(["fn", {}, "text", "NOC"], ["email", {}, "text", "noc@example-cloud.example"]),
          },
        ],
      },
    ],
    links: [
      {
        value: `https://rdap.arin.net/registry/ip/${ip}`,
        rel: "self",
        href: `https://rdap.arin.net/registry/ip/${ip}`,
      },
    ],
    port43: "whois.arin.net",
  };
}

/**
 * APNIC: the abuse contact is an IRT object (an entity with role "abuse") at the top level, the
 * holder an organisation entity; no origin AS anywhere in an ip network answer. 202.0.0.0/8.
 */
function apnicNetwork(ip: string) {
  return {
    rdapConformance: ["history_version_0", "nro_rdap_profile_0", "cidr0", "rdap_level_0"],
    objectClassName: "ip network",
    handle: "202.5.0.0 - 202.5.255.255",
    startAddress: "202.5.0.0",
    endAddress: "202.5.255.255",
    ipVersion: "v4",
    name: "PACIFIC-EXAMPLE-NET",
    type: "ASSIGNED PORTABLE",
    country: "AU",
    cidr0_cidrs: [{ v4prefix: "202.5.0.0", length: 16 }],
    remarks: [{ title: "description", description: ["Pacific Example Hosting Pty Ltd"] }],
    entities: [
      {
        objectClassName: "entity",
        handle: "ORG-PEH1-AP",
        roles: ["registrant"],
        vcardArray: vcard(["fn", {}, "text", "Pacific Example Hosting Pty Ltd"], ["kind", {}, "text", "org"]),
      },
      {
        objectClassName: "entity",
        handle: "IRT-PACIFIC-EXAMPLE-AU",
        roles: ["abuse"],
        vcardArray: vcard(
          ["fn", {}, "text", "IRT-PACIFIC-EXAMPLE-AU"],
          ["kind", {}, "text", "group"],
          ["email", { pref: "1" }, "text", "abuse@pacific-example.example"],
        ),
      },
    ],
    links: [
      { rel: "self", href: `https://rdap.apnic.net/ip/${ip}`, value: `https://rdap.apnic.net/ip/${ip}` },
    ],
    port43: "whois.apnic.net",
  };
}

/**
 * LACNIC: the abuse contact nested in the holder, the origin AS as `lacnic_originAutnum`; 200.0.0.0/8.
 * Its Brazilian space answers from NIC.br (177.0.0.0/8 here, redirected), with `nicbr_autnum`.
 */
function lacnicNetwork(ip: string, nicbr: boolean) {
  return {
    rdapConformance: ["rdap_level_0", "cidr0", ...(nicbr ? ["nicbr"] : ["lacnic"])],
    objectClassName: "ip network",
    handle: nicbr ? "177.10.0.0/16" : "200.7.0.0/16",
    startAddress: nicbr ? "177.10.0.0" : "200.7.0.0",
    endAddress: nicbr ? "177.10.255.255" : "200.7.255.255",
    ipVersion: "v4",
    name: nicbr ? "PROVEDOR-EXEMPLO" : "HOSTING-EJEMPLO",
    type: "ASSIGNED",
    country: nicbr ? "BR" : "UY",
    ...(nicbr ? { nicbr_autnum: 64511 } : { lacnic_originAutnum: ["64510"] }),
    entities: [
      {
        objectClassName: "entity",
        handle: nicbr ? "12345678000190" : "UY-HOEJ-LACNIC",
        roles: ["registrant"],
        vcardArray: vcard(["fn", {}, "text", nicbr ? "Provedor Exemplo Ltda" : "Hosting Ejemplo S.A."]),
        entities: [
          {
            objectClassName: "entity",
            handle: nicbr ? "ABU123" : "ABE2-LACNIC",
            roles: ["abuse"],
            vcardArray: vcard(
              ["fn", {}, "text", "Abuse"],
              [
                "email",
                {},
                "text",
                nicbr ? "abuse@provedor-exemplo.example" : "abuse@hosting-ejemplo.example",
              ],
            ),
          },
        ],
      },
    ],
    links: [{ rel: "self", href: `https://rdap.lacnic.net/rdap/ip/${ip}`, value: "x" }],
  };
}

/** AFRINIC: RIPE-like (the same database software): abuse at the top level, no origin AS. 41.0.0.0/8. */
function afrinicNetwork(ip: string) {
  return {
    rdapConformance: ["rdap_level_0", "cidr0"],
    objectClassName: "ip network",
    handle: "41.9.0.0 - 41.9.255.255",
    startAddress: "41.9.0.0",
    endAddress: "41.9.255.255",
    ipVersion: "v4",
    name: "AFRICA-EXAMPLE-NET",
    country: "KE",
    cidr0_cidrs: [{ v4prefix: "41.9.0.0", length: 16 }],
    entities: [
      {
        objectClassName: "entity",
        handle: "ORG-AEN1-AFRINIC",
        roles: ["registrant"],
        vcardArray: vcard(["fn", {}, "text", "Africa Example Networks Ltd"]),
      },
      {
        objectClassName: "entity",
        handle: "AEN1-AFRINIC",
        roles: ["abuse"],
        vcardArray: vcard(["fn", {}, "text", "Abuse"], ["email", {}, "text", "abuse@africa-example.example"]),
      },
    ],
    links: [{ rel: "self", href: `https://rdap.afrinic.net/rdap/ip/${ip}`, value: "x" }],
  };
}

/** Registrars of the fictional .com world, by registered domain. */
const comRegistrars: Record<string, { id: string; name: string; abuse: string }> = {
  "nudify-example.com": {
    id: "9999",
    name: "Fictional Registrar, LLC",
    abuse: "abuse@fictional-registrar.example",
  },
  "fictional-platform.com": {
    id: "1234",
    name: "Brand Registrar Inc.",
    abuse: "abuse@brand-registrar.example",
  },
  "redacted.com": { id: "4321", name: "Quiet Registrar Ltd", abuse: "REDACTED FOR PRIVACY" },
};

function comDomain(name: string) {
  const r = comRegistrars[name] ?? {
    id: "9999",
    name: "Fictional Registrar, LLC",
    abuse: "abuse@fictional-registrar.example",
  };
  return {
    objectClassName: "domain",
    handle: `${createHash("md5").update(name).digest("hex").slice(0, 8)}_DOMAIN_COM-VRSN`,
    ldhName: name.toUpperCase(),
    links: [
      {
        value: `https://rdap.verisign.com/com/v1/domain/${name}`,
        rel: "self",
        href: `https://rdap.verisign.com/com/v1/domain/${name}`,
        type: RDAP,
      },
    ],
    status: ["client transfer prohibited"],
    entities: [
      {
        objectClassName: "entity",
        handle: r.id,
        roles: ["registrar"],
        publicIds: [{ type: "IANA Registrar ID", identifier: r.id }],
        vcardArray: vcard(["fn", {}, "text", r.name]),
        entities: [
          {
            objectClassName: "entity",
            roles: ["abuse"],
            vcardArray: vcard(
              ["fn", {}, "text", ""],
              ["tel", { type: "voice" }, "uri", "tel:+1.4805550100"],
              ["email", {}, "text", r.abuse],
            ),
          },
        ],
      },
    ],
    events: [{ eventAction: "registration", eventDate: "2024-03-01T10:00:00Z" }],
    secureDNS: { delegationSigned: false },
    nameservers: [{ objectClassName: "nameserver", ldhName: "NS1.EXAMPLE.NET" }],
    rdapConformance: [
      "rdap_level_0",
      "icann_rdap_technical_implementation_guide_0",
      "icann_rdap_response_profile_0",
    ],
    notices: [{ title: "Terms of Use", description: ["Service subject to Terms of Use."] }],
    port43: "whois.verisign-grs.com",
  };
}

function nlDomain(name: string) {
  return {
    rdapConformance: ["rdap_level_0"],
    objectClassName: "domain",
    ldhName: name,
    handle: name,
    status: ["active"],
    entities: [
      {
        objectClassName: "entity",
        handle: "REG-0001",
        roles: ["registrar"],
        vcardArray: vcard(
          ["fn", {}, "text", "Voorbeeld Registrar B.V."],
          ["adr", { cc: "NL" }, "text", ["", "", "Damrak 1", "Amsterdam", "", "1012LG", ""]],
          ["email", {}, "text", "abuse@voorbeeld-registrar.example"],
        ),
      },
      { objectClassName: "entity", roles: ["registrant"], remarks: [{ description: ["Data withheld"] }] },
    ],
    port43: "whois.domain-registry.nl",
  };
}

export async function startRdapServer(): Promise<RdapServer> {
  const requests: string[] = [];
  const served = new Map<string, string>();
  const sockets = new Set<Socket>();
  const hits = new Map<string, number>();
  let port = 0;
  const pathOf = (name: string) => (name === "com" || name === "nl" ? `tld/${name}` : name);
  const baseOf = (name: string) => `http://${name}.rdap.test:${port}/${pathOf(name)}/`;
  const dir = mkdtempSync(join(tmpdir(), "vg-rdap-bootstrap-"));
  const loopDir = mkdtempSync(join(tmpdir(), "vg-rdap-bootstrap-lo-"));

  const send = (
    res: ServerResponse,
    path: string,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const bytes = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    served.set(path, createHash("sha256").update(bytes).digest("hex"));
    res.writeHead(status, { "content-type": RDAP, "content-length": String(bytes.length), ...headers });
    res.end(bytes);
  };

  function hostile(res: ServerResponse, path: string, token: string, kind: "ip" | "domain", query: string) {
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    switch (token) {
      case "1":
      case "b404":
        return send(res, path, 404, notFound(query));
      case "2":
      case "b429once":
        // Too many requests the first time, a short wait, then an answer.
        if (n === 1)
          return send(res, path, 429, { errorCode: 429, title: "Too Many Requests" }, { "retry-after": "1" });
        return send(res, path, 200, kind === "ip" ? ripeNetwork("185.10.0.9") : comDomain(query));
      case "3":
      case "b429":
        return send(
          res,
          path,
          429,
          { errorCode: 429, title: "Too Many Requests" },
          { "retry-after": "3600" },
        );
      case "4":
      case "b500":
        return send(res, path, 500, { errorCode: 500, title: "Internal Server Error" });
      case "5":
      case "bhuge": {
        // Valid JSON, far past the limit, without a content-length.
        res.writeHead(200, { "content-type": RDAP });
        res.write(`{"objectClassName":"${kind === "ip" ? "ip network" : "domain"}","remarks":[`);
        const block = `${JSON.stringify({ description: ["x".repeat(1000)] })},`;
        let sent = 0;
        const pump = () => {
          while (!res.destroyed && sent < 8 * 1024 * 1024 && res.write(block)) sent += block.length;
          if (res.destroyed) return;
          if (sent >= 8 * 1024 * 1024) res.end('{"description":[]}]}');
          else res.once("drain", pump);
        };
        pump();
        return;
      }
      case "6":
      case "bmalformed":
        return send(res, path, 200, '{"objectClassName": "ip network", "entities": [{"roles": ["abuse"], ');
      case "7":
      case "bslow":
        // Never answers: the client's time limit must end it.
        return;
      case "8":
      case "bdeep":
        // 100,000 levels in 200 kB: under the size limit, far past any sane depth.
        return send(res, path, 200, `${"[".repeat(100_000)}${"]".repeat(100_000)}`);
      case "9":
      case "barray":
        return send(res, path, 200, [1, 2, 3]);
      case "10":
      case "bhtml":
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html><body>Please enable JavaScript</body></html>");
        return;
      case "11":
      case "bentities": {
        // Five thousand entities, NULs and lone surrogates, an entity nested in itself; the
        // abuse contact is there, first.
        const loop: Record<string, unknown> = { handle: "LOOP", roles: ["technical"] };
        let at = loop;
        for (let i = 0; i < 40; i++) {
          const next: Record<string, unknown> = { handle: "LOOP", roles: ["technical"] };
          at.entities = [next];
          at = next;
        }
        return send(res, path, 200, {
          objectClassName: kind === "ip" ? "ip network" : "domain",
          name: "NOISY\u0000NET\ud800",
          startAddress: query,
          endAddress: query,
          country: "NL",
          entities: [
            { roles: ["registrant"], vcardArray: vcard(["fn", {}, "text", "Noisy\u0000 Hosting"]) },
            {
              roles: ["abuse", "registrar"],
              vcardArray: vcard(
                ["fn", {}, "text", "Noisy registrar"],
                ["email", {}, "text", "abuse@noisy.example"],
              ),
            },
            loop,
            ...Array.from({ length: 5000 }, (_, i) =>
              i % 100 === 0
                ? {
                    handle: `E${i}`,
                    roles: ["technical"],
                    vcardArray: vcard(["fn", {}, "text", `x\u0000${i}`]),
                  }
                : { handle: `E${i}`, roles: ["technical"] },
            ),
          ],
        });
      }
      case "12":
      case "bloop":
        res.writeHead(302, { location: path });
        res.end();
        return;
      case "13":
      case "bprivate":
        res.writeHead(301, { location: `http://10.0.0.1/rdap/${kind}/${query}` });
        res.end();
        return;
      case "14":
      case "bclass":
        return send(res, path, 200, {
          objectClassName: kind === "ip" ? "domain" : "ip network",
          ldhName: "x",
        });
      case "15":
      case "bname": {
        // A holder name of 20,000 characters with control characters, and an abuse address.
        const net = ripeNetwork("185.10.0.15") as Record<string, unknown> & { entities: unknown[] };
        return send(res, path, 200, {
          ...net,
          entities: [
            {
              roles: ["registrant"],
              vcardArray: vcard(["fn", {}, "text", `Huge\u0007\u001b[31m Host${" name".repeat(4000)}`]),
            },
            {
              roles: ["abuse"],
              vcardArray: vcard(["email", {}, "text", "abuse@huge-name.example"]),
            },
          ],
        });
      }
      case "16":
      case "bemail":
        // Only addresses no mail server should be sent to.
        return send(res, path, 200, {
          objectClassName: "ip network",
          name: "ODD-MAIL-NET",
          entities: [
            { roles: ["registrant"], vcardArray: vcard(["fn", {}, "text", "Odd Mail Ltd"]) },
            {
              roles: ["abuse"],
              vcardArray: vcard(
                ["email", {}, "text", "abuse(at)odd-mail.example"],
                ["email", {}, "text", "abuse@@odd-mail.example"],
                ["email", {}, "text", '"abuse team"@odd-mail.example'],
                ["email", {}, "text", "<script>@odd-mail.example"],
                ["email", {}, "text", "abuse@odd-mail.example\r\nBcc: x@evil.example"],
                ["email", {}, "text", "abuse@localhost"],
              ),
            },
          ],
        });
      case "17":
      case "bbidi":
        // A name that reads one way and is stored another: bidi overrides and zero-width marks.
        return send(res, path, 200, {
          objectClassName: "ip network",
          name: "BIDI-NET",
          entities: [
            {
              roles: ["registrant"],
              vcardArray: vcard(["fn", {}, "text", "Trusted\u202e gnitsoH\u200b\u2066 B.V."]),
            },
            { roles: ["abuse"], vcardArray: vcard(["email", {}, "text", "abuse@bidi.example"]) },
          ],
        });
      default:
        return send(res, path, 404, notFound(query));
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const boot = /^\/bootstrap\/(dns|ipv4|ipv6|asn)\.json$/.exec(path);
    if (boot) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(readFileSync(join(dir, `${boot[1]}.json`)));
      return;
    }
    const m = /^\/(ripe|arin|apnic|lacnic|nicbr|afrinic|tld\/com|tld\/nl|bad)\/(ip|domain)\/(.+)$/.exec(path);
    if (!m || req.method !== "GET") return send(res, path, 400, { errorCode: 400, title: "Bad Request" });
    const [, server, kind, raw] = m as unknown as [string, string, "ip" | "domain", string];
    const query = decodeURIComponent(raw).toLowerCase();
    switch (server) {
      case "ripe":
        return kind === "ip" &&
          (query.startsWith("185.10.") || query.startsWith("146.") || query.startsWith("2a00:"))
          ? send(res, path, 200, ripeNetwork(query))
          : send(res, path, 404, notFound(query));
      case "arin":
        if (kind === "ip" && query.startsWith("146.")) {
          // Legacy space ARIN handed over: the RIRs redirect to each other.
          res.writeHead(301, { location: `${baseOf("ripe")}ip/${query}`, "content-type": RDAP });
          res.end();
          return;
        }
        return kind === "ip" && query.startsWith("23.")
          ? send(res, path, 200, arinNetwork(query))
          : send(res, path, 404, notFound(query));
      case "apnic":
        return kind === "ip" && query.startsWith("202.")
          ? send(res, path, 200, apnicNetwork(query))
          : send(res, path, 404, notFound(query));
      case "lacnic":
        if (kind === "ip" && query.startsWith("177.")) {
          res.writeHead(301, { location: `${baseOf("nicbr")}ip/${query}`, "content-type": RDAP });
          res.end();
          return;
        }
        return kind === "ip" && query.startsWith("200.")
          ? send(res, path, 200, lacnicNetwork(query, false))
          : send(res, path, 404, notFound(query));
      case "nicbr":
        return kind === "ip" && query.startsWith("177.")
          ? send(res, path, 200, lacnicNetwork(query, true))
          : send(res, path, 404, notFound(query));
      case "afrinic":
        return kind === "ip" && query.startsWith("41.")
          ? send(res, path, 200, afrinicNetwork(query))
          : send(res, path, 404, notFound(query));
      case "tld/com":
        return kind === "domain" && query.endsWith(".com") && !query.startsWith("unregistered")
          ? send(res, path, 200, comDomain(query))
          : send(res, path, 404, notFound(query));
      case "tld/nl":
        return kind === "domain" && query.endsWith(".nl") && query !== "onbekend.nl"
          ? send(res, path, 200, nlDomain(query))
          : send(res, path, 404, notFound(query));
      default:
        return hostile(
          res,
          path,
          kind === "ip" ? (query.split(".")[3] ?? "") : (query.split(".")[0] ?? ""),
          kind,
          query,
        );
    }
  };

  const server: Server = createServer(handler);
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;

  const file = (services: [string[], string[]][]) =>
    JSON.stringify({
      version: "1.0",
      publication: "2026-11-01T00:00:00Z",
      description: "Test bootstrap",
      services,
    });
  for (const [folder, url] of [
    [dir, baseOf],
    [loopDir, (name: string) => `http://127.0.0.1:${port}/${pathOf(name)}/`],
  ] as const) {
    writeFileSync(
      join(folder, "ipv4.json"),
      file([
        [["185.0.0.0/8"], [url("ripe")]],
        [["23.0.0.0/8", "146.0.0.0/8"], [url("arin")]],
        [["45.0.0.0/8"], [url("bad")]],
        [["202.0.0.0/8"], [url("apnic")]],
        [["200.0.0.0/8", "177.0.0.0/8"], [url("lacnic")]],
        [["41.0.0.0/8"], [url("afrinic")]],
      ]),
    );
    writeFileSync(join(folder, "ipv6.json"), file([[["2a00::/12"], [url("ripe")]]]));
    writeFileSync(join(folder, "asn.json"), file([[["1-65535"], [url("arin")]]]));
    writeFileSync(
      join(folder, "dns.json"),
      file([
        [["com"], [url("com")]],
        [["nl"], [url("nl")]],
        [["org"], [url("bad")]],
      ]),
    );
  }

  return {
    base: baseOf,
    resolver: async (host) => {
      if (!/^(ripe|arin|apnic|lacnic|nicbr|afrinic|com|nl|bad)\.rdap\.test$/.test(host))
        throw new Error(`ENOTFOUND ${host}`);
      return [{ address: "127.0.0.1", family: 4 }];
    },
    bootstrapDir: dir,
    loopbackBootstrapDir: loopDir,
    bootstrapUrl: `http://127.0.0.1:${port}/bootstrap/`,
    requests,
    served,
    count: (prefix) => requests.filter((r) => r.startsWith(`GET ${prefix}`)).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        rmSync(dir, { recursive: true, force: true });
        rmSync(loopDir, { recursive: true, force: true });
        server.close(() => resolve());
      }),
  };
}
