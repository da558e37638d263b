// The organisation's audit log, newest first, and a check of its hash chain.
import { useId, useState } from "react";
import { Alert, ProblemAlert } from "../components/Alert.tsx";
import { TableRegion } from "../components/DataTable.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import { api } from "../lib/api.ts";
import { AUDIT_PAGE_SIZE } from "../lib/limits.ts";
import type { AuditEvent, AuditVerification, ListResponse } from "../lib/types.ts";
import { useResource } from "../lib/useResource.ts";

function party(type: string | null, id: string | null): string {
  if (!type && !id) return "—";
  if (!id) return type ?? "—";
  const short = id.length > 12 ? `${id.slice(0, 8)}…` : id;
  return type ? `${type} · ${short}` : short;
}

export function AuditPage() {
  const { t, formatDateTime, formatNumber } = useI18n();
  const [events, reload] = useResource<ListResponse<AuditEvent>>(`/audit/events?limit=${AUDIT_PAGE_SIZE}`);
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [verifying, setVerifying] = useState(false);
  const headingId = useId();

  async function verify(): Promise<void> {
    if (verifying) return;
    setVerifying(true);
    setProblem(null);
    setVerification(null);
    try {
      setVerification(await api.post<AuditVerification>("/audit/verify", {}));
    } catch (error) {
      setProblem(error);
    } finally {
      setVerifying(false);
    }
  }

  const broken = verification && !verification.ok ? verification.firstBroken : null;

  return (
    <>
      <PageTitle title={t("audit.title")}>{t("audit.title")}</PageTitle>
      <p className="lead">{t("audit.intro")}</p>

      <section className="panel panel--flat verify" aria-label={t("audit.verify.region")}>
        <div className="verify__text">
          <h2 className="panel__title">{t("audit.verify.title")}</h2>
          <p>{t("audit.verify.text")}</p>
        </div>
        <button
          type="button"
          className="button button--primary"
          onClick={() => void verify()}
          aria-busy={verifying || undefined}
        >
          {verifying ? t("audit.verify.busy") : t("audit.verify.button")}
        </button>
      </section>
      <div className="verify__result">
        <ProblemAlert error={problem} />
        {verification?.ok ? (
          <Alert tone="success" title={t("audit.verify.ok")}>
            <p>{t("audit.verify.okDetail", { count: formatNumber(verification.checked) })}</p>
          </Alert>
        ) : null}
        {verification && !verification.ok ? (
          <Alert tone="error" title={t("audit.verify.broken")}>
            <p>{t("audit.verify.brokenDetail", { count: formatNumber(verification.checked) })}</p>
            {broken ? (
              <dl className="facts facts--compact">
                <div className="facts__item">
                  <dt>{t("audit.col.seq")}</dt>
                  <dd>{String(broken.seq)}</dd>
                </div>
                <div className="facts__item">
                  <dt>{t("audit.broken.id")}</dt>
                  <dd>
                    <code>{broken.id}</code>
                  </dd>
                </div>
                <div className="facts__item">
                  <dt>{t("audit.broken.reason")}</dt>
                  <dd>{broken.reason}</dd>
                </div>
              </dl>
            ) : null}
          </Alert>
        ) : null}
      </div>

      <section className="section" aria-labelledby={headingId}>
        <div className="section__head">
          <h2 className="section-title" id={headingId}>
            {t("audit.events.title")}
          </h2>
          <button type="button" className="button button--secondary" onClick={() => void reload()}>
            {t("common.refresh")}
          </button>
        </div>
        <p className="section__intro">{t("audit.events.intro", { count: AUDIT_PAGE_SIZE })}</p>
        {events.status === "loading" ? (
          <p className="loading" role="status">
            {t("common.loading")}
          </p>
        ) : null}
        {events.status === "failed" ? <ProblemAlert error={events.error} /> : null}
        {events.status === "ready" ? (
          events.data.items.length === 0 ? (
            <p className="empty">{t("audit.empty")}</p>
          ) : (
            <TableRegion label={t("audit.events.title")}>
              <table className="table table--dense">
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      {t("audit.col.seq")}
                    </th>
                    <th scope="col">{t("audit.col.time")}</th>
                    <th scope="col">{t("audit.col.action")}</th>
                    <th scope="col">{t("audit.col.actor")}</th>
                    <th scope="col">{t("audit.col.subject")}</th>
                    <th scope="col">{t("audit.col.reason")}</th>
                  </tr>
                </thead>
                <tbody>
                  {events.data.items.map((event) => (
                    <tr key={String(event.seq)}>
                      <td className="num">{String(event.seq)}</td>
                      <td className="nowrap">{formatDateTime(event.occurredAt)}</td>
                      <td>
                        <code className="action">{event.action}</code>
                      </td>
                      <td className="nowrap" title={event.actorId ?? undefined}>
                        {party(event.actorType, event.actorId)}
                      </td>
                      <td className="nowrap" title={event.subjectId ?? undefined}>
                        {party(event.subjectType, event.subjectId)}
                      </td>
                      <td>{event.reason ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
          )
        ) : null}
      </section>
    </>
  );
}
