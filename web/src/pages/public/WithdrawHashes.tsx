// Withdrawing device hashes: with the withdrawal code of one sending (that sending's hashes),
// or with the report's receipt and secret (every hash of the report). The entries are deleted.
// A wrong receipt or secret gets the status page's one neutral answer.
import { type FormEvent, useId, useRef, useState } from "react";
import { Alert } from "../../components/Alert.tsx";
import { RadioCards } from "../../components/Choice.tsx";
import { TextField } from "../../components/Field.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { ApiError, api } from "../../lib/api.ts";
import { normaliseWithdrawalSecret } from "../../lib/device-hash.ts";
import { focusFirstInvalid } from "../../lib/forms.ts";

type Mode = "code" | "report";
type Outcome =
  | { kind: "deleted"; deleted: number }
  | { kind: "notFound" }
  | { kind: "rateLimited" }
  | { kind: "unavailable" };

export function WithdrawHashes({
  id,
  initialCodes,
}: {
  id: string;
  initialCodes: { receipt: string; secret: string };
}) {
  const { t, formatNumber } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const [mode, setMode] = useState<Mode>("code");
  const [code, setCode] = useState("");
  const [codes, setCodes] = useState(initialCodes);
  const [errors, setErrors] = useState<Partial<Record<"code" | "receipt" | "secret", string>>>({});
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = useId();

  async function handleSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found: typeof errors = {};
    const secret = normaliseWithdrawalSecret(code);
    if (mode === "code" && secret.length < 16) found.code = t("hashes.withdraw.code.required");
    if (mode === "report" && codes.receipt.trim().length < 4) found.receipt = t("track.receipt.required");
    if (mode === "report" && codes.secret.trim().length < 4) found.secret = t("track.secret.required");
    setErrors(found);
    setOutcome(null);
    if (Object.values(found).some(Boolean)) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      const body =
        mode === "code"
          ? { withdrawalSecret: secret }
          : { receipt: codes.receipt.trim(), secret: codes.secret.trim() };
      const out = await api.post<{ deleted: number }>("/public/device-hashes/withdraw", body);
      setOutcome({ kind: "deleted", deleted: out.deleted });
      if (out.deleted > 0) setCode("");
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      setOutcome(
        status === 404 || status === 422 || status === 400
          ? { kind: "notFound" }
          : status === 429
            ? { kind: "rateLimited" }
            : { kind: "unavailable" },
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="hash-withdraw" id={id} tabIndex={-1} aria-labelledby={titleId}>
      <h2 className="hash-step__title" id={titleId}>
        {t("hashes.withdraw.title")}
      </h2>
      <p>{t("hashes.withdraw.intro")}</p>
      {outcome?.kind === "deleted" && outcome.deleted > 0 ? (
        <Alert tone="success" title={t("hashes.withdraw.done", { deleted: formatNumber(outcome.deleted) })} />
      ) : null}
      {outcome?.kind === "deleted" && outcome.deleted === 0 ? (
        <Alert tone="info" title={t("hashes.withdraw.none")} />
      ) : null}
      {outcome?.kind === "notFound" ? (
        <Alert tone="warning" title={t("track.problem.notFound")}>
          <p>{t("track.problem.notFoundHint")}</p>
        </Alert>
      ) : null}
      {outcome?.kind === "rateLimited" ? <Alert tone="error" title={t("track.problem.rateLimited")} /> : null}
      {outcome?.kind === "unavailable" ? (
        <Alert tone="error" title={t("hashes.withdraw.unavailable")} />
      ) : null}
      <form ref={formRef} noValidate onSubmit={(e) => void handleSubmit(e)} className="form hash-form">
        <RadioCards
          name="withdraw-mode"
          legend={t("hashes.withdraw.how")}
          value={mode}
          onValueChange={(value) => {
            setMode(value === "report" ? "report" : "code");
            setErrors({});
            setOutcome(null);
          }}
          options={[
            {
              value: "code",
              label: t("hashes.withdraw.byCode"),
              description: t("hashes.withdraw.byCode.desc"),
            },
            {
              value: "report",
              label: t("hashes.withdraw.byReport"),
              description: t("hashes.withdraw.byReport.desc"),
            },
          ]}
        />
        {mode === "code" ? (
          <TextField
            label={t("hashes.withdraw.code")}
            hint={t("hashes.withdraw.code.hint")}
            value={code}
            onValueChange={(value) => {
              setCode(value);
              setErrors({});
            }}
            error={errors.code}
            className="input--secret-entry"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            maxLength={100}
          />
        ) : (
          <>
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
          </>
        )}
        <div className="form__actions">
          <button type="submit" className="button button--secondary" aria-busy={busy || undefined}>
            {busy ? t("form.busy") : t("hashes.withdraw.submit")}
          </button>
        </div>
      </form>
    </section>
  );
}
