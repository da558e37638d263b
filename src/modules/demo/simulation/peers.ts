// The outside world of the simulation, as real local servers: an SMTP server that receives
// every notice (and refuses the addresses of a party that "bounces"), an RDAP server answering
// for the fictional networks and domains in the shape of RFC 9083, and the fictional platforms'
// web sites, which stop serving a page once its party removed it. Loopback only.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface SimMail {
  to: string[];
  raw: string;
  receivedAt: number;
}

export interface SmtpPeer {
  url: string;
  inbox: SimMail[];
  refuse: Set<string>;
  close(): Promise<void>;
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const inbox: SimMail[] = [];
  const refuse = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    size: 20 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address.toLowerCase())) {
        const e = new Error("5.1.1 <address> user unknown") as Error & { responseCode: number };
        e.responseCode = 550;
        return callback(e);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        inbox.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw: Buffer.concat(chunks).toString("utf8"),
          receivedAt: Date.now(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    inbox,
    refuse,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface RdapNetwork {
  /** The loopback address standing for the network (127.0.0.N). */
  address: string;
  handle: string;
  name: string;
  country: string;
  org: string;
  abuseEmail: string;
  asn: number;
}

export interface RdapDomain {
  name: string;
  registrar: string;
  registrarIanaId: string;
  registrarAbuseEmail: string;
}

const vcard = (fn: string, email?: string, country?: string) => [
  "vcard",
  [
    ["version", {}, "text", "4.0"],
    ["fn", {}, "text", fn],
    ...(email ? [["email", {}, "text", email]] : []),
    ...(country ? [["adr", { cc: country }, "text", ["", "", "", "", "", "", ""]]] : []),
  ],
];

export interface RdapPeer {
  url: string;
  close(): Promise<void>;
}

/** RFC 9083 answers for /ip/<addr> and /domain/<name>; 404 for everything else. */
export async function startRdapPeer(networks: RdapNetwork[], domains: RdapDomain[]): Promise<RdapPeer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://rdap.local");
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { "content-type": "application/rdap+json" }).end(JSON.stringify(body));
    const ip = /\/ip\/([^/]+)$/.exec(url.pathname)?.[1];
    if (ip) {
      const n = networks.find((x) => x.address === decodeURIComponent(ip));
      if (!n) return send(404, { errorCode: 404, title: "Not Found" });
      return send(200, {
        rdapConformance: ["rdap_level_0"],
        objectClassName: "ip network",
        handle: n.handle,
        startAddress: n.address,
        endAddress: n.address,
        ipVersion: "v4",
        name: n.name,
        country: n.country,
        type: "ASSIGNED PA",
        arin_originas0_originautnums: [n.asn],
        entities: [
          {
            objectClassName: "entity",
            handle: `ORG-${n.handle}`,
            roles: ["registrant"],
            vcardArray: vcard(n.org, undefined, n.country),
            entities: [
              {
                objectClassName: "entity",
                handle: `ABUSE-${n.handle}`,
                roles: ["abuse"],
                vcardArray: vcard("Abuse desk", n.abuseEmail),
              },
            ],
          },
        ],
      });
    }
    const domain = /\/domain\/([^/]+)$/.exec(url.pathname)?.[1];
    if (domain) {
      const d = domains.find((x) => x.name === decodeURIComponent(domain).toLowerCase());
      if (!d) return send(404, { errorCode: 404, title: "Not Found" });
      return send(200, {
        rdapConformance: ["rdap_level_0", "icann_rdap_response_profile_0"],
        objectClassName: "domain",
        ldhName: d.name,
        entities: [
          {
            objectClassName: "entity",
            roles: ["registrar"],
            publicIds: [{ type: "IANA Registrar ID", identifier: d.registrarIanaId }],
            vcardArray: vcard(d.registrar),
            entities: [
              {
                objectClassName: "entity",
                roles: ["abuse"],
                vcardArray: vcard("Registrar abuse", d.registrarAbuseEmail),
              },
            ],
          },
        ],
      });
    }
    send(404, { errorCode: 404, title: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface SitesPeer {
  /** Port the fictional sites listen on (the same on every 127.0.0.N address). */
  port: number;
  /** URLs taken down: the site answers 410 Gone for them. */
  removed: Set<string>;
  close(): Promise<void>;
}

/** The fictional platforms' web sites: a plain page per URL, 410 once removed. */
export async function startSites(addresses: string[]): Promise<SitesPeer> {
  const removed = new Set<string>();
  const servers: Server[] = [];
  let port = 0;
  for (const address of addresses) {
    const server = createServer((req, res) => {
      const url = `http://${req.headers.host?.replace(/:\d+$/, "")}${req.url}`;
      if (removed.has(url)) return res.writeHead(410, { "content-type": "text/html" }).end("<h1>Gone</h1>");
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8" })
        .end(
          `<!doctype html><title>Fictional post</title><p>A fictional post in the Vangrail simulation.</p>`,
        );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, address, resolve);
    });
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  return {
    port,
    removed,
    close: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
