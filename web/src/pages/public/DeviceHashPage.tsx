// Hashing on the victim's own device: photos chosen here are decoded and hashed (PDQ) in this
// browser; only the hashes go to the hotline, tied to the report by its receipt and secret.
// The page shows each photo locally (an object URL, blurred until asked), its hash and quality,
// refuses what cannot be matched, shows the exact request body before sending, and after
// sending the withdrawal secret, once. The withdraw form is at the bottom.
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { Alert } from "../../components/Alert.tsx";
import { CheckCard } from "../../components/Choice.tsx";
import { TextField } from "../../components/Field.tsx";
import { PageTitle } from "../../components/PageTitle.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { ApiError, api } from "../../lib/api.ts";
import {
  DEVICE_HASHES_MAX,
  type DeviceHashAnswer,
  deviceHashBody,
  earlierDuplicate,
  groupInFours,
  MIN_QUALITY,
  type PhotoOutcome,
  readPhoto,
} from "../../lib/device-hash.ts";
import { focusFirstInvalid } from "../../lib/forms.ts";
import { clearHandedOffCodes, peekHandedOffCodes } from "../../lib/report.ts";
import { WithdrawHashes } from "./WithdrawHashes.tsx";

interface PhotoRow {
  id: string;
  /** The file's name, shown on this page only; never sent. */
  name: string;
  /** null while it is being read. */
  outcome: PhotoOutcome | null;
  /** A local object URL for the preview; null when the file could not be read. */
  url: string | null;
  shown: boolean;
}

type Problem = "notFound" | "rateLimited" | "unavailable" | "refused";
type Errors = Partial<Record<"receipt" | "secret" | "photos" | "consent", string>>;

interface Sent {
  answer: DeviceHashAnswer;
  total: number;
  /** Per sent hash (by position), the names of the photos it came from. */
  names: string[];
}

let nextId = 0;
const newId = () => `photo-${++nextId}`;

