// First sign-in of a staff account: link an authenticator app (QR code or the
// secret typed by hand) and prove it with one code.
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { ProblemAlert } from "../components/Alert.tsx";
import { AuthLayout } from "../components/AuthLayout.tsx";
import { TextField } from "../components/Field.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import { api } from "../lib/api.ts";
import { useAuth } from "../lib/auth.tsx";
import { focusFirstInvalid, groupSecret, normaliseCode } from "../lib/forms.ts";
import { MFA_CODE_LENGTH } from "../lib/limits.ts";
import type { LoginResult, MfaEnrolment } from "../lib/types.ts";

export function MfaEnrolPage() {
  const { t } = useI18n();
  const { advance, logout } = useAuth();
  const formRef = useRef<HTMLFormElement>(null);
  const started = useRef(false);
  const [enrolment, setEnrolment] = useState<MfaEnrolment | null>(null);
  const [loadProblem, setLoadProblem] = useState<unknown>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const start = useCallback(async () => {
    setLoadProblem(null);
    try {
      setEnrolment(await api.post<MfaEnrolment>("/auth/mfa/enrol", {}));
    } catch (failure) {
      setLoadProblem(failure);
    }
  }, []);

  useEffect(() => {
    // One enrolment per visit: a second call would replace the secret just shown.
    if (started.current) return;
    started.current = true;
    void start();
  }, [start]);

  async function handleSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const digits = normaliseCode(code);
    setProblem(null);
    if (digits.length !== MFA_CODE_LENGTH) {
      setError(t("mfa.code.invalid"));
      focusFirstInvalid(formRef.current);
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      const result = await api.post<LoginResult>("/auth/mfa/enrol/confirm", { code: digits });
      await advance(result.stage);
    } catch (failure) {
      setProblem(failure);
      setCode("");
      setBusy(false);
      formRef.current?.querySelector<HTMLInputElement>('input[autocomplete="one-time-code"]')?.focus();
    }
  }

  return (
    <AuthLayout wide>
      <PageTitle title={t("mfa.enrol.title")}>{t("mfa.enrol.title")}</PageTitle>
      <p className="lead">{t("mfa.enrol.intro")}</p>

      {loadProblem ? (
        <>
          <ProblemAlert error={loadProblem} />
          <button type="button" className="button button--secondary" onClick={() => void start()}>
            {t("common.retry")}
          </button>
        </>
      ) : null}

      {!enrolment && !loadProblem ? (
        <p className="loading" role="status">
          {t("mfa.enrol.loading")}
        </p>
      ) : null}

      {enrolment ? (
        <ol className="steps">
          <li className="steps__item">
            <h2 className="steps__title">{t("mfa.enrol.step1.title")}</h2>
            <p>{t("mfa.enrol.step1.text")}</p>
          </li>
          <li className="steps__item">
            <h2 className="steps__title">{t("mfa.enrol.step2.title")}</h2>
            <div className="enrol">
              <img
                className="enrol__qr"
                src={enrolment.qrDataUrl}
                alt={t("mfa.enrol.qrAlt")}
                width={176}
                height={176}
              />
              <div className="enrol__manual">
                <p>{t("mfa.enrol.manual")}</p>
                <p className="secret">
                  <code id="mfa-secret">{groupSecret(enrolment.secret)}</code>
                </p>
                <p className="field__hint">{t("mfa.enrol.manualHint")}</p>
                <p>
                  <a className="text-link" href={enrolment.otpauthUri}>
                    {t("mfa.enrol.openApp")}
                  </a>
                </p>
              </div>
            </div>
          </li>
          <li className="steps__item">
            <h2 className="steps__title">{t("mfa.enrol.step3.title")}</h2>
            <ProblemAlert error={problem} />
            <form ref={formRef} noValidate onSubmit={(e) => void handleSubmit(e)} className="form">
              <TextField
                label={t("mfa.code")}
                hint={t("mfa.code.hint")}
                value={code}
                onValueChange={setCode}
                error={error}
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9 ]*"
                maxLength={7}
                className="input--code"
                required
              />
              <div className="form__actions">
                <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
                  {busy ? t("form.busy") : t("mfa.enrol.submit")}
                </button>
              </div>
            </form>
          </li>
        </ol>
      ) : null}

      <p className="fine-print">
        <button type="button" className="link-button" onClick={() => void logout()}>
          {t("mfa.cancel")}
        </button>
      </p>
    </AuthLayout>
  );
}
