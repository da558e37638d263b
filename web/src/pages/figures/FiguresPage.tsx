// The figures dashboard: filters (period, type, party) in the address, a summary, the removal
// time per party and the compliance per month as charts, the same numbers in tables, CSV
// export, the yearly trusted-flagger report, the registration export for police and
// prosecution, the publication settings, and the regulators' clocks (requests filed, time to
// acknowledgement and decision, lapsed terms, decisions) from the recorded enforcement requests.
import { useId, useState } from "react";
import { Alert, ProblemAlert } from "../../components/Alert.tsx";
import { TableRegion } from "../../components/DataTable.tsx";
import { SelectField, TextAreaField, TextField } from "../../components/Field.tsx";
import { PageTitle } from "../../components/PageTitle.tsx";
import { useI18n } from "../../i18n/index.tsx";
import type { MessageKey } from "../../i18n/nl.ts";
import { api } from "../../lib/api.ts";
import { useSession } from "../../lib/auth.tsx";
import { useCategories, useCategoryLabel } from "../../lib/cases.ts";
import {
  FIGURES_PATH,
  type Figures,
  type FilterParty,
  hoursOf,
  type Measures,
  type RegulatorMeasures,
  type ReportingSettings,
} from "../../lib/reporting.ts";
import { navigate, useSearch } from "../../lib/router.tsx";
import { useResource } from "../../lib/useResource.ts";
import { ComplianceTrendChart, RemovalDistributionChart } from "./Charts.tsx";
import "../../reporting.css";

interface Filters {
  from: string;
  to: string;
  category: string;
  partyId: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function readFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  const day = (k: string) => {
    const v = p.get(k) ?? "";
    return DAY.test(v) ? v : "";
  };
  const partyId = p.get("partyId") ?? "";
  return {
    from: day("from"),
    to: day("to"),
    category: /^[a-z_]{1,40}$/.test(p.get("category") ?? "") ? (p.get("category") as string) : "",
    partyId: /^[0-9a-f-]{36}$/i.test(partyId) ? partyId : "",
  };
}

function query(f: Filters): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  const text = p.toString();
  return text ? `?${text}` : "";
}

function useFormat() {
  const { t, locale, formatNumber } = useI18n();
  const percent = new Intl.NumberFormat(locale === "nl" ? "nl-NL" : "en-GB", {
    style: "percent",
    maximumFractionDigits: 1,
  });
  return {
    count: (n: number) => formatNumber(n),
    share: (n: number | null) => (n === null ? t("figures.none") : percent.format(n)),
    hours: (seconds: number | null) => {
      const h = hoursOf(seconds);
      return h === null ? t("figures.none") : t("figures.hours", { hours: formatNumber(h) });
    },
  };
}