export function DeviceHashPage() {
  const { t, formatNumber } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const inputId = useId();
  const ids = useId();
  const [codes, setCodes] = useState(() => peekHandedOffCodes() ?? { receipt: "", secret: "" });
  const [rows, setRows] = useState<PhotoRow[]>([]);
  const [consent, setConsent] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<Sent | null>(null);

  // Object URLs of the previews, by row: revoked when a row goes and when the page goes.
  const urls = useRef(new Map<string, string>());
  const live = useRef(new Set<string>());
  const queue = useRef<Promise<void>>(Promise.resolve());

  useEffect(() => clearHandedOffCodes(), []);
  useEffect(() => {
    const held = urls.current;
    return () => {
      for (const url of held.values()) URL.revokeObjectURL(url);
      held.clear();
      live.current.clear();
    };
  }, []);

  function dropPreview(id: string): void {
    const url = urls.current.get(id);
    if (url) URL.revokeObjectURL(url);
    urls.current.delete(id);
    live.current.delete(id);
  }

  function choose(list: FileList | null): void {
    if (!list || list.length === 0) return;
    const room = DEVICE_HASHES_MAX - rows.length;
    const files = Array.from(list).slice(0, Math.max(0, room));
    setNotice(list.length > files.length ? t("hashes.photos.tooMany", { max: DEVICE_HASHES_MAX }) : null);
    const added = files.map((file) => ({ id: newId(), file }));
    for (const { id } of added) live.current.add(id);
    setRows((r) => [
      ...r,
      ...added.map(({ id, file }) => ({ id, name: file.name, outcome: null, url: null, shown: false })),
    ]);
    setErrors((e) => ({ ...e, photos: undefined }));
    setProblem(null);
    // One photo at a time: a phone decoding several large photos at once runs out of memory.
    for (const { id, file } of added) {
      queue.current = queue.current.then(async () => {
        if (!live.current.has(id)) return;
        const outcome = await readPhoto(file);
        if (!live.current.has(id)) return;
        const url = outcome.kind === "unreadable" ? null : URL.createObjectURL(file);
        if (url) urls.current.set(id, url);
        setRows((r) => r.map((row) => (row.id === id ? { ...row, outcome, url } : row)));
      });
    }
  }

  function remove(id: string): void {
    dropPreview(id);
    setRows((r) => r.filter((row) => row.id !== id));
    setNotice(null);
  }

  const outcomes = rows.map((r) => r.outcome);
  const body = deviceHashBody(codes, outcomes);
  const reading = rows.some((r) => r.outcome === null);
  const ready = rows.filter((r) => r.outcome?.kind === "ready").length;

  async function handleSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found: Errors = {};
    if (codes.receipt.trim().length < 4) found.receipt = t("track.receipt.required");
    if (codes.secret.trim().length < 4) found.secret = t("track.secret.required");
    if (reading) found.photos = t("hashes.photos.wait");
    else if (body.hashes.length === 0) found.photos = t("hashes.photos.required");
    if (!consent) found.consent = t("hashes.consent.required");
    setErrors(found);
    setProblem(null);
    if (Object.values(found).some(Boolean)) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    // The object the page showed is the object it sends.
    const sending = body;
    try {
      const answer = await api.post<DeviceHashAnswer>("/public/device-hashes", sending);
      const names = sending.hashes.map((h) =>
        rows
          .filter((r) => r.outcome?.kind === "ready" && r.outcome.pdq === h.pdq)
          .map((r) => r.name)
          .join(", "),
      );
      for (const row of rows) dropPreview(row.id);
      setRows([]);
      setConsent(false);
      setNotice(null);
      setSent({ answer, total: sending.hashes.length, names });
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  const withdrawId = `${ids}-withdraw`;

  return (
    <>
      <PageTitle title={t("hashes.title")}>{t("hashes.title")}</PageTitle>
      <p className="lead">{t("hashes.lead")}</p>
      <section className="promise" aria-labelledby={`${ids}-promise`}>
        <h2 className="promise__title" id={`${ids}-promise`}>
          <span className="promise__icon" aria-hidden="true">
            ✓
          </span>
          {t("hashes.promise.title")}
        </h2>
        <ul className="promise__list">
          <li>{t("hashes.promise.local")}</li>
          <li>{t("hashes.promise.preview")}</li>
          <li>{t("hashes.promise.oneWay")}</li>
          <li>{t("hashes.promise.withdraw")}</li>
        </ul>
      </section>
      <p className="fine-print">
        {t("hashes.toWithdraw")}{" "}
        <a href={`#${withdrawId}`} className="text-link">
          {t("hashes.toWithdrawLink")}
        </a>
      </p>

      {sent ? (
        <SentResult
          sent={sent}
          onMore={() => {
            setSent(null);
          }}
        />
      ) : (
        <form ref={formRef} noValidate onSubmit={(e) => void handleSubmit(e)} className="form hash-form">
          {problem ? (
            <Alert
              tone={problem === "notFound" ? "warning" : "error"}
              title={problem === "notFound" ? t("track.problem.notFound") : problemText(problem, t)}
            >
              {problem === "notFound" ? <p>{t("track.problem.notFoundHint")}</p> : null}
            </Alert>
          ) : null}

          <section className="hash-step" aria-labelledby={`${ids}-codes`}>
            <h2 className="hash-step__title" id={`${ids}-codes`}>
              {t("hashes.step.codes")}
            </h2>
            <p>{t("hashes.codes.intro")}</p>
            <TextField
              label={t("track.receipt")}
              hint={t("track.receipt.hint")}
              value={codes.receipt}
              onValueChange={(receipt) => {
                setCodes((c) => ({ ...c, receipt }));
                setErrors((e) => ({ ...e, receipt: undefined }));
              }}
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
              onValueChange={(secret) => {
                setCodes((c) => ({ ...c, secret }));
                setErrors((e) => ({ ...e, secret: undefined }));
              }}
              error={errors.secret}
              className="input--code-entry"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              maxLength={60}
            />
          </section>

          <section className="hash-step" aria-labelledby={`${ids}-photos`}>
            <h2 className="hash-step__title" id={`${ids}-photos`}>
              {t("hashes.step.photos")}
            </h2>
            <p className="field__hint" id={`${inputId}-hint`}>
              {t("hashes.photos.hint", { max: DEVICE_HASHES_MAX })}
            </p>
            <p className="field__hint">{t("hashes.onlyOwn")}</p>
            {errors.photos ? (
              <p className="field__error" id={`${inputId}-error`}>
                <span className="visually-hidden">{t("form.errorPrefix")} </span>
                {errors.photos}
              </p>
            ) : null}
            {notice ? (
              <p className="field__error" role="alert">
                {notice}
              </p>
            ) : null}
            {rows.length > 0 ? (
              <ul className="hash-photos" aria-label={t("hashes.photos.list")}>
                {rows.map((row, index) => (
                  <PhotoItem
                    key={row.id}
                    row={row}
                    duplicateOf={rows[earlierDuplicate(outcomes, index)]?.name ?? null}
                    onToggle={() =>
                      setRows((r) => r.map((x) => (x.id === row.id ? { ...x, shown: !x.shown } : x)))
                    }
                    onRemove={() => remove(row.id)}
                  />
                ))}
              </ul>
            ) : null}
            <p className="hash-photos__summary" role="status">
              {rows.length > 0 && !reading
                ? t("hashes.photos.summary", { ready: formatNumber(ready), total: formatNumber(rows.length) })
                : ""}
            </p>
            {rows.length < DEVICE_HASHES_MAX ? (
              <div className="file-pick">
                <input
                  id={inputId}
                  className="file-pick__native"
                  type="file"
                  accept="image/*"
                  multiple
                  aria-invalid={errors.photos ? true : undefined}
                  aria-describedby={errors.photos ? `${inputId}-hint ${inputId}-error` : `${inputId}-hint`}
                  onChange={(e) => {
                    choose(e.target.files);
                    e.target.value = "";
                  }}
                />
                <label htmlFor={inputId} className="button button--secondary file-pick__button">
                  {rows.length > 0 ? t("hashes.photos.chooseMore") : t("hashes.photos.choose")}
                </label>
              </div>
            ) : null}
          </section>

          <section className="hash-step" aria-labelledby={`${ids}-check`}>
            <h2 className="hash-step__title" id={`${ids}-check`}>
              {t("hashes.step.check")}
            </h2>
            <p>{t("hashes.check.intro")}</p>
            <figure className="json-preview">
              <figcaption className="json-preview__caption">
                {t("hashes.check.label")}: <code>POST /api/v1/public/device-hashes</code>
              </figcaption>
              {body.hashes.length > 0 ? (
                <pre className="json-preview__body" data-testid="device-hash-body">
                  {JSON.stringify(body, null, 2)}
                </pre>
              ) : (
                <p className="json-preview__empty">{t("hashes.check.nothing")}</p>
              )}
            </figure>
            <CheckCard
              label={t("hashes.consent")}
              checked={consent}
              error={errors.consent}
              onCheckedChange={(checked) => {
                setConsent(checked);
                setErrors((e) => ({ ...e, consent: undefined }));
              }}
            />
            <div className="form__actions">
              <button
                type="submit"
                className="button button--primary button--large"
                aria-busy={busy || undefined}
              >
                {busy ? t("form.busy") : t("hashes.submit")}
              </button>
            </div>
          </section>
        </form>
      )}

      <WithdrawHashes id={withdrawId} initialCodes={codes} />
    </>
  );
}

function problemOf(error: unknown): Problem {
  if (!(error instanceof ApiError)) return "unavailable";
  if (error.status === 404) return "notFound";
  if (error.status === 429) return "rateLimited";
  // A code of the wrong shape is a 422 on receipt or secret: the same answer as an unknown one.
  if (error.status === 422 || error.status === 400) {
    const onCodes = error.problem.errors?.some((e) => /(^|\.)(receipt|secret)$/.test(e.path));
    return onCodes ? "notFound" : "refused";
  }
  return "unavailable";
}

function problemText(problem: Problem, t: ReturnType<typeof useI18n>["t"]): string {
  if (problem === "rateLimited") return t("track.problem.rateLimited");
  if (problem === "refused") return t("hashes.problem.refused");
  return t("hashes.problem.unavailable");
}

function PhotoItem({
  row,
  duplicateOf,
  onToggle,
  onRemove,
}: {
  row: PhotoRow;
  duplicateOf: string | null;
  onToggle(): void;
  onRemove(): void;
}) {
  const { t, formatNumber } = useI18n();
  const o = row.outcome;
  const state = o === null ? "reading" : o.kind;
  return (
    <li className={`hash-photo hash-photo--${state}`} data-state={state}>
      <div className="hash-photo__thumb">
        {row.url ? (
          <img
            src={row.url}
            alt={t(row.shown ? "hashes.photo.previewShown" : "hashes.photo.preview", { name: row.name })}
            className={row.shown ? "hash-photo__img" : "hash-photo__img is-blurred"}
          />
        ) : (
          <span className="hash-photo__placeholder" aria-hidden="true" />
        )}
      </div>
      <div className="hash-photo__body">
        <p className="hash-photo__name">{row.name}</p>
        {o === null ? <p className="hash-photo__status">{t("hashes.photo.reading")}</p> : null}
        {o?.kind === "ready" ? (
          <>
            <p className="hash-photo__status hash-photo__status--ok">
              {duplicateOf ? t("hashes.photo.duplicate", { name: duplicateOf }) : t("hashes.photo.ready")}
            </p>
            <dl className="hash-photo__facts">
              <div>
                <dt>{t("hashes.photo.hash")}</dt>
                <dd>
                  <code className="hash-photo__hash" data-testid="device-hash">
                    {o.pdq}
                  </code>
                </dd>
              </div>
              <div>
                <dt>{t("hashes.photo.quality")}</dt>
                <dd>{t("hashes.photo.qualityValue", { quality: formatNumber(o.quality) })}</dd>
              </div>
            </dl>
          </>
        ) : null}
        {o?.kind === "lowQuality" ? (
          <p className="hash-photo__status hash-photo__status--warn">
            {t("hashes.photo.lowQuality", { quality: formatNumber(o.quality), min: MIN_QUALITY })}
          </p>
        ) : null}
        {o?.kind === "tooSmall" ? (
          <p className="hash-photo__status hash-photo__status--warn">
            {t("hashes.photo.tooSmall", { width: o.width, height: o.height })}
          </p>
        ) : null}
        {o?.kind === "unreadable" ? (
          <p className="hash-photo__status hash-photo__status--error">{t("hashes.photo.unreadable")}</p>
        ) : null}
      </div>
      <div className="hash-photo__actions">
        {row.url ? (
          <button
            type="button"
            className="button button--quiet button--small"
            aria-pressed={row.shown}
            onClick={onToggle}
          >
            {row.shown ? t("hashes.photo.hide") : t("hashes.photo.show")}
            <span className="visually-hidden"> {row.name}</span>
          </button>
        ) : null}
        <button type="button" className="button button--quiet button--small" onClick={onRemove}>
          {t("hashes.photo.remove")}
          <span className="visually-hidden"> {row.name}</span>
        </button>
      </div>
    </li>
  );
}

function SentResult({ sent, onMore }: { sent: Sent; onMore(): void }) {
  const { t, formatNumber } = useI18n();
  const ids = useId();
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  const { answer } = sent;
  const notSaved = answer.results.filter((r) => !r.ok);

  async function copyCode(): Promise<void> {
    try {
      await navigator.clipboard.writeText(answer.withdrawalSecret);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
  }

  return (
    <section className="hash-sent" aria-labelledby={`${ids}-title`}>
      <h2 className="hash-step__title" id={`${ids}-title`}>
        {t("hashes.done.title")}
      </h2>
      <Alert
        tone="success"
        focusOnMount
        title={t("hashes.done.accepted", {
          accepted: formatNumber(answer.accepted),
          total: formatNumber(sent.total),
        })}
      >
        {notSaved.length > 0 ? (
          <ul className="alert__list">
            {notSaved.map((r) => {
              const name = sent.names[r.line - 1] ?? String(r.line);
              return (
                <li key={r.line}>
                  {/already/i.test(r.error ?? "")
                    ? t("hashes.done.already", { name })
                    : t("hashes.done.refused", { name })}
                </li>
              );
            })}
          </ul>
        ) : null}
        <p>{t("hashes.done.photosGone")}</p>
      </Alert>

      {answer.accepted > 0 ? (
        <section className="codes" aria-labelledby={`${ids}-code`}>
          <h3 className="codes__title" id={`${ids}-code`}>
            {t("hashes.done.codeTitle")}
          </h3>
          <p className="codes__lead">{t("hashes.done.codeText")}</p>
          <p>
            <code className="code-display code-display--secret" data-testid="withdrawal-secret">
              {groupInFours(answer.withdrawalSecret)}
            </code>
          </p>
          <p className="codes__hint">{t("hashes.done.codeOther")}</p>
          <div className="form__actions">
            <button type="button" className="button button--secondary" onClick={() => void copyCode()}>
              {t("hashes.done.copy")}
            </button>
            <span className="codes__copied" role="status">
              {copy === "copied"
                ? t("hashes.done.copied")
                : copy === "failed"
                  ? t("hashes.done.copyFailed")
                  : ""}
            </span>
          </div>
        </section>
      ) : (
        <p>{t("hashes.done.nothingNew")}</p>
      )}
      <div className="form__actions">
        <button type="button" className="button button--primary" onClick={onMore}>
          {t("hashes.done.more")}
        </button>
      </div>
    </section>
  );
}
