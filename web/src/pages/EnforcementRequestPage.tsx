// One enforcement request, for the applicant hotline or for the regulator it was filed with
// (the API says which side is looking). Both see the same request and the same Awb clock; the
// actions differ: the hotline approves, files, records receipt, extensions, the notice of
// default, a decision or a withdrawal; the regulator confirms receipt, posts status updates,
// notifies a new term, records its decision and adds documents. Text from the other side is
// shown as text, never as HTML.
import { type FormEvent, type ReactNode, useId, useState } from "react";
import { Alert, ProblemAlert } from "../components/Alert.tsx";
import { TableRegion } from "../components/DataTable.tsx";
import { SelectField, TextAreaField, TextField } from "../components/Field.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/nl.ts";
import { api, fieldProblem } from "../lib/api.ts";
import { useSession } from "../lib/auth.tsx";
import {
  DOCUMENT_ACCEPT,
  dateToInstant,
  ENFORCEMENT_LIMITS,
  ENFORCEMENT_PATH,
  euros,
  OUTCOMES,
  PORTAL_PATH,
  type RequestDetail,
} from "../lib/enforcement.ts";
import { Link } from "../lib/router.tsx";
import { useResource } from "../lib/useResource.ts";
import { ClockText } from "./EnforcementPage.tsx";

export function EnforcementRequestPage({ id, portal }: { id: string; portal: boolean }) {
  const { t } = useI18n();
  const base = portal ? `/portal/requests/${id}` : `/enforcement/requests/${id}`;
  const [request, reload] = useResource<RequestDetail>(base);
  return (
    <>
      <p className="back">
        <Link to={portal ? PORTAL_PATH : ENFORCEMENT_PATH}>{portal ? t("portal.back") : t("enf.back")}</Link>
      </p>
      {request.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : null}
      {request.status === "failed" ? (
        <>
          <PageTitle title={t("enf.title")}>{t("enf.title")}</PageTitle>
          <ProblemAlert error={request.error} />
        </>
      ) : null}
      {request.status === "ready" ? <RequestView r={request.data} base={base} reload={reload} /> : null}
    </>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {title}
      </h2>
      {children}
    </section>
  );
}