export function FiguresPage() {
  const { t } = useI18n();
  const session = useSession();
  const filters = readFilters(useSearch());
  const [figures] = useResource<Figures>(`/reporting/figures${query(filters)}`);
  const [parties] = useResource<{ items: FilterParty[] }>("/reporting/parties");
  const categories = useCategories();
  const categoryLabel = useCategoryLabel();
  const { locale } = useI18n();
  const change = (patch: Partial<Filters>) =>
    navigate(`${FIGURES_PATH}${query({ ...filters, ...patch })}`, { replace: true });
  const summaryId = useId();
  const chartsId = useId();

  return (
    <>
      <PageTitle title={t("figures.title")}>{t("figures.title")}</PageTitle>
      <p className="lead">{t("figures.intro")}</p>

      <section className="panel panel--flat figures-filters" aria-label={t("figures.filters")}>
        <div className="filters__grid figures-filters__grid">
          <TextField
            label={t("figures.filter.from")}
            type="date"
            value={filters.from}
            onValueChange={(from) => change({ from: DAY.test(from) ? from : "" })}
          />
          <TextField
            label={t("figures.filter.to")}
            type="date"
            value={filters.to}
            onValueChange={(to) => change({ to: DAY.test(to) ? to : "" })}
          />
          <SelectField
            label={t("figures.filter.category")}
            value={filters.category}
            onValueChange={(category) => change({ category })}
            options={[
              { value: "", label: t("figures.filter.anyCategory") },
              ...categories.map((c) => ({ value: c.id, label: c.label[locale] })),
            ]}
          />
          <SelectField
            label={t("figures.filter.party")}
            value={filters.partyId}
            onValueChange={(partyId) => change({ partyId })}
            options={[
              { value: "", label: t("figures.filter.anyParty") },
              ...(parties.status === "ready" ? parties.data.items : []).map((p) => ({
                value: p.id,
                label: p.name,
              })),
            ]}
          />
        </div>
        <p className="field__hint">{t("figures.filter.hint")}</p>
        <div className="form__actions justify-start">
          <a
            className="button button--primary"
            href={`/api/v1/reporting/figures.csv${query(filters)}`}
            download="figures.csv"
          >
            {t("figures.export")}
          </a>
          {query(filters) ? (
            <button
              type="button"
              className="button button--quiet"
              onClick={() => navigate(FIGURES_PATH, { replace: true })}
            >
              {t("figures.filter.reset")}
            </button>
          ) : null}
        </div>
      </section>

      {figures.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : null}
      {figures.status === "failed" ? <ProblemAlert error={figures.error} /> : null}
      {figures.status === "ready" ? (
        figures.data.total.notices === 0 && figures.data.total.items === 0 ? (
          <p className="empty">{t("figures.empty")}</p>
        ) : (
          <>
            <section className="section" aria-labelledby={summaryId}>
              <h2 className="section-title" id={summaryId}>
                {t("figures.summary")}
              </h2>
              <Summary m={figures.data.total} />
            </section>
            <section className="section" aria-labelledby={chartsId}>
              <h2 className="section-title" id={chartsId}>
                {t("figures.chart.removal.title")}
              </h2>
              <RemovalDistributionChart rows={figures.data.parties} />
              <h2 className="section-title">{t("figures.chart.trend.title")}</h2>
              <ComplianceTrendChart months={figures.data.months} />
              <p className="section__intro">{t("figures.chart.tableLink")}</p>
            </section>
            <MeasuresTable
              title={t("figures.parties.title")}
              head={t("figures.col.party")}
              rows={figures.data.parties.map((p) => ({
                key: p.partyId,
                label: p.name,
                measures: p.measures,
              }))}
            />
            <MeasuresTable
              title={t("figures.categories.title")}
              head={t("figures.col.category")}
              rows={figures.data.categories.map((c) => ({
                key: c.category,
                label: categoryLabel(c.category),
                measures: c.measures,
              }))}
            />
            <MeasuresTable
              title={t("figures.months.title")}
              head={t("figures.col.month")}
              rows={figures.data.months.map((m) => ({ key: m.month, label: m.month, measures: m.measures }))}
            />
            <RegulatorsTable regulators={figures.data.regulators} />
          </>
        )
      ) : null}

      <YearlyReport />
      <RegistrationExport />
      <Publication canManage={session.permissions.includes("reporting:manage")} />
    </>
  );
}

const STATS: { key: MessageKey; value: (m: Measures, f: ReturnType<typeof useFormat>) => string }[] = [
  { key: "figures.stat.notices", value: (m, f) => f.count(m.notices) },
  { key: "figures.stat.items", value: (m, f) => f.count(m.items) },
  { key: "figures.stat.ackMedian", value: (m, f) => f.hours(m.ackMedianSeconds) },
  { key: "figures.stat.removalMedian", value: (m, f) => f.hours(m.removalMedianSeconds) },
  { key: "figures.stat.removalP90", value: (m, f) => f.hours(m.removalP90Seconds) },
  { key: "figures.stat.within48h", value: (m, f) => f.share(m.within48hShare) },
  { key: "figures.stat.byDeadline", value: (m, f) => f.share(m.byDeadlineShare) },
  { key: "figures.stat.neverAnswered", value: (m, f) => f.share(m.neverAnsweredShare) },
  { key: "figures.stat.refused", value: (m, f) => f.count(m.refused) },
  { key: "figures.stat.contradicted", value: (m, f) => f.count(m.claimsContradicted) },
];

function Summary({ m }: { m: Measures }) {
  const { t } = useI18n();
  const f = useFormat();
  return (
    <dl className="figures-stats">
      {STATS.map((s) => (
        <div className="figures-stats__item" key={s.key}>
          <dt>{t(s.key)}</dt>
          <dd>{s.value(m, f)}</dd>
        </div>
      ))}
    </dl>
  );
}

const COLUMNS: { key: MessageKey; value: (m: Measures, f: ReturnType<typeof useFormat>) => string }[] = [
  { key: "figures.stat.notices", value: (m, f) => f.count(m.notices) },
  { key: "figures.stat.ackMedian", value: (m, f) => f.hours(m.ackMedianSeconds) },
  { key: "figures.stat.items", value: (m, f) => f.count(m.items) },
  { key: "figures.stat.removalMedian", value: (m, f) => f.hours(m.removalMedianSeconds) },
  { key: "figures.stat.removalP90", value: (m, f) => f.hours(m.removalP90Seconds) },
  { key: "figures.stat.within24h", value: (m, f) => f.share(m.within24hShare) },
  { key: "figures.stat.within48h", value: (m, f) => f.share(m.within48hShare) },
  { key: "figures.stat.within7d", value: (m, f) => f.share(m.within7dShare) },
  { key: "figures.stat.neverAnswered", value: (m, f) => f.share(m.neverAnsweredShare) },
  { key: "figures.stat.refused", value: (m, f) => f.count(m.refused) },
  { key: "figures.stat.removedBeforeNotice", value: (m, f) => f.count(m.removedBeforeNotice) },
];

