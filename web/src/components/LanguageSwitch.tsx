// Two toggle buttons, NL and EN; the choice is remembered and sets <html lang>.
import { LOCALES, useI18n } from "../i18n/index.tsx";

const NAMES = { nl: "Nederlands", en: "English" } as const;

export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <fieldset className="lang-switch">
      <legend className="visually-hidden">{t("language.label")}</legend>
      {LOCALES.map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          className="lang-switch__button"
          aria-pressed={locale === code}
          title={NAMES[code]}
          onClick={() => setLocale(code)}
        >
          {code.toUpperCase()}
        </button>
      ))}
    </fieldset>
  );
}
