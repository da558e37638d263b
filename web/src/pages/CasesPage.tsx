// The triage queue: urgent first, with filters, counts and a search by reference or URL. The
// filters live in the address, so going back from a case returns to the same view. Keyboard:
// j/k move, Enter opens, / searches, ? shows the keys.
import { type FormEvent, type RefObject, useEffect, useId, useRef, useState } from "react";
import { ProblemAlert } from "../components/Alert.tsx";
import { TableRegion } from "../components/DataTable.tsx";
import { SelectField } from "../components/Field.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/nl.ts";
import { useCategories, useCategoryLabel } from "../lib/cases.ts";
import { Link, navigate, useSearch } from "../lib/router.tsx";
import { useShortcuts } from "../lib/shortcuts.ts";
import { CASE_STATUSES, type CaseSummary, PRIORITIES, type QueueResponse } from "../lib/types.ts";
import { useResource } from "../lib/useResource.ts";

const PAGE_SIZE = 50;
const STATUS_FILTERS = ["open", ...CASE_STATUSES, "all"] as const;
const SORTS = ["priority", "oldest", "newest", "updated"] as const;
const OPEN_STATUSES: readonly string[] = CASE_STATUSES.filter((s) => s !== "closed");

interface Filters {
  status: string;
  category: string;
  priority: string;
  assignee: string;
  sort: string;
  q: string;
  offset: number;
}

function readFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  return {
    status: p.get("status") || "open",
    category: p.get("category") ?? "",
    priority: p.get("priority") ?? "",
    assignee: p.get("assignee") ?? "",
    sort: p.get("sort") || "priority",
    q: p.get("q") ?? "",
    offset: Math.max(0, Number(p.get("offset")) || 0),
  };
}

/** Only what differs from the defaults goes in the address. */
function writeFilters(f: Filters): string {
  const p = new URLSearchParams();
  if (f.status !== "open") p.set("status", f.status);
  if (f.category) p.set("category", f.category);
  if (f.priority) p.set("priority", f.priority);
  if (f.assignee) p.set("assignee", f.assignee);
  if (f.sort !== "priority") p.set("sort", f.sort);
  if (f.q) p.set("q", f.q);
  if (f.offset > 0) p.set("offset", String(f.offset));
  const text = p.toString();
  return text ? `/cases?${text}` : "/cases";
}

function apiQuery(f: Filters): string {
  const p = new URLSearchParams({ status: f.status, sort: f.sort, limit: String(PAGE_SIZE) });
  if (f.category) p.set("category", f.category);
  if (f.priority) p.set("priority", f.priority);
  if (f.assignee) p.set("assignee", f.assignee);
  if (f.q) p.set("q", f.q);
  if (f.offset > 0) p.set("offset", String(f.offset));
  return `/cases?${p.toString()}`;
}

