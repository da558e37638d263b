// Frame of the page where a platform answers a notice: the brand and the language switch, no
// navigation (nothing else on this site is for the party) and no quick exit (that is for
// victims). The link in the notice is the party's only key, so the footer says to keep it in.
import type { ReactNode } from "react";
import { useI18n } from "../i18n/index.tsx";
import { BrandMark } from "./Brand.tsx";
import { LanguageSwitch } from "./LanguageSwitch.tsx";
import "../notices.css";

export function RespondLayout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="pub respond">
      <a className="skip-link" href="#main">
        {t("nav.skipToContent")}
      </a>
      <header className="pub__header">
        <div className="pub__bar">
          <span className="pub__brand">
            <BrandMark size={30} />
            <span className="pub__brand-text">
              <span className="brand__name">{t("app.name")}</span>
              <span className="pub__tagline">{t("respond.tagline")}</span>
            </span>
          </span>
          <div className="pub__tools">
            <LanguageSwitch />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="pub__main respond__main">
        {children}
      </main>
      <footer className="pub__footer">
        <p>{t("respond.footer.link")}</p>
        <p>{t("respond.footer.privacy")}</p>
      </footer>
    </div>
  );
}
