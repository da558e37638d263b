// The status page: the receipt and secret from the confirmation show how far the hotline is
// with a report, in plain words. A wrong pair gets one neutral answer, never a hint which of
// the two was wrong.
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { Alert } from "../../components/Alert.tsx";
import { TextField } from "../../components/Field.tsx";
import { PageTitle } from "../../components/PageTitle.tsx";
import { useI18n } from "../../i18n/index.tsx";
import type { MessageKey } from "../../i18n/nl.ts";
import { ApiError, api } from "../../lib/api.ts";
import { useFocusOnMount } from "../../lib/focus.ts";
import { focusFirstInvalid } from "../../lib/forms.ts";
import {
  clearHandedOffCodes,
  handOffCodes,
  PUBLIC_STATUSES,
  peekHandedOffCodes,
  type ReportStatus,
} from "../../lib/report.ts";
import { Link } from "../../lib/router.tsx";

type Problem = "notFound" | "rateLimited" | "unavailable" | null;

export function ReportStatusPage() {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const [codes, setCodes] = useState(() => peekHandedOffCodes() ?? { receipt: "", secret: "" });
  const [errors, setErrors] = useState<{ receipt?: string; secret?: string }>({});
  const [problem, setProblem] = useState<Problem>(null);
  const [status, setStatus] = useState<ReportStatus | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => clearHandedOffCodes(), []);

  async function handleSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found: typeof errors = {};
    if (codes.receipt.trim().length < 4) found.receipt = t("track.receipt.required");
    if (codes.secret.trim().length < 4) found.secret = t("track.secret.required");
    setErrors(found);
    setProblem(null);
    if (found.receipt || found.secret) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      setStatus(
        await api.post<ReportStatus>("/public/reports/status", {
          receipt: codes.receipt.trim(),
          secret: codes.secret.trim(),
        }),
      );
    } catch (error) {
      const code = error instanceof ApiError ? error.status : 0;
      setProblem(code === 404 || code === 422 ? "notFound" : code === 429 ? "rateLimited" : "unavailable");
    } finally {
      setBusy(false);
    }
  }

  if (status) {
    return (
      <>
        <PageTitle title={t("track.title")}>{t("track.title")}</PageTitle>
        <StatusResult
          status={status}
          codes={codes}
          onAgain={() => {
            setStatus(null);
            setCodes({ receipt: "", secret: "" });
          }}
        />
      </>
    );
  }

  return (
    <>
      <PageTitle title={t("track.title")}>{t("track.title")}</PageTitle>
      <p className="lead">{t("track.intro")}</p>
      {problem ? (
        <Alert tone={problem === "notFound" ? "warning" : "error"} title={t(`track.problem.${problem}`)}>
          {problem === "notFound" ? <p>{t("track.problem.notFoundHint")}</p> : null}
        </Alert>
      ) : null}
      <form ref={formRef} noValidate onSubmit={(e) => void handleSubmit(e)} className="form track-form">
        <TextField
          label={t("track.receipt")}
          hint={t("track.receipt.hint")}
          value={codes.receipt}
          onValueChange={(receipt) => setCodes((c) => ({ ...c, receipt }))}
          error={errors.receipt}
          className="input--code-entry"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={40}
        />
        <TextField
          label={t("track.secret")}
          value={codes.secret}
          onValueChange={(secret) => setCodes((c) => ({ ...c, secret }))}
          error={errors.secret}
          className="input--code-entry"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={60}
        />
        <div className="form__actions">
          <button
            type="submit"
            className="button button--primary button--large"
            aria-busy={busy || undefined}
          >
            {busy ? t("form.busy") : t("track.submit")}
          </button>
        </div>
      </form>
      <p className="fine-print">
        {t("track.lost")}{" "}
        <Link to="/melden" className="text-link">
          {t("track.newReport")}
        </Link>
      </p>
    </>
  );
}

function StatusResult({
  status,
  codes,
  onAgain,
}: {
  status: ReportStatus;
  codes: { receipt: string; secret: string };
  onAgain(): void;
}) {
  const { t, formatDateTime, formatNumber, locale } = useI18n();
  const current = PUBLIC_STATUSES.indexOf(status.status);
  const ref = useFocusOnMount<HTMLDivElement>();
  const trackId = useId();
  return (
    <>
      <div className="track-result" ref={ref} tabIndex={-1}>
        <p className="track-result__receipt">
          {t("track.result.receipt")} <code className="code-inline">{status.receipt}</code>
        </p>
        <div className={`track-now track-now--${status.status}`} data-status={status.status}>
          <p className="track-now__label">{t("track.now")}</p>
          <p className="track-now__status">{t(`track.status.${status.status}` as MessageKey)}</p>
          <p className="track-now__text">{t(`track.status.${status.status}.text` as MessageKey)}</p>
        </div>

        <h2 className="visually-hidden" id={trackId}>
          {t("track.steps")}
        </h2>
        <ol className="track-steps" aria-labelledby={trackId}>
          {PUBLIC_STATUSES.map((s, index) => (
            <li
              key={s}
              className={
                index < current
                  ? "track-steps__item is-done"
                  : index === current
                    ? "track-steps__item is-current"
                    : "track-steps__item"
              }
              aria-current={index === current ? "step" : undefined}
            >
              <span className="track-steps__dot" aria-hidden="true">
                {index < current ? "✓" : index + 1}
              </span>
              <span className="track-steps__name">{t(`track.status.${s}` as MessageKey)}</span>
              {index < current ? <span className="visually-hidden"> ({t("track.done")})</span> : null}
            </li>
          ))}
        </ol>

        <dl className="facts">
          <div className="facts__item">
            <dt>{t("track.receivedAt")}</dt>
            <dd>{formatDateTime(status.receivedAt)}</dd>
          </div>
          <div className="facts__item">
            <dt>{t("track.updatedAt")}</dt>
            <dd>{formatDateTime(status.updatedAt)}</dd>
          </div>
          <div className="facts__item">
            <dt>{t("track.items")}</dt>
            <dd>{formatNumber(status.items)}</dd>
          </div>
          <div className="facts__item">
            <dt>{t("track.removed")}</dt>
            <dd>
              {t("track.removedOf", {
                removed: formatNumber(status.removed),
                items: formatNumber(status.items),
              })}
            </dd>
          </div>
        </dl>
      </div>
      <section className="done-section" aria-labelledby={`${trackId}-hashes`}>
        <h2 className="done-section__title" id={`${trackId}-hashes`}>
          {t("track.hashesTitle")}
        </h2>
        <p>
          {t("track.hashesText")}{" "}
          <Link
            to={locale === "en" ? "/hashes" : "/hashen"}
            className="text-link"
            onClick={() => handOffCodes({ receipt: codes.receipt.trim(), secret: codes.secret.trim() })}
          >
            {t("track.hashesLink")}
          </Link>
        </p>
      </section>
      <div className="form__actions track-again">
        <button type="button" className="button button--secondary" onClick={onAgain}>
          {t("track.again")}
        </button>
      </div>
    </>
  );
}
