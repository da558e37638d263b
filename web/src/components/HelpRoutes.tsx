// Help routes: who to call or where to go, in the reporter's language. Phone numbers are big
// tap-to-call buttons; websites open in a new tab so the page with the receipt stays open.
import { useI18n } from "../i18n/index.tsx";
import { displayHost, type HelpRoute } from "../lib/report.ts";

const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, "")}`;

export function HelpRouteCard({ route, headingLevel = 3 }: { route: HelpRoute; headingLevel?: 2 | 3 | 4 }) {
  const { t, locale } = useI18n();
  const Heading = `h${headingLevel}` as const;
  return (
    <div
      className={
        route.id === "emergency"
          ? "help-card help-card--urgent help-card--emergency"
          : route.urgent
            ? "help-card help-card--urgent"
            : "help-card"
      }
    >
      <Heading className="help-card__title">
        {route.urgent ? (
          <span className="help-card__flag" aria-hidden="true">
            !
          </span>
        ) : null}
        {route.title[locale]}
      </Heading>
      <p className="help-card__text">{route.text[locale]}</p>
      {route.phone || route.phoneAlt || route.url ? (
        <div className="help-card__actions">
          {route.phone ? (
            <a className="button button--call" href={telHref(route.phone)}>
              {t("help.call", { phone: route.phone })}
            </a>
          ) : null}
          {route.phoneAlt ? (
            <a className="button button--call-alt" href={telHref(route.phoneAlt)}>
              {t("help.call", { phone: route.phoneAlt })}
            </a>
          ) : null}
          {route.url ? (
            <a className="help-card__link" href={route.url} target="_blank" rel="noopener noreferrer">
              {displayHost(route.url)}
              <span className="visually-hidden"> ({t("help.newTab")})</span>
            </a>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

export function HelpRouteList({ routes }: { routes: readonly HelpRoute[] }) {
  return (
    <ul className="help-list">
      {routes.map((route) => (
        <li key={route.id}>
          <HelpRouteCard route={route} />
        </li>
      ))}
    </ul>
  );
}
