// Importing the party registry from a CSV file: the file goes up as its bytes (so a file that
// is not UTF-8 is refused, not mangled), and every row gets its own result. Secrets of webhooks
// the import made are shown once.
import { type FormEvent, useId, useRef, useState } from "react";
import { Alert, ProblemAlert } from "../components/Alert.tsx";
import { TableRegion } from "../components/DataTable.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { isMessageKey, useI18n } from "../i18n/index.tsx";
import { api } from "../lib/api.ts";
import { useSession } from "../lib/auth.tsx";
import { focusFirstInvalid } from "../lib/forms.ts";
import {
  type ImportResponse,
  type ImportRowResult,
  PARTIES_CSV_URL,
  PARTIES_PATH,
  PARTY_LIMITS,
  partyPath,
} from "../lib/parties.ts";
import { Link } from "../lib/router.tsx";

const COLUMNS =
  "name, kind, country, dsa_contact, legal_representative, very_large, dsc, languages, response_hours, " +
  "max_urls_per_notice, notes, archived, domains, asns, registrar_iana_ids, tlds, abuse_emails, channels";

export function PartiesImportPage() {
  const { t, formatNumber } = useI18n();
  const session = useSession();
  const formRef = useRef<HTMLFormElement>(null);
  const inputId = useId();
  const formatId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResponse | null>(null);

  if (!session.permissions.includes("parties:manage")) {
    return (
      <>
        <PageTitle title={t("parties.import.title")}>{t("parties.import.title")}</PageTitle>
        <Alert tone="error">
          <p>{t("problem.forbidden")}</p>
        </Alert>
      </>
    );
  }

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    setProblem(null);
    setResult(null);
    let found: string | undefined;
    if (!file) found = t("parties.import.file.required");
    else if (file.size > PARTY_LIMITS.importBytes) found = t("parties.import.file.tooLarge");
    setError(found);
    if (found || !file) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      setResult(await api.post<ImportResponse>("/parties/import", new Blob([file], { type: "text/csv" })));
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
    }
  }

  const secrets =
    result?.results.flatMap((r) => (r.secrets ?? []).map((s) => ({ ...s, name: r.name ?? "" }))) ?? [];

  return (
    <>
      <p className="back">
        <Link to={PARTIES_PATH}>{t("parties.back")}</Link>
      </p>
      <PageTitle title={t("parties.import.title")}>{t("parties.import.title")}</PageTitle>
      <p className="lead">{t("parties.import.intro")}</p>

      <section className="section" aria-labelledby={formatId}>
        <h2 className="section-title" id={formatId}>
          {t("parties.import.format.title")}
        </h2>
        <p className="section__intro">
          {t("parties.import.format.text", { rows: formatNumber(PARTY_LIMITS.importRows) })}
        </p>
        <p className="section__intro">
          <code>{COLUMNS}</code>
        </p>
        <p className="section__intro">{t("parties.import.format.lists")}</p>
        <p>
          <a href={PARTIES_CSV_URL} download="parties.csv" className="text-link">
            {t("parties.import.format.example")}
          </a>
        </p>
      </section>

      <form ref={formRef} noValidate onSubmit={(e) => void submit(e)} className="panel form">
        <ProblemAlert error={problem} />
        <div className={error ? "field field--invalid" : "field"}>
          <label className="field__label" htmlFor={inputId}>
            {t("parties.import.file")}
          </label>
          <p className="field__hint" id={`${inputId}-hint`}>
            {t("parties.import.file.hint")}
          </p>
          {error ? (
            <p className="field__error" id={`${inputId}-error`}>
              <span className="visually-hidden">{t("form.errorPrefix")} </span>
              {error}
            </p>
          ) : null}
          <input
            id={inputId}
            className="input"
            type="file"
            accept=".csv,text/csv"
            aria-invalid={error ? true : undefined}
            aria-describedby={`${inputId}-hint${error ? ` ${inputId}-error` : ""}`}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setError(undefined);
            }}
          />
        </div>
        <div className="form__actions">
          <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
            {busy ? t("form.busy") : t("parties.import.submit")}
          </button>
        </div>
      </form>

      {result ? (
        <section className="section" aria-labelledby={`${formatId}-results`}>
          <h2 className="section-title" id={`${formatId}-results`}>
            {t("parties.import.results")}
          </h2>
          <Alert tone={result.failed > 0 ? "warning" : "success"} focusOnMount>
            <p>
              {t("parties.import.summary", {
                created: formatNumber(result.created),
                updated: formatNumber(result.updated),
                unchanged: formatNumber(result.unchanged),
                failed: formatNumber(result.failed),
              })}
            </p>
          </Alert>
          {secrets.length > 0 ? (
            <div className="token-once" role="status">
              <p className="alert__title">{t("parties.import.secrets.title")}</p>
              <p>{t("parties.secret.once")}</p>
              <ul>
                {secrets.map((s) => (
                  <li key={`${s.name}:${s.address}`}>
                    {s.name} — <code>{s.address}</code>: <code className="input--mono">{s.secret}</code>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {result.results.length > 0 ? (
            <TableRegion label={t("parties.import.results")}>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col" className="num">
                      {t("parties.import.col.line")}
                    </th>
                    <th scope="col">{t("parties.import.col.name")}</th>
                    <th scope="col">{t("parties.import.col.result")}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.results.map((r) => (
                    <tr key={r.line}>
                      <td className="num">{r.line}</td>
                      <th scope="row">
                        {r.ok && r.id ? (
                          <Link to={partyPath(r.id)}>{r.name}</Link>
                        ) : (
                          (r.name ?? <span className="muted">—</span>)
                        )}
                      </th>
                      <td>
                        {r.ok ? (
                          <span className="badge badge--ok">
                            {t(`parties.import.action.${r.action ?? "unchanged"}`)}
                          </span>
                        ) : (
                          <>
                            <span className="badge badge--danger">{t("parties.import.action.failed")}</span>
                            <RowError row={r} />
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

/** A failed row's reason in the reader's language; details the server gave stay in English. */
function RowError({ row }: { row: ImportRowResult }) {
  const { tMaybe } = useI18n();
  const key = `parties.import.error.${row.code ?? ""}`;
  if (!row.code || !isMessageKey(key))
    return (
      <span className="cell-secondary" lang="en">
        {row.error}
      </span>
    );
  const translated = tMaybe(key, row.error ?? "", row.params ?? {});
  const detailed = ["invalid_value", "conflict", "not_valid"].includes(row.code);
  return (
    <span className="cell-secondary">
      {translated}
      {detailed && row.error ? (
        <>
          {" "}
          <span lang="en">{row.error}</span>
        </>
      ) : null}
    </span>
  );
}
