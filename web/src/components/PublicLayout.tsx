// Frame of the public pages (report, status, device hashing): no account, no cookies, phone first. The
// emergency numbers are on every page; "Leave quickly" replaces this page in the history with
// a neutral site, for someone who must hide what they are doing.
import type { ReactNode } from "react";
import { useI18n } from "../i18n/index.tsx";
import { RESPOND_PATH } from "../lib/notices.ts";
import { isTransparencyPath } from "../lib/reporting.ts";
import { Link, usePath } from "../lib/router.tsx";
import { BrandMark } from "./Brand.tsx";
import { LanguageSwitch } from "./LanguageSwitch.tsx";

const QUICK_EXIT_URL = "https://www.google.com/";

export const PUBLIC_REPORT_PATHS = ["/melden", "/report"] as const;
export const PUBLIC_STATUS_PATH = "/status";
/** The device-hashing page; "/hashen" is its Dutch address. */
export const DEVICE_HASH_PATHS = ["/hashen", "/hashes"] as const;

export const isDeviceHashPath = (path: string): boolean =>
  (DEVICE_HASH_PATHS as readonly string[]).includes(path);

export function isPublicPath(path: string): boolean {
  return (
    (PUBLIC_REPORT_PATHS as readonly string[]).includes(path) ||
    path === PUBLIC_STATUS_PATH ||
    isDeviceHashPath(path) ||
    RESPOND_PATH.test(path) ||
    isTransparencyPath(path)
  );
}

export function PublicLayout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const path = usePath();
  const onStatus = path === PUBLIC_STATUS_PATH;
  const onHashes = isDeviceHashPath(path);
  const reportPath = path === "/report" ? "/report" : "/melden";
  const hashesPath = path === "/hashes" ? "/hashes" : "/hashen";

  return (
    <div className="pub">
      <a className="skip-link" href="#main">
        {t("nav.skipToContent")}
      </a>
      <header className="pub__header">
        <div className="pub__bar">
          <Link to={reportPath} className="pub__brand">
            <BrandMark size={30} />
            <span className="pub__brand-text">
              <span className="brand__name">{t("app.name")}</span>
              <span className="pub__tagline">{t("public.tagline")}</span>
            </span>
          </Link>
          <div className="pub__tools">
            <LanguageSwitch />
            <button
              type="button"
              className="button button--small quick-exit"
              onClick={() => window.location.replace(QUICK_EXIT_URL)}
            >
              {t("public.quickExit")}
            </button>
          </div>
        </div>
        <nav className="pub__nav" aria-label={t("public.nav.label")}>
          <Link
            to={reportPath}
            className="pub__navlink"
            aria-current={onStatus || onHashes ? undefined : "page"}
          >
            {t("public.nav.report")}
          </Link>
          <Link to={PUBLIC_STATUS_PATH} className="pub__navlink" aria-current={onStatus ? "page" : undefined}>
            {t("public.nav.status")}
          </Link>
          <Link to={hashesPath} className="pub__navlink" aria-current={onHashes ? "page" : undefined}>
            {t("public.nav.hashes")}
          </Link>
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="pub__main">
        {children}
      </main>
      <footer className="pub__footer">
        <p className="pub__urgent">
          <strong>{t("public.footer.urgentTitle")}</strong> {t("public.footer.urgent112")}{" "}
          <a href="tel:112">112</a>. {t("public.footer.urgent113")} <a href="tel:113">113</a>{" "}
          {t("public.footer.or")} <a href="tel:08000113">0800-0113</a>.
        </p>
        <p>{t("public.footer.privacy")}</p>
        <p className="pub__quick-exit-hint">{t("public.quickExit.hint")}</p>
      </footer>
    </div>
  );
}
