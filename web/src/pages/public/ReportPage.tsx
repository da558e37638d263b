// The public report: a short form in five small steps, for someone on a phone who may be
// upset or scared. Urgent answers show help at once, before anything is sent; after sending,
// the help routes and the receipt to follow the case.
import {
  type ClipboardEvent,
  type FormEvent,
  type ReactNode,
  useEffect,
  useId,
  useRef,
  useState,
} from "react";
import { Alert } from "../../components/Alert.tsx";
import { CheckCard, CheckCards, type ChoiceOption, RadioCards } from "../../components/Choice.tsx";
import { SelectField, TextAreaField, TextField } from "../../components/Field.tsx";
import { HelpRouteCard } from "../../components/HelpRoutes.tsx";
import { PageTitle } from "../../components/PageTitle.tsx";
import { type I18n, useI18n } from "../../i18n/index.tsx";
import type { MessageKey } from "../../i18n/nl.ts";
import { ApiError, api } from "../../lib/api.ts";
import { focusFirstInvalid, looksLikeEmail } from "../../lib/forms.ts";
import { EMAIL_MAX_LENGTH } from "../../lib/limits.ts";
import {
  AGE_BANDS,
  ANSWER_KEYS,
  type AnswerKey,
  type Answers,
  CONTACT_FIELD_MAX,
  formatSize,
  IMAGE_TYPES,
  IMMEDIATE_HELP,
  isMinorAge,
  looksLikePhone,
  looksLikeUrl,
  NAME_MAX_LENGTH,
  NO_ANSWERS,
  NO_UPLOAD_CATEGORIES,
  REPORTER_ROLES,
  type ReportForm,
  type ReportReceipt,
  splitLinks,
  URL_MAX_LENGTH,
} from "../../lib/report.ts";
import { useResource } from "../../lib/useResource.ts";
import { ReportDone } from "./ReportDone.tsx";

const STEPS = ["what", "about", "where", "details", "finish"] as const;
type Step = (typeof STEPS)[number];
const LAST = STEPS.length - 1;

interface UrlRow {
  id: number;
  value: string;
}
interface AccountRow {
  id: number;
  platform: string;
  handle: string;
}
interface FileRow {
  id: number;
  file: File;
}

interface Draft {
  category: string;
  reporterRole: string;
  ageBand: string;
  answers: Answers;
  urls: UrlRow[];
  platform: string;
  accounts: AccountRow[];
  description: string;
  files: FileRow[];
  wantContact: boolean;
  name: string;
  email: string;
  phone: string;
  preferred: string;
  consent: boolean;
  /** The honeypot: people never see it, bots fill it in. */
  website: string;
}

const emptyDraft = (): Draft => ({
  category: "",
  reporterRole: "",
  ageBand: "",
  answers: { ...NO_ANSWERS },
  urls: [{ id: 1, value: "" }],
  platform: "",
  accounts: [],
  description: "",
  files: [],
  wantContact: false,
  name: "",
  email: "",
  phone: "",
  preferred: "",
  consent: false,
  website: "",
});

type Errors = Record<string, string>;

/** Which step holds a field, so an error from the server takes the person to it. */
function stepOfField(key: string): number {
  const head = key.split(".")[0] ?? "";
  if (head === "category") return 0;
  if (head === "reporterRole" || head === "ageBand" || head === "answers") return 1;
  if (head === "url" || head === "urls" || head === "account" || head === "accounts" || head === "platform")
    return 2;
  if (head === "description" || head === "file" || head === "files") return 3;
  return 4;
}

const uploadsAllowed = (category: string) => !NO_UPLOAD_CATEGORIES.has(category);

/** The server's English messages for screenshots, in the person's own language. */
function fileMessage(message: string, name: string, i18n: I18n, maxBytes: number): string {
  if (/not an image/i.test(message)) return i18n.t("report.files.notImage", { name });
  if (/too many pixels/i.test(message)) return i18n.t("report.files.tooManyPixels", { name });
  if (/larger than/i.test(message))
    return i18n.t("report.files.tooBig", { name, size: formatSize(maxBytes, i18n.locale) });
  if (/damaged|empty/i.test(message)) return i18n.t("report.files.damaged", { name });
  return `${name}: ${message}`;
}

