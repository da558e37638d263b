// Workbench helpers: the taxonomy (loaded once), the analyst's exposure count for the day
// (one small store the header badge and the case page share), and labels for case data.
import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import { useI18n } from "../i18n/index.tsx";
import { api } from "./api.ts";
import type { Taxonomy, TaxonomyCategory } from "./types.ts";

// The taxonomy changes only with a release: one request per page load is enough.
let taxonomyCache: Taxonomy | null = null;
let taxonomyRequest: Promise<Taxonomy> | null = null;

/** The categories with their labels; an empty list until loaded. */
export function useCategories(): TaxonomyCategory[] {
  const [taxonomy, setTaxonomy] = useState(taxonomyCache);
  useEffect(() => {
    if (taxonomyCache) return;
    let live = true;
    taxonomyRequest ??= api.get<Taxonomy>("/taxonomy");
    taxonomyRequest
      .then((loaded) => {
        taxonomyCache = loaded;
        if (live) setTaxonomy(loaded);
      })
      .catch(() => {
        taxonomyRequest = null;
      });
    return () => {
      live = false;
    };
  }, []);
  return taxonomy?.categories ?? [];
}

/** "sextortion" → "Sextortion (blackmail with intimate images)" in the current language. */
export function useCategoryLabel(): (id: string) => string {
  const categories = useCategories();
  const { locale } = useI18n();
  return useCallback(
    (id: string) => categories.find((c) => c.id === id)?.label[locale] ?? id,
    [categories, locale],
  );
}

// ---------- exposure: how many items this person revealed today ----------

let exposure: number | null = null;
const listeners = new Set<() => void>();

function setExposure(value: number | null): void {
  exposure = value;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useExposure(): number | null {
  return useSyncExternalStore(
    subscribe,
    () => exposure,
    () => null,
  );
}

export async function refreshExposure(): Promise<void> {
  try {
    setExposure((await api.get<{ exposuresToday: number }>("/me/exposure")).exposuresToday);
  } catch {
    // The badge stays as it was; the count is also shown after each reveal.
  }
}

/** Records a reveal on the server; returns the day's count. */
export async function revealItem(caseId: string, itemId: string): Promise<number> {
  const { exposuresToday } = await api.post<{ exposuresToday: number }>(
    `/cases/${caseId}/items/${itemId}/reveal`,
    {},
  );
  setExposure(exposuresToday);
  return exposuresToday;
}

export const shortHash = (hash: string | null): string => (hash ? `${hash.slice(0, 12)}…` : "—");

export const CASE_PATH = /^\/cases\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