function RequestView({ r, base, reload }: { r: RequestDetail; base: string; reload(): Promise<void> }) {
  const { t, locale, formatDateTime, formatNumber } = useI18n();
  const session = useSession();
  const can = (p: string) => session.permissions.includes(p);
  const applicant = r.side === "applicant";
  const title = `${t(`enf.kind.${r.regulator.requestKind}` as MessageKey)} ${r.reference}`;
  const open = r.status === "filed" || r.status === "received";
  const item = (label: string, value: ReactNode) => (
    <div className="facts__item">
      <dt>{label}</dt>
      <dd>{value ?? <span className="muted">—</span>}</dd>
    </div>
  );
  return (
    <>
      <div className="page-head">
        <PageTitle title={title}>{title}</PageTitle>
      </div>
      <p className="lead">
        <span className="badge badge--muted">{t(`enf.status.${r.status}` as MessageKey)}</span>{" "}
        <ClockText clock={r.clock} />
      </p>

      <Section title={t("enf.detail.facts")}>
        <dl className="facts">
          {item(t("enf.col.regulator"), r.regulator.name[locale])}
          {item(t("enf.col.applicant"), r.applicant.name)}
          {item(
            t("enf.detail.address"),
            r.applicant.address ? <span className="prewrap">{r.applicant.address}</span> : null,
          )}
          {item(t("enf.col.party"), r.party?.name ?? null)}
          {item(t("enf.detail.signedBy"), r.signedBy)}
          {item(t("enf.col.filed"), r.filedAt ? formatDateTime(r.filedAt) : null)}
          {item(t("enf.detail.received"), r.receivedAt ? formatDateTime(r.receivedAt) : null)}
          {item(t("enf.detail.termEnds"), r.clock.termEndsAt ? formatDateTime(r.clock.termEndsAt) : null)}
          {r.clock.penalty
            ? item(
                t("enf.detail.penalty"),
                t("enf.detail.penaltyValue", {
                  amount: euros(r.clock.penalty.cents, locale),
                  days: formatNumber(r.clock.penalty.days),
                  first: r.clock.penalty.firstDay ?? "—",
                }),
              )
            : null}
          {r.decision
            ? item(
                t("enf.detail.decision"),
                `${t(`enf.outcome.${r.decision.outcome ?? "other"}` as MessageKey)}`,
              )
            : null}
        </dl>
      </Section>

      <Section title={t("enf.detail.request")}>
        <p className="prewrap">{r.decisionRequested}</p>
        <h3>{t("enf.detail.basis")}</h3>
        <ul>
          {r.regulator.legalBasis.map((b) => (
            <li key={b.ref}>
              <strong>{b.ref}</strong>: {b.text[locale]}
            </li>
          ))}
        </ul>
        <h3>{t("enf.detail.factsText")}</h3>
        <p className="prewrap">{r.facts}</p>
      </Section>

      <Section title={t("enf.detail.urls")}>
        <ul>
          {r.cases.flatMap((c) =>
            c.items.map((i) => (
              <li key={i.id}>
                <code>{i.url}</code> <span className="muted">({c.caseReference})</span>
              </li>
            )),
          )}
        </ul>
      </Section>

      <Section title={t("enf.detail.documents")}>
        {r.dossier.status === "pending" ? <p role="status">{t("enf.dossier.pending")}</p> : null}
        {r.dossier.status === "failed" ? <Alert tone="error">{t("enf.dossier.failed")}</Alert> : null}
        {r.documents.length === 0 ? (
          <p className="empty">{t("enf.documents.none")}</p>
        ) : (
          <TableRegion label={t("enf.detail.documents")}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t("enf.documents.file")}</th>
                  <th scope="col">{t("enf.documents.kind")}</th>
                  <th scope="col">{t("enf.documents.from")}</th>
                  <th scope="col">SHA-256</th>
                </tr>
              </thead>
              <tbody>
                {r.documents.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <a href={`/api/v1${base}/documents/${d.id}`} download={d.fileName}>
                        {d.fileName}
                      </a>
                    </td>
                    <td>{t(`enf.doc.${d.kind}` as MessageKey)}</td>
                    <td>{t(`enf.from.${d.from}` as MessageKey)}</td>
                    <td>
                      <code className="hash">{d.sha256.slice(0, 16)}…</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </Section>

      {r.defaultNotice ? (
        <Section title={t("enf.default.title")}>
          <p>
            {t("enf.default.sent")}: {r.defaultNotice.sentAt ? formatDateTime(r.defaultNotice.sentAt) : "—"} ·{" "}
            {t("enf.default.received")}:{" "}
            {r.defaultNotice.receivedAt ? formatDateTime(r.defaultNotice.receivedAt) : "—"}
          </p>
          <pre className="prewrap">{r.defaultNotice.text}</pre>
        </Section>
      ) : null}

      <Section title={t("enf.updates.title")}>
        {r.updates.length === 0 ? (
          <p className="empty">{t("enf.updates.none")}</p>
        ) : (
          <ol>
            {r.updates.map((u) => (
              <li key={u.id}>
                <span className="muted">
                  {formatDateTime(u.createdAt)} · {t(`enf.from.${u.from}` as MessageKey)}:
                </span>{" "}
                <span className="prewrap">{u.message}</span>
              </li>
            ))}
          </ol>
        )}
      </Section>

      <Section title={t("enf.actions.title")}>
        {applicant && r.status === "draft" && can("escalation:approve") ? (
          <ActionButton label={t("enf.action.approve")} path={`${base}/approve`} onDone={reload} />
        ) : null}
        {applicant && r.status === "approved" && can("enforcement:manage") ? (
          <ActionButton label={t("enf.action.file")} path={`${base}/file`} onDone={reload} />
        ) : null}
        {!applicant && r.status === "filed" && can("enforcement:respond") ? (
          <ActionButton label={t("enf.action.confirmReceipt")} path={`${base}/receipt`} onDone={reload} />
        ) : null}
        {applicant && r.status === "filed" && can("enforcement:manage") ? (
          <ActionForm
            legend={t("enf.action.recordReceipt")}
            path={`${base}/receipt`}
            fields={[{ name: "receivedAt", label: t("enf.field.receivedOn"), type: "date" }]}
            onDone={reload}
          />
        ) : null}
        {r.termApplies && r.status === "received" && r.clock.state === "running" ? (
          <ActionForm
            legend={t("enf.action.extension")}
            path={`${base}/extensions`}
            fields={[
              { name: "termEndsOn", label: t("enf.field.termEndsOn"), type: "date", raw: true },
              { name: "reason", label: t("enf.field.reason"), type: "textarea", optional: true },
            ]}
            onDone={reload}
          />
        ) : null}
        {applicant && r.defaultNotice && open ? (
          <ActionForm
            legend={t("enf.action.defaultNotice")}
            path={`${base}/default-notice`}
            fields={[
              { name: "sentAt", label: t("enf.field.sentOn"), type: "date", optional: true },
              { name: "receivedAt", label: t("enf.field.receivedOn"), type: "date", optional: true },
            ]}
            onDone={reload}
          />
        ) : null}
        {open ? (
          <ActionForm
            legend={t("enf.action.update")}
            path={`${base}/updates`}
            fixed={{ kind: "status" }}
            fields={[{ name: "message", label: t("enf.field.message"), type: "textarea" }]}
            onDone={reload}
          />
        ) : null}
        {open ? (
          <ActionForm
            legend={t("enf.action.decision")}
            path={`${base}/decision`}
            fields={[
              {
                name: "outcome",
                label: t("enf.field.outcome"),
                type: "select",
                options: OUTCOMES.map((o) => ({ value: o, label: t(`enf.outcome.${o}` as MessageKey) })),
              },
              { name: "text", label: t("enf.field.decisionText"), type: "textarea" },
            ]}
            onDone={reload}
          />
        ) : null}
        {r.status !== "withdrawn" && r.status !== "draft" ? (
          <UploadForm path={`${base}/documents`} onDone={reload} />
        ) : null}
        {applicant && r.status !== "decided" && r.status !== "withdrawn" && can("enforcement:manage") ? (
          <ActionForm
            legend={t("enf.action.withdraw")}
            path={`${base}/withdraw`}
            fields={[{ name: "reason", label: t("enf.field.reason"), type: "textarea" }]}
            onDone={reload}
          />
        ) : null}
      </Section>
    </>
  );
}

function ActionButton({ label, path, onDone }: { label: string; path: string; onDone(): Promise<void> }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  async function run(): Promise<void> {
    setBusy(true);
    setProblem(null);
    try {
      await api.post(path, {});
      await onDone();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="form__actions justify-start">
      {problem ? <ProblemAlert error={problem} /> : null}
      <button
        type="button"
        className="button button--primary"
        onClick={() => void run()}
        aria-busy={busy || undefined}
      >
        {busy ? t("form.busy") : label}
      </button>
    </div>
  );
}

interface FieldSpec {
  name: string;
  label: string;
  type: "date" | "textarea" | "select";
  optional?: boolean;
  /** Send the value as typed (a date), not as an instant. */
  raw?: boolean;
  options?: { value: string; label: string }[];
}

function ActionForm({
  legend,
  path,
  fields,
  fixed = {},
  onDone,
}: {
  legend: string;
  path: string;
  fields: FieldSpec[];
  fixed?: Record<string, string>;
  onDone(): Promise<void>;
}) {
  const { t } = useI18n();
  const headingId = useId();
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, f.options?.[0]?.value ?? ""])),
  );
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setProblem(null);
    setDone(false);
    const body: Record<string, string> = { ...fixed };
    for (const f of fields) {
      const v = values[f.name]?.trim() ?? "";
      if (!v) continue;
      body[f.name] = f.type === "date" && !f.raw ? dateToInstant(v) : v;
    }
    try {
      await api.post(path, body);
      setDone(true);
      await onDone();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form enf-action" aria-labelledby={headingId} noValidate onSubmit={(e) => void submit(e)}>
      <h3 id={headingId}>{legend}</h3>
      {problem && !fields.some((f) => fieldProblem(problem, f.name)) ? (
        <ProblemAlert error={problem} />
      ) : null}
      {done ? <Alert tone="success">{t("enf.action.done")}</Alert> : null}
      {fields.map((f) => {
        const error = problem ? fieldProblem(problem, f.name) : undefined;
        const set = (v: string) => setValues((s) => ({ ...s, [f.name]: v }));
        if (f.type === "textarea")
          return (
            <TextAreaField
              key={f.name}
              label={f.label}
              value={values[f.name] ?? ""}
              onValueChange={set}
              error={error}
              optional={f.optional}
              maxLength={ENFORCEMENT_LIMITS.message}
              rows={3}
            />
          );
        if (f.type === "select")
          return (
            <SelectField
              key={f.name}
              label={f.label}
              value={values[f.name] ?? ""}
              onValueChange={set}
              options={f.options ?? []}
              error={error}
            />
          );
        return (
          <TextField
            key={f.name}
            label={f.label}
            type="date"
            value={values[f.name] ?? ""}
            onValueChange={set}
            error={error}
            optional={f.optional}
          />
        );
      })}
      <div className="form__actions justify-start">
        <button type="submit" className="button button--secondary" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("enf.action.save")}
        </button>
      </div>
    </form>
  );
}

