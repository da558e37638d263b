// The page behind the link in a notice, for the platform's trust & safety staff: what the
// notice says and what they answered so far, then one form to answer — receipt, the action
// taken, a refusal with the facts DSA art. 17(3) asks for, "not responsible", or a question.
// No account and no cookies: the token in the address is the key. Everything the notice and
// the server say is shown as text, never as HTML; links to other sites carry no Referer.
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import { Alert, ProblemAlert } from "../../components/Alert.tsx";
import { RadioCards } from "../../components/Choice.tsx";
import { CheckboxGroup, TextAreaField, TextField } from "../../components/Field.tsx";
import { PageTitle } from "../../components/PageTitle.tsx";
import { storedLocale, useI18n } from "../../i18n/index.tsx";
import type { MessageKey } from "../../i18n/nl.ts";
import { ApiError, api } from "../../lib/api.ts";
import { focusFirstInvalid } from "../../lib/forms.ts";
import {
  fieldOfPath,
  OUTCOMES,
  type Outcome,
  type PublicNotice,
  parseCountries,
  RESPONSE_LIMITS,
  RESPONSE_PAGE_HEADER,
  type ResponseKind,
  type ResponseReceipt,
  safeHttpUrl,
  TOKEN_PATTERN,
} from "../../lib/notices.ts";

type Load =
  | { status: "loading" }
  | { status: "ready"; notice: PublicNotice }
  | { status: "invalid" }
  | { status: "failed"; error: unknown };

export function RespondPage({ token }: { token: string }) {
  const { t, setLocale } = useI18n();
  const [load, setLoad] = useState<Load>(() =>
    TOKEN_PATTERN.test(token) ? { status: "loading" } : { status: "invalid" },
  );
  const [receipt, setReceipt] = useState<ResponseReceipt | null>(null);
  const languageChosen = useRef(false);

  const reload = useCallback(async () => {
    if (!TOKEN_PATTERN.test(token)) return;
    try {
      const notice = await api.get<PublicNotice>(`/public/notices/${encodeURIComponent(token)}`);
      setLoad({ status: "ready", notice });
    } catch (error) {
      // One neutral answer for a token that is unknown, malformed or withdrawn.
      if (error instanceof ApiError && (error.status === 404 || error.status === 400 || error.status === 422))
        setLoad({ status: "invalid" });
      else setLoad({ status: "failed", error });
    }
  }, [token]);

  useEffect(() => {
    void reload();
  }, [reload]);

  // The notice's own language, unless this person chose a language before.
  const noticeLanguage = load.status === "ready" ? load.notice.language : null;
  useEffect(() => {
    if (!noticeLanguage || languageChosen.current) return;
    languageChosen.current = true;
    if (!storedLocale()) setLocale(noticeLanguage, { remember: false });
  }, [noticeLanguage, setLocale]);

  if (load.status === "loading") {
    return (
      <p className="loading" role="status">
        {t("common.loading")}
      </p>
    );
  }
  if (load.status === "invalid") {
    return (
      <>
        <PageTitle title={t("respond.invalid.title")}>{t("respond.invalid.title")}</PageTitle>
        <Alert tone="warning" title={t("respond.invalid.text")}>
          <p>{t("respond.invalid.hint")}</p>
        </Alert>
      </>
    );
  }
  if (load.status === "failed") {
    return (
      <>
        <PageTitle title={t("respond.title")}>{t("respond.title")}</PageTitle>
        <ProblemAlert error={load.error} />
        <button type="button" className="button button--secondary" onClick={() => void reload()}>
          {t("common.retry")}
        </button>
      </>
    );
  }

  const notice = load.notice;
  return (
    <>
      <PageTitle title={t("respond.title.reference", { reference: notice.reference })}>
        {t("respond.title")} <span className="respond__ref">{notice.reference}</span>
      </PageTitle>
      <p className="lead">{t("respond.intro")}</p>
      <NoticeFacts notice={notice} />
      <UrlList notice={notice} />
      <NoticeText notice={notice} />
      <ResponsesSoFar notice={notice} />
      <AnswerSection
        key={notice.responses.length}
        token={token}
        notice={notice}
        receipt={receipt}
        onAnswered={async (r) => {
          setReceipt(r);
          await reload();
        }}
      />
    </>
  );
}

// ---------- what the notice says ----------

