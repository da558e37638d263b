// The outside-world tools evidence needs beyond `Deps`: the blob store, the keyring, the safe
// fetcher, the screenshot browser, the TSA and the image hasher. Built once per `Deps` from its
// configuration; tests and the CLI replace parts (a fixture resolver, the loopback exception).
import { type BlobStore, createBlobStore, type Keyring, keyringFor } from "../../platform/blobstore/index.ts";
import { Fetcher, type FetcherConfig } from "../../platform/fetcher/fetcher.ts";
import type { Deps } from "../deps.ts";
import { hashImage } from "../hashing/image.ts";
import { Screenshotter } from "./browser.ts";
import type { CaptureLimits, ImageHasher } from "./capture.ts";

/** PDQ in the hashing module's pinned pipeline; null for an image it cannot decode. */
const pdqOfImage: ImageHasher = async (bytes) => {
  const h = await hashImage(bytes).catch(() => null);
  return h && h.quality > 0 ? { pdq: h.hash } : null;
};

export interface EvidenceEnv {
  blobs: BlobStore;
  ring: Keyring;
  fetcher: Fetcher;
  screenshotter: Screenshotter | undefined;
  /** PDQ of captured images, through the hashing module's pinned pipeline. */
  hashImage: ImageHasher | undefined;
  tsaUrl: string | undefined;
  limits: CaptureLimits;
}

const envs = new WeakMap<Deps, EvidenceEnv>();

export function buildEvidenceEnv(deps: Deps, fetcherOverrides: Partial<FetcherConfig> = {}): EvidenceEnv {
  const e = deps.config.evidence;
  const fetcher = new Fetcher({
    ...e.fetcher,
    headerTimeoutMs: Math.min(15_000, e.fetcher.timeoutMs),
    ...fetcherOverrides,
  });
  return {
    blobs: createBlobStore(deps.config, deps.masterKey),
    ring: keyringFor(deps.config, deps.masterKey),
    fetcher,
    screenshotter: e.capture.screenshots ? new Screenshotter(e.capture.browserPath, fetcher) : undefined,
    hashImage: pdqOfImage,
    tsaUrl: e.tsaUrl,
    limits: {
      maxMedia: e.capture.maxMedia,
      mediaMaxBytes: e.capture.mediaMaxBytes,
      screenshots: e.capture.screenshots,
      screenshotTimeoutMs: e.fetcher.timeoutMs,
    },
  };
}

export function evidenceEnv(deps: Deps): EvidenceEnv {
  let env = envs.get(deps);
  if (!env) {
    env = buildEvidenceEnv(deps);
    envs.set(deps, env);
  }
  return env;
}

/** Replaces the tools used for `deps` (tests, the CLI's --allow-private). */
export function setEvidenceEnv(deps: Deps, env: EvidenceEnv): void {
  envs.set(deps, env);
}

export async function closeEvidenceEnv(deps: Deps): Promise<void> {
  await envs.get(deps)?.screenshotter?.close();
}