export function CasesPage() {
  const { t, formatNumber } = useI18n();
  const search = useSearch();
  const filters = readFilters(search);
  const [queue, reload] = useResource<QueueResponse>(apiQuery(filters));
  // The keyboard selection belongs to one list: a new search starts it over.
  const [selection, setSelection] = useState({ search, index: -1 });
  const selected = selection.search === search ? selection.index : -1;
  const setSelected = (index: number) => setSelection({ search, index });
  const [helpOpen, setHelpOpen] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<HTMLTableSectionElement>(null);
  const headingId = useId();
  const helpId = useId();

  const rows = queue.status === "ready" ? queue.data.items : [];

  const change = (patch: Partial<Filters>) =>
    navigate(writeFilters({ ...filters, offset: 0, ...patch }), { replace: true });

  function select(index: number): void {
    if (rows.length === 0) return;
    const next = Math.min(Math.max(index, 0), rows.length - 1);
    setSelected(next);
    tableRef.current?.querySelectorAll<HTMLAnchorElement>("a.queue__ref")[next]?.focus();
  }

  useShortcuts((event) => {
    switch (event.key) {
      case "j":
        select(selected + 1);
        break;
      case "k":
        select(selected < 0 ? 0 : selected - 1);
        break;
      case "Enter": {
        const row = rows[selected];
        // A focused link or button does its own thing; this is for focus elsewhere on the page.
        if (!row || (event.target instanceof HTMLElement && event.target.closest("a, button"))) return;
        event.preventDefault();
        navigate(`/cases/${row.id}`);
        break;
      }
      case "/":
        event.preventDefault();
        searchRef.current?.focus();
        break;
      case "?":
        setHelpOpen((open) => !open);
        break;
      case "Escape":
        setHelpOpen(false);
        break;
    }
  });

  return (
    <>
      <div className="page-head">
        <PageTitle title={t("cases.title")}>{t("cases.title")}</PageTitle>
        <button
          type="button"
          className="button button--quiet button--small"
          aria-expanded={helpOpen}
          aria-controls={helpId}
          onClick={() => setHelpOpen((open) => !open)}
        >
          <kbd className="kbd">?</kbd>
          {t("cases.shortcuts")}
        </button>
      </div>
      <p className="lead">{t("cases.intro")}</p>
      <div id={helpId} hidden={!helpOpen}>
        {helpOpen ? <ShortcutHelp onClose={() => setHelpOpen(false)} /> : null}
      </div>

      {queue.status === "ready" ? (
        <Counts
          counts={queue.data.counts}
          status={filters.status}
          priority={filters.priority}
          onFilter={change}
        />
      ) : null}

      <QueueFilters filters={filters} onChange={change} searchRef={searchRef} />

      <section className="section queue" aria-labelledby={headingId}>
        <div className="section__head">
          <h2 className="section-title" id={headingId}>
            {queue.status !== "ready"
              ? t("cases.resultsTitle")
              : queue.data.total === 1
                ? t("cases.resultsOne")
                : t("cases.results", { count: formatNumber(queue.data.total) })}
          </h2>
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => void reload()}
          >
            {t("common.refresh")}
          </button>
        </div>
        {queue.status === "loading" ? (
          <p className="loading" role="status">
            {t("common.loading")}
          </p>
        ) : null}
        {queue.status === "failed" ? <ProblemAlert error={queue.error} /> : null}
        {queue.status === "ready" ? (
          rows.length === 0 ? (
            <p className="empty">{t("cases.empty")}</p>
          ) : (
            <>
              <QueueTable rows={rows} selected={selected} onSelect={setSelected} bodyRef={tableRef} />
              <Pager
                total={queue.data.total}
                offset={filters.offset}
                onOffset={(offset) => change({ offset })}
              />
            </>
          )
        ) : null}
      </section>
    </>
  );
}

function ShortcutHelp({ onClose }: { onClose(): void }) {
  const { t } = useI18n();
  const keys: [string, MessageKey][] = [
    ["j", "cases.key.next"],
    ["k", "cases.key.previous"],
    ["Enter", "cases.key.open"],
    ["/", "cases.key.search"],
    ["?", "cases.key.help"],
  ];
  return (
    <section className="panel panel--flat shortcuts" aria-label={t("cases.shortcuts")}>
      <dl className="shortcuts__list">
        {keys.map(([key, label]) => (
          <div key={key} className="shortcuts__item">
            <dt>
              <kbd className="kbd">{key}</kbd>
            </dt>
            <dd>{t(label)}</dd>
          </div>
        ))}
      </dl>
      <p className="shortcuts__note">{t("cases.key.note")}</p>
      <button type="button" className="button button--quiet button--small" onClick={onClose}>
        {t("cases.key.close")}
      </button>
    </section>
  );
}

