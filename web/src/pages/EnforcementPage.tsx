// Enforcement requests as lists: the hotline's requests with their Awb clocks, the regulator
// portal's requests (only those filed with the officer's own organisation), and the hotline's
// coordination page (parties several regulators deal with, the consultation agenda and its
// export).
import { useId } from "react";
import { ProblemAlert } from "../components/Alert.tsx";
import { TableRegion } from "../components/DataTable.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/nl.ts";
import {
  type Agenda,
  type Clock,
  COORDINATION_PATH,
  ENFORCEMENT_PATH,
  euros,
  type RequestSummary,
  requestPath,
} from "../lib/enforcement.ts";
import { Link } from "../lib/router.tsx";
import { useResource } from "../lib/useResource.ts";

/** The Awb clock in a few words: days left, lapsed, penalty owed, stopped. */
export function ClockText({ clock }: { clock: Clock }) {
  const { t, locale, formatNumber } = useI18n();
  switch (clock.state) {
    case "running":
      return (
        <span className="clock">{t("enf.clock.running", { days: formatNumber(clock.daysLeft ?? 0) })}</span>
      );
    case "lapsed":
      return (
        <strong className="clock--lapsed">
          {clock.penalty && clock.penalty.days > 0
            ? t("enf.clock.penalty", {
                amount: euros(clock.penalty.cents, locale),
                days: formatNumber(clock.penalty.days),
              })
            : clock.defaultNoticeDue
              ? t("enf.clock.lapsedDue")
              : t("enf.clock.lapsed")}
        </strong>
      );
    default:
      return <span className="clock">{t(`enf.clock.${clock.state}` as MessageKey)}</span>;
  }
}

function RequestTable({ rows, portal }: { rows: RequestSummary[]; portal: boolean }) {
  const { t, locale, formatDateTime } = useI18n();
  return (
    <TableRegion label={t("enf.list.table")}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t("enf.col.reference")}</th>
            <th scope="col">{portal ? t("enf.col.applicant") : t("enf.col.regulator")}</th>
            <th scope="col">{t("enf.col.party")}</th>
            <th scope="col">{t("enf.col.status")}</th>
            <th scope="col">{t("enf.col.filed")}</th>
            <th scope="col">{t("enf.col.clock")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>
                <Link to={requestPath(r.id, portal)}>{r.reference}</Link>
              </td>
              <td>{portal ? r.applicant : r.regulator.name[locale]}</td>
              <td>{r.party ?? <span className="muted">—</span>}</td>
              <td>{t(`enf.status.${r.status}` as MessageKey)}</td>
              <td>{r.filedAt ? formatDateTime(r.filedAt) : <span className="muted">—</span>}</td>
              <td>
                <ClockText clock={r.clock} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

function RequestList({ path, portal, empty }: { path: string; portal: boolean; empty: string }) {
  const { t } = useI18n();
  const [list, reload] = useResource<{ items: RequestSummary[] }>(path);
  const headingId = useId();
  return (
    <section className="section" aria-labelledby={headingId}>
      <div className="section__head">
        <h2 className="section-title" id={headingId}>
          {t("enf.list.title")}
        </h2>
        <button
          type="button"
          className="button button--secondary button--small"
          onClick={() => void reload()}
        >
          {t("common.refresh")}
        </button>
      </div>
      {list.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : null}
      {list.status === "failed" ? <ProblemAlert error={list.error} /> : null}
      {list.status === "ready" ? (
        list.data.items.length === 0 ? (
          <p className="empty">{empty}</p>
        ) : (
          <RequestTable rows={list.data.items} portal={portal} />
        )
      ) : null}
    </section>
  );
}

export function EnforcementListPage() {
  const { t } = useI18n();
  return (
    <>
      <div className="page-head">
        <PageTitle title={t("enf.title")}>{t("enf.title")}</PageTitle>
      </div>
      <p className="lead">{t("enf.intro")}</p>
      <p>
        <Link to={COORDINATION_PATH}>{t("enf.coordination.link")}</Link>
      </p>
      <RequestList path="/enforcement/requests" portal={false} empty={t("enf.list.empty")} />
    </>
  );
}

export function PortalListPage() {
  const { t } = useI18n();
  return (
    <>
      <div className="page-head">
        <PageTitle title={t("portal.title")}>{t("portal.title")}</PageTitle>
      </div>
      <p className="lead">{t("portal.intro")}</p>
      <RequestList path="/portal/requests" portal={true} empty={t("portal.empty")} />
    </>
  );
}

export function CoordinationPage() {
  const { t, locale, formatNumber } = useI18n();
  const [agenda] = useResource<Agenda>("/enforcement/coordination/agenda");
  const overdueId = useId();
  const sharedId = useId();
  const leastId = useId();
  return (
    <>
      <p className="back">
        <Link to={ENFORCEMENT_PATH}>{t("enf.back")}</Link>
      </p>
      <div className="page-head">
        <PageTitle title={t("enf.coordination.title")}>{t("enf.coordination.title")}</PageTitle>
      </div>
      <p className="lead">{t("enf.coordination.intro")}</p>
      {agenda.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : null}
      {agenda.status === "failed" ? <ProblemAlert error={agenda.error} /> : null}
      {agenda.status === "ready" ? (
        <>
          <p>
            {t("enf.coordination.period", { from: agenda.data.period.from, to: agenda.data.period.to })}{" "}
            <a href={`/api/v1/enforcement/coordination/agenda.pdf?lang=${locale}`} download>
              {t("enf.coordination.pdf")}
            </a>{" "}
            ·{" "}
            <a href={`/api/v1/enforcement/coordination/agenda.html?lang=${locale}`} download>
              {t("enf.coordination.html")}
            </a>
          </p>
          <section className="section" aria-labelledby={overdueId}>
            <h2 className="section-title" id={overdueId}>
              {t("enf.coordination.overdue")}
            </h2>
            {agenda.data.overdue.length === 0 ? (
              <p className="empty">{t("enf.coordination.none")}</p>
            ) : (
              <ul>
                {agenda.data.overdue.map((o) => (
                  <li key={o.request.id}>
                    <Link to={requestPath(o.request.id, false)}>{o.request.reference}</Link> —{" "}
                    {o.request.regulator.name[locale]}
                    {o.request.party ? `, ${o.request.party}` : ""}:{" "}
                    {t(`enf.reason.${o.reason}` as MessageKey)}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="section" aria-labelledby={sharedId}>
            <h2 className="section-title" id={sharedId}>
              {t("enf.coordination.shared")}
            </h2>
            {agenda.data.sharedParties.length === 0 ? (
              <p className="empty">{t("enf.coordination.none")}</p>
            ) : (
              <ul>
                {agenda.data.sharedParties.map((p) => (
                  <li key={p.party.id}>
                    {p.party.name}: {p.regulators.map((r) => r.name[locale]).join(", ")}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="section" aria-labelledby={leastId}>
            <h2 className="section-title" id={leastId}>
              {t("enf.coordination.least")}
            </h2>
            {agenda.data.leastCompliant.length === 0 ? (
              <p className="empty">{t("enf.coordination.none")}</p>
            ) : (
              <ul>
                {agenda.data.leastCompliant.map((c) => (
                  <li key={c.partyId}>
                    {t("enf.coordination.leastRow", {
                      party: c.partyName,
                      share: formatNumber(Math.round(c.share * 100)),
                      items: formatNumber(c.items),
                    })}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}
