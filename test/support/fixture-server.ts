// A local web server standing in for a site under investigation: pages with synthetic images,
// redirect chains, an endless body, a slow answer, compression bombs. Loopback only.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync, constants as zlibConstants } from "node:zlib";

const crcTable = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = -1;
  for (const b of buf) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A benign synthetic RGB image: a colour gradient with a seed-dependent pattern. */
export function syntheticPng(width: number, height: number, seed = 1): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) {
      const i = row + 1 + x * 3;
      raw[i] = (x * 255) / width + seed * 37;
      raw[i + 1] = (y * 255) / height + seed * 11;
      raw[i + 2] = ((x ^ y) * seed) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export interface FixtureServer {
  url: string;
  port: number;
  /** Every request the server saw, as `METHOD path`. */
  requests: string[];
  /** The images the page links to, by path. */
  images: Map<string, Buffer>;
  /** Bytes a test can search for to prove something was (not) kept. */
  marker: Buffer;
  close(): Promise<void>;
}

// Far above any test limit, yet quick to build: zeros compress about a thousandfold.
const BOMB_SIZE = 64 * 1024 * 1024;
let bombs: { gzip: Buffer; br: Buffer } | undefined;
/** Builds the compression bombs (about a second); call it before timing-sensitive requests. */
export const compressionBombs = () => {
  bombs ??= {
    gzip: gzipSync(Buffer.alloc(BOMB_SIZE), { level: 6 }),
    br: brotliCompressSync(Buffer.alloc(BOMB_SIZE), {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 },
    }),
  };
  return bombs;
};

export async function startFixtureServer(): Promise<FixtureServer> {
  const requests: string[] = [];
  const images = new Map<string, Buffer>([
    ["/img/one.png", syntheticPng(64, 48, 1)],
    ["/img/two.png", syntheticPng(80, 60, 2)],
    ["/img/three.png", syntheticPng(32, 32, 3)],
  ]);
  const marker = Buffer.from(
    `VANGRAIL-FIXTURE-MARKER-${createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 16)}`,
  );
  const sockets = new Set<import("node:net").Socket>();
  let base = "";

  const page = (title: string, body: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>` +
    `<style>body{font-family:sans-serif;background:#eef}</style></head><body>${body}</body></html>`;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? "/", base);
    const p = url.pathname;
    const img = images.get(p);
    if (img) {
      res.writeHead(200, { "content-type": "image/png", "content-length": img.length });
      res.end(img);
      return;
    }
    switch (p) {
      case "/page.html":
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "x-fixture": "page" });
        res.end(
          page(
            "Fixture page",
            `<h1>Synthetic fixture</h1><p data-marker="${marker}">${marker}</p>` +
              `<img src="/img/one.png" alt="one"><img src="img/two.png" alt="two">` +
              `<img src="${base}/img/three.png" alt="three"><img src="/img/one.png" alt="again">` +
              `<img src="http://10.0.0.1/private.png" alt="private"><img src="http://169.254.169.254/latest/meta-data" alt="meta">` +
              `<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="inline">`,
          ),
        );
        return;
      case "/start":
        res.writeHead(302, { location: "/hop1" });
        res.end();
        return;
      case "/hop1":
        res.writeHead(301, { location: `${base}/hop2` });
        res.end();
        return;
      case "/hop2":
        res.writeHead(307, { location: "/page.html" });
        res.end();
        return;
      case "/loop":
        res.writeHead(302, { location: "/loop" });
        res.end();
        return;
      case "/to":
        res.writeHead(302, { location: url.searchParams.get("u") ?? "/" });
        res.end();
        return;
      case "/gzip": {
        const body = gzipSync(Buffer.from(page("gz", "<p>compressed</p>")));
        res.writeHead(200, { "content-type": "text/html", "content-encoding": "gzip" });
        res.end(body);
        return;
      }
      case "/bomb.gz":
        res.writeHead(200, { "content-type": "text/html", "content-encoding": "gzip" });
        res.end(compressionBombs().gzip);
        return;
      case "/bomb.br":
        res.writeHead(200, { "content-type": "text/html", "content-encoding": "br" });
        res.end(compressionBombs().br);
        return;
      case "/endless": {
        // Claims 5 GB and keeps sending until the client hangs up.
        res.writeHead(200, {
          "content-type": "application/octet-stream",
          "content-length": String(5 * 1024 ** 3),
        });
        const block = Buffer.alloc(64 * 1024, 0x41);
        const pump = () => {
          while (!res.destroyed && res.write(block)) {
            /* keep writing until the socket pushes back */
          }
          if (!res.destroyed) res.once("drain", pump);
        };
        pump();
        return;
      }
      case "/endless-chunked": {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const block = Buffer.alloc(64 * 1024, 0x42);
        const pump = () => {
          while (!res.destroyed && res.write(block)) {
            /* as above, without a content-length */
          }
          if (!res.destroyed) res.once("drain", pump);
        };
        pump();
        return;
      }
      case "/slow":
        // Never answers: the client's header timeout must end it.
        return;
      case "/slow-body":
        res.writeHead(200, { "content-type": "text/html" });
        res.write("<p>first bytes");
        return;
      case "/headers":
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(req.headers));
        return;
      default:
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not found");
    }
  };

  const server: Server = createServer(handler);
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    requests,
    images,
    marker,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