const REGULATOR_COLUMNS: {
  key: MessageKey;
  value: (m: RegulatorMeasures, f: ReturnType<typeof useFormat>) => string;
}[] = [
  { key: "figures.reg.filed", value: (m, f) => f.count(m.filed) },
  { key: "figures.reg.notReceived", value: (m, f) => f.count(m.notReceived) },
  { key: "figures.reg.ackMedian", value: (m, f) => f.hours(m.ackMedianSeconds) },
  { key: "figures.reg.ackP90", value: (m, f) => f.hours(m.ackP90Seconds) },
  { key: "figures.reg.decided", value: (m, f) => f.count(m.decided) },
  { key: "figures.reg.decisionMedian", value: (m, f) => f.hours(m.decisionMedianSeconds) },
  { key: "figures.reg.decisionP90", value: (m, f) => f.hours(m.decisionP90Seconds) },
  { key: "figures.reg.lapsed", value: (m, f) => f.count(m.lapsed) },
  { key: "figures.reg.granted", value: (m, f) => f.count(m.decisions.granted + m.decisions.partly_granted) },
  { key: "figures.reg.refused", value: (m, f) => f.count(m.decisions.refused + m.decisions.inadmissible) },
  { key: "figures.reg.withdrawn", value: (m, f) => f.count(m.withdrawn) },
  { key: "figures.reg.open", value: (m, f) => f.count(m.open) },
];

