// One case: what was reported (items, with material blurred until an analyst chooses to see
// it), the notices to platforms and their answers, the reports behind it, triage (category,
// priority, status with a reason, assignee), notes, and the timeline from the audit log.
// Everything from outside is shown as text.
import { type FormEvent, type ReactNode, useId, useState } from "react";
import { ProblemAlert } from "../components/Alert.tsx";
import { SelectField, TextAreaField } from "../components/Field.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/nl.ts";
import { ApiError, api } from "../lib/api.ts";
import { useSession } from "../lib/auth.tsx";
import { revealItem, shortHash, useCategories, useCategoryLabel } from "../lib/cases.ts";
import { useCaseLadder } from "../lib/escalation.ts";
import { useCaseMonitoring } from "../lib/monitoring.ts";
import { type ItemNoticeState, latestByItem, useCaseNotices } from "../lib/notices.ts";
import { formatSize } from "../lib/report.ts";
import { Link } from "../lib/router.tsx";
import {
  CASE_STATUSES,
  type CaseDetail,
  type CaseEvent,
  type CaseItem,
  type CaseNote,
  type CaseReport,
  type CaseSummary,
  type ContactDetails,
  ITEM_STATUSES,
  type ListResponse,
  PRIORITIES,
  type User,
} from "../lib/types.ts";
import { useResource } from "../lib/useResource.ts";
import { EscalationSection } from "./CaseEscalation.tsx";
import { MonitoringSection } from "./CaseMonitoring.tsx";
import { ItemNoticeLine, NoticesSection } from "./CaseNotices.tsx";
import { UrgentFlag } from "./CasesPage.tsx";

const REASON_MAX = 2000;
const NOTE_MAX = 10_000;

export function CasePage({ id }: { id: string }) {
  const { t } = useI18n();
  const [detail, reload] = useResource<CaseDetail>(`/cases/${id}`);
  const session = useSession();
  const [users] = useResource<ListResponse<User>>("/users");
  const [notices, reloadNotices] = useCaseNotices(id, session.permissions.includes("notices:read"));
  const [ladder, reloadLadder] = useCaseLadder(id, session.permissions.includes("escalation:read"));
  const [monitoring, reloadMonitoring] = useCaseMonitoring(
    id,
    session.permissions.includes("monitoring:read"),
  );
  // Outside the triage panel, which starts afresh after each save: the message stays.
  const [saved, setSaved] = useState<string | null>(null);
  const people: Map<string, string> = new Map(
    users.status === "ready" ? users.data.items.map((u) => [u.id, u.displayName]) : [],
  );
  people.set(session.user.id, session.user.displayName);

  if (detail.status === "loading") {
    return (
      <>
        <BackToQueue />
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      </>
    );
  }
  if (detail.status === "failed") {
    return (
      <>
        <BackToQueue />
        <PageTitle title={t("case.unavailable")}>{t("case.unavailable")}</PageTitle>
        <ProblemAlert error={detail.error} />
      </>
    );
  }

  const { case: c, items, notes, timeline } = detail.data;
  const reports = Array.isArray(detail.data.extras.reports) ? detail.data.extras.reports : [];
  const can = (p: string) => session.permissions.includes(p);
  const noticeStates = notices?.status === "ready" ? latestByItem(notices.data.items) : new Map();

  return (
    <>
      <BackToQueue />
      <CaseHeader summary={c} assigneeName={detail.data.assignee?.displayName ?? null} />
      <div className="case-grid">
        <div className="case-main">
          <ItemsSection
            caseId={c.id}
            items={items}
            canTriage={can("cases:triage")}
            canReveal={can("cases:reveal")}
            noticeStates={noticeStates}
            onChanged={reload}
          />
          {notices ? (
            <NoticesSection
              caseId={c.id}
              category={c.category}
              items={items}
              notices={notices}
              canSend={can("notices:send")}
              onChanged={async () => {
                await Promise.all([reloadNotices(), reload()]);
              }}
            />
          ) : null}
          {monitoring ? (
            <MonitoringSection
              monitoring={monitoring}
              canRun={can("monitoring:run")}
              onChanged={async () => {
                await Promise.all([reloadMonitoring(), reload()]);
              }}
            />
          ) : null}
          {ladder ? (
            <EscalationSection
              ladder={ladder}
              canApprove={can("escalation:approve")}
              onChanged={reloadLadder}
            />
          ) : null}
          <ReportsSection reports={reports} canContact={can("cases:contact")} />
          <NotesSection caseId={c.id} notes={notes} canWrite={can("cases:triage")} onAdded={reload} />
        </div>
        <aside className="case-side" aria-label={t("case.side")}>
          {can("cases:triage") ? (
            <TriagePanel
              key={c.updatedAt}
              summary={c}
              users={users.status === "ready" ? users.data.items : []}
              me={{ id: session.user.id, name: session.user.displayName }}
              saved={saved}
              onSaved={async (message) => {
                setSaved(message);
                await reload();
              }}
              onEdit={() => setSaved(null)}
            />
          ) : null}
          <Timeline events={timeline} people={people} items={items} />
        </aside>
      </div>
    </>
  );
}

