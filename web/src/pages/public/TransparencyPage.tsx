// The public transparency page (/transparantie, /transparency): per-party scorecards of a
// hotline that chose to publish them, for a year, with small counts shown as "fewer than 10",
// and the same data as open data (CSV, JSON). No account, no cookies, nothing from elsewhere.
import { useEffect, useId, useState } from "react";
import { BrandMark } from "../../components/Brand.tsx";
import { TableRegion } from "../../components/DataTable.tsx";
import { SelectField } from "../../components/Field.tsx";
import { LanguageSwitch } from "../../components/LanguageSwitch.tsx";
import { PageTitle } from "../../components/PageTitle.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { ApiError, api } from "../../lib/api.ts";
import type { PublicCount, Scorecard, TransparencyData } from "../../lib/reporting.ts";
import { navigate, usePath, useSearch } from "../../lib/router.tsx";
import "../../reporting.css";

type Load<T> = { status: "loading" } | { status: "ready"; data: T } | { status: "failed"; notFound: boolean };

function useLoad<T>(path: string | null): Load<T> {
  const [state, setState] = useState<Load<T>>({ status: "loading" });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState({ status: "loading" });
    api
      .get<T>(path)
      .then((data) => live && setState({ status: "ready", data }))
      .catch(
        (e) => live && setState({ status: "failed", notFound: e instanceof ApiError && e.status === 404 }),
      );
    return () => {
      live = false;
    };
  }, [path]);
  return state;
}

export function TransparencyPage() {
  const { t, locale, formatDateTime } = useI18n();
  const path = usePath();
  const params = new URLSearchParams(useSearch());
  const thisYear = new Date().getUTCFullYear();
  const wantedYear = Number(params.get("year"));
  const year =
    Number.isInteger(wantedYear) && wantedYear >= 2020 && wantedYear <= thisYear ? wantedYear : thisYear;
  const orgs = useLoad<{ items: { id: string; name: string }[] }>("/public/transparency");
  const wanted = params.get("organisation") ?? "";
  const org =
    orgs.status === "ready"
      ? (orgs.data.items.find((o) => o.id === wanted) ?? orgs.data.items[0])
      : undefined;
  const data = useLoad<TransparencyData>(org ? `/public/transparency/${org.id}?year=${year}` : null);
  const go = (o: string, y: number) => navigate(`${path}?organisation=${o}&year=${y}`, { replace: true });
  const tableId = useId();
  const openId = useId();
  const nf = new Intl.NumberFormat(locale === "nl" ? "nl-NL" : "en-GB");
  const pf = new Intl.NumberFormat(locale === "nl" ? "nl-NL" : "en-GB", {
    style: "percent",
    maximumFractionDigits: 0,
  });
  const count = (c: PublicCount) => (c === "<10" ? t("transparency.suppressed") : nf.format(c));
  const share = (v: number | null) => (v === null ? "—" : pf.format(v));
  const hours = (v: number | null) => (v === null ? "—" : t("figures.hours", { hours: nf.format(v) }));
  const columns: [string, (s: Scorecard) => string][] = [
    [t("transparency.col.notices"), (s) => count(s.notices)],
    [t("transparency.col.items"), (s) => count(s.items)],
    [t("transparency.col.ack"), (s) => hours(s.acknowledgementMedianHours)],
    [t("transparency.col.removal"), (s) => hours(s.removalMedianHours)],
    [t("transparency.col.p90"), (s) => hours(s.removalP90Hours)],
    [t("transparency.col.within24h"), (s) => share(s.removedWithin24hShare)],
    [t("transparency.col.within7d"), (s) => share(s.removedWithin7dShare)],
    [t("transparency.col.neverAnswered"), (s) => share(s.neverAnsweredShare)],
    [t("transparency.col.refused"), (s) => count(s.refused)],
  ];

  return (
    <div className="pub">
      <a className="skip-link" href="#main">
        {t("nav.skipToContent")}
      </a>
      <header className="pub__header">
        <div className="pub__bar">
          <span className="pub__brand">
            <BrandMark size={30} />
            <span className="pub__brand-text">
              <span className="brand__name">{t("app.name")}</span>
              <span className="pub__tagline">{t("transparency.title")}</span>
            </span>
          </span>
          <div className="pub__tools">
            <LanguageSwitch />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="pub__main transparency">
        <PageTitle title={t("transparency.title")}>{t("transparency.title")}</PageTitle>
        <p className="lead">{t("transparency.intro")}</p>
        {orgs.status === "loading" ? (
          <p className="loading" role="status">
            {t("common.loading")}
          </p>
        ) : null}
        {orgs.status === "failed" || (orgs.status === "ready" && !org) ? (
          <p className="empty">{t("transparency.none")}</p>
        ) : null}
        {org && orgs.status === "ready" ? (
          <div className="figures-inline">
            {orgs.data.items.length > 1 ? (
              <SelectField
                label={t("transparency.organisation")}
                value={org.id}
                onValueChange={(o) => go(o, year)}
                options={orgs.data.items.map((o) => ({ value: o.id, label: o.name }))}
              />
            ) : null}
            <SelectField
              label={t("transparency.year")}
              value={String(year)}
              onValueChange={(y) => go(org.id, Number(y))}
              options={Array.from({ length: 5 }, (_, i) => String(thisYear - i)).map((y) => ({
                value: y,
                label: y,
              }))}
            />
          </div>
        ) : null}
        {org && data.status === "failed" ? (
          <p className="empty">{data.notFound ? t("transparency.notPublished") : t("transparency.none")}</p>
        ) : null}
        {org && data.status === "ready" ? (
          <>
            <section className="section" aria-labelledby={tableId}>
              <h2 className="section-title" id={tableId}>
                {t("transparency.scorecards")} — {data.data.organisation}, {data.data.year}
              </h2>
              <p className="section__intro">{t("transparency.suppression")}</p>
              {data.data.scorecards.length === 0 ? (
                <p className="empty">{t("transparency.empty")}</p>
              ) : (
                <TableRegion label={t("transparency.scorecards")}>
                  <table className="table table--dense">
                    <thead>
                      <tr>
                        <th scope="col">{t("transparency.col.party")}</th>
                        {columns.map(([label]) => (
                          <th scope="col" className="num" key={label}>
                            {label}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {data.data.scorecards.map((s) => (
                        <tr key={s.party}>
                          <th scope="row">{s.party}</th>
                          {columns.map(([label, value]) => (
                            <td className="num" key={label}>
                              {value(s)}
                            </td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableRegion>
              )}
              <p className="field__hint">
                {t("transparency.generated", { time: formatDateTime(data.data.generatedAt) })}
              </p>
            </section>
            <section className="section" aria-labelledby={openId}>
              <h2 className="section-title" id={openId}>
                {t("transparency.openData")}
              </h2>
              <ul>
                <li>
                  <a href={`/api/v1/public/transparency/${org.id}/open-data.csv?year=${year}`} download>
                    {t("transparency.openData.csv")}
                  </a>
                </li>
                <li>
                  <a href={`/api/v1/public/transparency/${org.id}/open-data.json?year=${year}`} download>
                    {t("transparency.openData.json")}
                  </a>
                </li>
              </ul>
            </section>
          </>
        ) : null}
      </main>
    </div>
  );
}
