// The notices of a case on the case page: sending them (with the X-ARF classification first for
// child sexual abuse material), what was created and what was skipped and why, and per notice
// its deadline, deliveries, per-URL outcome and the party's responses. What parties write
// (refusal facts, questions) is shown as text, never as HTML.
import { type FormEvent, useId, useState } from "react";
import { ProblemAlert } from "../components/Alert.tsx";
import { RadioCards } from "../components/Choice.tsx";
import { TableRegion } from "../components/DataTable.tsx";
import { TextAreaField } from "../components/Field.tsx";
import { isMessageKey, useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/nl.ts";
import { api, fieldProblem } from "../lib/api.ts";
import {
  type CaseNotice,
  type CreatedNotices,
  CSAM_CLASSIFICATIONS,
  type CsamClassification,
  type ItemNoticeState,
  isOverdue,
  MANUAL_REASON_MAX,
  type NoticeResponse,
} from "../lib/notices.ts";
import type { CaseItem } from "../lib/types.ts";
import type { Resource } from "../lib/useResource.ts";
import "../notices.css";

export function NoticesSection({
  caseId,
  category,
  items,
  notices,
  canSend,
  onChanged,
}: {
  caseId: string;
  category: string;
  items: CaseItem[];
  notices: Resource<{ items: CaseNotice[] }>;
  canSend: boolean;
  onChanged(): Promise<void>;
}) {
  const { t } = useI18n();
  const headingId = useId();
  const urlOf = new Map(items.map((i) => [i.id, i.value]));
  return (
    <section className="section case-section case-notices" aria-labelledby={headingId}>
      <div className="section__head">
        <h2 className="section-title" id={headingId}>
          {t("case.notices.title")}
        </h2>
      </div>
      {canSend ? <SendNotices caseId={caseId} category={category} urlOf={urlOf} onSent={onChanged} /> : null}
      {notices.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : notices.status === "failed" ? (
        <ProblemAlert error={notices.error} />
      ) : notices.data.items.length === 0 ? (
        <p className="muted">{t("case.notices.empty")}</p>
      ) : (
        <ol className="notice-list">
          {notices.data.items.map((n) => (
            <li key={n.id}>
              <NoticeCard notice={n} urlOf={urlOf} canSend={canSend} onChanged={onChanged} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

// ---------- sending ----------

function SendNotices({
  caseId,
  category,
  urlOf,
  onSent,
}: {
  caseId: string;
  category: string;
  urlOf: Map<string, string>;
  onSent(): Promise<void>;
}) {
  const { t, formatNumber } = useI18n();
  const [asking, setAsking] = useState(false);
  const [classification, setClassification] = useState<CsamClassification | "">("");
  const [classificationError, setClassificationError] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<CreatedNotices | null>(null);
  const csam = category === "csam";

  async function send(body: Record<string, unknown>): Promise<void> {
    setBusy(true);
    setProblem(null);
    setResult(null);
    try {
      setResult(await api.post<CreatedNotices>(`/cases/${caseId}/notices`, body));
      setAsking(false);
      setClassification("");
      await onSent();
    } catch (error) {
      const missing = fieldProblem(error, "csamClassification");
      if (missing) {
        setAsking(true);
        setClassificationError(t("case.notices.csam.required"));
      } else setProblem(error);
    } finally {
      setBusy(false);
    }
  }

  function submitClassification(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (busy) return;
    if (!classification) {
      setClassificationError(t("case.notices.csam.required"));
      event.currentTarget.querySelector<HTMLInputElement>("input[type=radio]")?.focus();
      return;
    }
    void send({ csamClassification: classification });
  }

  return (
    <div className="notice-send">
      {asking ? (
        <form className="notice-send__form" noValidate onSubmit={submitClassification}>
          <RadioCards
            name="csamClassification"
            legend={t("case.notices.csam.legend")}
            hint={t("case.notices.csam.hint")}
            error={classificationError}
            value={classification}
            onValueChange={(v) => {
              setClassification(v as CsamClassification);
              setClassificationError(undefined);
            }}
            options={CSAM_CLASSIFICATIONS.map((c) => ({
              value: c,
              label: t(`case.notices.csam.${c}` as MessageKey),
              description: t(`case.notices.csam.${c}.hint` as MessageKey),
            }))}
          />
          <div className="form__actions">
            <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
              {busy ? t("form.busy") : t("case.notices.send")}
            </button>
            <button
              type="button"
              className="button button--quiet"
              onClick={() => {
                setAsking(false);
                setClassificationError(undefined);
              }}
            >
              {t("common.cancel")}
            </button>
          </div>
        </form>
      ) : (
        <div className="notice-send__bar">
          <button
            type="button"
            className="button button--primary"
            aria-busy={busy || undefined}
            onClick={() => {
              if (busy) return;
              if (csam) setAsking(true);
              else void send({});
            }}
          >
            {busy ? t("form.busy") : t("case.notices.send")}
          </button>
          <span className="muted">{t("case.notices.sendHint")}</span>
        </div>
      )}
      <ProblemAlert error={problem} />
      {/* Always in the page, so the summary is announced when it appears; the lists follow. */}
      <div role="status" className="notice-send__status">
        {result ? (
          <p className="notice-result__title">
            {result.created.length === 0 && result.skipped.length === 0
              ? t("case.notices.result.nothing")
              : t("case.notices.result.summary", {
                  created: formatNumber(result.created.length),
                  skipped: formatNumber(result.skipped.length),
                })}
          </p>
        ) : null}
      </div>
      {result && (result.created.length > 0 || result.skipped.length > 0) ? (
        <SendResult result={result} urlOf={urlOf} />
      ) : null}
    </div>
  );
}

function SendResult({ result, urlOf }: { result: CreatedNotices; urlOf: Map<string, string> }) {
  const { t, tMaybe } = useI18n();
  return (
    <div className="notice-result">
      {result.created.length > 0 ? (
        <ul className="notice-result__list">
          {result.created.map((c) => (
            <li key={c.noticeId}>
              <strong>{c.partyName}</strong> ({tMaybe(`notice.step.${c.step}`, c.step)}) ·{" "}
              <code>{c.reference}</code> ·{" "}
              {c.delivery === "manual" ? t("case.notices.result.manual") : t("case.notices.result.queued")}
              <ul className="notice-urls">
                {c.itemIds.map((id) => (
                  <li key={id}>
                    <code className="url-text">{urlOf.get(id) ?? id}</code>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      ) : null}
      {result.skipped.length > 0 ? (
        <>
          <p className="notice-result__subtitle">{t("case.notices.result.skipped")}</p>
          <ul className="notice-result__list">
            {result.skipped.map((s) => (
              <li key={s.itemId}>
                <code className="url-text">{s.url}</code>
                {": "}
                {s.code && isMessageKey(`case.notices.skip.${s.code}`) ? (
                  tMaybe(`case.notices.skip.${s.code}`, s.reason, s.params ?? {})
                ) : (
                  <span lang="en">{s.reason}</span>
                )}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

// ---------- one notice ----------

/** The notice's items in the order the case lists them. */
function inCaseOrder<T extends { itemId: string }>(items: readonly T[], urlOf: Map<string, string>): T[] {
  const order = [...urlOf.keys()];
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...items].sort((a, b) => rank(a.itemId) - rank(b.itemId));
}

export function OverdueMark() {
  const { t } = useI18n();
  return (
    <span className="overdue">
      <span className="overdue__icon" aria-hidden="true">
        !
      </span>
      {t("notice.overdue")}
    </span>
  );
}

function NoticeCard({
  notice,
  urlOf,
  canSend,
  onChanged,
}: {
  notice: CaseNotice;
  urlOf: Map<string, string>;
  canSend: boolean;
  onChanged(): Promise<void>;
}) {
  const { t, tMaybe, formatDateTime } = useI18n();
  const titleId = useId();
  const overdue = notice.items.some((i) => isOverdue(i, notice.deadlineAt));
  const manual = notice.deliveries.some((d) => d.status === "manual");
  return (
    <article
      className={overdue ? "notice-card notice-card--overdue" : "notice-card"}
      aria-labelledby={titleId}
    >
      <div className="notice-card__head">
        <h3 className="notice-card__title" id={titleId}>
          {notice.party.name}{" "}
          <span className="notice-card__step">({tMaybe(`notice.step.${notice.step}`, notice.step)})</span>
        </h3>
        <span className="notice-card__badges">
          <span className={`status notice-status notice-status--${notice.status}`}>
            {tMaybe(`notice.status.${notice.status}`, notice.status)}
          </span>
          {overdue ? <OverdueMark /> : null}
        </span>
      </div>
      <p className="notice-card__meta muted">
        <code>{notice.reference}</code> ·{" "}
        {t("case.notices.created", { time: formatDateTime(notice.createdAt) })}
      </p>
      <dl className="item__facts">
        <div>
          <dt>{t("case.notices.deadline")}</dt>
          <dd>
            <time dateTime={notice.deadlineAt}>{formatDateTime(notice.deadlineAt)}</time>
            {overdue ? (
              <>
                {" "}
                <OverdueMark />
              </>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>{t("case.notices.sent")}</dt>
          <dd>{formatDateTime(notice.sentAt)}</dd>
        </div>
        <div>
          <dt>{t("case.notices.acknowledged")}</dt>
          <dd>{formatDateTime(notice.acknowledgedAt)}</dd>
        </div>
        <div>
          <dt>{t("case.notices.answered")}</dt>
          <dd>{formatDateTime(notice.answeredAt)}</dd>
        </div>
      </dl>

      <h4 className="notice-card__subtitle">{t("case.notices.urls")}</h4>
      <ul className="notice-urls">
        {inCaseOrder(notice.items, urlOf).map((i) => (
          <li key={i.itemId} className="notice-urls__item">
            <code className="url-text">{urlOf.get(i.itemId) ?? i.itemId}</code>{" "}
            {i.outcome ? (
              <span className={`outcome outcome--${i.outcome}`}>
                {t(`notice.outcome.${i.outcome}` as MessageKey)}
                {i.outcomeAt ? <span className="muted"> · {formatDateTime(i.outcomeAt)}</span> : null}
              </span>
            ) : isOverdue(i, notice.deadlineAt) ? (
              <OverdueMark />
            ) : (
              <span className="muted">{t("case.notices.noAnswer")}</span>
            )}
          </li>
        ))}
      </ul>

      <h4 className="notice-card__subtitle">{t("case.notices.deliveries")}</h4>
      <Deliveries notice={notice} />
      {manual && canSend ? <SentManually noticeId={notice.id} onDone={onChanged} /> : null}

      <h4 className="notice-card__subtitle">{t("case.notices.responses")}</h4>
      {notice.responses.length === 0 ? (
        <p className="muted">{t("case.notices.noResponses")}</p>
      ) : (
        <ol className="notice-responses">
          {notice.responses.map((r) => (
            <li key={r.id}>
              <ResponseView response={r} urlOf={urlOf} />
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}

function Deliveries({ notice }: { notice: CaseNotice }) {
  const { t, tMaybe, formatDateTime, formatNumber } = useI18n();
  if (notice.deliveries.length === 0) return <p className="muted">{t("case.notices.noDeliveries")}</p>;
  return (
    <TableRegion label={t("case.notices.deliveriesOf", { reference: notice.reference })}>
      <table className="table table--dense">
        <thead>
          <tr>
            <th scope="col">{t("case.notices.delivery.purpose")}</th>
            <th scope="col">{t("case.notices.delivery.recipient")}</th>
            <th scope="col">{t("case.notices.delivery.status")}</th>
            <th scope="col" className="num">
              {t("case.notices.delivery.attempts")}
            </th>
            <th scope="col">{t("case.notices.delivery.error")}</th>
          </tr>
        </thead>
        <tbody>
          {notice.deliveries.map((d, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: deliveries have no id of their own; the list only grows at its end.
            <tr key={index}>
              <td>
                <span className="cell-primary">{tMaybe(`notice.purpose.${d.purpose}`, d.purpose)}</span>
                <span className="cell-secondary">
                  {d.channel ? tMaybe(`notice.channel.${d.channel}`, d.channel) : "—"}
                </span>
              </td>
              <td className="delivery__recipient">{d.recipient ?? "—"}</td>
              <td>
                <span className={`cell-primary delivery delivery--${d.status}`}>
                  {tMaybe(`notice.delivery.${d.status}`, d.status)}
                </span>
                {d.sentAt ? (
                  <span className="cell-secondary nowrap">
                    <time dateTime={d.sentAt}>{formatDateTime(d.sentAt)}</time>
                  </span>
                ) : null}
              </td>
              <td className="num">{formatNumber(d.attempts)}</td>
              <td className="delivery__error">{d.error ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

function SentManually({ noticeId, onDone }: { noticeId: string; onDone(): Promise<void> }) {
  const { t } = useI18n();
  const formId = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    if (!reason.trim()) {
      setError(t("case.notices.manual.required"));
      document.getElementById(`${formId}-reason`)?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api.post(`/notices/${noticeId}/sent-manually`, { reason: reason.trim() });
      setOpen(false);
      await onDone();
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
    }
  }

  if (!open)
    return (
      <button
        type="button"
        className="button button--secondary button--small justify-start"
        onClick={() => setOpen(true)}
      >
        {t("case.notices.manual.open")}
      </button>
    );
  return (
    <form className="item__form" noValidate onSubmit={(e) => void submit(e)}>
      <ProblemAlert error={problem} />
      <TextAreaField
        id={`${formId}-reason`}
        label={t("case.notices.manual.reason")}
        hint={t("case.notices.manual.hint")}
        value={reason}
        onValueChange={(v) => {
          setReason(v);
          setError(undefined);
        }}
        error={error}
        rows={2}
        maxLength={MANUAL_REASON_MAX}
        required
      />
      <div className="form__actions">
        <button type="submit" className="button button--primary button--small" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("case.notices.manual.submit")}
        </button>
        <button type="button" className="button button--quiet button--small" onClick={() => setOpen(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

function ResponseView({ response: r, urlOf }: { response: NoticeResponse; urlOf: Map<string, string> }) {
  const { t, formatDateTime } = useI18n();
  const rows: [string, string][] = [];
  if (r.restriction) rows.push([t("case.notices.response.restriction"), r.restriction]);
  if (r.groundKind || r.ground)
    rows.push([
      r.groundKind === "contractual"
        ? t("case.notices.response.groundContractual")
        : r.groundKind === "legal"
          ? t("case.notices.response.groundLegal")
          : t("case.notices.response.ground"),
      r.ground ?? "—",
    ]);
  if (r.facts) rows.push([t("case.notices.response.facts"), r.facts]);
  if (r.automated !== null)
    rows.push([
      t("case.notices.response.automated"),
      r.automated ? t("case.notices.response.yes") : t("case.notices.response.no"),
    ]);
  if (r.countries?.length) rows.push([t("case.notices.response.countries"), r.countries.join(", ")]);
  if (r.responsible) rows.push([t("case.notices.response.responsible"), r.responsible]);
  if (r.message) rows.push([t("case.notices.response.message"), r.message]);
  return (
    <div className={`notice-response notice-response--${r.kind}`}>
      <p className="notice-response__head">
        <strong>{t(`notice.kind.${r.kind}` as MessageKey)}</strong>{" "}
        <span className="muted">
          · <time dateTime={r.receivedAt}>{formatDateTime(r.receivedAt)}</time> ·{" "}
          {r.via === "page" ? t("case.notices.response.viaPage") : t("case.notices.response.viaApi")}
        </span>
      </p>
      {r.itemIds.length > 0 ? (
        <ul className="notice-urls">
          {r.itemIds.map((id) => (
            <li key={id}>
              <code className="url-text">{urlOf.get(id) ?? id}</code>
            </li>
          ))}
        </ul>
      ) : null}
      {rows.length > 0 ? (
        <dl className="notice-response__facts">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd className="prewrap">{value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  );
}

// ---------- on each item ----------

/** "Removal reported by <party> at <time>, not yet verified" on an item of the case. */
export function ItemNoticeLine({ state, verified }: { state: ItemNoticeState; verified: boolean }) {
  const { t, formatDateTime } = useI18n();
  const vars = {
    party: state.party,
    time: formatDateTime(state.at),
    deadline: formatDateTime(state.deadlineAt),
  };
  if (!state.outcome)
    return (
      <p className={state.overdue ? "item-notice item-notice--overdue" : "item-notice"}>
        {state.overdue ? (
          <>
            <OverdueMark /> {t("case.notice.item.overdue", vars)}
          </>
        ) : (
          t("case.notice.item.waiting", vars)
        )}
      </p>
    );
  const key: MessageKey =
    state.outcome === "removed" && verified
      ? "case.notice.item.removedVerified"
      : `case.notice.item.${state.outcome}`;
  return <p className={`item-notice item-notice--${state.outcome}`}>{t(key, vars)}</p>;
}
