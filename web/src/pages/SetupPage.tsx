// First run: claim the installation with the setup code from the server log and
// create the organisation and its first administrator.
import { type FormEvent, useRef, useState } from "react";
import { ProblemAlert } from "../components/Alert.tsx";
import { AuthLayout } from "../components/AuthLayout.tsx";
import { PasswordField, SelectField, TextField } from "../components/Field.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import { api, fieldProblem } from "../lib/api.ts";
import { useAuth } from "../lib/auth.tsx";
import { type FieldErrors, focusFirstInvalid, hasErrors, looksLikeEmail } from "../lib/forms.ts";
import {
  EMAIL_MAX_LENGTH,
  NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from "../lib/limits.ts";
import { ORGANISATION_KINDS } from "../lib/types.ts";

type Field = "setupCode" | "orgName" | "orgKind" | "displayName" | "email" | "password";

export function SetupPage() {
  const { t } = useI18n();
  const { setupCompleted } = useAuth();
  const formRef = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<Record<Field, string>>({
    setupCode: "",
    orgName: "",
    orgKind: "hotline",
    displayName: "",
    email: "",
    password: "",
  });
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const set = (field: Field) => (value: string) => setValues((v) => ({ ...v, [field]: value }));

  function validate(): FieldErrors<Field> {
    const e: FieldErrors<Field> = {};
    if (!values.setupCode.trim()) e.setupCode = t("setup.setupCode.required");
    if (!values.orgName.trim()) e.orgName = t("setup.orgName.required");
    if (!values.displayName.trim()) e.displayName = t("form.displayName.required");
    if (!looksLikeEmail(values.email)) e.email = t("form.email.invalid");
    if (values.password.length < PASSWORD_MIN_LENGTH) {
      e.password = t("form.password.tooShort", { min: PASSWORD_MIN_LENGTH });
    }
    return e;
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found = validate();
    setErrors(found);
    setProblem(null);
    if (hasErrors(found)) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      await api.post("/setup", {
        setupCode: values.setupCode.trim(),
        organisation: { name: values.orgName.trim(), kind: values.orgKind },
        admin: {
          displayName: values.displayName.trim(),
          email: values.email.trim(),
          password: values.password,
        },
      });
      setupCompleted(values.email.trim());
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  }

  const serverError = (path: string) => fieldProblem(problem, path);

  return (
    <AuthLayout wide>
      <PageTitle title={t("setup.title")}>{t("setup.title")}</PageTitle>
      <p className="lead">{t("setup.intro")}</p>
      <ProblemAlert error={problem} />
      <form ref={formRef} noValidate onSubmit={(e) => void handleSubmit(e)} className="form">
        <TextField
          label={t("setup.setupCode")}
          hint={t("setup.setupCode.hint")}
          value={values.setupCode}
          onValueChange={set("setupCode")}
          error={errors.setupCode ?? serverError("setupCode")}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          className="input--mono"
          required
        />
        <fieldset className="fieldset fieldset--section">
          <legend className="fieldset__title">{t("setup.organisation")}</legend>
          <TextField
            label={t("setup.orgName")}
            value={values.orgName}
            onValueChange={set("orgName")}
            error={errors.orgName ?? serverError("organisation.name")}
            autoComplete="organization"
            maxLength={NAME_MAX_LENGTH}
            required
          />
          <SelectField
            label={t("setup.orgKind")}
            hint={t("setup.orgKind.hint")}
            value={values.orgKind}
            onValueChange={set("orgKind")}
            error={errors.orgKind ?? serverError("organisation.kind")}
            options={ORGANISATION_KINDS.map((kind) => ({ value: kind, label: t(`kind.${kind}`) }))}
          />
        </fieldset>
        <fieldset className="fieldset fieldset--section">
          <legend className="fieldset__title">{t("setup.admin")}</legend>
          <p className="field__hint">{t("setup.admin.hint")}</p>
          <TextField
            label={t("form.displayName")}
            value={values.displayName}
            onValueChange={set("displayName")}
            error={errors.displayName ?? serverError("admin.displayName")}
            autoComplete="name"
            maxLength={NAME_MAX_LENGTH}
            required
          />
          <TextField
            label={t("form.email")}
            type="email"
            maxLength={EMAIL_MAX_LENGTH}
            value={values.email}
            onValueChange={set("email")}
            error={errors.email ?? serverError("admin.email")}
            autoComplete="email"
            spellCheck={false}
            autoCapitalize="off"
            required
          />
          <PasswordField
            label={t("form.password")}
            hint={t("form.password.hint", { min: PASSWORD_MIN_LENGTH })}
            value={values.password}
            onValueChange={set("password")}
            error={errors.password ?? serverError("admin.password")}
            autoComplete="new-password"
            maxLength={PASSWORD_MAX_LENGTH}
            required
          />
        </fieldset>
        <div className="form__actions">
          <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
            {busy ? t("form.busy") : t("setup.submit")}
          </button>
        </div>
      </form>
    </AuthLayout>
  );
}
