// The party registry: platforms, hosts, registrars, registries and payment providers this
// hotline sends notices to. Filters live in the address; CSV export is a plain download;
// adding a party and importing a CSV need `parties:manage`.
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { ProblemAlert } from "../components/Alert.tsx";
import { TableRegion } from "../components/DataTable.tsx";
import { SelectField, TextField } from "../components/Field.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/nl.ts";
import { api, fieldProblem } from "../lib/api.ts";
import { useSession } from "../lib/auth.tsx";
import { useFocusOnMount, useReturnFocus } from "../lib/focus.ts";
import { type FieldErrors, focusFirstInvalid, hasErrors } from "../lib/forms.ts";
import {
  countryName,
  PARTIES_CSV_URL,
  PARTIES_IMPORT_PATH,
  PARTIES_PATH,
  PARTY_KINDS,
  PARTY_LIMITS,
  type PartyDetail,
  type PartySummary,
  partyPath,
} from "../lib/parties.ts";
import { Link, navigate, useSearch } from "../lib/router.tsx";
import type { ListResponse } from "../lib/types.ts";
import { useResource } from "../lib/useResource.ts";

const ARCHIVED = ["false", "true", "all"] as const;

interface Filters {
  kind: string;
  q: string;
  archived: string;
}

function readFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  const archived = p.get("archived") ?? "false";
  return {
    kind: p.get("kind") ?? "",
    q: p.get("q") ?? "",
    archived: (ARCHIVED as readonly string[]).includes(archived) ? archived : "false",
  };
}

function query(f: Filters): string {
  const p = new URLSearchParams();
  if (f.kind) p.set("kind", f.kind);
  if (f.q) p.set("q", f.q);
  if (f.archived !== "false") p.set("archived", f.archived);
  const text = p.toString();
  return text ? `?${text}` : "";
}

export function PartiesPage() {
  const { t, formatNumber } = useI18n();
  const session = useSession();
  const canManage = session.permissions.includes("parties:manage");
  const filters = readFilters(useSearch());
  const [list, reload] = useResource<ListResponse<PartySummary>>(`/parties${query(filters)}`);
  const [adding, setAdding] = useState(false);
  const addButton = useReturnFocus<HTMLButtonElement>(adding);
  const headingId = useId();

  const change = (patch: Partial<Filters>) =>
    navigate(`${PARTIES_PATH}${query({ ...filters, ...patch })}`, { replace: true });

  return (
    <>
      <div className="page-head">
        <PageTitle title={t("parties.title")}>{t("parties.title")}</PageTitle>
      </div>
      <p className="lead">{t("parties.intro")}</p>

      <div className="form__actions justify-start">
        {canManage && !adding ? (
          <button
            ref={addButton}
            type="button"
            className="button button--primary"
            onClick={() => setAdding(true)}
          >
            {t("parties.add")}
          </button>
        ) : null}
        {canManage ? (
          <Link to={PARTIES_IMPORT_PATH} className="button button--secondary">
            {t("parties.import.link")}
          </Link>
        ) : null}
        <a href={PARTIES_CSV_URL} className="button button--secondary" download="parties.csv">
          {t("parties.export")}
        </a>
      </div>

      {adding ? <NewPartyForm onCancel={() => setAdding(false)} /> : null}

      <PartyFilters filters={filters} onChange={change} />

      <section className="section" aria-labelledby={headingId}>
        <div className="section__head">
          <h2 className="section-title" id={headingId}>
            {list.status === "ready"
              ? t("parties.results", { count: formatNumber(list.data.items.length) })
              : t("parties.resultsTitle")}
          </h2>
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => void reload()}
          >
            {t("common.refresh")}
          </button>
        </div>
        {list.status === "loading" ? (
          <p className="loading" role="status">
            {t("common.loading")}
          </p>
        ) : null}
        {list.status === "failed" ? <ProblemAlert error={list.error} /> : null}
        {list.status === "ready" ? (
          list.data.items.length === 0 ? (
            <p className="empty">{t("parties.empty")}</p>
          ) : (
            <PartyTable rows={list.data.items} />
          )
        ) : null}
      </section>
    </>
  );
}