export function ReportPage() {
  const { t } = useI18n();
  const [form, reload] = useResource<ReportForm>("/public/report-form");
  const [receipt, setReceipt] = useState<{ receipt: ReportReceipt; aboutThemself: boolean } | null>(null);
  const [round, setRound] = useState(0);

  if (receipt) {
    return (
      <ReportDone
        receipt={receipt.receipt}
        aboutThemself={receipt.aboutThemself}
        onAnother={() => {
          setReceipt(null);
          setRound((n) => n + 1);
        }}
      />
    );
  }

  return (
    <>
      <PageTitle title={t("report.title")}>{t("report.title")}</PageTitle>
      <p className="lead">{t("report.intro")}</p>
      {form.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : null}
      {form.status === "failed" ? (
        <Alert tone="error" title={t("report.loadFailed")}>
          <p>{t("report.error.unavailable")}</p>
          <button type="button" className="button button--secondary" onClick={() => void reload()}>
            {t("common.retry")}
          </button>
        </Alert>
      ) : null}
      {form.status === "ready" ? <ReportWizard key={round} form={form.data} onDone={setReceipt} /> : null}
    </>
  );
}

function ReportWizard({
  form,
  onDone,
}: {
  form: ReportForm;
  onDone(done: { receipt: ReportReceipt; aboutThemself: boolean }): void;
}) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const limits = form.limits;
  const [step, setStep] = useState(0);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [errors, setErrors] = useState<Errors>({});
  const [problem, setProblem] = useState<ReactNode>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const nextId = useRef(2);
  const titleId = useId();

  const newId = () => nextId.current++;
  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const clearError = (...keys: string[]) =>
    setErrors((e) => {
      if (!keys.some((k) => k in e)) return e;
      const next = { ...e };
      for (const k of keys) delete next[k];
      return next;
    });

  function goTo(next: number): void {
    setNotice(null);
    setStep(next);
    // A new step: its heading takes focus, so screen readers announce where the person is.
    window.requestAnimationFrame(() => {
      formRef.current?.scrollIntoView({ block: "start" });
      titleRef.current?.focus({ preventScroll: true });
    });
  }

  function validate(at: number, d: Draft): Errors {
    const found: Errors = {};
    if (at === 0 && !d.category) found.category = t("report.category.required");
    if (at === 1) {
      if (!d.reporterRole) found.reporterRole = t("report.role.required");
      if (!d.ageBand) found.ageBand = t("report.age.required");
    }
    if (at === 2) {
      const filled = d.urls.filter((u) => u.value.trim());
      if (filled.length > limits.urlsPerReport) {
        found.urls = t("report.url.tooMany", { max: limits.urlsPerReport });
      }
      for (const row of filled) {
        if (!looksLikeUrl(row.value)) found[`url.${row.id}`] = t("report.url.invalid");
      }
      for (const row of d.accounts) {
        if (row.platform.trim() && !row.handle.trim()) {
          found[`account.${row.id}`] = t("report.account.handleRequired");
        }
      }
    }
    if (at === 3) {
      if (d.description.length > limits.descriptionMax) {
        found.description = t("report.description.tooLong", { max: limits.descriptionMax });
      }
      const somethingGiven =
        d.urls.some((u) => u.value.trim()) ||
        d.accounts.some((a) => a.handle.trim()) ||
        d.description.trim() ||
        (uploadsAllowed(d.category) && d.files.length > 0);
      if (!somethingGiven) found.description = t("report.needSomething");
    }
    if (at === 4) {
      if (d.wantContact) {
        if (!d.email.trim() && !d.phone.trim()) found.contact = t("report.contact.required");
        if (d.email.trim() && !looksLikeEmail(d.email)) found["contact.email"] = t("form.email.invalid");
        if (d.phone.trim() && !looksLikePhone(d.phone))
          found["contact.phone"] = t("report.contact.phoneInvalid");
      }
      if (!d.consent) found.consent = t("report.consent.required");
    }
    return found;
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (busy) return;
    const found = validate(step, draft);
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(formRef.current);
      return;
    }
    if (step < LAST) goTo(step + 1);
    else void send();
  }

  async function send(): Promise<void> {
    // Every step once more: a person may have gone back and changed something.
    for (let at = 0; at <= LAST; at++) {
      const found = validate(at, draft);
      if (Object.keys(found).length > 0) {
        setErrors(found);
        goTo(at);
        return;
      }
    }
    const urlRows = draft.urls.filter((u) => u.value.trim());
    const accountRows = draft.accounts.filter((a) => a.handle.trim());
    const fileRows = uploadsAllowed(draft.category) ? draft.files : [];
    const contact = draft.wantContact
      ? {
          name: draft.name.trim() || undefined,
          email: draft.email.trim() || undefined,
          phone: draft.phone.trim() || undefined,
          preferred: draft.preferred || undefined,
        }
      : undefined;
    const report = {
      category: draft.category,
      urls: urlRows.map((u) => u.value.trim()),
      accounts: accountRows.map((a) => ({
        platform: a.platform.trim() || undefined,
        handle: a.handle.trim(),
      })),
      platform: draft.platform.trim() || undefined,
      description: draft.description.trim(),
      reporterRole: draft.reporterRole,
      ageBand: draft.ageBand,
      answers: draft.answers,
      contact,
      language: locale,
      consent: { given: true, version: form.consent.version },
      website: draft.website,
    };
    let body: unknown = report;
    if (fileRows.length > 0) {
      const data = new FormData();
      data.set("report", JSON.stringify(report));
      for (const row of fileRows) data.append("files", row.file, row.file.name);
      body = data;
    }
    setBusy(true);
    setProblem(null);
    try {
      const receipt = await api.post<ReportReceipt>("/public/reports", body);
      onDone({ receipt, aboutThemself: draft.reporterRole === "depicted" });
    } catch (error) {
      setBusy(false);
      showSendProblem(error, urlRows, accountRows, fileRows);
    }
  }

  function showSendProblem(
    error: unknown,
    urlRows: UrlRow[],
    accountRows: AccountRow[],
    fileRows: FileRow[],
  ) {
    if (!(error instanceof ApiError)) {
      setProblem(t("report.error.unavailable"));
      return;
    }
    if (error.status === 422 && error.problem.errors?.length) {
      const found: Errors = {};
      const unplaced: string[] = [];
      for (const e of error.problem.errors) {
        const [head, index, rest] = e.path.split(".");
        const n = Number(index);
        if (head === "urls" && urlRows[n]) found[`url.${urlRows[n].id}`] = t("report.url.invalid");
        else if (head === "accounts" && accountRows[n]) found[`account.${accountRows[n].id}`] = e.message;
        else if (head === "files" && fileRows[n]) {
          const row = fileRows[n];
          found[`file.${row.id}`] = fileMessage(e.message, row.file.name, i18n, limits.fileMaxBytes);
        } else if (head === "files") found.files = e.message;
        else if (head === "urls") found.description = t("report.needSomething");
        else if (head === "contact" && (index === "email" || index === "phone")) {
          found[`contact.${index}`] =
            index === "email" ? t("form.email.invalid") : t("report.contact.phoneInvalid");
        } else if (head === "consent") found.consent = t("report.consent.outdated");
        else if (head && !rest && head !== "website") found[head] = e.message;
        else unplaced.push(e.message);
      }
      setErrors(found);
      const first = Math.min(...Object.keys(found).map(stepOfField), LAST);
      setProblem(
        unplaced.length > 0 ? `${t("report.error.fix")} ${unplaced.join(" ")}` : t("report.error.fix"),
      );
      goTo(first);
      return;
    }
    if (error.status === 413) setProblem(t("report.error.tooLarge"));
    else if (error.status === 429) setProblem(t("report.error.rateLimited"));
    else if (error.code === "report_rejected") setProblem(t("report.error.rejected"));
    else setProblem(t("report.error.unavailable"));
  }

  const stepTitle = t(`report.step.${STEPS[step] as Step}` as MessageKey);

  return (
    <form ref={formRef} noValidate onSubmit={handleSubmit} className="wizard" aria-labelledby={titleId}>
      <div className="wizard__head">
        {step > 0 ? (
          <button type="button" className="link-button wizard__back" onClick={() => goTo(step - 1)}>
            <span aria-hidden="true">‹ </span>
            {t("report.back")}
          </button>
        ) : null}
        <p className="wizard__count">{t("report.progress", { step: step + 1, total: STEPS.length })}</p>
        <ol className="progress">
          {STEPS.map((id, index) => (
            <li
              key={id}
              className={
                index < step
                  ? "progress__step is-done"
                  : index === step
                    ? "progress__step is-current"
                    : "progress__step"
              }
              aria-current={index === step ? "step" : undefined}
            >
              <span className="visually-hidden">
                {t(`report.step.${id}` as MessageKey)}
                {index < step ? ` (${t("report.stepDone")})` : ""}
              </span>
            </li>
          ))}
        </ol>
        <h2 className="wizard__title" id={titleId} ref={titleRef} tabIndex={-1}>
          {stepTitle}
        </h2>
      </div>

      {problem ? <Alert tone="error" title={problem} /> : null}
      {notice ? <Alert tone="info">{notice}</Alert> : null}

      {step === 0 ? (
        <StepWhat
          form={form}
          draft={draft}
          errors={errors}
          onChange={(patch) => {
            const dropFiles =
              patch.category !== undefined && !uploadsAllowed(patch.category) && draft.files.length > 0;
            update(dropFiles ? { ...patch, files: [] } : patch);
            if (dropFiles) setNotice(t("report.files.droppedForCategory"));
            clearError("category");
          }}
        />
      ) : null}
      {step === 1 ? (
        <StepAbout
          form={form}
          draft={draft}
          errors={errors}
          onChange={(patch) => {
            update(patch);
            clearError(...Object.keys(patch));
          }}
        />
      ) : null}
      {step === 2 ? (
        <StepWhere
          draft={draft}
          errors={errors}
          maxUrls={limits.urlsPerReport}
          maxAccounts={limits.accountsPerReport}
          newId={newId}
          setDraft={setDraft}
          clearError={clearError}
          setNotice={setNotice}
        />
      ) : null}
      {step === 3 ? (
        <StepDetails
          form={form}
          draft={draft}
          errors={errors}
          newId={newId}
          setDraft={setDraft}
          clearError={clearError}
          setErrors={setErrors}
        />
      ) : null}
      {step === 4 ? (
        <StepFinish
          form={form}
          draft={draft}
          errors={errors}
          onChange={(patch, ...keys) => {
            update(patch);
            clearError(...keys);
          }}
        />
      ) : null}

      <div className="wizard__actions">
        <button type="submit" className="button button--primary button--large" aria-busy={busy || undefined}>
          {step < LAST ? t("report.next") : busy ? t("report.sending") : t("report.submit")}
        </button>
        {step === 0 ? <p className="wizard__reassure">{t("report.reassure")}</p> : null}
      </div>
    </form>
  );
}

