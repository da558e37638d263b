// A local web site whose pages a test changes while monitoring re-checks them: a page, an image,
// a status code, a platform's removal page, or a hostile answer (never answers, endless body,
// redirect loop, connection reset, bytes that are not HTTP). It can listen on several loopback
// addresses (one "host" each) and add latency to every answer; it counts requests in flight per
// host, so a test sees whether the checks were polite. Loopback only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Route =
  | { kind: "html"; body: string }
  | { kind: "bytes"; type: string; body: Buffer }
  | { kind: "status"; status: number; body?: string }
  | { kind: "slow" }
  | { kind: "huge" }
  | { kind: "loop" }
  | { kind: "reset" }
  | { kind: "garbage" };

export interface MonitorSite {
  port: number;
  /** http://<address>:<port><path> */
  url(path: string, address?: string): string;
  /** Routes by path, the same on every address; unknown paths get `fallback`, else 404. */
  routes: Map<string, Route>;
  /** Every request as `<address> <path>`. */
  requests: string[];
  /** The most requests one address had in flight at once. */
  maxInFlight: Map<string, number>;
  /** Start times (ms) of requests per address, to check spacing. */
  starts: Map<string, number[]>;
  close(): Promise<void>;
}

export async function startMonitorSite(
  opts: { addresses?: string[]; latencyMs?: number; record?: boolean; fallback?: Route } = {},
): Promise<MonitorSite> {
  const addresses = opts.addresses ?? ["127.0.0.1"];
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const starts = new Map<string, number[]>();
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const record = opts.record ?? true;
  let port = 0;

  const answer = (req: IncomingMessage, res: ServerResponse, route: Route | undefined) => {
    if (!route) return res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    switch (route.kind) {
      case "html":
        return res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(route.body);
      case "bytes":
        return res
          .writeHead(200, { "content-type": route.type, "content-length": route.body.length })
          .end(route.body);
      case "status":
        return res
          .writeHead(route.status, { "content-type": "text/html" })
          .end(route.body ?? `<h1>${route.status}</h1>`);
      case "slow":
        return; // never answers: the fetcher's timeout ends it
      case "huge": {
        res.writeHead(200, { "content-type": "text/html" });
        const block = Buffer.alloc(64 * 1024, 0x61);
        const pump = () => {
          while (!res.destroyed && res.write(block)) {
            /* until the socket pushes back */
          }
          if (!res.destroyed) res.once("drain", pump);
        };
        return pump();
      }
      case "loop":
        return res.writeHead(302, { location: req.url ?? "/" }).end();
      case "reset":
        return req.socket.resetAndDestroy();
      case "garbage":
        req.socket.end("SMTP READY\r\n\u0000\u0001 not http at all\r\n\r\n");
        return;
    }
  };

  for (const address of addresses) {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://site.local").pathname;
      if (record) requests.push(`${address} ${path}`);
      const n = (inFlight.get(address) ?? 0) + 1;
      inFlight.set(address, n);
      maxInFlight.set(address, Math.max(maxInFlight.get(address) ?? 0, n));
      if (record) starts.set(address, [...(starts.get(address) ?? []), Date.now()]);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        inFlight.set(address, (inFlight.get(address) ?? 1) - 1);
      };
      res.on("close", finish);
      req.socket.on("close", finish);
      const route = routes.get(path) ?? opts.fallback;
      if (opts.latencyMs) setTimeout(() => answer(req, res, route), opts.latencyMs);
      else answer(req, res, route);
    });
    server.keepAliveTimeout = 1000;
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
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
    url: (path, address = addresses[0] as string) => `http://${address}:${port}${path}`,
    routes,
    requests,
    maxInFlight,
    starts,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