function UploadForm({ path, onDone }: { path: string; onDone(): Promise<void> }) {
  const { t } = useI18n();
  const headingId = useId();
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState("document");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [error, setError] = useState<string | undefined>();

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    setProblem(null);
    if (!file) return setError(t("enf.upload.missing"));
    if (file.size > ENFORCEMENT_LIMITS.documentBytes) return setError(t("enf.upload.tooBig"));
    setError(undefined);
    setBusy(true);
    const form = new FormData();
    form.set("kind", kind);
    form.set("file", file, file.name);
    try {
      await api.post(path, form);
      setFile(null);
      (event.target as HTMLFormElement).reset();
      await onDone();
    } catch (e) {
      setProblem(e);
      setError(fieldProblem(e, "file"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form enf-action" aria-labelledby={headingId} noValidate onSubmit={(e) => void submit(e)}>
      <h3 id={headingId}>{t("enf.upload.title")}</h3>
      {problem && !error ? <ProblemAlert error={problem} /> : null}
      <SelectField
        label={t("enf.documents.kind")}
        value={kind}
        onValueChange={setKind}
        options={[
          { value: "document", label: t("enf.doc.document") },
          { value: "decision", label: t("enf.doc.decision") },
        ]}
      />
      <div className="field">
        <label className="field__label" htmlFor={fileId}>
          {t("enf.upload.file")}
        </label>
        <p className="field__hint" id={`${fileId}-hint`}>
          {t("enf.upload.hint")}
        </p>
        {error ? (
          <p className="field__error" id={`${fileId}-error`}>
            {error}
          </p>
        ) : null}
        <input
          id={fileId}
          type="file"
          className="input"
          accept={DOCUMENT_ACCEPT}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${fileId}-hint${error ? ` ${fileId}-error` : ""}`}
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
      </div>
      <div className="form__actions justify-start">
        <button type="submit" className="button button--secondary" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("enf.upload.submit")}
        </button>
      </div>
    </form>
  );
}
