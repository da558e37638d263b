// Messages to the person: errors are announced (role=alert), confirmations politely.
import type { ReactNode } from "react";
import { type I18n, useI18n } from "../i18n/index.tsx";
import { ApiError } from "../lib/api.ts";
import { useFocusOnMount } from "../lib/focus.ts";

interface AlertProps {
  tone: "error" | "success" | "info" | "warning";
  title?: ReactNode;
  children?: ReactNode;
  id?: string | undefined;
  /** For a confirmation that replaces the form the person was in. */
  focusOnMount?: boolean | undefined;
}

export function Alert({ tone, title, children, id, focusOnMount = false }: AlertProps) {
  const role = tone === "error" ? "alert" : "status";
  const ref = useFocusOnMount<HTMLDivElement>();
  return (
    <div
      className={`alert alert--${tone}`}
      role={role}
      id={id}
      ref={focusOnMount ? ref : undefined}
      tabIndex={focusOnMount ? -1 : undefined}
    >
      <span className="alert__icon" aria-hidden="true">
        {tone === "error" ? "!" : tone === "success" ? "✓" : "i"}
      </span>
      <div className="alert__body">
        {title ? <p className="alert__title">{title}</p> : null}
        {children}
      </div>
    </div>
  );
}

function knownCodeTitle(error: ApiError, i18n: I18n): string | undefined {
  const { code } = error.problem;
  return code ? i18n.tMaybe(`problem.${code}`, "") || undefined : undefined;
}

/** The localised headline for a problem, by its stable code where we know it. */
export function problemTitle(error: unknown, i18n: I18n): string {
  if (error instanceof ApiError) {
    const { status } = error.problem;
    const known = knownCodeTitle(error, i18n);
    if (known) return known;
    if (status === 0) return i18n.t("problem.network_error");
    if (status === 401) return i18n.t("problem.unauthorised");
    if (status === 403) return i18n.t("problem.forbidden");
    if (status === 404) return i18n.t("problem.not_found");
    if (status === 429) return i18n.t("problem.too_many_attempts");
    if (status >= 500) return i18n.t("problem.server");
    if (status === 400 || status === 422) return i18n.t("problem.validation");
  }
  return i18n.t("problem.unknown");
}

/** Shows an API problem: our headline, then the server's `detail` and field errors. */
export function ProblemAlert({ error, id }: { error: unknown; id?: string | undefined }) {
  const i18n = useI18n();
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : null;
  // The server's own words: its `detail`, or its `title` when we have no text for the code.
  const detail =
    problem?.detail ??
    (error instanceof ApiError && !knownCodeTitle(error, i18n) ? problem?.title : undefined);
  const fieldErrors = problem?.errors ?? [];
  return (
    <Alert tone="error" title={problemTitle(error, i18n)} id={id}>
      {detail ? <p className="alert__detail">{detail}</p> : null}
      {fieldErrors.length > 0 ? (
        <ul className="alert__list">
          {fieldErrors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              {e.path ? <code>{e.path}</code> : null} {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {problem && problem.status > 0 ? (
        <p className="alert__meta">
          {i18n.t("problem.reference", { status: problem.status, code: problem.code ?? "—" })}
        </p>
      ) : null}
    </Alert>
  );
}
