// Language state for the whole app: Dutch by default, English second. The choice is
// kept in localStorage and mirrored on <html lang>; every visible string comes from
// the catalogues through t().
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { setApiLanguage } from "../lib/api.ts";
import { en } from "./en.ts";
import { type Catalogue, type MessageKey, nl } from "./nl.ts";

export const LOCALES = ["nl", "en"] as const;
export type Locale = (typeof LOCALES)[number];

const catalogues: Record<Locale, Catalogue> = { nl, en };
const STORAGE_KEY = "vangrail.locale";

export type Vars = Record<string, string | number>;

function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** The language this person chose before, if any (kept in localStorage). */
export function storedLocale(): Locale | null {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage may be disabled; the default language still works.
  }
  return null;
}

function initialLocale(): Locale {
  return storedLocale() ?? "nl";
}

function interpolate(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(nl, key);
}

export interface I18n {
  locale: Locale;
  /** Switches language; `remember: false` for a page's own default, not the person's choice. */
  setLocale(locale: Locale, options?: { remember?: boolean }): void;
  t(key: MessageKey, vars?: Vars): string;
  /** For keys built from server values (roles, kinds): the fallback when unknown. */
  tMaybe(key: string, fallback: string, vars?: Vars): string;
  formatDateTime(value: string | null | undefined): string;
  formatNumber(value: number): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);

  useEffect(() => {
    document.documentElement.lang = locale;
    setApiLanguage(locale);
  }, [locale]);

  const setLocale = useCallback((next: Locale, options: { remember?: boolean } = {}) => {
    setLocaleState(next);
    if (options.remember === false) return;
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not persisted; the switch still applies for this visit.
    }
  }, []);

  const value = useMemo<I18n>(() => {
    const catalogue = catalogues[locale];
    const dateFormat = new Intl.DateTimeFormat(locale === "nl" ? "nl-NL" : "en-GB", {
      dateStyle: "medium",
      timeStyle: "short",
    });
    const numberFormat = new Intl.NumberFormat(locale === "nl" ? "nl-NL" : "en-GB");
    const t = (key: MessageKey, vars?: Vars) => interpolate(catalogue[key], vars);
    return {
      locale,
      setLocale,
      t,
      tMaybe: (key, fallback, vars) => (isMessageKey(key) ? t(key, vars) : fallback),
      formatDateTime: (value) => {
        if (!value) return catalogue["common.never"];
        const date = new Date(value);
        return Number.isNaN(date.getTime()) ? value : dateFormat.format(date);
      },
      formatNumber: (value) => numberFormat.format(value),
    };
  }, [locale, setLocale]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n must be used inside <I18nProvider>");
  return value;
}