// ---------- step 1: what happened ----------

interface StepProps {
  form: ReportForm;
  draft: Draft;
  errors: Errors;
}

function NoUploadWarning() {
  const { t } = useI18n();
  return (
    <Alert tone="warning" title={t("report.noUpload.title")}>
      <p>{t("report.noUpload.text")}</p>
    </Alert>
  );
}

function StepWhat({ form, draft, errors, onChange }: StepProps & { onChange(patch: Partial<Draft>): void }) {
  const { t, locale } = useI18n();
  const options: ChoiceOption[] = form.categories.map((c) => ({
    value: c.id,
    label: c.label[locale],
    description: c.description[locale],
    after: NO_UPLOAD_CATEGORIES.has(c.id) ? <NoUploadWarning /> : undefined,
  }));
  return (
    <RadioCards
      name="category"
      legend={t("report.category.legend")}
      hint={t("report.category.hint")}
      error={errors.category}
      options={options}
      value={draft.category}
      onValueChange={(category) => onChange({ category })}
    />
  );
}

// ---------- step 2: about you, and help right away ----------

function StepAbout({ form, draft, errors, onChange }: StepProps & { onChange(patch: Partial<Draft>): void }) {
  const { t } = useI18n();
  const routeFor = (key: AnswerKey) => {
    const id = IMMEDIATE_HELP[key];
    return id ? form.helpRoutes.find((r) => r.id === id) : undefined;
  };
  const answerOptions: ChoiceOption[] = ANSWER_KEYS.map((key) => {
    const route = routeFor(key);
    return {
      value: key,
      label: t(`report.answer.${key}` as MessageKey),
      after: route ? (
        <div className="immediate-help">
          <p className="immediate-help__lead">{t("report.help.now")}</p>
          <HelpRouteCard route={route} headingLevel={3} />
        </div>
      ) : undefined,
    };
  });
  return (
    <div className="wizard__fields">
      <RadioCards
        name="reporterRole"
        legend={t("report.role.legend")}
        error={errors.reporterRole}
        options={REPORTER_ROLES.map((role) => ({
          value: role,
          label: t(`report.role.${role}` as MessageKey),
        }))}
        value={draft.reporterRole}
        onValueChange={(reporterRole) => onChange({ reporterRole })}
      />
      <RadioCards
        name="ageBand"
        legend={draft.reporterRole === "depicted" ? t("report.age.legendSelf") : t("report.age.legendOther")}
        hint={t("report.age.hint")}
        error={errors.ageBand}
        options={AGE_BANDS.map((band) => ({ value: band, label: t(`report.age.${band}` as MessageKey) }))}
        value={draft.ageBand}
        onValueChange={(ageBand) => onChange({ ageBand })}
      />
      <CheckCards
        legend={t("report.answers.legend")}
        hint={t("report.answers.hint")}
        options={answerOptions}
        values={draft.answers}
        onToggle={(key, checked) => onChange({ answers: { ...draft.answers, [key as AnswerKey]: checked } })}
      />
    </div>
  );
}

