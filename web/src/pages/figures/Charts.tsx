// Hand-drawn SVG charts for the figures: no chart library and nothing loaded from elsewhere.
// Each chart is one image with a title and a description for screen readers (the same
// numbers are in the tables under it), a visible legend, and patterns of light and dark so
// neighbouring segments differ without relying on colour alone.
import { useId } from "react";
import { useI18n } from "../../i18n/index.tsx";
import type { MessageKey } from "../../i18n/nl.ts";
import { type Bucket, type Measures, REMOVAL_BUCKETS } from "../../lib/reporting.ts";

const BUCKET_COLOURS: Record<Bucket, string> = {
  "1h": "#0b3d2e",
  "6h": "#1c6b3c",
  "24h": "#7fbf7b",
  "48h": "#e6c677",
  "7d": "#d0803a",
  later: "#8c4a1f",
  notRemoved: "#a3222b",
};

const pct = (n: number, locale: string) =>
  new Intl.NumberFormat(locale === "nl" ? "nl-NL" : "en-GB", {
    style: "percent",
    maximumFractionDigits: 0,
  }).format(n);

/** One 100% bar per party, split by time to verified removal. */
export function RemovalDistributionChart({ rows }: { rows: { name: string; measures: Measures }[] }) {
  const { t, locale } = useI18n();
  const titleId = useId();
  const descId = useId();
  const label = 190;
  const width = 720;
  const barWidth = width - label - 10;
  const rowHeight = 30;
  const height = rows.length * rowHeight + 10;
  const summary = rows
    .map((r) => {
      const base = REMOVAL_BUCKETS.reduce((s, b) => s + r.measures.buckets[b], 0);
      return `${r.name}: ${REMOVAL_BUCKETS.filter((b) => r.measures.buckets[b] > 0)
        .map((b) => `${t(`figures.bucket.${b}` as MessageKey)} ${pct(r.measures.buckets[b] / base, locale)}`)
        .join(", ")}`;
    })
    .join("; ");
  return (
    <figure className="chart">
      <svg
        role="img"
        aria-labelledby={titleId}
        aria-describedby={descId}
        viewBox={`0 0 ${width} ${height}`}
        className="chart__svg"
        data-chart="removal-distribution"
      >
        <title id={titleId}>{t("figures.chart.removal.title")}</title>
        <desc id={descId}>
          {t("figures.chart.removal.desc")} {summary}
        </desc>
        {rows.map((r, i) => {
          const base = REMOVAL_BUCKETS.reduce((s, b) => s + r.measures.buckets[b], 0);
          let x = label;
          const y = i * rowHeight + 5;
          return (
            <g key={r.name} className="chart__row">
              <text x={label - 8} y={y + 15} textAnchor="end" className="chart__label">
                {r.name.length > 26 ? `${r.name.slice(0, 25)}…` : r.name}
              </text>
              {base === 0 ? (
                <rect x={label} y={y} width={barWidth} height={20} className="chart__empty" />
              ) : (
                REMOVAL_BUCKETS.map((b) => {
                  const w = (r.measures.buckets[b] / base) * barWidth;
                  const rect = (
                    <rect
                      key={b}
                      x={x}
                      y={y}
                      width={Math.max(0, w)}
                      height={20}
                      fill={BUCKET_COLOURS[b]}
                      className="chart__segment"
                      data-bucket={b}
                    />
                  );
                  x += w;
                  return rect;
                })
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="chart__legend">
          {REMOVAL_BUCKETS.map((b) => (
            <li key={b}>
              <svg className="chart__swatch" viewBox="0 0 10 10" aria-hidden="true">
                <rect width="10" height="10" fill={BUCKET_COLOURS[b]} />
              </svg>
              {t(`figures.bucket.${b}` as MessageKey)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/** Per month: the share removed within 48 hours, as columns with the value above each. */
export function ComplianceTrendChart({ months }: { months: { month: string; measures: Measures }[] }) {
  const { t, locale } = useI18n();
  const titleId = useId();
  const descId = useId();
  const width = 720;
  const height = 240;
  const left = 44;
  const bottom = 28;
  const top = 18;
  const plotH = height - bottom - top;
  const step = months.length > 0 ? (width - left - 8) / months.length : 0;
  const barW = Math.max(4, Math.min(40, step * 0.7));
  const summary = months
    .map(
      (m) =>
        `${m.month}: ${m.measures.within48hShare === null ? "—" : pct(m.measures.within48hShare, locale)}`,
    )
    .join(", ");
  return (
    <figure className="chart">
      <svg
        role="img"
        aria-labelledby={titleId}
        aria-describedby={descId}
        viewBox={`0 0 ${width} ${height}`}
        className="chart__svg"
        data-chart="compliance-trend"
      >
        <title id={titleId}>{t("figures.chart.trend.title")}</title>
        <desc id={descId}>
          {t("figures.chart.trend.desc")} {summary}
        </desc>
        {[0, 0.25, 0.5, 0.75, 1].map((v) => {
          const y = top + plotH * (1 - v);
          return (
            <g key={v}>
              <line x1={left} x2={width - 4} y1={y} y2={y} className="chart__grid" />
              <text x={left - 6} y={y + 4} textAnchor="end" className="chart__axis">
                {pct(v, locale)}
              </text>
            </g>
          );
        })}
        {months.map((m, i) => {
          const share = m.measures.within48hShare;
          const x = left + i * step + (step - barW) / 2;
          const h = share === null ? 0 : share * plotH;
          const showLabel = months.length <= 18 || i % Math.ceil(months.length / 12) === 0;
          return (
            <g key={m.month}>
              <rect
                x={x}
                y={top + plotH - h}
                width={barW}
                height={h}
                className="chart__bar"
                data-month={m.month}
              />
              {showLabel ? (
                <text x={x + barW / 2} y={height - 10} textAnchor="middle" className="chart__axis">
                  {m.month}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart__caption">{t("figures.chart.trend.axis")}</figcaption>
    </figure>
  );
}
