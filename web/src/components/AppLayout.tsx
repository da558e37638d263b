// Frame of the signed-in app: header with organisation, person, language and logout;
// the main navigation; and the page itself in <main>.
import { type ReactNode, useEffect, useState } from "react";
import { useI18n } from "../i18n/index.tsx";
import { useAuth, useSession } from "../lib/auth.tsx";
import { refreshExposure, useExposure } from "../lib/cases.ts";
import { Link, usePath } from "../lib/router.tsx";
import { BrandMark } from "./Brand.tsx";
import { LanguageSwitch } from "./LanguageSwitch.tsx";

const NAV = [
  { to: "/", key: "nav.overview", permission: null },
  { to: "/cases", key: "nav.cases", permission: "cases:read" },
  { to: "/parties", key: "nav.parties", permission: "parties:read" },
  {
    to: "/enforcement",
    key: "nav.enforcement",
    permission: "enforcement:read",
    kinds: ["hotline", "helpdesk"],
  },
  { to: "/portal", key: "nav.portal", permission: "enforcement:read", kinds: ["regulator", "police"] },
  { to: "/figures", key: "nav.figures", permission: "reporting:read" },
  { to: "/organisation", key: "nav.organisation", permission: null },
  { to: "/audit", key: "nav.audit", permission: null },
] as const;

/** How many items this person revealed today: a quiet reminder to look after themselves. */
function ExposureBadge() {
  const { t } = useI18n();
  const count = useExposure();
  useEffect(() => {
    void refreshExposure();
  }, []);
  if (count === null) return null;
  return (
    <p className="exposure-badge">
      <span className="exposure-badge__icon" aria-hidden="true" />
      {t("exposure.badge", { count })}
    </p>
  );
}

export function AppLayout({ children }: { children: ReactNode }) {
  const { t, tMaybe } = useI18n();
  const { logout } = useAuth();
  const session = useSession();
  const path = usePath();
  const [leaving, setLeaving] = useState(false);

  async function handleLogout(): Promise<void> {
    setLeaving(true);
    await logout();
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("nav.skipToContent")}
      </a>
      <header className="topbar">
        <div className="topbar__inner">
          <Link to="/" className="topbar__brand">
            <BrandMark size={30} />
            <span className="brand__name">{t("app.name")}</span>
          </Link>
          <p className="topbar__org">
            <span className="visually-hidden">{t("header.organisation")}: </span>
            {session.organisation.name}
          </p>
          <p className="topbar__user">
            <span className="visually-hidden">{t("header.signedInAs")} </span>
            <span className="topbar__user-name">{session.user.displayName}</span>
            <span className="topbar__user-role">
              {tMaybe(`role.${session.user.role}`, session.user.role)}
            </span>
          </p>
          <div className="topbar__end">
            {session.permissions.includes("cases:read") ? <ExposureBadge /> : null}
            <LanguageSwitch />
            <button
              type="button"
              className="button button--quiet button--small"
              onClick={() => void handleLogout()}
              aria-busy={leaving || undefined}
            >
              {t("header.logout")}
            </button>
          </div>
        </div>
        <nav className="mainnav" aria-label={t("nav.label")}>
          <ul className="mainnav__list">
            {NAV.filter(
              (item) =>
                (item.permission === null || session.permissions.includes(item.permission)) &&
                (!("kinds" in item) || (item.kinds as readonly string[]).includes(session.organisation.kind)),
            ).map((item) => {
              const current = item.to === "/" ? path === "/" : path.startsWith(item.to);
              return (
                <li key={item.to}>
                  <Link to={item.to} className="mainnav__link" aria-current={current ? "page" : undefined}>
                    {t(item.key)}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="page">
        {children}
      </main>
      <footer className="footer">
        <p>
          {t("app.name")} · {t("footer.licence")}
        </p>
      </footer>
    </div>
  );
}
