// Sign in with email and password; the answer's stage decides the next step.
import { type FormEvent, useRef, useState } from "react";
import { Alert, ProblemAlert } from "../components/Alert.tsx";
import { AuthLayout } from "../components/AuthLayout.tsx";
import { PasswordField, TextField } from "../components/Field.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import { api } from "../lib/api.ts";
import { type AnonymousNotice, useAuth } from "../lib/auth.tsx";
import { type FieldErrors, focusFirstInvalid, hasErrors, looksLikeEmail } from "../lib/forms.ts";
import { EMAIL_MAX_LENGTH } from "../lib/limits.ts";
import type { LoginResult } from "../lib/types.ts";

type Field = "email" | "password";

const NOTICE_KEYS = {
  "setup-complete": "login.notice.setupComplete",
  "signed-out": "login.notice.signedOut",
  "session-expired": "login.notice.sessionExpired",
} as const;

export function LoginPage({ notice, email }: { notice: AnonymousNotice | null; email: string }) {
  const { t } = useI18n();
  const { advance } = useAuth();
  const formRef = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<Record<Field, string>>({ email, password: "" });
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const set = (field: Field) => (value: string) => setValues((v) => ({ ...v, [field]: value }));

  async function handleSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found: FieldErrors<Field> = {};
    if (!looksLikeEmail(values.email)) found.email = t("form.email.invalid");
    if (!values.password) found.password = t("login.password.required");
    setErrors(found);
    setProblem(null);
    if (hasErrors(found)) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      const result = await api.post<LoginResult>("/auth/login", {
        email: values.email.trim(),
        password: values.password,
      });
      await advance(result.stage);
    } catch (error) {
      setProblem(error);
      setValues((v) => ({ ...v, password: "" }));
      setBusy(false);
      formRef.current?.querySelector<HTMLInputElement>('input[autocomplete="current-password"]')?.focus();
    }
  }

  return (
    <AuthLayout>
      <PageTitle title={t("login.title")}>{t("login.title")}</PageTitle>
      <p className="lead">{t("login.intro")}</p>
      {notice && !problem ? (
        <Alert tone={notice === "session-expired" ? "warning" : "success"}>
          <p>{t(NOTICE_KEYS[notice])}</p>
        </Alert>
      ) : null}
      <ProblemAlert error={problem} />
      <form ref={formRef} noValidate onSubmit={(e) => void handleSubmit(e)} className="form">
        <TextField
          label={t("form.email")}
          type="email"
          maxLength={EMAIL_MAX_LENGTH}
          value={values.email}
          onValueChange={set("email")}
          error={errors.email}
          autoComplete="username"
          spellCheck={false}
          autoCapitalize="off"
          required
        />
        <PasswordField
          label={t("form.password")}
          value={values.password}
          onValueChange={set("password")}
          error={errors.password}
          autoComplete="current-password"
          required
        />
        <div className="form__actions">
          <button
            type="submit"
            className="button button--primary button--block"
            aria-busy={busy || undefined}
          >
            {busy ? t("form.busy") : t("login.submit")}
          </button>
        </div>
      </form>
      <p className="fine-print">{t("login.help")}</p>
    </AuthLayout>
  );
}
