// The landing page after sign-in: who you are here and where to go next.
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import { useSession } from "../lib/auth.tsx";
import { Link } from "../lib/router.tsx";

export function OverviewPage() {
  const { t, tMaybe } = useI18n();
  const session = useSession();
  const { user, organisation, permissions } = session;
  const role = tMaybe(`role.${user.role}`, user.role);
  const kind = tMaybe(`kind.${organisation.kind}`, organisation.kind);

  return (
    <>
      <PageTitle title={t("overview.title")}>{t("overview.welcome", { name: user.displayName })}</PageTitle>
      <p className="lead">
        {t("overview.intro", {
          role: role.toLowerCase(),
          organisation: organisation.name,
          kind: kind.toLowerCase(),
        })}
      </p>

      <dl className="facts">
        <div className="facts__item">
          <dt>{t("overview.fact.organisation")}</dt>
          <dd>{organisation.name}</dd>
        </div>
        <div className="facts__item">
          <dt>{t("overview.fact.kind")}</dt>
          <dd>{kind}</dd>
        </div>
        <div className="facts__item">
          <dt>{t("overview.fact.role")}</dt>
          <dd>{role}</dd>
        </div>
        <div className="facts__item">
          <dt>{t("overview.fact.mfa")}</dt>
          <dd>{user.mfaEnabled ? t("overview.mfa.on") : t("overview.mfa.off")}</dd>
        </div>
      </dl>

      <h2 className="section-title">{t("overview.next")}</h2>
      <ul className="tiles">
        <li className="tile">
          <h3 className="tile__title">
            <Link to="/organisation" className="tile__link">
              {t("nav.organisation")}
            </Link>
          </h3>
          <p>{t("overview.tile.organisation")}</p>
        </li>
        <li className="tile">
          <h3 className="tile__title">
            <Link to="/audit" className="tile__link">
              {t("nav.audit")}
            </Link>
          </h3>
          <p>{t("overview.tile.audit")}</p>
        </li>
      </ul>

      {permissions.length > 0 ? (
        <details className="disclosure">
          <summary>{t("overview.permissions", { count: permissions.length })}</summary>
          <ul className="chips">
            {permissions.map((permission) => (
              <li key={permission} className="chip">
                <code>{permission}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}