function BackToQueue() {
  const { t } = useI18n();
  return (
    <p className="back">
      <Link to="/cases" className="text-link">
        <span aria-hidden="true">‹ </span>
        {t("case.back")}
      </Link>
    </p>
  );
}

function CaseHeader({ summary, assigneeName }: { summary: CaseSummary; assigneeName: string | null }) {
  const { t, tMaybe, formatDateTime } = useI18n();
  const categoryLabel = useCategoryLabel();
  return (
    <header className={summary.priority === "urgent" ? "case-head case-head--urgent" : "case-head"}>
      <PageTitle title={summary.reference}>
        <span className="case-head__ref">{summary.reference}</span>
        <span className="case-head__category">{categoryLabel(summary.category)}</span>
      </PageTitle>
      <div className="case-head__meta">
        {summary.priority === "urgent" ? (
          <UrgentFlag reasons={summary.urgentReasons} />
        ) : (
          <span className={`prio prio--${summary.priority}`}>
            {t("case.priority")}: {t(`priority.${summary.priority}` as MessageKey)}
          </span>
        )}
        <span className={`status status--${summary.status}`}>
          {t(`caseStatus.${summary.status}` as MessageKey)}
        </span>
      </div>
      <dl className="case-head__facts">
        <div>
          <dt>{t("case.assignee")}</dt>
          <dd>{assigneeName ?? t("cases.unassigned")}</dd>
        </div>
        <div>
          <dt>{t("case.received")}</dt>
          <dd>{formatDateTime(summary.createdAt)}</dd>
        </div>
        <div>
          <dt>{t("case.updated")}</dt>
          <dd>{formatDateTime(summary.updatedAt)}</dd>
        </div>
        <div>
          <dt>{t("case.source")}</dt>
          <dd>{tMaybe(`channel.${summary.source}`, summary.source)}</dd>
        </div>
      </dl>
    </header>
  );
}

// ---------- triage ----------