function Counts({
  counts,
  status,
  priority,
  onFilter,
}: {
  counts: QueueResponse["counts"];
  status: string;
  priority: string;
  onFilter(patch: Partial<Filters>): void;
}) {
  const { t, formatNumber } = useI18n();
  const byStatus = (s: string) => counts.filter((c) => c.status === s).reduce((n, c) => n + c.n, 0);
  const openByPriority = (p: string) =>
    counts.filter((c) => c.priority === p && OPEN_STATUSES.includes(c.status)).reduce((n, c) => n + c.n, 0);
  return (
    <div className="counts">
      <section className="counts__group" aria-label={t("cases.counts.byStatus")}>
        <h2 className="counts__title">{t("cases.counts.byStatus")}</h2>
        <ul className="counts__list">
          {CASE_STATUSES.map((s) => (
            <li key={s}>
              <button
                type="button"
                className="count"
                aria-pressed={status === s}
                onClick={() => onFilter({ status: status === s ? "open" : s })}
              >
                <span className="count__n">{formatNumber(byStatus(s))}</span>
                <span className="count__label">{t(`caseStatus.${s}` as MessageKey)}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="counts__group" aria-label={t("cases.counts.byPriority")}>
        <h2 className="counts__title">{t("cases.counts.byPriority")}</h2>
        <ul className="counts__list">
          {PRIORITIES.map((p) => (
            <li key={p}>
              <button
                type="button"
                className={p === "urgent" ? "count count--urgent" : "count"}
                aria-pressed={priority === p}
                onClick={() => onFilter({ priority: priority === p ? "" : p })}
              >
                <span className="count__n">{formatNumber(openByPriority(p))}</span>
                <span className="count__label">
                  {p === "urgent" ? (
                    <span className="urgent-icon" aria-hidden="true">
                      !
                    </span>
                  ) : null}
                  {t(`priority.${p}` as MessageKey)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function QueueFilters({
  filters,
  onChange,
  searchRef,
}: {
  filters: Filters;
  onChange(patch: Partial<Filters>): void;
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  const { t } = useI18n();
  const categories = useCategories();
  const { locale } = useI18n();
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
            {t("cases.search")}
          </label>
          <p className="field__hint" id={`${searchId}-hint`}>
            {t("cases.search.hint")}
          </p>
          <div className="filters__search-row">
            <input
              id={searchId}
              ref={searchRef}
              className="input"
              type="search"
              value={q}
              onChange={(e) => setQ(e.target.value)}
              aria-describedby={`${searchId}-hint`}
              autoComplete="off"
              spellCheck={false}
            />
            <button type="submit" className="button button--primary">
              {t("cases.search.submit")}
            </button>
            {filters.q ? (
              <button type="button" className="button button--quiet" onClick={() => onChange({ q: "" })}>
                {t("cases.search.clear")}
              </button>
            ) : null}
          </div>
        </form>
      </search>
      <div className="filters__grid">
        <SelectField
          label={t("cases.filter.status")}
          value={filters.status}
          onValueChange={(status) => onChange({ status })}
          options={STATUS_FILTERS.map((s) => ({
            value: s,
            label:
              s === "open" || s === "all"
                ? t(`cases.filter.status.${s}`)
                : t(`caseStatus.${s}` as MessageKey),
          }))}
        />
        <SelectField
          label={t("cases.filter.category")}
          value={filters.category}
          onValueChange={(category) => onChange({ category })}
          options={[
            { value: "", label: t("cases.filter.any") },
            ...categories.map((c) => ({ value: c.id, label: c.label[locale] })),
          ]}
        />
        <SelectField
          label={t("cases.filter.priority")}
          value={filters.priority}
          onValueChange={(priority) => onChange({ priority })}
          options={[
            { value: "", label: t("cases.filter.any") },
            ...PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}` as MessageKey) })),
          ]}
        />
        <SelectField
          label={t("cases.filter.assignee")}
          value={filters.assignee}
          onValueChange={(assignee) => onChange({ assignee })}
          options={[
            { value: "", label: t("cases.filter.anyone") },
            { value: "me", label: t("cases.filter.me") },
            { value: "none", label: t("cases.filter.none") },
          ]}
        />
        <SelectField
          label={t("cases.sort")}
          value={filters.sort}
          onValueChange={(sort) => onChange({ sort })}
          options={SORTS.map((s) => ({ value: s, label: t(`cases.sort.${s}`) }))}
        />
      </div>
    </div>
  );
}

export function UrgentFlag({ reasons }: { reasons: readonly string[] }) {
  const { t, tMaybe } = useI18n();
  return (
    <span className="urgent-flag">
      <span className="urgent-flag__label">
        <span className="urgent-icon" aria-hidden="true">
          !
        </span>
        {t("priority.urgent")}
      </span>
      {reasons.length > 0 ? (
        <span className="urgent-flag__reasons">
          {reasons.map((r) => tMaybe(`urgentReason.${r}`, r)).join(" · ")}
        </span>
      ) : null}
    </span>
  );
}

function QueueTable({
  rows,
  selected,
  onSelect,
  bodyRef,
}: {
  rows: CaseSummary[];
  selected: number;
  onSelect(index: number): void;
  bodyRef: RefObject<HTMLTableSectionElement | null>;
}) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const categoryLabel = useCategoryLabel();
  return (
    <TableRegion label={t("cases.title")}>
      <table className="table queue__table">
        <thead>
          <tr>
            <th scope="col">{t("cases.col.reference")}</th>
            <th scope="col">{t("cases.col.priority")}</th>
            <th scope="col">{t("cases.col.category")}</th>
            <th scope="col">{t("cases.col.status")}</th>
            <th scope="col">{t("cases.col.assignee")}</th>
            <th scope="col" className="num">
              {t("cases.col.items")}
            </th>
            <th scope="col">{t("cases.col.received")}</th>
            <th scope="col">{t("cases.col.updated")}</th>
          </tr>
        </thead>
        <tbody ref={bodyRef}>
          {rows.map((row, index) => {
            const classes = ["queue__row"];
            if (row.priority === "urgent") classes.push("queue__row--urgent");
            if (index === selected) classes.push("is-selected");
            return (
              <tr key={row.id} className={classes.join(" ")}>
                <th scope="row">
                  <Link to={`/cases/${row.id}`} className="queue__ref" onFocus={() => onSelect(index)}>
                    {row.reference}
                  </Link>
                </th>
                <td>
                  {row.priority === "urgent" ? (
                    <UrgentFlag reasons={row.urgentReasons} />
                  ) : (
                    <span className={`prio prio--${row.priority}`}>
                      {t(`priority.${row.priority}` as MessageKey)}
                    </span>
                  )}
                </td>
                <td>{categoryLabel(row.category)}</td>
                <td>
                  <span className={`status status--${row.status}`}>
                    {t(`caseStatus.${row.status}` as MessageKey)}
                  </span>
                </td>
                <td>{row.assigneeName ?? <span className="muted">{t("cases.unassigned")}</span>}</td>
                <td className="num">{row.itemCount === null ? "—" : formatNumber(row.itemCount)}</td>
                <td>{formatDateTime(row.createdAt)}</td>
                <td>{formatDateTime(row.updatedAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableRegion>
  );
}

function Pager({
  total,
  offset,
  onOffset,
}: {
  total: number;
  offset: number;
  onOffset(offset: number): void;
}) {
  const { t, formatNumber } = useI18n();
  if (total <= PAGE_SIZE && offset === 0) return null;
  const from = Math.min(total, offset + 1);
  const to = Math.min(total, offset + PAGE_SIZE);
  return (
    <nav className="pager" aria-label={t("cases.pager")}>
      <button
        type="button"
        className="button button--secondary button--small"
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - PAGE_SIZE))}
      >
        {t("cases.pager.previous")}
      </button>
      <span className="pager__range">
        {t("cases.pager.range", {
          from: formatNumber(from),
          to: formatNumber(to),
          total: formatNumber(total),
        })}
      </span>
      <button
        type="button"
        className="button button--secondary button--small"
        disabled={to >= total}
        onClick={() => onOffset(offset + PAGE_SIZE)}
      >
        {t("cases.pager.next")}
      </button>
    </nav>
  );
}
