// Frame of the pages before sign-in is complete: setup, login and MFA.
import type { ReactNode } from "react";
import { useI18n } from "../i18n/index.tsx";
import { BrandName } from "./Brand.tsx";
import { LanguageSwitch } from "./LanguageSwitch.tsx";

export function AuthLayout({ children, wide = false }: { children: ReactNode; wide?: boolean }) {
  const { t } = useI18n();
  return (
    <div className={wide ? "auth auth--wide" : "auth"}>
      <a className="skip-link" href="#main">
        {t("nav.skipToContent")}
      </a>
      <header className="auth__header">
        <BrandName />
        <LanguageSwitch />
      </header>
      <main id="main" tabIndex={-1} className="auth__main">
        <div className="card auth__card">{children}</div>
      </main>
      <footer className="auth__footer">
        <p>{t("app.tagline")}</p>
      </footer>
    </div>
  );
}