function DeadlineText({ deadlineAt }: { deadlineAt: string }) {
  const { t, formatDateTime } = useI18n();
  const passed = new Date(deadlineAt).getTime() < Date.now();
  return (
    <>
      <time dateTime={deadlineAt}>{formatDateTime(deadlineAt)}</time>{" "}
      {passed ? (
        <span className="overdue">
          <span className="overdue__icon" aria-hidden="true">
            !
          </span>
          {t("respond.deadline.passed")}
        </span>
      ) : (
        <span className="muted">{t("respond.deadline.open")}</span>
      )}
    </>
  );
}

function NoticeFacts({ notice }: { notice: PublicNotice }) {
  const { t, locale, formatDateTime } = useI18n();
  const headingId = useId();
  return (
    <section className="section respond__section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("respond.facts.title")}
      </h2>
      <dl className="respond-facts">
        <div>
          <dt>{t("respond.facts.reference")}</dt>
          <dd>
            <code>{notice.reference}</code>
          </dd>
        </div>
        <div>
          <dt>{t("respond.facts.to")}</dt>
          <dd>{notice.party}</dd>
        </div>
        <div>
          <dt>{t("respond.facts.notifier")}</dt>
          <dd>
            {notice.notifier ? (
              <>
                {notice.notifier.name}
                {notice.notifier.email ? (
                  <>
                    {" · "}
                    <a href={`mailto:${notice.notifier.email}`}>{notice.notifier.email}</a>
                  </>
                ) : null}
                {notice.notifier.trustedFlagger ? (
                  <span className="respond-facts__note">{t("respond.facts.trustedFlagger")}</span>
                ) : null}
              </>
            ) : (
              <span>{t("respond.facts.notifierWithheld")}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t("respond.facts.category")}</dt>
          <dd>{notice.category.label[locale]}</dd>
        </div>
        <div>
          <dt>{t("respond.facts.sent")}</dt>
          <dd>{formatDateTime(notice.sentAt)}</dd>
        </div>
        <div>
          <dt>{t("respond.facts.deadline")}</dt>
          <dd>
            <DeadlineText deadlineAt={notice.deadlineAt} />
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** The URL as a link to the other site (no Referer, new tab), or as text when not http(s). */
export function ExternalUrl({ url }: { url: string }) {
  const href = safeHttpUrl(url);
  if (!href) return <code className="url-text">{url}</code>;
  return (
    <a
      className="url-text"
      href={href}
      rel="noreferrer noopener"
      target="_blank"
      referrerPolicy="no-referrer"
    >
      {url}
    </a>
  );
}

function OutcomeText({ outcome, at }: { outcome: Outcome | null; at: string | null }) {
  const { t, formatDateTime } = useI18n();
  if (!outcome) return <span className="muted">{t("respond.urls.noOutcome")}</span>;
  return (
    <span className={`outcome outcome--${outcome}`}>
      {t(`notice.outcome.${outcome}` as MessageKey)}
      {at ? <span className="muted"> · {formatDateTime(at)}</span> : null}
    </span>
  );
}

function UrlList({ notice }: { notice: PublicNotice }) {
  const { t, formatNumber } = useI18n();
  const headingId = useId();
  return (
    <section className="section respond__section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("respond.urls.title", { count: formatNumber(notice.items.length) })}
      </h2>
      <p className="muted">{t("respond.urls.hint")}</p>
      <ol className="respond-urls">
        {notice.items.map((item) => (
          <li key={item.id} className="respond-urls__item">
            <ExternalUrl url={item.url} />
            <OutcomeText outcome={item.outcome} at={item.outcomeAt} />
          </li>
        ))}
      </ol>
    </section>
  );
}

function NoticeText({ notice }: { notice: PublicNotice }) {
  const { t } = useI18n();
  const headingId = useId();
  // The outer block stays unnamed: the scrollable box is the one region with this heading.
  return (
    <div className="section respond__section">
      <h2 className="section-title" id={headingId}>
        {t("respond.text.title")}
      </h2>
      <p className="respond__subject" lang={notice.language}>
        {notice.subject}
      </p>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable box must be reachable by keyboard (WCAG 2.1.1). */}
      <section className="notice-text" aria-labelledby={headingId} tabIndex={0}>
        <pre lang={notice.language}>{notice.text}</pre>
      </section>
    </div>
  );
}

function ResponsesSoFar({ notice }: { notice: PublicNotice }) {
  const { t, formatDateTime } = useI18n();
  const headingId = useId();
  const urlOf = new Map(notice.items.map((i) => [i.id, i.url]));
  return (
    <section className="section respond__section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("respond.soFar.title")}
      </h2>
      {notice.responses.length === 0 ? (
        <p className="muted">{t("respond.soFar.none")}</p>
      ) : (
        <ol className="respond-answers">
          {notice.responses.map((r) => (
            <li key={r.id} className="respond-answers__item">
              <p className="respond-answers__what">
                <strong>{t(`notice.kind.${r.kind}` as MessageKey)}</strong>{" "}
                <span className="muted">
                  · <time dateTime={r.receivedAt}>{formatDateTime(r.receivedAt)}</time>
                </span>
              </p>
              {r.itemIds.length > 0 ? (
                <ul className="respond-answers__urls">
                  {r.itemIds.map((id) => (
                    <li key={id}>
                      <code className="url-text">{urlOf.get(id) ?? id}</code>
                    </li>
                  ))}
                </ul>
              ) : null}
              <p className="respond-answers__id muted">
                {t("respond.receipt.id")} <code>{r.id}</code>
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

// ---------- the answer ----------

type Kind = Exclude<ResponseKind, "acknowledged">;
type Field =
  | "kind"
  | "itemIds"
  | "countries"
  | "restriction"
  | "groundKind"
  | "ground"
  | "facts"
  | "automated"
  | "responsible"
  | "message";
const FIELDS: readonly Field[] = [
  "kind",
  "itemIds",
  "countries",
  "restriction",
  "groundKind",
  "ground",
  "facts",
  "automated",
  "responsible",
  "message",
];
const KINDS: readonly Kind[] = [...OUTCOMES, "question"];

interface Values {
  kind: Kind | "";
  scope: "all" | "some";
  itemIds: string[];
  countries: string;
  restriction: string;
  groundKind: "" | "legal" | "contractual";
  ground: string;
  facts: string;
  automated: "" | "yes" | "no";
  responsible: string;
  message: string;
}

const EMPTY: Values = {
  kind: "",
  scope: "all",
  itemIds: [],
  countries: "",
  restriction: "",
  groundKind: "",
  ground: "",
  facts: "",
  automated: "",
  responsible: "",
  message: "",
};

function AnswerSection({
  token,
  notice,
  receipt,
  onAnswered,
}: {
  token: string;
  notice: PublicNotice;
  receipt: ResponseReceipt | null;
  onAnswered(receipt: ResponseReceipt): Promise<void>;
}) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const headingId = useId();
  const formId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState<"ack" | "answer" | null>(null);
  // Bumped when errors are shown: focus moves to the first field in error once React rendered it.
  const [errorsShown, setErrorsShown] = useState(0);
  useEffect(() => {
    if (errorsShown > 0) focusFirstInvalid(formRef.current);
  }, [errorsShown]);
  const idOf = (field: Field) => `${formId}-${field}`;
  const isOutcome = values.kind !== "" && values.kind !== "question";
  const several = notice.items.length > 1;

  const set =
    <K extends keyof Values>(field: K) =>
    (value: Values[K]) => {
      setValues((v) => ({ ...v, [field]: value }));
      // Another kind of answer asks other questions: the old errors no longer apply.
      if (field === "kind") setErrors({});
      else setErrors((e) => ({ ...e, [field === "scope" ? "itemIds" : field]: undefined }));
    };

  async function send(body: Record<string, unknown>, which: "ack" | "answer"): Promise<void> {
    setBusy(which);
    setProblem(null);
    try {
      const r = await api.post<ResponseReceipt>(
        `/public/notices/${encodeURIComponent(token)}/responses`,
        body,
        RESPONSE_PAGE_HEADER,
      );
      await onAnswered(r);
      setBusy(null);
    } catch (error) {
      setBusy(null);
      if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length) {
        const found: Partial<Record<Field, string>> = {};
        const other: string[] = [];
        for (const e of error.problem.errors) {
          const field = fieldOfPath(e.path) as Field;
          if (FIELDS.includes(field)) found[field] ??= t(`respond.error.${field}` as MessageKey);
          else other.push(e.message);
        }
        setErrors(found);
        if (other.length) setProblem(error);
        setErrorsShown((n) => n + 1);
        return;
      }
      setProblem(error);
    }
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (busy) return;
    const found: Partial<Record<Field, string>> = {};
    const body: Record<string, unknown> = { kind: values.kind };
    if (!values.kind) found.kind = t("respond.error.kind");
    if (isOutcome && several && values.scope === "some") {
      // An empty list would mean "every URL" to the server: never send it by mistake.
      if (values.itemIds.length === 0) found.itemIds = t("respond.error.itemIds");
      body.itemIds = values.itemIds;
    }
    if (values.kind === "geo_restricted" && values.countries.trim()) {
      const { codes, invalid } = parseCountries(values.countries);
      if (invalid.length) found.countries = t("respond.error.countriesFormat", { codes: invalid.join(", ") });
      else if (codes.length > RESPONSE_LIMITS.countries) found.countries = t("respond.error.countries");
      body.countries = codes;
    }
    if (values.kind === "refused") {
      const text = { restriction: values.restriction, ground: values.ground, facts: values.facts };
      for (const [k, v] of Object.entries(text)) if (v.trim()) body[k] = v.trim();
      if (values.groundKind) body.groundKind = values.groundKind;
      if (values.automated) body.automated = values.automated === "yes";
    }
    if (values.kind === "not_responsible" && values.responsible.trim())
      body.responsible = values.responsible.trim();
    if (values.message.trim()) body.message = values.message.trim();
    setErrors(found);
    setProblem(null);
    if (Object.values(found).some(Boolean)) {
      setErrorsShown((n) => n + 1);
      return;
    }
    // The rest (what a refusal or a question must contain) is the server's rule; its answer
    // comes back as field errors and is shown next to the fields.
    void send(body, "answer");
  }

  const errorList = FIELDS.filter((f) => errors[f]);
  const urlOf = new Map(notice.items.map((i) => [i.id, i.url]));

  return (
    <section className="section respond__section respond-answer" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("respond.answer.title")}
      </h2>
      {receipt ? (
        <Alert tone="success" title={t("respond.receipt.title")} focusOnMount>
          <dl className="respond-receipt">
            <div>
              <dt>{t("respond.receipt.id")}</dt>
              <dd>
                <code>{receipt.responseId}</code>
              </dd>
            </div>
            <div>
              <dt>{t("respond.facts.reference")}</dt>
              <dd>
                <code>{receipt.reference}</code>
              </dd>
            </div>
            <div>
              <dt>{t("respond.receipt.time")}</dt>
              <dd>
                <time dateTime={receipt.receivedAt}>{formatDateTime(receipt.receivedAt)}</time>
              </dd>
            </div>
            <div>
              <dt>{t("respond.receipt.recorded")}</dt>
              <dd>{t(`notice.kind.${receipt.kind}` as MessageKey)}</dd>
            </div>
            {receipt.itemIds.length > 0 ? (
              <div>
                <dt>{t("respond.receipt.urls", { count: formatNumber(receipt.itemIds.length) })}</dt>
                <dd>
                  <ul className="respond-answers__urls">
                    {receipt.itemIds.map((id) => (
                      <li key={id}>
                        <code className="url-text">{urlOf.get(id) ?? id}</code>
                      </li>
                    ))}
                  </ul>
                </dd>
              </div>
            ) : null}
          </dl>
          <p>{t("respond.receipt.keep")}</p>
        </Alert>
      ) : null}

      <div className="respond-ack">
        {notice.acknowledgedAt ? (
          <p className="respond-ack__done">
            <span aria-hidden="true">✓ </span>
            {t("respond.soFar.acknowledged", { time: formatDateTime(notice.acknowledgedAt) })}
          </p>
        ) : (
          <>
            <p>{t("respond.ack.text")}</p>
            <button
              type="button"
              className="button button--secondary"
              aria-busy={busy === "ack" || undefined}
              onClick={() => {
                if (!busy) void send({ kind: "acknowledged" }, "ack");
              }}
            >
              {busy === "ack" ? t("form.busy") : t("respond.ack.button")}
            </button>
          </>
        )}
      </div>

      <form ref={formRef} className="form respond-form" noValidate onSubmit={submit}>
        <h3 className="respond-form__title">{t("respond.form.title")}</h3>
        {errorList.length > 0 ? (
          <Alert tone="error" title={t("respond.error.summary")}>
            <ul className="alert__list">
              {errorList.map((f) => (
                <li key={f}>
                  <a
                    href={`#${f === "kind" || f === "groundKind" || f === "automated" ? `${idOf(f)}-group` : idOf(f)}`}
                  >
                    {errors[f]}
                  </a>
                </li>
              ))}
            </ul>
          </Alert>
        ) : null}
        <ProblemAlert error={problem} />
        <div id={`${idOf("kind")}-group`}>
          <RadioCards
            name="kind"
            legend={t("respond.form.kind")}
            error={errors.kind}
            value={values.kind}
            onValueChange={(v) => set("kind")(v as Kind)}
            options={KINDS.map((k) => ({
              value: k,
              label: t(`respond.kind.${k}` as MessageKey),
              description: t(`respond.kind.${k}.hint` as MessageKey),
            }))}
          />
        </div>

        {isOutcome && several ? (
          <div className="respond-form__group">
            <RadioCards
              name="scope"
              legend={t("respond.form.scope")}
              value={values.scope}
              onValueChange={(v) => set("scope")(v as Values["scope"])}
              options={[
                {
                  value: "all",
                  label: t("respond.form.scope.all", { count: formatNumber(notice.items.length) }),
                },
                { value: "some", label: t("respond.form.scope.some") },
              ]}
            />
            {values.scope === "some" ? (
              <div id={idOf("itemIds")}>
                <CheckboxGroup
                  legend={t("respond.form.urls")}
                  error={errors.itemIds}
                  options={notice.items.map((i) => ({ value: i.id, label: i.url }))}
                  values={values.itemIds}
                  onValuesChange={set("itemIds")}
                />
              </div>
            ) : null}
          </div>
        ) : null}

        {values.kind === "geo_restricted" ? (
          <TextField
            id={idOf("countries")}
            label={t("respond.form.countries")}
            hint={t("respond.form.countries.hint")}
            value={values.countries}
            onValueChange={set("countries")}
            error={errors.countries}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
          />
        ) : null}

        {values.kind === "refused" ? (
          <fieldset className="fieldset respond-form__group respond-refusal">
            <legend className="respond-refusal__legend">{t("respond.refusal.legend")}</legend>
            <p className="field__hint">{t("respond.refusal.intro")}</p>
            <TextAreaField
              id={idOf("restriction")}
              label={t("respond.refusal.restriction")}
              hint={t("respond.refusal.restriction.hint")}
              value={values.restriction}
              onValueChange={set("restriction")}
              error={errors.restriction}
              rows={2}
              maxLength={RESPONSE_LIMITS.restriction}
            />
            <div id={`${idOf("groundKind")}-group`}>
              <RadioCards
                name="groundKind"
                legend={t("respond.refusal.groundKind")}
                error={errors.groundKind}
                value={values.groundKind}
                onValueChange={(v) => set("groundKind")(v as Values["groundKind"])}
                options={[
                  {
                    value: "legal",
                    label: t("respond.refusal.groundKind.legal"),
                    description: t("respond.refusal.groundKind.legal.hint"),
                  },
                  {
                    value: "contractual",
                    label: t("respond.refusal.groundKind.contractual"),
                    description: t("respond.refusal.groundKind.contractual.hint"),
                  },
                ]}
              />
            </div>
            <TextAreaField
              id={idOf("ground")}
              label={t("respond.refusal.ground")}
              hint={t("respond.refusal.ground.hint")}
              value={values.ground}
              onValueChange={set("ground")}
              error={errors.ground}
              rows={2}
              maxLength={RESPONSE_LIMITS.ground}
            />
            <TextAreaField
              id={idOf("facts")}
              label={t("respond.refusal.facts")}
              hint={t("respond.refusal.facts.hint")}
              value={values.facts}
              onValueChange={set("facts")}
              error={errors.facts}
              rows={5}
              maxLength={RESPONSE_LIMITS.facts}
            />
            <div id={`${idOf("automated")}-group`}>
              <RadioCards
                name="automated"
                legend={t("respond.refusal.automated")}
                error={errors.automated}
                value={values.automated}
                onValueChange={(v) => set("automated")(v as Values["automated"])}
                options={[
                  { value: "yes", label: t("respond.refusal.automated.yes") },
                  { value: "no", label: t("respond.refusal.automated.no") },
                ]}
              />
            </div>
          </fieldset>
        ) : null}

        {values.kind === "not_responsible" ? (
          <TextAreaField
            id={idOf("responsible")}
            label={t("respond.form.responsible")}
            hint={t("respond.form.responsible.hint")}
            value={values.responsible}
            onValueChange={set("responsible")}
            error={errors.responsible}
            rows={3}
            maxLength={RESPONSE_LIMITS.responsible}
          />
        ) : null}

        {values.kind ? (
          <TextAreaField
            id={idOf("message")}
            label={values.kind === "question" ? t("respond.form.question") : t("respond.form.message")}
            hint={values.kind === "question" ? t("respond.form.question.hint") : undefined}
            optional={values.kind !== "question"}
            value={values.message}
            onValueChange={set("message")}
            error={errors.message}
            rows={values.kind === "question" ? 5 : 3}
            maxLength={RESPONSE_LIMITS.message}
          />
        ) : null}

        <div className="form__actions">
          <button
            type="submit"
            className="button button--primary button--large"
            aria-busy={busy === "answer" || undefined}
          >
            {busy === "answer" ? t("form.busy") : t("respond.form.submit")}
          </button>
        </div>
      </form>
    </section>
  );
}
