// The same TypeScript PDQ in Chromium: src/modules/hashing/device-hash.ts decodes with the
// browser's own decoder and canvas, and must land within 8 bits of the server's hash of the
// same file (different decoders and resamplers, the same maths). Served from loopback only.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { stripTypeScriptTypes } from "node:module";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium } from "playwright-core";
import sharp from "sharp";
import { hashImage } from "../src/modules/hashing/image.ts";
import { hammingHex } from "../src/modules/hashing/pdq-core.ts";
import { noise, photoJpeg, shapes, text } from "../src/modules/hashing/synthetic.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM}`;
const source = (name: string) =>
  stripTypeScriptTypes(readFileSync(new URL(`../src/modules/hashing/${name}`, import.meta.url), "utf8"));

describe("PDQ in the browser (device hashing)", { skip }, () => {
  let server: Server;
  let base: string;
  let browser: Browser;
  const images = new Map<string, Buffer>();

  before(async () => {
    images.set("shapes.png", await shapes(3));
    images.set("text.png", await text(["DEVICE", "HASH 123"]));
    images.set(
      "noise.jpg",
      await sharp(await noise(8))
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
    images.set("photo.jpg", await photoJpeg(9, 1600, 1000));
    images.set(
      "portrait.webp",
      await sharp(await shapes(4, 600, 1000))
        .webp({ quality: 80 })
        .toBuffer(),
    );
    const files: Record<string, [string, string | Buffer]> = {
      "/": ["text/html", "<!doctype html><title>pdq</title>"],
      "/pdq-core.ts": ["text/javascript", source("pdq-core.ts")],
      "/device-hash.ts": ["text/javascript", source("device-hash.ts")],
    };
    for (const [name, bytes] of images) files[`/img/${name}`] = ["application/octet-stream", bytes];
    server = createServer((req, res) => {
      const f = files[req.url ?? ""];
      if (!f) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": f[0] }).end(f[1]);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it("hashes each file within 8 bits of the server's hash of the same file", async (t) => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    const report: string[] = [];
    for (const [name, bytes] of images) {
      const inBrowser = (await page.evaluate(async (url) => {
        // A variable keeps TypeScript from resolving the browser-side module path.
        const path = "/device-hash.ts";
        const mod = (await import(path)) as { hashImageFile(b: Blob): Promise<unknown> };
        const blob = await (await fetch(url)).blob();
        return mod.hashImageFile(blob);
      }, `/img/${name}`)) as { hash: string; quality: number; dihedral: string[]; pipeline: string };
      const onServer = await hashImage(bytes);
      const d = hammingHex(inBrowser.hash, onServer.hash);
      report.push(`${name}: ${d} bits (quality ${inBrowser.quality} / ${onServer.quality})`);
      assert.equal(inBrowser.pipeline, "vg-pdq-browser-1");
      assert.equal(inBrowser.dihedral.length, 8);
      assert.ok(d <= 8, `${name}: browser and server ${d} bits apart`);
    }
    t.diagnostic(report.join("; "));
    await page.close();
  });
});