function PartyFilters({ filters, onChange }: { filters: Filters; onChange(patch: Partial<Filters>): void }) {
  const { t } = useI18n();
  const [q, setQ] = useState(filters.q);
  const searchId = useId();
  useEffect(() => setQ(filters.q), [filters.q]);

  function submit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    onChange({ q: q.trim() });
  }

  return (
    <div className="filters">
      <search className="filters__search">
        <form onSubmit={submit}>
          <label className="field__label" htmlFor={searchId}>
            {t("parties.search")}
          </label>
          <p className="field__hint" id={`${searchId}-hint`}>
            {t("parties.search.hint")}
          </p>
          <div className="filters__search-row">
            <input
              id={searchId}
              className="input"
              type="search"
              value={q}
              maxLength={200}
              onChange={(e) => setQ(e.target.value)}
              aria-describedby={`${searchId}-hint`}
              autoComplete="off"
              spellCheck={false}
            />
            <button type="submit" className="button button--primary">
              {t("parties.search.submit")}
            </button>
            {filters.q ? (
              <button type="button" className="button button--quiet" onClick={() => onChange({ q: "" })}>
                {t("parties.search.clear")}
              </button>
            ) : null}
          </div>
        </form>
      </search>
      <div className="filters__grid">
        <SelectField
          label={t("parties.filter.kind")}
          value={filters.kind}
          onValueChange={(kind) => onChange({ kind })}
          options={[
            { value: "", label: t("parties.filter.anyKind") },
            ...PARTY_KINDS.map((k) => ({ value: k, label: t(`parties.kind.${k}` as MessageKey) })),
          ]}
        />
        <SelectField
          label={t("parties.filter.archived")}
          value={filters.archived}
          onValueChange={(archived) => onChange({ archived })}
          options={ARCHIVED.map((a) => ({
            value: a,
            label: t(`parties.filter.archived.${a}` as MessageKey),
          }))}
        />
      </div>
    </div>
  );
}

function PartyTable({ rows }: { rows: PartySummary[] }) {
  const { t, locale, formatNumber } = useI18n();
  return (
    <TableRegion label={t("parties.title")}>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t("parties.col.name")}</th>
            <th scope="col">{t("parties.col.kind")}</th>
            <th scope="col">{t("parties.col.country")}</th>
            <th scope="col">{t("parties.col.recognised")}</th>
            <th scope="col">{t("parties.col.channels")}</th>
            <th scope="col">{t("parties.col.responseHours")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.id}>
              <th scope="row">
                <Link to={partyPath(p.id)} className="cell-primary">
                  {p.name}
                </Link>
                {p.veryLarge ? (
                  <span className="badge badge--muted">{t("parties.veryLarge.short")}</span>
                ) : null}
                {p.archived ? <span className="badge badge--muted">{t("parties.archived")}</span> : null}
                {p.needsReview ? (
                  <span className="badge badge--warning" title={t("parties.review.hint")}>
                    {t("parties.review.badge")}
                  </span>
                ) : null}
              </th>
              <td>{t(`parties.kind.${p.kind}` as MessageKey)}</td>
              <td>{p.country ? countryName(p.country, locale) : <span className="muted">—</span>}</td>
              <td>
                {p.matchers.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <span className="cell-secondary">
                    {p.matchers
                      .slice(0, 3)
                      .map((m) => m.value)
                      .join(", ")}
                    {p.matchers.length > 3 ? ` ${t("parties.more", { count: p.matchers.length - 3 })}` : ""}
                  </span>
                )}
              </td>
              <td>
                {formatNumber(p.channels)}
                {p.failingChannels > 0 ? (
                  <span className="badge badge--danger">
                    {t("parties.failingCount", { count: formatNumber(p.failingChannels) })}
                  </span>
                ) : null}
              </td>
              <td className="nowrap">
                {p.responseHours === null
                  ? t("parties.responseHours.policy")
                  : t("parties.hours", { count: formatNumber(p.responseHours) })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

type NewField = "name" | "kind";

function NewPartyForm({ onCancel }: { onCancel(): void }) {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const titleId = useId();
  const titleRef = useFocusOnMount<HTMLHeadingElement>();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<string>("platform");
  const [errors, setErrors] = useState<FieldErrors<NewField>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found: FieldErrors<NewField> = {};
    if (!name.trim()) found.name = t("parties.name.required");
    setErrors(found);
    setProblem(null);
    if (hasErrors(found)) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      const created = await api.post<PartyDetail>("/parties", { name: name.trim(), kind });
      navigate(partyPath(created.id));
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  }

  return (
    <form
      ref={formRef}
      noValidate
      onSubmit={(e) => void submit(e)}
      className="panel form"
      aria-labelledby={titleId}
    >
      <h2 className="panel__title" id={titleId} ref={titleRef} tabIndex={-1}>
        {t("parties.add.title")}
      </h2>
      <p className="section__intro">{t("parties.add.intro")}</p>
      <ProblemAlert error={problem} />
      <div className="form__grid">
        <TextField
          label={t("parties.field.name")}
          hint={t("parties.field.name.hint")}
          value={name}
          onValueChange={setName}
          error={errors.name ?? fieldProblem(problem, "name")}
          maxLength={PARTY_LIMITS.name}
          autoComplete="off"
          required
        />
        <SelectField
          label={t("parties.field.kind")}
          value={kind}
          onValueChange={setKind}
          error={fieldProblem(problem, "kind")}
          options={PARTY_KINDS.map((k) => ({ value: k, label: t(`parties.kind.${k}` as MessageKey) }))}
        />
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("parties.add.submit")}
        </button>
        <button type="button" className="button button--quiet" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
