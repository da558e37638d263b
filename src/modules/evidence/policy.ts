// What a capture may keep, by category. Possessing child sexual abuse material is an offence
// (Sr 252): for such categories a capture hashes every body in memory and discards it, takes no
// screenshot, and writes nothing but the HTTP exchange, metadata and hashes. Policy is data, so
// adding a category here is the whole change.
import type { Retention } from "./store.ts";

export interface RetentionPolicy {
  retention: Retention;
  /** Render the page in the browser for a screenshot. */
  screenshot: boolean;
  why: string;
}

const hashOnly: RetentionPolicy = {
  retention: "hash_only",
  screenshot: false,
  why: "material that must not be kept (Sr 252): bodies are hashed in memory and discarded",
};

const keep: RetentionPolicy = {
  retention: "keep",
  screenshot: true,
  why: "artefacts are kept, encrypted, in the evidence store",
};

/** Categories (taxonomy ids) whose material must never be stored. */
export const mustNotKeep: Readonly<Record<string, RetentionPolicy>> = {
  csam: hashOnly,
};

export function policyFor(category: string | null | undefined): RetentionPolicy {
  return (category && mustNotKeep[category]) || keep;
}
