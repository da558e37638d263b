// The escalation ladder of a case on the case page: per item where it stands (step, party,
// deadline), what happens next and when, why a step was skipped, and the approval of steps
// towards a regulator or the police, with approve/reject for those allowed to decide. The full
// history of each item is one click away. Reasons and notes are shown as text, never as HTML.
import { type FormEvent, useId, useState } from "react";
import { Alert, ProblemAlert } from "../components/Alert.tsx";
import { TextAreaField } from "../components/Field.tsx";
import { type I18n, useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/nl.ts";
import { DECISION_NOTE_MAX, decide, type ItemLadder, type LadderStep } from "../lib/escalation.ts";
import type { Resource } from "../lib/useResource.ts";
import "../notices.css";
import "../escalation.css";

export function stepLabel(
  i18n: Pick<I18n, "tMaybe">,
  step: Pick<LadderStep, "id" | "role" | "regulator"> | null,
) {
  if (!step) return "—";
  if (step.regulator) return i18n.tMaybe(`escalation.regulator.${step.regulator}`, step.regulator);
  return i18n.tMaybe(
    `escalation.step.${step.id}`,
    i18n.tMaybe(`notice.step.${step.role ?? step.id}`, step.id),
  );
}

export function EscalationSection({
  ladder,
  canApprove,
  onChanged,
}: {
  ladder: Resource<{ items: ItemLadder[] }>;
  canApprove: boolean;
  onChanged(): Promise<void>;
}) {
  const { t } = useI18n();
  const headingId = useId();
  const started = ladder.status === "ready" ? ladder.data.items.filter((i) => i.state !== "not_started") : [];
  return (
    <section className="section case-section case-escalation" aria-labelledby={headingId}>
      <div className="section__head">
        <h2 className="section-title" id={headingId}>
          {t("escalation.title")}
        </h2>
      </div>
      <p className="muted">{t("escalation.hint")}</p>
      {ladder.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : ladder.status === "failed" ? (
        <ProblemAlert error={ladder.error} />
      ) : started.length === 0 ? (
        <p className="muted">{t("escalation.empty")}</p>
      ) : (
        <ol className="notice-list">
          {started.map((item) => (
            <li key={item.itemId}>
              <LadderCard item={item} canApprove={canApprove} onChanged={onChanged} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function LadderCard({
  item,
  canApprove,
  onChanged,
}: {
  item: ItemLadder;
  canApprove: boolean;
  onChanged(): Promise<void>;
}) {
  const i18n = useI18n();
  const { t, formatDateTime } = i18n;
  const titleId = useId();
  const attention = ["awaiting_approval", "stuck", "ready"].includes(item.state);
  const when = item.nextAt ? formatDateTime(item.nextAt) : t(`escalation.when.${item.state}` as MessageKey);
  return (
    <article
      className={attention ? "notice-card notice-card--overdue ladder-card" : "notice-card ladder-card"}
      aria-labelledby={titleId}
    >
      <div className="notice-card__head">
        <h3 className="notice-card__title" id={titleId}>
          <code className="url-text">{item.url}</code>
        </h3>
        <span className={`status notice-status ladder-state--${item.state}`}>
          {t(`escalation.state.${item.state}` as MessageKey)}
        </span>
      </div>
      <dl className="item__facts">
        <div>
          <dt>{t("escalation.step")}</dt>
          <dd>{stepLabel(i18n, item.step)}</dd>
        </div>
        <div>
          <dt>{t("escalation.party")}</dt>
          <dd>{item.party?.name ?? "—"}</dd>
        </div>
        <div>
          <dt>{t("escalation.deadline")}</dt>
          <dd>
            {item.deadlineAt ? (
              <time dateTime={item.deadlineAt}>{formatDateTime(item.deadlineAt)}</time>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt>{t("escalation.next")}</dt>
          <dd>
            {item.nextStep ? (
              <>
                {stepLabel(i18n, item.nextStep)}
                {item.nextStep.approval ? ` (${t("escalation.needsApproval")})` : ""} ·{" "}
                {item.nextAt ? <time dateTime={item.nextAt}>{when}</time> : when}
              </>
            ) : (
              t("escalation.noNext")
            )}
          </dd>
        </div>
      </dl>
      {item.step?.reason ? <p className="muted">{item.step.reason}</p> : null}
      {item.stuckReason ? (
        <Alert tone="warning" title={t(item.state === "stuck" ? "escalation.stuck" : "escalation.skipped")}>
          {item.stuckReason}
        </Alert>
      ) : null}
      {item.approval && item.approval.status === "pending" && canApprove ? (
        <DecisionForm approvalId={item.approval.id} onDecided={onChanged} />
      ) : item.approval ? (
        <p>
          {t(`escalation.approval.${item.approval.status}` as MessageKey)}
          {item.approval.auto ? ` (${t("escalation.approval.auto")})` : ""}
          {item.approval.note ? ` — ${item.approval.note}` : ""}
        </p>
      ) : null}
      <details className="ladder-history">
        <summary>{t("escalation.history", { count: item.history.length })}</summary>
        <ol>
          {item.history.map((h, n) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the history is append-only and in order
            <li key={n}>
              <time dateTime={h.at}>{formatDateTime(h.at)}</time> —{" "}
              {stepLabel(i18n, { id: h.toStep, role: null, regulator: regulatorOf(h.toStep) })}:{" "}
              {t(`escalation.state.${h.state}` as MessageKey)}
              {h.party?.name ? ` (${h.party.name})` : ""} — {h.reason}
            </li>
          ))}
        </ol>
      </details>
    </article>
  );
}

const regulatorOf = (step: string): string | null => (step.startsWith("regulator:") ? step.slice(10) : null);

function DecisionForm({ approvalId, onDecided }: { approvalId: string; onDecided(): Promise<void> }) {
  const { t, formatNumber } = useI18n();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);

  async function submit(event: FormEvent<HTMLFormElement>, decision: "approve" | "reject") {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setProblem(null);
    try {
      await decide(approvalId, decision, note);
      await onDecided();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="ladder-decision" noValidate onSubmit={(e) => submit(e, "approve")}>
      <TextAreaField
        label={t("escalation.decision.note")}
        hint={t("escalation.decision.hint")}
        optional
        value={note}
        maxLength={DECISION_NOTE_MAX}
        rows={2}
        onValueChange={setNote}
        counter={t("escalation.decision.counter", {
          used: formatNumber(note.length),
          max: formatNumber(DECISION_NOTE_MAX),
        })}
      />
      <ProblemAlert error={problem} />
      <div className="form__actions">
        <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("escalation.decision.approve")}
        </button>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={(e) => submit(e as unknown as FormEvent<HTMLFormElement>, "reject")}
        >
          {t("escalation.decision.reject")}
        </button>
      </div>
    </form>
  );
}