/** The regulators' clocks: one row per regulator, from the recorded enforcement requests. */
function RegulatorsTable({ regulators }: { regulators: Figures["regulators"] | undefined }) {
  const { t, locale } = useI18n();
  const f = useFormat();
  const id = useId();
  if (!regulators || regulators.items.length === 0) return null;
  const title = t("figures.reg.title");
  return (
    <section className="section" aria-labelledby={id}>
      <h2 className="section-title" id={id}>
        {title}
      </h2>
      <p className="section__intro">{t("figures.reg.intro")}</p>
      <TableRegion label={title}>
        <table className="table table--dense">
          <thead>
            <tr>
              <th scope="col">{t("figures.reg.regulator")}</th>
              {REGULATOR_COLUMNS.map((c) => (
                <th scope="col" className="num" key={c.key}>
                  {t(c.key)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {regulators.items.map((r) => (
              <tr key={r.regulator}>
                <th scope="row">{r.name ? r.name[locale] : r.regulator}</th>
                {REGULATOR_COLUMNS.map((c) => (
                  <td className="num" key={c.key}>
                    {c.value(r.measures, f)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}

function MeasuresTable({
  title,
  head,
  rows,
}: {
  title: string;
  head: string;
  rows: { key: string; label: string; measures: Measures }[];
}) {
  const { t } = useI18n();
  const f = useFormat();
  const id = useId();
  if (rows.length === 0) return null;
  return (
    <section className="section" aria-labelledby={id}>
      <h2 className="section-title" id={id}>
        {title}
      </h2>
      <TableRegion label={title}>
        <table className="table table--dense">
          <thead>
            <tr>
              <th scope="col">{head}</th>
              {COLUMNS.map((c) => (
                <th scope="col" className="num" key={c.key}>
                  {t(c.key)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.label}</th>
                {COLUMNS.map((c) => (
                  <td className="num" key={c.key}>
                    {c.value(r.measures, f)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}

function YearlyReport() {
  const { t, locale } = useI18n();
  const id = useId();
  const thisYear = new Date().getUTCFullYear();
  const [year, setYear] = useState(String(thisYear - 1));
  const base = `/api/v1/reporting/trusted-flagger/${year}`;
  return (
    <section className="section panel panel--flat" aria-labelledby={id}>
      <h2 className="panel__title" id={id}>
        {t("figures.yearly.title")}
      </h2>
      <p>{t("figures.yearly.intro")}</p>
      <div className="figures-inline">
        <SelectField
          label={t("figures.yearly.year")}
          value={year}
          onValueChange={setYear}
          options={Array.from({ length: 6 }, (_, i) => String(thisYear - i)).map((y) => ({
            value: y,
            label: y,
          }))}
        />
        <div className="form__actions justify-start">
          <a
            className="button button--secondary"
            href={`${base}?format=html&lang=${locale}`}
            target="_blank"
            rel="noopener"
          >
            {t("figures.yearly.html")}
          </a>
          <a
            className="button button--secondary"
            href={`${base}?format=csv&lang=${locale}`}
            download={`trusted-flagger-${year}.csv`}
          >
            {t("figures.yearly.csv")}
          </a>
          <a className="button button--secondary" href={base} download={`trusted-flagger-${year}.json`}>
            {t("figures.yearly.json")}
          </a>
        </div>
      </div>
    </section>
  );
}

function RegistrationExport() {
  const { t } = useI18n();
  const id = useId();
  const year = new Date().getUTCFullYear();
  const [from, setFrom] = useState(`${year}-01-01`);
  const [to, setTo] = useState(new Date().toISOString().slice(0, 10));
  const valid = DAY.test(from) && DAY.test(to) && from <= to;
  return (
    <section className="section panel panel--flat" aria-labelledby={id}>
      <h2 className="panel__title" id={id}>
        {t("figures.registration.title")}
      </h2>
      <p>{t("figures.registration.intro")}</p>
      <div className="figures-inline">
        <TextField label={t("figures.filter.from")} type="date" value={from} onValueChange={setFrom} />
        <TextField label={t("figures.filter.to")} type="date" value={to} onValueChange={setTo} />
        <div className="form__actions justify-start">
          {valid ? (
            <a
              className="button button--secondary"
              href={`/api/v1/reporting/registration?from=${from}&to=${to}&format=csv`}
              download={`registration-${from}-${to}.csv`}
            >
              {t("figures.registration.download")}
            </a>
          ) : null}
        </div>
      </div>
    </section>
  );
}

function Publication({ canManage }: { canManage: boolean }) {
  const { t, formatDateTime } = useI18n();
  const id = useId();
  const [settings, reload] = useResource<ReportingSettings>("/reporting/settings");
  const [statement, setStatement] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const organisationId = useSession().organisation.id;

  async function save(body: Record<string, unknown>, after?: () => void): Promise<void> {
    setBusy(true);
    setProblem(null);
    setSaved(false);
    try {
      await api.patch("/reporting/settings", body);
      after?.();
      await reload();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="section panel panel--flat" aria-labelledby={id}>
      <h2 className="panel__title" id={id}>
        {t("figures.publication.title")}
      </h2>
      <p>{t("figures.publication.intro")}</p>
      <ProblemAlert error={problem} />
      {settings.status === "failed" ? <ProblemAlert error={settings.error} /> : null}
      {settings.status === "ready" ? (
        <>
          <p role="status">
            {settings.data.transparencyPublished
              ? t("figures.publication.on", { time: formatDateTime(settings.data.transparencyPublishedAt) })
              : t("figures.publication.off")}
          </p>
          <div className="form__actions justify-start">
            {canManage ? (
              <button
                type="button"
                className="button button--secondary"
                aria-busy={busy || undefined}
                onClick={() => void save({ transparencyPublished: !settings.data.transparencyPublished })}
              >
                {settings.data.transparencyPublished
                  ? t("figures.publication.withdraw")
                  : t("figures.publication.publish")}
              </button>
            ) : null}
            {settings.data.transparencyPublished ? (
              <a className="button button--quiet" href={`/transparantie?organisation=${organisationId}`}>
                {t("figures.publication.view")}
              </a>
            ) : null}
          </div>
          {canManage ? (
            <form
              className="form"
              onSubmit={(e) => {
                e.preventDefault();
                const text = (statement ?? settings.data.independenceStatement ?? "").trim();
                void save({ independenceStatement: text || null }, () => setSaved(true));
              }}
            >
              <TextAreaField
                label={t("figures.publication.statement")}
                hint={t("figures.publication.statement.hint")}
                value={statement ?? settings.data.independenceStatement ?? ""}
                onValueChange={setStatement}
                maxLength={10_000}
                rows={5}
              />
              <div className="form__actions justify-start">
                <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
                  {t("figures.publication.statement.save")}
                </button>
              </div>
              {saved ? <Alert tone="success" title={t("figures.publication.statement.saved")} /> : null}
            </form>
          ) : (
            <>
              <h3 className="fieldset__title">{t("figures.publication.statement")}</h3>
              <p className="figures-statement">
                {settings.data.independenceStatement ?? t("figures.publication.statement.none")}
              </p>
              <p className="field__hint">{t("figures.publication.readOnly")}</p>
            </>
          )}
        </>
      ) : null}
    </section>
  );
}
