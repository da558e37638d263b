// Full-page screenshots in headless Chromium. The browser never reaches the network itself:
// every request it makes is intercepted and answered by the safe fetcher (so the private-address
// guard, size and time limits apply to the page's own requests too), or refused. The main
// document is the exact HTML the capture recorded, so the screenshot shows the same response.
// Chromium's own DNS is disabled and its proxy points nowhere, as a second fence.
import { type Browser, chromium, type Route } from "playwright-core";
import type { Fetcher } from "../../platform/fetcher/fetcher.ts";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  // Nothing the route handler lets slip may leave: no name resolves, and the proxy is closed.
  "--host-resolver-rules=MAP * ~NOTFOUND",
  "--proxy-server=http://127.0.0.1:9",
  "--proxy-bypass-list=<-loopback>",
];

export interface ScreenshotOptions {
  url: string;
  html: Buffer;
  contentType: string;
  maxRequests: number;
  maxBytesPerRequest: number;
  timeoutMs: number;
}

export interface BrowserRequest {
  url: string;
  outcome: "document" | "fetched" | "refused";
  reason?: string;
}

export interface ScreenshotResult {
  png: Buffer;
  requests: BrowserRequest[];
  viewport: { width: number; height: number };
}

export class Screenshotter {
  readonly #path: string;
  readonly #fetcher: Fetcher;
  #browser: Promise<Browser> | undefined;
  #idle: NodeJS.Timeout | undefined;
  #busy = 0;

  constructor(executablePath: string, fetcher: Fetcher) {
    this.#path = executablePath;
    this.#fetcher = fetcher;
  }

  #launch(): Promise<Browser> {
    this.#browser ??= chromium.launch({ executablePath: this.#path, args: CHROMIUM_ARGS, headless: true });
    return this.#browser;
  }

  async take(o: ScreenshotOptions): Promise<ScreenshotResult> {
    this.#busy++;
    clearTimeout(this.#idle);
    const browser = await this.#launch();
    const viewport = { width: 1280, height: 800 };
    const context = await browser.newContext({
      viewport,
      serviceWorkers: "block",
      acceptDownloads: false,
      userAgent: this.#fetcher.userAgent,
      javaScriptEnabled: true,
    });
    const requests: BrowserRequest[] = [];
    let documentServed = false;
    let fetched = 0;
    try {
      await context.routeWebSocket(/.*/, (ws) => ws.close());
      await context.route("**/*", async (route: Route) => {
        const req = route.request();
        const url = req.url();
        const refuse = async (reason: string) => {
          requests.push({ url, outcome: "refused", reason });
          await route.abort("blockedbyclient").catch(() => undefined);
        };
        if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
          if (documentServed) return refuse("navigation away from the captured page");
          documentServed = true;
          requests.push({ url, outcome: "document" });
          return route
            .fulfill({ status: 200, headers: { "content-type": o.contentType }, body: o.html })
            .catch(() => undefined);
        }
        if (!/^https?:/.test(url)) return refuse("scheme");
        if (fetched >= o.maxRequests) return refuse("request limit");
        fetched++;
        try {
          const r = await this.#fetcher.fetch(url, {
            maxBytes: o.maxBytesPerRequest,
            headers: { accept: req.headers().accept ?? "*/*" },
          });
          requests.push({ url, outcome: "fetched" });
          const type = r.hops.at(-1)?.headers.find(([k]) => k.toLowerCase() === "content-type")?.[1];
          await route
            .fulfill({ status: r.status, headers: type ? { "content-type": type } : {}, body: r.body })
            .catch(() => undefined);
        } catch (e) {
          await refuse((e as { code?: string }).code ?? "failed");
        }
      });
      const page = await context.newPage();
      await page.goto(o.url, { waitUntil: "load", timeout: o.timeoutMs });
      await page
        .waitForLoadState("networkidle", { timeout: Math.min(3000, o.timeoutMs) })
        .catch(() => undefined);
      const png = await page.screenshot({ fullPage: true, type: "png", timeout: o.timeoutMs });
      return { png, requests, viewport };
    } finally {
      await context.close().catch(() => undefined);
      this.#busy--;
      if (this.#busy === 0) {
        // Keep the browser warm between captures, and let the process exit when idle.
        this.#idle = setTimeout(() => void this.close(), 30_000);
        this.#idle.unref();
      }
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.#idle);
    const b = this.#browser;
    this.#browser = undefined;
    if (b) await (await b).close().catch(() => undefined);
  }
}