function TriagePanel({
  summary,
  users,
  me,
  saved,
  onSaved,
  onEdit,
}: {
  summary: CaseSummary;
  users: User[];
  me: { id: string; name: string };
  saved: string | null;
  onSaved(message: string): Promise<void>;
  onEdit(): void;
}) {
  const { t, locale } = useI18n();
  const categories = useCategories();
  const headingId = useId();
  const [values, setValues] = useState({
    category: summary.category,
    priority: summary.priority as string,
    status: summary.status as string,
    assigneeId: summary.assigneeId ?? "",
    reason: "",
  });
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>(null);
  const [nothing, setNothing] = useState(false);
  const [busy, setBusy] = useState(false);
  const statusChanges = values.status !== summary.status;

  const set = (field: keyof typeof values) => (value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    setNothing(false);
    onEdit();
    if (field === "reason" || field === "status") setReasonError(undefined);
  };

  async function patch(change: Record<string, unknown>, message: string): Promise<void> {
    setBusy(true);
    setProblem(null);
    try {
      await api.patch(`/cases/${summary.id}`, change);
      await onSaved(message);
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (busy) return;
    const change: Record<string, unknown> = {};
    if (values.category !== summary.category) change.category = values.category;
    if (values.priority !== summary.priority) change.priority = values.priority;
    if (statusChanges) change.status = values.status;
    if (values.assigneeId !== (summary.assigneeId ?? "")) change.assigneeId = values.assigneeId || null;
    if (Object.keys(change).length === 0) {
      setNothing(true);
      return;
    }
    if (statusChanges && !values.reason.trim()) {
      setReasonError(t("case.triage.reasonRequired"));
      document.getElementById(`${headingId}-reason`)?.focus();
      return;
    }
    if (values.reason.trim()) change.reason = values.reason.trim();
    void patch(change, t("case.triage.saved"));
  }

  const assigneeOptions = [
    { value: "", label: t("cases.unassigned") },
    ...(users.some((u) => u.id === me.id) ? [] : [{ value: me.id, label: me.name }]),
    ...users.map((u) => ({ value: u.id, label: u.displayName })),
  ];
  if (summary.assigneeId && !assigneeOptions.some((o) => o.value === summary.assigneeId)) {
    assigneeOptions.push({ value: summary.assigneeId, label: summary.assigneeName ?? summary.assigneeId });
  }

  return (
    <section className="panel triage" aria-labelledby={headingId}>
      <h2 className="panel__title" id={headingId}>
        {t("case.triage.title")}
      </h2>
      <ProblemAlert error={problem} />
      <div role="status" className="triage__status">
        {saved ? <p className="triage__saved">{saved}</p> : null}
        {nothing ? <p>{t("case.triage.nothing")}</p> : null}
      </div>
      <form className="triage__form" noValidate onSubmit={submit}>
        <SelectField
          label={t("case.triage.category")}
          value={values.category}
          onValueChange={set("category")}
          options={
            categories.length > 0
              ? categories.map((c) => ({ value: c.id, label: c.label[locale] }))
              : [{ value: summary.category, label: summary.category }]
          }
        />
        <SelectField
          label={t("case.triage.priority")}
          value={values.priority}
          onValueChange={set("priority")}
          options={PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}` as MessageKey) }))}
        />
        <SelectField
          label={t("case.triage.status")}
          value={values.status}
          onValueChange={set("status")}
          options={CASE_STATUSES.map((s) => ({ value: s, label: t(`caseStatus.${s}` as MessageKey) }))}
        />
        <div className="triage__assignee">
          <SelectField
            label={t("case.triage.assignee")}
            value={values.assigneeId}
            onValueChange={set("assigneeId")}
            options={assigneeOptions}
          />
          {summary.assigneeId !== me.id ? (
            <button
              type="button"
              className="button button--secondary button--small justify-start"
              disabled={busy}
              onClick={() => void patch({ assigneeId: me.id }, t("case.triage.assignedToMe"))}
            >
              {t("case.triage.assignMe")}
            </button>
          ) : null}
        </div>
        <TextAreaField
          id={`${headingId}-reason`}
          label={t("case.triage.reason")}
          hint={statusChanges ? t("case.triage.reasonHintRequired") : t("case.triage.reasonHint")}
          optional={!statusChanges}
          value={values.reason}
          onValueChange={set("reason")}
          error={reasonError}
          rows={3}
          maxLength={REASON_MAX}
          required={statusChanges}
        />
        <div className="form__actions">
          <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
            {busy ? t("form.busy") : t("case.triage.save")}
          </button>
        </div>
      </form>
    </section>
  );
}

// ---------- items ----------

function ItemsSection({
  caseId,
  items,
  canTriage,
  canReveal,
  noticeStates,
  onChanged,
}: {
  caseId: string;
  items: CaseItem[];
  canTriage: boolean;
  canReveal: boolean;
  noticeStates: Map<string, ItemNoticeState>;
  onChanged(): Promise<void>;
}) {
  const { t, formatNumber } = useI18n();
  const headingId = useId();
  return (
    <section className="section case-section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("case.items.title", { count: formatNumber(items.length) })}
      </h2>
      {items.length === 0 ? (
        <p className="empty">{t("case.items.empty")}</p>
      ) : (
        <ul className="items">
          {items.map((item) => (
            <li key={item.id}>
              <ItemCard
                item={item}
                caseId={caseId}
                canTriage={canTriage}
                canReveal={canReveal}
                noticeState={noticeStates.get(item.id)}
                onChanged={onChanged}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ItemCard({
  item,
  caseId,
  canTriage,
  canReveal,
  noticeState,
  onChanged,
}: {
  item: CaseItem;
  caseId: string;
  canTriage: boolean;
  canReveal: boolean;
  noticeState: ItemNoticeState | undefined;
  onChanged(): Promise<void>;
}) {
  const { t, tMaybe, formatDateTime, locale } = useI18n();
  const [editing, setEditing] = useState(false);
  return (
    <article className="item" aria-label={`${tMaybe(`itemKind.${item.kind}`, item.kind)}: ${item.value}`}>
      <div className="item__head">
        <span className={`kind kind--${item.kind}`}>{tMaybe(`itemKind.${item.kind}`, item.kind)}</span>
        <span className={`item-status item-status--${item.status}`}>
          {tMaybe(`itemStatus.${item.status}`, item.status)}
        </span>
      </div>
      <p className="item__value">
        <code>{item.value}</code>
      </p>
      <dl className="item__facts">
        {item.host ? (
          <div>
            <dt>{t("case.item.host")}</dt>
            <dd>{item.host}</dd>
          </div>
        ) : null}
        {item.platform ? (
          <div>
            <dt>{t("case.item.platform")}</dt>
            <dd>{item.platform}</dd>
          </div>
        ) : null}
        {item.sha256 ? (
          <div>
            <dt>SHA-256</dt>
            <dd>
              <code title={item.sha256}>{shortHash(item.sha256)}</code>
            </dd>
          </div>
        ) : null}
        {item.kind === "file" && item.mediaType ? (
          <div>
            <dt>{t("case.item.file")}</dt>
            <dd>
              {item.mediaType}
              {item.width && item.height ? ` · ${item.width}×${item.height}` : ""}
              {item.sizeBytes ? ` · ${formatSize(item.sizeBytes, locale)}` : ""}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>{t("case.item.added")}</dt>
          <dd>{formatDateTime(item.createdAt)}</dd>
        </div>
      </dl>
      {noticeState ? <ItemNoticeLine state={noticeState} verified={item.status === "removed"} /> : null}
      {item.linkedCases.length > 0 ? (
        <p className="item__linked">
          <span className="item__linked-label">{t("case.item.linked")}</span>{" "}
          {item.linkedCases.map((l, index) => (
            <span key={l.id}>
              {index > 0 ? ", " : null}
              <Link to={`/cases/${l.id}`}>{l.reference}</Link>{" "}
              <span className="muted">({tMaybe(`caseStatus.${l.status}`, l.status)})</span>
            </span>
          ))}
        </p>
      ) : null}
      {item.kind === "file" ? <Material item={item} caseId={caseId} canReveal={canReveal} /> : null}
      {canTriage ? (
        editing ? (
          <ItemStatusForm
            item={item}
            caseId={caseId}
            onCancel={() => setEditing(false)}
            onSaved={async () => {
              setEditing(false);
              await onChanged();
            }}
          />
        ) : (
          <button
            type="button"
            className="button button--quiet button--small justify-start"
            onClick={() => setEditing(true)}
          >
            {t("case.item.changeStatus")}
            <span className="visually-hidden">: {item.value}</span>
          </button>
        )
      ) : null}
    </article>
  );
}

/**
 * Material is blurred and grey by default (a server-made preview, blurred again in CSS). Only
 * a deliberate click shows it, only for this item, and the reveal is recorded and counted.
 */
function Material({ item, caseId, canReveal }: { item: CaseItem; caseId: string; canReveal: boolean }) {
  const { t } = useI18n();
  const [revealed, setRevealed] = useState(false);
  const [count, setCount] = useState<number | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [expired, setExpired] = useState(false);
  const [busy, setBusy] = useState(false);
  const base = `/api/v1/cases/${caseId}/items/${item.id}`;

  if (!item.hasFile) {
    return <p className="material__none">{t("case.material.notKept")}</p>;
  }

  async function reveal(): Promise<void> {
    setBusy(true);
    setProblem(null);
    setExpired(false);
    try {
      setCount(await revealItem(caseId, item.id));
      setRevealed(true);
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="material">
      <div className="material__frame">
        {revealed ? (
          <img
            className="material__image"
            src={`${base}/file`}
            alt={t("case.material.revealedAlt")}
            onError={() => {
              setRevealed(false);
              setExpired(true);
            }}
          />
        ) : (
          <img
            className="material__image material__image--shielded"
            src={`${base}/preview`}
            alt={t("case.material.blurredAlt")}
          />
        )}
      </div>
      <div className="material__controls">
        {revealed ? (
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => setRevealed(false)}
          >
            {t("case.material.hide")}
          </button>
        ) : canReveal ? (
          <>
            <button
              type="button"
              className="button button--secondary button--small"
              onClick={() => void reveal()}
              aria-busy={busy || undefined}
            >
              {t("case.material.reveal")}
            </button>
            <span className="material__hint">{t("case.material.revealHint")}</span>
          </>
        ) : (
          <span className="material__hint">{t("case.material.noReveal")}</span>
        )}
      </div>
      <div role="status" className="material__status">
        {revealed && count !== null ? (
          <p className="exposure-note">
            {count === 1 ? t("case.material.exposureOne") : t("case.material.exposure", { count })}{" "}
            {t("case.material.care")}
          </p>
        ) : null}
        {expired ? <p>{t("case.material.expired")}</p> : null}
      </div>
      {problem instanceof ApiError ? <ProblemAlert error={problem} /> : null}
    </div>
  );
}

function ItemStatusForm({
  item,
  caseId,
  onCancel,
  onSaved,
}: {
  item: CaseItem;
  caseId: string;
  onCancel(): void;
  onSaved(): Promise<void>;
}) {
  const { t, tMaybe } = useI18n();
  const [status, setStatus] = useState<string>(item.status);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formId = useId();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    if (!reason.trim()) {
      setError(t("case.item.reasonRequired"));
      document.getElementById(`${formId}-reason`)?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api.patch(`/cases/${caseId}/items/${item.id}`, { status, reason: reason.trim() });
      await onSaved();
    } catch (e) {
      setProblem(e);
      setBusy(false);
    }
  }

  return (
    <form className="item__form" noValidate onSubmit={(e) => void submit(e)}>
      <ProblemAlert error={problem} />
      <SelectField
        label={t("case.item.newStatus")}
        value={status}
        onValueChange={setStatus}
        options={ITEM_STATUSES.map((s) => ({ value: s, label: tMaybe(`itemStatus.${s}`, s) }))}
      />
      <TextAreaField
        id={`${formId}-reason`}
        label={t("case.item.reason")}
        value={reason}
        onValueChange={(v) => {
          setReason(v);
          setError(undefined);
        }}
        error={error}
        rows={2}
        maxLength={REASON_MAX}
        required
      />
      <div className="form__actions">
        <button type="submit" className="button button--primary button--small" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("case.item.saveStatus")}
        </button>
        <button type="button" className="button button--quiet button--small" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

// ---------- reports ----------

function ReportsSection({ reports, canContact }: { reports: CaseReport[]; canContact: boolean }) {
  const { t } = useI18n();
  const headingId = useId();
  if (reports.length === 0) return null;
  return (
    <section className="section case-section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("case.reports.title")}
      </h2>
      <ul className="reports">
        {reports.map((r) => (
          <li key={r.id}>
            <ReportCard report={r} canContact={canContact} />
          </li>
        ))}
      </ul>
    </section>
  );
}

const URGENT_ANSWERS = new Set(["immediateDanger", "selfHarm", "minorInvolved", "ongoingThreat"]);

function ReportCard({ report, canContact }: { report: CaseReport; canContact: boolean }) {
  const { t, tMaybe, formatDateTime } = useI18n();
  const yes = Object.entries(report.answers ?? {})
    .filter(([, v]) => v === true)
    .map(([k]) => k);
  return (
    <article className="report">
      <p className="report__head">
        <span className="report__channel">{tMaybe(`channel.${report.channel}`, report.channel)}</span>
        <span className="muted"> · {formatDateTime(report.createdAt)}</span>
      </p>
      <dl className="report__facts">
        <div>
          <dt>{t("case.report.role")}</dt>
          <dd>{tMaybe(`reporterRole.${report.reporterRole}`, report.reporterRole)}</dd>
        </div>
        <div>
          <dt>{t("case.report.age")}</dt>
          <dd>{tMaybe(`report.age.${report.ageBand}`, report.ageBand)}</dd>
        </div>
        <div>
          <dt>{t("case.report.language")}</dt>
          <dd>{tMaybe(`language.${report.language}`, report.language)}</dd>
        </div>
        <div>
          <dt>{t("case.report.consent")}</dt>
          <dd>{report.consentVersion}</dd>
        </div>
        {report.partnerReference ? (
          <div>
            <dt>{t("case.report.partnerReference")}</dt>
            <dd>{report.partnerReference}</dd>
          </div>
        ) : null}
      </dl>
      <div className="report__answers">
        <h3 className="report__subtitle">{t("case.report.answers")}</h3>
        {yes.length === 0 ? (
          <p className="muted">{t("case.report.noAnswers")}</p>
        ) : (
          <ul className="chips chips--inline">
            {yes.map((key) => (
              <li key={key} className={URGENT_ANSWERS.has(key) ? "chip chip--urgent" : "chip"}>
                {URGENT_ANSWERS.has(key) ? <span aria-hidden="true">! </span> : null}
                {tMaybe(`answer.${key}`, key)}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="report__description">
        <h3 className="report__subtitle">{t("case.report.description")}</h3>
        {report.description ? (
          <p className="prewrap" lang={report.language}>
            {report.description}
          </p>
        ) : (
          <p className="muted">{t("case.report.noDescription")}</p>
        )}
      </div>
      {report.hasContact ? (
        canContact ? (
          <ContactReveal reportId={report.id} />
        ) : (
          <p className="muted">{t("case.report.contactNoPermission")}</p>
        )
      ) : (
        <p className="muted">{t("case.report.noContact")}</p>
      )}
    </article>
  );
}

function ContactReveal({ reportId }: { reportId: string }) {
  const { t, tMaybe } = useI18n();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>(null);
  const [contact, setContact] = useState<ContactDetails | null>(null);
  const [busy, setBusy] = useState(false);
  const formId = useId();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    if (!reason.trim()) {
      setError(t("case.contact.reasonRequired"));
      document.getElementById(`${formId}-reason`)?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      setContact(await api.post<ContactDetails>(`/reports/${reportId}/contact`, { reason: reason.trim() }));
      setAsking(false);
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
    }
  }

  if (contact) {
    const rows: [string, ReactNode][] = [];
    if (contact.name) rows.push([t("case.contact.name"), contact.name]);
    if (contact.email) rows.push([t("form.email"), contact.email]);
    if (contact.phone) rows.push([t("case.contact.phone"), contact.phone]);
    if (contact.preferred)
      rows.push([
        t("case.contact.preferred"),
        tMaybe(`report.contact.preferred.${contact.preferred}`, contact.preferred),
      ]);
    return (
      <div className="contact-shown" role="status">
        <h3 className="report__subtitle">{t("case.contact.title")}</h3>
        <dl className="report__facts">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <p className="muted">{t("case.contact.logged")}</p>
      </div>
    );
  }

  if (!asking) {
    return (
      <button
        type="button"
        className="button button--secondary button--small justify-start"
        onClick={() => setAsking(true)}
      >
        {t("case.contact.show")}
      </button>
    );
  }

  return (
    <form className="contact-form" noValidate onSubmit={(e) => void submit(e)}>
      <ProblemAlert error={problem} />
      <TextAreaField
        id={`${formId}-reason`}
        label={t("case.contact.reason")}
        hint={t("case.contact.reasonHint")}
        value={reason}
        onValueChange={(v) => {
          setReason(v);
          setError(undefined);
        }}
        error={error}
        rows={2}
        maxLength={REASON_MAX}
        required
      />
      <div className="form__actions">
        <button type="submit" className="button button--primary button--small" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("case.contact.confirm")}
        </button>
        <button type="button" className="button button--quiet button--small" onClick={() => setAsking(false)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

// ---------- notes ----------

function NotesSection({
  caseId,
  notes,
  canWrite,
  onAdded,
}: {
  caseId: string;
  notes: CaseNote[];
  canWrite: boolean;
  onAdded(): Promise<void>;
}) {
  const { t, formatDateTime } = useI18n();
  const headingId = useId();
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    if (!body.trim()) {
      setError(t("case.notes.required"));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api.post(`/cases/${caseId}/notes`, { body: body.trim() });
      setBody("");
      setAdded(true);
      await onAdded();
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="section case-section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("case.notes.title")}
      </h2>
      {notes.length === 0 ? (
        <p className="muted">{t("case.notes.empty")}</p>
      ) : (
        <ol className="notes">
          {notes.map((n) => (
            <li key={n.id} className="note">
              <p className="note__meta">
                <span className="note__author">{n.authorName}</span>
                <span className="muted"> · {formatDateTime(n.createdAt)}</span>
              </p>
              <p className="prewrap note__body">{n.body}</p>
            </li>
          ))}
        </ol>
      )}
      {canWrite ? (
        <form className="notes__form" noValidate onSubmit={(e) => void submit(e)}>
          <ProblemAlert error={problem} />
          <TextAreaField
            label={t("case.notes.add")}
            value={body}
            onValueChange={(v) => {
              setBody(v);
              setError(undefined);
              setAdded(false);
            }}
            error={error}
            rows={3}
            maxLength={NOTE_MAX}
          />
          <div className="form__actions">
            <button type="submit" className="button button--secondary" aria-busy={busy || undefined}>
              {busy ? t("form.busy") : t("case.notes.submit")}
            </button>
            <span role="status" className="notes__added">
              {added ? t("case.notes.added") : ""}
            </span>
          </div>
        </form>
      ) : null}
    </section>
  );
}

// ---------- timeline ----------

function Timeline({
  events,
  people,
  items,
}: {
  events: CaseEvent[];
  people: Map<string, string>;
  items: CaseItem[];
}) {
  const { t, formatDateTime } = useI18n();
  const describe = useEventText(people, items);
  const headingId = useId();
  const ordered = [...events].sort((a, b) => b.seq - a.seq);
  return (
    <section className="panel panel--flat timeline-panel" aria-labelledby={headingId}>
      <h2 className="panel__title" id={headingId}>
        {t("case.timeline.title")}
      </h2>
      <p className="muted timeline__intro">{t("case.timeline.intro")}</p>
      {ordered.length === 0 ? (
        <p className="muted">{t("case.timeline.empty")}</p>
      ) : (
        <ol className="timeline">
          {ordered.map((e) => (
            <li key={e.seq} className="timeline__event">
              <p className="timeline__what">{describe(e)}</p>
              <p className="timeline__meta">
                <time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt)}</time>
                {" · "}
                {actorText(e, people, t)}
              </p>
              {e.reason ? (
                <p className="timeline__reason">
                  <span className="timeline__reason-label">{t("case.timeline.reason")}</span> {e.reason}
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function actorText(
  e: CaseEvent,
  people: Map<string, string>,
  t: (k: MessageKey, v?: Record<string, string>) => string,
) {
  if (e.actorType === "user" && e.actorId) return people.get(e.actorId) ?? t("case.actor.colleague");
  if (e.actorType === "public") return t("case.actor.public");
  if (e.actorType === "system") return t("case.actor.system");
  if (e.actorType === "token") return t("case.actor.token");
  return e.actorType;
}

function useEventText(people: Map<string, string>, items: CaseItem[]) {
  const { t, tMaybe } = useI18n();
  const categoryLabel = useCategoryLabel();
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const itemName = (id: string | null) => {
    const item = items.find((i) => i.id === id);
    if (!item) return t("case.timeline.anItem");
    const text = item.value.length > 60 ? `${item.value.slice(0, 57)}…` : item.value;
    return `${tMaybe(`itemKind.${item.kind}`, item.kind).toLowerCase()} ${text}`;
  };
  return (e: CaseEvent): string => {
    const from = str(e.data.from);
    const to = str(e.data.to);
    switch (e.action) {
      case "report.received":
        return t("case.event.reportReceived", {
          channel: tMaybe(`channel.${str(e.data.channel)}`, str(e.data.channel)),
        });
      case "case.created":
        return t("case.event.created");
      case "case.status_changed":
        return t("case.event.status", {
          from: tMaybe(`caseStatus.${from}`, from),
          to: tMaybe(`caseStatus.${to}`, to),
        });
      case "case.category_changed":
        return t("case.event.category", { from: categoryLabel(from), to: categoryLabel(to) });
      case "case.priority_changed":
        return t("case.event.priority", {
          from: tMaybe(`priority.${from}`, from),
          to: tMaybe(`priority.${to}`, to),
        });
      case "case.assigned":
        return to
          ? t("case.event.assigned", { name: people.get(to) ?? t("case.actor.colleague") })
          : t("case.event.unassigned");
      case "case.note_added":
        return t("case.event.note");
      case "case.item_added":
        return t("case.event.itemAdded", { item: itemName(str(e.data.itemId)) });
      case "item.status_changed":
        return t("case.event.itemStatus", {
          item: itemName(e.subjectId),
          to: tMaybe(`itemStatus.${to}`, to),
        });
      case "item.revealed":
        return t("case.event.revealed", { item: itemName(e.subjectId) });
      case "item.file_deleted":
        return t("case.event.fileDeleted", { item: itemName(e.subjectId) });
      case "report.contact_viewed":
        return t("case.event.contactViewed");
      default:
        return tMaybe(`case.event.${e.action}`, e.action);
    }
  };
}
