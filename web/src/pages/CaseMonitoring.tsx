// The monitoring of a case on the case page: per link, whether its removal is verified (the
// first check that saw it gone) and when, the last check and its verdict, the next check, claims
// of removal that a check contradicted, re-appearances and a re-upload fast track. Analysts with
// `monitoring:run` can ask for a check now (it runs in the background).
import { useId, useState } from "react";
import { ProblemAlert } from "../components/Alert.tsx";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/nl.ts";
import { api } from "../lib/api.ts";
import type { CaseMonitoring, ItemMonitoring } from "../lib/monitoring.ts";
import type { Resource } from "../lib/useResource.ts";
import "../notices.css";
import "../monitoring.css";

export function MonitoringSection({
  monitoring,
  canRun,
  onChanged,
}: {
  monitoring: Resource<CaseMonitoring>;
  canRun: boolean;
  onChanged(): Promise<void>;
}) {
  const { t } = useI18n();
  const headingId = useId();
  const watched =
    monitoring.status === "ready" ? monitoring.data.items.filter((i) => i.schedule || i.fastTrackedAt) : [];
  return (
    <section className="section case-section case-monitoring" aria-labelledby={headingId}>
      <div className="section__head">
        <h2 className="section-title" id={headingId}>
          {t("case.monitoring.title")}
        </h2>
      </div>
      {monitoring.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : monitoring.status === "failed" ? (
        <ProblemAlert error={monitoring.error} />
      ) : watched.length === 0 ? (
        <p className="muted">{t("case.monitoring.empty")}</p>
      ) : (
        <ul className="monitoring-list">
          {watched.map((item) => (
            <li key={item.itemId}>
              <MonitoredItem item={item} canRun={canRun} onChanged={onChanged} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function MonitoredItem({
  item,
  canRun,
  onChanged,
}: {
  item: ItemMonitoring;
  canRun: boolean;
  onChanged(): Promise<void>;
}) {
  const { t, formatDateTime } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [queued, setQueued] = useState(false);
  const last = item.lastChecks[0];
  const s = item.schedule;
  const contradicted = item.claims.filter((c) => c.contradictedAt);
  const checkNow = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/items/${item.itemId}/checks`, {});
      setQueued(true);
      await onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <article className="monitored-item" aria-label={item.url ?? item.itemId}>
      <p className="monitored-item__url">{item.url ?? item.itemId}</p>
      {item.removal ? (
        <p className="item-notice item-notice--removed">
          {t("case.monitoring.removed", { time: formatDateTime(item.removal.at) })}
        </p>
      ) : (
        <p className="item-notice">{t("case.monitoring.notRemoved")}</p>
      )}
      {contradicted.map((c) => (
        <p className="item-notice item-notice--refused" key={`${c.noticeId}-${c.contradictingCheckId}`}>
          {t("case.monitoring.contradicted", {
            party: c.party,
            claimed: formatDateTime(c.claimedAt),
            time: formatDateTime(c.contradictedAt),
          })}
        </p>
      ))}
      {item.reappearances.map((r) => (
        <p className="item-notice item-notice--refused" key={r.checkId}>
          {t("case.monitoring.reappeared", {
            time: formatDateTime(r.at),
            removed: formatDateTime(r.removedAt),
          })}
        </p>
      ))}
      {item.fastTrackedAt ? (
        <p className="item-notice item-notice--refused">
          {t("case.monitoring.fastTracked", { time: formatDateTime(item.fastTrackedAt) })}
        </p>
      ) : null}
      <dl className="monitored-item__facts">
        <div>
          <dt>{t("case.monitoring.lastCheck")}</dt>
          <dd>
            {last
              ? t("case.monitoring.lastCheckValue", {
                  time: formatDateTime(last.checkedAt),
                  verdict: t(`case.monitoring.verdict.${last.verdict}` as MessageKey),
                  reason: last.reason,
                })
              : t("case.monitoring.noCheck")}
          </dd>
        </div>
        <div>
          <dt>{t("case.monitoring.nextCheck")}</dt>
          <dd>
            {s?.nextCheckAt
              ? formatDateTime(s.nextCheckAt)
              : s?.endReason
                ? t(`case.monitoring.ended.${s.endReason}` as MessageKey)
                : t("case.monitoring.noSchedule")}
          </dd>
        </div>
        <div>
          <dt>{t("case.monitoring.checks")}</dt>
          <dd>{item.checkCount}</dd>
        </div>
      </dl>
      {canRun && item.url ? (
        <p className="monitored-item__actions">
          <button
            type="button"
            className="button button--quiet"
            onClick={() => void checkNow()}
            disabled={busy}
          >
            {busy ? t("form.busy") : t("case.monitoring.checkNow")}
          </button>
          {queued ? (
            <span role="status" className="muted">
              {" "}
              {t("case.monitoring.queued")}
            </span>
          ) : null}
        </p>
      ) : null}
      {error ? <ProblemAlert error={error} /> : null}
    </article>
  );
}