// ---------- step 3: where it is ----------

interface RowsStepProps {
  draft: Draft;
  errors: Errors;
  newId(): number;
  setDraft(update: (d: Draft) => Draft): void;
  clearError(...keys: string[]): void;
}

function StepWhere({
  draft,
  errors,
  maxUrls,
  maxAccounts,
  newId,
  setDraft,
  clearError,
  setNotice,
}: RowsStepProps & { maxUrls: number; maxAccounts: number; setNotice(text: string | null): void }) {
  const { t } = useI18n();
  const groupId = useId();
  const [bulk, setBulk] = useState("");
  const listRef = useRef<HTMLOListElement>(null);
  const focusRow = useRef<number | null>(null);

  useEffect(() => {
    if (focusRow.current === null) return;
    listRef.current?.querySelector<HTMLInputElement>(`[data-row="${focusRow.current}"]`)?.focus();
    focusRow.current = null;
  });

  function addLinks(links: string[], afterId?: number): number {
    const room = Math.max(0, maxUrls - draft.urls.filter((u) => u.value.trim()).length);
    const fresh = links.slice(0, room).map((value) => ({ id: newId(), value }));
    if (fresh.length === 0) return 0;
    setDraft((d) => {
      let rows = d.urls;
      // An empty row (the one pasted into, or the first empty one) takes the first link.
      const target = afterId ?? rows.find((r) => !r.value.trim())?.id;
      const targetRow = rows.find((r) => r.id === target);
      if (targetRow && !targetRow.value.trim()) {
        const [first, ...others] = fresh;
        rows = rows.flatMap((r) =>
          r.id === targetRow.id ? [{ ...r, value: first?.value ?? "" }, ...others] : [r],
        );
      } else {
        const at = targetRow ? rows.indexOf(targetRow) + 1 : rows.length;
        rows = [...rows.slice(0, at), ...fresh, ...rows.slice(at)];
      }
      return { ...d, urls: rows };
    });
    return fresh.length;
  }

  function handlePaste(event: ClipboardEvent<HTMLInputElement>, row: UrlRow): void {
    const links = splitLinks(event.clipboardData.getData("text"));
    if (links.length < 2) return;
    event.preventDefault();
    const added = addLinks(links, row.id);
    clearError("urls", `url.${row.id}`);
    setNotice(
      added < links.length
        ? t("report.url.tooMany", { max: maxUrls })
        : t("report.urls.pasted", { count: added }),
    );
  }

  const setUrl = (id: number, value: string) => {
    setDraft((d) => ({ ...d, urls: d.urls.map((u) => (u.id === id ? { ...u, value } : u)) }));
    clearError(`url.${id}`, "urls");
  };
  const removeUrl = (id: number) => {
    setDraft((d) => {
      const rows = d.urls.filter((u) => u.id !== id);
      return { ...d, urls: rows.length > 0 ? rows : [{ id: newId(), value: "" }] };
    });
    clearError(`url.${id}`);
  };
  const addUrl = () => {
    const id = newId();
    focusRow.current = id;
    setDraft((d) => ({ ...d, urls: [...d.urls, { id, value: "" }] }));
  };
  const setAccount = (id: number, patch: Partial<AccountRow>) => {
    setDraft((d) => ({ ...d, accounts: d.accounts.map((a) => (a.id === id ? { ...a, ...patch } : a)) }));
    clearError(`account.${id}`);
  };
  const removeAccount = (id: number) => {
    setDraft((d) => ({ ...d, accounts: d.accounts.filter((a) => a.id !== id) }));
    clearError(`account.${id}`);
  };
  const addAccount = () => {
    const id = newId();
    setDraft((d) => ({ ...d, accounts: [...d.accounts, { id, platform: d.platform, handle: "" }] }));
    window.requestAnimationFrame(() => document.getElementById(`account-${id}-handle`)?.focus());
  };

  const filledUrls = draft.urls.filter((u) => u.value.trim()).length;

  return (
    <div className="wizard__fields">
      <p className="wizard__intro">{t("report.where.intro")}</p>
      <fieldset className={errors.urls ? "fieldset rows field--invalid" : "fieldset rows"}>
        <legend className="choice-group__legend">{t("report.urls.legend")}</legend>
        <p className="field__hint" id={`${groupId}-hint`}>
          {t("report.urls.hint")}
        </p>
        {errors.urls ? <p className="field__error">{errors.urls}</p> : null}
        <ol className="rows__list" ref={listRef}>
          {draft.urls.map((row, index) => {
            const inputId = `url-${row.id}`;
            const error = errors[`url.${row.id}`];
            return (
              <li key={row.id} className={error ? "rows__item field--invalid" : "rows__item"}>
                <label className="field__label" htmlFor={inputId}>
                  {t("report.url.label", { n: index + 1 })}
                </label>
                {error ? (
                  <p className="field__error" id={`${inputId}-error`}>
                    <span className="visually-hidden">{t("form.errorPrefix")} </span>
                    {error}
                  </p>
                ) : null}
                <div className="rows__controls">
                  <input
                    id={inputId}
                    data-row={row.id}
                    className="input input--url"
                    type="url"
                    inputMode="url"
                    autoComplete="off"
                    autoCapitalize="off"
                    spellCheck={false}
                    maxLength={URL_MAX_LENGTH}
                    placeholder="https://"
                    value={row.value}
                    aria-invalid={error ? true : undefined}
                    aria-describedby={
                      error ? `${inputId}-error` : index === 0 ? `${groupId}-hint` : undefined
                    }
                    onChange={(e) => setUrl(row.id, e.target.value)}
                    onPaste={(e) => handlePaste(e, row)}
                  />
                  {draft.urls.length > 1 || row.value ? (
                    <button
                      type="button"
                      className="button button--quiet rows__remove"
                      onClick={() => removeUrl(row.id)}
                    >
                      {t("report.remove")}
                      <span className="visually-hidden"> {t("report.url.label", { n: index + 1 })}</span>
                    </button>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ol>
        {filledUrls < maxUrls ? (
          <button type="button" className="button button--secondary rows__add" onClick={addUrl}>
            <span aria-hidden="true">+ </span>
            {t("report.url.add")}
          </button>
        ) : null}
        <details className="bulk">
          <summary>{t("report.urls.pasteMany")}</summary>
          <TextAreaField
            label={t("report.urls.pasteLabel")}
            value={bulk}
            onValueChange={setBulk}
            rows={5}
            spellCheck={false}
            autoCapitalize="off"
          />
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              const links = splitLinks(bulk);
              if (links.length === 0) return;
              const added = addLinks(links);
              setBulk("");
              clearError("urls");
              setNotice(
                added < links.length
                  ? t("report.url.tooMany", { max: maxUrls })
                  : t("report.urls.pasted", { count: added }),
              );
            }}
          >
            {t("report.urls.pasteAdd")}
          </button>
        </details>
      </fieldset>

      <TextField
        label={t("report.platform.label")}
        hint={t("report.platform.hint")}
        optional
        value={draft.platform}
        onValueChange={(platform) => setDraft((d) => ({ ...d, platform }))}
        maxLength={NAME_MAX_LENGTH}
        autoComplete="off"
      />

      <fieldset className="fieldset rows">
        <legend className="choice-group__legend">
          {t("report.accounts.legend")}
          <span className="field__optional"> ({t("form.optional")})</span>
        </legend>
        <p className="field__hint">{t("report.accounts.hint")}</p>
        {draft.accounts.length > 0 ? (
          <ol className="rows__list">
            {draft.accounts.map((row, index) => {
              const error = errors[`account.${row.id}`];
              return (
                <li
                  key={row.id}
                  className={
                    error ? "rows__item rows__item--account field--invalid" : "rows__item rows__item--account"
                  }
                >
                  <p className="rows__caption">{t("report.account.caption", { n: index + 1 })}</p>
                  <div className="rows__pair">
                    <TextField
                      label={t("report.account.platform")}
                      id={`account-${row.id}-platform`}
                      value={row.platform}
                      onValueChange={(platform) => setAccount(row.id, { platform })}
                      maxLength={NAME_MAX_LENGTH}
                      autoComplete="off"
                    />
                    <TextField
                      label={t("report.account.handle")}
                      id={`account-${row.id}-handle`}
                      value={row.handle}
                      onValueChange={(handle) => setAccount(row.id, { handle })}
                      maxLength={NAME_MAX_LENGTH}
                      autoComplete="off"
                      autoCapitalize="off"
                      spellCheck={false}
                      error={error}
                    />
                  </div>
                  <button
                    type="button"
                    className="button button--quiet rows__remove"
                    onClick={() => removeAccount(row.id)}
                  >
                    {t("report.remove")}
                    <span className="visually-hidden"> {t("report.account.caption", { n: index + 1 })}</span>
                  </button>
                </li>
              );
            })}
          </ol>
        ) : null}
        {draft.accounts.length < maxAccounts ? (
          <button type="button" className="button button--secondary rows__add" onClick={addAccount}>
            <span aria-hidden="true">+ </span>
            {t("report.account.add")}
          </button>
        ) : null}
      </fieldset>
    </div>
  );
}

// ---------- step 4: in your own words, and screenshots ----------

function StepDetails({
  form,
  draft,
  errors,
  newId,
  setDraft,
  clearError,
  setErrors,
}: StepProps & RowsStepProps & { setErrors(update: (e: Errors) => Errors): void }) {
  const i18n = useI18n();
  const { t, locale, formatNumber } = i18n;
  const limits = form.limits;
  const inputId = useId();
  const [rejected, setRejected] = useState<string[]>([]);
  const allowed = uploadsAllowed(draft.category);
  const minor = isMinorAge(draft.ageBand) || draft.answers.minorInvolved;

  function choose(list: FileList | null): void {
    if (!list) return;
    const problems: string[] = [];
    const accepted: FileRow[] = [];
    let room = limits.filesPerReport - draft.files.length;
    for (const file of Array.from(list)) {
      if (!(IMAGE_TYPES as readonly string[]).includes(file.type)) {
        problems.push(t("report.files.notImage", { name: file.name }));
      } else if (file.size > limits.fileMaxBytes) {
        problems.push(
          t("report.files.tooBig", { name: file.name, size: formatSize(limits.fileMaxBytes, locale) }),
        );
      } else if (room <= 0) {
        problems.push(t("report.files.tooMany", { max: limits.filesPerReport }));
        break;
      } else {
        accepted.push({ id: newId(), file });
        room--;
      }
    }
    setRejected(problems);
    setDraft((d) => ({ ...d, files: [...d.files, ...accepted] }));
    setErrors((e) => {
      const next = { ...e };
      delete next.files;
      delete next.description;
      return next;
    });
  }

  return (
    <div className="wizard__fields">
      <TextAreaField
        label={t("report.description.label")}
        hint={t("report.description.hint")}
        optional
        value={draft.description}
        onValueChange={(description) => {
          setDraft((d) => ({ ...d, description }));
          clearError("description");
        }}
        error={errors.description}
        rows={6}
        maxLength={limits.descriptionMax}
        counter={
          draft.description.length > limits.descriptionMax * 0.8
            ? t("report.description.count", {
                count: formatNumber(draft.description.length),
                max: formatNumber(limits.descriptionMax),
              })
            : undefined
        }
      />

      {allowed ? (
        <fieldset className={errors.files ? "fieldset rows field--invalid" : "fieldset rows"}>
          <legend className="choice-group__legend">
            {t("report.files.legend")}
            <span className="field__optional"> ({t("form.optional")})</span>
          </legend>
          <p className="field__hint" id={`${inputId}-hint`}>
            {t("report.files.hint", {
              max: limits.filesPerReport,
              size: formatSize(limits.fileMaxBytes, locale),
            })}
          </p>
          {minor ? (
            <Alert tone="warning">
              <p>{t("report.files.minorWarning")}</p>
            </Alert>
          ) : null}
          {errors.files ? <p className="field__error">{errors.files}</p> : null}
          {rejected.length > 0 ? (
            <div className="field__error" role="alert">
              {rejected.map((text) => (
                <p key={text}>{text}</p>
              ))}
            </div>
          ) : null}
          {draft.files.length > 0 ? (
            <ul className="files">
              {draft.files.map((row) => {
                const error = errors[`file.${row.id}`];
                return (
                  <li key={row.id} className={error ? "files__item field--invalid" : "files__item"}>
                    <span className="files__icon" aria-hidden="true" />
                    <span className="files__name">
                      {row.file.name}
                      <span className="files__size">{formatSize(row.file.size, locale)}</span>
                      {error ? <span className="field__error">{error}</span> : null}
                    </span>
                    <button
                      type="button"
                      className="button button--quiet button--small"
                      onClick={() => {
                        setDraft((d) => ({ ...d, files: d.files.filter((f) => f.id !== row.id) }));
                        clearError(`file.${row.id}`);
                        setRejected([]);
                      }}
                    >
                      {t("report.remove")}
                      <span className="visually-hidden"> {row.file.name}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          ) : null}
          {draft.files.length < limits.filesPerReport ? (
            <div className="file-pick">
              <input
                id={inputId}
                className="file-pick__native"
                type="file"
                accept={IMAGE_TYPES.join(",")}
                multiple
                aria-describedby={`${inputId}-hint`}
                onChange={(e) => {
                  choose(e.target.files);
                  e.target.value = "";
                }}
              />
              <label htmlFor={inputId} className="button button--secondary file-pick__button">
                {draft.files.length > 0 ? t("report.files.chooseMore") : t("report.files.choose")}
              </label>
            </div>
          ) : null}
        </fieldset>
      ) : (
        <NoUploadWarning />
      )}
    </div>
  );
}

// ---------- step 5: contact and consent ----------

function StepFinish({
  form,
  draft,
  errors,
  onChange,
}: StepProps & { onChange(patch: Partial<Draft>, ...clear: string[]): void }) {
  const { t, locale } = useI18n();
  const consentId = useId();
  return (
    <div className="wizard__fields">
      <div className="contact">
        <CheckCard
          label={t("report.contact.want")}
          description={t("report.contact.hint")}
          checked={draft.wantContact}
          onCheckedChange={(wantContact) =>
            onChange({ wantContact }, "contact", "contact.email", "contact.phone")
          }
        />
        {draft.wantContact ? (
          <div className="contact__fields">
            {errors.contact ? (
              <p className="field__error" role="alert">
                {errors.contact}
              </p>
            ) : null}
            <TextField
              label={t("report.contact.name")}
              optional
              value={draft.name}
              onValueChange={(name) => onChange({ name })}
              maxLength={CONTACT_FIELD_MAX}
              autoComplete="nickname"
            />
            <TextField
              label={t("form.email")}
              type="email"
              value={draft.email}
              onValueChange={(email) => onChange({ email }, "contact", "contact.email")}
              error={errors["contact.email"]}
              maxLength={EMAIL_MAX_LENGTH}
              autoComplete="email"
              spellCheck={false}
              autoCapitalize="off"
            />
            <TextField
              label={t("report.contact.phone")}
              type="tel"
              value={draft.phone}
              onValueChange={(phone) => onChange({ phone }, "contact", "contact.phone")}
              error={errors["contact.phone"]}
              maxLength={20}
              autoComplete="tel"
            />
            <SelectField
              label={t("report.contact.preferred")}
              value={draft.preferred}
              onValueChange={(preferred) => onChange({ preferred })}
              options={[
                { value: "", label: t("report.contact.preferred.any") },
                { value: "email", label: t("report.contact.preferred.email") },
                { value: "phone", label: t("report.contact.preferred.phone") },
              ]}
            />
          </div>
        ) : null}
      </div>

      <section className="consent" aria-labelledby={`${consentId}-title`}>
        <h3 className="consent__title" id={`${consentId}-title`}>
          {t("report.consent.title")}
        </h3>
        <p>{t("report.consent.intro")}</p>
        <blockquote className="consent__text" id={`${consentId}-text`} lang={locale}>
          <p>{form.consent[locale]}</p>
          <footer className="consent__version">
            {t("report.consent.version", { version: form.consent.version })}
          </footer>
        </blockquote>
        <CheckCard
          label={t("report.consent.check")}
          checked={draft.consent}
          error={errors.consent}
          onCheckedChange={(consent) => onChange({ consent }, "consent")}
        />
      </section>

      {/* Honeypot: hidden from people and assistive technology; bots fill every field. */}
      <div className="hp" aria-hidden="true">
        <label htmlFor={`${consentId}-website`}>{t("report.honeypot")}</label>
        <input
          id={`${consentId}-website`}
          name="website"
          type="text"
          tabIndex={-1}
          autoComplete="off"
          value={draft.website}
          onChange={(e) => onChange({ website: e.target.value })}
        />
      </div>
    </div>
  );
}
