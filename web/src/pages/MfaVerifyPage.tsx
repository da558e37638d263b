// Second step of sign-in: the six-digit code from the authenticator app.
import { type FormEvent, useRef, useState } from "react";
import { ProblemAlert } from "../components/Alert.tsx";
import { AuthLayout } from "../components/AuthLayout.tsx";
import { TextField } from "../components/Field.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import { api } from "../lib/api.ts";
import { useAuth } from "../lib/auth.tsx";
import { focusFirstInvalid, normaliseCode } from "../lib/forms.ts";
import { MFA_CODE_LENGTH } from "../lib/limits.ts";
import type { LoginResult } from "../lib/types.ts";

export function MfaVerifyPage() {
  const { t } = useI18n();
  const { advance, logout } = useAuth();
  const formRef = useRef<HTMLFormElement>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

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
      const result = await api.post<LoginResult>("/auth/mfa/verify", { code: digits });
      await advance(result.stage);
    } catch (failure) {
      setProblem(failure);
      setCode("");
      setBusy(false);
      formRef.current?.querySelector<HTMLInputElement>('input[autocomplete="one-time-code"]')?.focus();
    }
  }

  return (
    <AuthLayout>
      <PageTitle title={t("mfa.verify.title")}>{t("mfa.verify.title")}</PageTitle>
      <p className="lead">{t("mfa.verify.intro")}</p>
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
          <button
            type="submit"
            className="button button--primary button--block"
            aria-busy={busy || undefined}
          >
            {busy ? t("form.busy") : t("mfa.verify.submit")}
          </button>
        </div>
      </form>
      <p className="fine-print">
        {t("mfa.verify.lost")}{" "}
        <button type="button" className="link-button" onClick={() => void logout()}>
          {t("mfa.cancel")}
        </button>
      </p>
    </AuthLayout>
  );
}
