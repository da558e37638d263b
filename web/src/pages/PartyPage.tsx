// One party of the registry: its legal facts, the matchers that recognise it in an attribution,
// and the channels that reach it. With `parties:manage` everything here can be changed; a new
// webhook's secret is shown once, right after it is made, and never again.
import { type FormEvent, type ReactNode, useId, useRef, useState } from "react";
import { Alert, ProblemAlert } from "../components/Alert.tsx";
import { TableRegion } from "../components/DataTable.tsx";
import { SelectField, TextAreaField, TextField } from "../components/Field.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import type { MessageKey } from "../i18n/nl.ts";
import { ApiError, api } from "../lib/api.ts";
import { useSession } from "../lib/auth.tsx";
import { useFocusOnMount, useReturnFocus } from "../lib/focus.ts";
import { focusFirstInvalid, looksLikeEmail } from "../lib/forms.ts";
import {
  CHANNEL_KINDS,
  countryName,
  languageNames,
  MATCHER_KINDS,
  type NewChannelResponse,
  PARTIES_PATH,
  PARTY_KINDS,
  PARTY_LIMITS,
  type PartyChannel,
  type PartyDetail,
} from "../lib/parties.ts";
import { Link } from "../lib/router.tsx";
import { useResource } from "../lib/useResource.ts";

/** The message of a field error whose path is `field` or lies under it (`languages.0`). */
function problemAt(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.problem.errors?.find((e) => e.path === field || e.path.startsWith(`${field}.`))?.message;
}

export function PartyPage({ id }: { id: string }) {
  const { t } = useI18n();
  const session = useSession();
  const canManage = session.permissions.includes("parties:manage");
  const [party, reload] = useResource<PartyDetail>(`/parties/${id}`);

  return (
    <>
      <p className="back">
        <Link to={PARTIES_PATH}>{t("parties.back")}</Link>
      </p>
      {party.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : null}
      {party.status === "failed" ? (
        <>
          <PageTitle title={t("parties.title")}>{t("parties.title")}</PageTitle>
          <ProblemAlert error={party.error} />
        </>
      ) : null}
      {party.status === "ready" ? (
        <PartyView party={party.data} canManage={canManage} reload={reload} />
      ) : null}
    </>
  );
}

function PartyView({
  party,
  canManage,
  reload,
}: {
  party: PartyDetail;
  canManage: boolean;
  reload(): Promise<void>;
}) {
  const { t } = useI18n();
  return (
    <>
      <div className="page-head">
        <PageTitle title={party.name}>{party.name}</PageTitle>
      </div>
      <p className="lead">
        <span className="badge badge--muted">{t(`parties.kind.${party.kind}` as MessageKey)}</span>{" "}
        {party.veryLarge ? <span className="badge badge--muted">{t("parties.veryLarge.short")}</span> : null}{" "}
        {party.archived ? <span className="badge badge--danger">{t("parties.archived")}</span> : null}{" "}
        {party.needsReview ? <span className="badge badge--warning">{t("parties.review.badge")}</span> : null}
      </p>
      {party.autoRegistered ? <ReviewSection party={party} canManage={canManage} reload={reload} /> : null}
      {canManage ? <FieldsForm party={party} onSaved={reload} /> : <FieldsView party={party} />}
      <MatchersSection party={party} canManage={canManage} reload={reload} />
      <ChannelsSection party={party} canManage={canManage} reload={reload} />
      {canManage ? <ArchiveSection party={party} reload={reload} /> : null}
    </>
  );
}

// ---------- the party's facts ----------

function FieldsView({ party }: { party: PartyDetail }) {
  const { t, locale, formatNumber } = useI18n();
  const headingId = useId();
  const none = <span className="muted">—</span>;
  const item = (label: string, value: ReactNode) => (
    <div className="facts__item">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("parties.details.title")}
      </h2>
      <dl className="facts">
        {item(t("parties.field.country"), party.country ? countryName(party.country, locale) : none)}
        {item(
          t("parties.field.dsaContact"),
          party.dsaContact ? <span className="prewrap">{party.dsaContact}</span> : none,
        )}
        {item(
          t("parties.field.legalRepresentative"),
          party.legalRepresentative ? <span className="prewrap">{party.legalRepresentative}</span> : none,
        )}
        {item(t("parties.field.veryLarge"), party.veryLarge ? t("parties.yes") : t("parties.no"))}
        {item(t("parties.field.dsc"), party.dsc ?? none)}
        {item(t("parties.field.languages"), languageNames(party.languages, locale))}
        {item(
          t("parties.field.responseHours"),
          party.responseHours === null
            ? t("parties.responseHours.policy")
            : t("parties.hours", { count: formatNumber(party.responseHours) }),
        )}
        {item(t("parties.field.maxUrls"), formatNumber(party.maxUrlsPerNotice))}
        {item(t("parties.field.notes"), party.notes ? <span className="prewrap">{party.notes}</span> : none)}
      </dl>
    </section>
  );
}

interface FieldValues {
  name: string;
  kind: string;
  country: string;
  dsaContact: string;
  legalRepresentative: string;
  veryLarge: boolean;
  dsc: string;
  languages: string;
  responseHours: string;
  maxUrlsPerNotice: string;
  notes: string;
}

const valuesOf = (p: PartyDetail): FieldValues => ({
  name: p.name,
  kind: p.kind,
  country: p.country ?? "",
  dsaContact: p.dsaContact ?? "",
  legalRepresentative: p.legalRepresentative ?? "",
  veryLarge: p.veryLarge,
  dsc: p.dsc ?? "",
  languages: p.languages.join(", "),
  responseHours: p.responseHours === null ? "" : String(p.responseHours),
  maxUrlsPerNotice: String(p.maxUrlsPerNotice),
  notes: p.notes ?? "",
});

function FieldsForm({ party, onSaved }: { party: PartyDetail; onSaved(): Promise<void> }) {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const headingId = useId();
  const veryLargeId = useId();
  const [values, setValues] = useState<FieldValues>(() => valuesOf(party));
  const [errors, setErrors] = useState<Partial<Record<keyof FieldValues, string>>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const set = (field: keyof FieldValues) => (value: string) => {
    setSaved(false);
    setValues((v) => ({ ...v, [field]: value }));
  };
  const err = (field: keyof FieldValues) => errors[field] ?? problemAt(problem, field);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found: Partial<Record<keyof FieldValues, string>> = {};
    if (!values.name.trim()) found.name = t("parties.name.required");
    const whole = (v: string) => v.trim() === "" || /^[0-9]+$/.test(v.trim());
    if (!whole(values.responseHours)) found.responseHours = t("parties.number.invalid");
    if (!values.maxUrlsPerNotice.trim() || !whole(values.maxUrlsPerNotice))
      found.maxUrlsPerNotice = t("parties.number.invalid");
    const languages = values.languages
      .split(/[\s,;]+/)
      .map((l) => l.trim())
      .filter(Boolean);
    if (languages.length === 0) found.languages = t("parties.languages.required");
    setErrors(found);
    setProblem(null);
    setSaved(false);
    if (Object.values(found).some(Boolean)) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      await api.patch(`/parties/${party.id}`, {
        name: values.name.trim(),
        kind: values.kind,
        country: values.country.trim() || null,
        dsaContact: values.dsaContact,
        legalRepresentative: values.legalRepresentative,
        veryLarge: values.veryLarge,
        dsc: values.dsc,
        languages,
        responseHours: values.responseHours.trim() ? Number(values.responseHours) : null,
        maxUrlsPerNotice: Number(values.maxUrlsPerNotice),
        notes: values.notes,
      });
      setSaved(true);
      await onSaved();
    } catch (error) {
      setProblem(error);
      focusFirstInvalid(formRef.current);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("parties.details.title")}
      </h2>
      <form
        ref={formRef}
        noValidate
        onSubmit={(e) => void submit(e)}
        className="panel form"
        aria-labelledby={headingId}
      >
        <ProblemAlert error={problem} />
        {saved ? (
          <Alert tone="success">
            <p>{t("parties.details.saved")}</p>
          </Alert>
        ) : null}
        <div className="form__grid">
          <TextField
            label={t("parties.field.name")}
            value={values.name}
            onValueChange={set("name")}
            error={err("name")}
            maxLength={PARTY_LIMITS.name}
            autoComplete="off"
            required
          />
          <SelectField
            label={t("parties.field.kind")}
            value={values.kind}
            onValueChange={set("kind")}
            error={err("kind")}
            options={PARTY_KINDS.map((k) => ({ value: k, label: t(`parties.kind.${k}` as MessageKey) }))}
          />
          <TextField
            label={t("parties.field.country")}
            hint={t("parties.field.country.hint")}
            value={values.country}
            onValueChange={set("country")}
            error={err("country")}
            maxLength={2}
            autoComplete="off"
            spellCheck={false}
            optional
          />
          <TextField
            label={t("parties.field.dsc")}
            hint={t("parties.field.dsc.hint")}
            value={values.dsc}
            onValueChange={set("dsc")}
            error={err("dsc")}
            maxLength={PARTY_LIMITS.dsc}
            autoComplete="off"
            optional
          />
          <TextField
            label={t("parties.field.languages")}
            hint={t("parties.field.languages.hint")}
            value={values.languages}
            onValueChange={set("languages")}
            error={err("languages")}
            maxLength={100}
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            label={t("parties.field.responseHours")}
            hint={t("parties.field.responseHours.hint")}
            value={values.responseHours}
            onValueChange={set("responseHours")}
            error={err("responseHours")}
            inputMode="numeric"
            maxLength={4}
            autoComplete="off"
            optional
          />
          <TextField
            label={t("parties.field.maxUrls")}
            hint={t("parties.field.maxUrls.hint")}
            value={values.maxUrlsPerNotice}
            onValueChange={set("maxUrlsPerNotice")}
            error={err("maxUrlsPerNotice")}
            inputMode="numeric"
            maxLength={4}
            autoComplete="off"
          />
        </div>
        <div className="check">
          <input
            type="checkbox"
            id={veryLargeId}
            className="check__input"
            checked={values.veryLarge}
            aria-describedby={`${veryLargeId}-desc`}
            onChange={(e) => {
              const veryLarge = e.target.checked;
              setSaved(false);
              setValues((v) => ({ ...v, veryLarge }));
            }}
          />
          <label htmlFor={veryLargeId} className="check__label">
            <strong>{t("parties.field.veryLarge")}</strong>
            <span className="check__desc" id={`${veryLargeId}-desc`}>
              {t("parties.field.veryLarge.hint")}
            </span>
          </label>
        </div>
        <TextAreaField
          label={t("parties.field.dsaContact")}
          hint={t("parties.field.dsaContact.hint")}
          value={values.dsaContact}
          onValueChange={set("dsaContact")}
          error={err("dsaContact")}
          maxLength={PARTY_LIMITS.dsaContact}
          rows={2}
          optional
        />
        <TextAreaField
          label={t("parties.field.legalRepresentative")}
          hint={t("parties.field.legalRepresentative.hint")}
          value={values.legalRepresentative}
          onValueChange={set("legalRepresentative")}
          error={err("legalRepresentative")}
          maxLength={PARTY_LIMITS.legalRepresentative}
          rows={2}
          optional
        />
        <TextAreaField
          label={t("parties.field.notes")}
          value={values.notes}
          onValueChange={set("notes")}
          error={err("notes")}
          maxLength={PARTY_LIMITS.notes}
          rows={3}
          optional
        />
        <div className="form__actions">
          <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
            {busy ? t("form.busy") : t("parties.details.save")}
          </button>
        </div>
      </form>
    </section>
  );
}

// ---------- matchers ----------

function MatchersSection({
  party,
  canManage,
  reload,
}: {
  party: PartyDetail;
  canManage: boolean;
  reload(): Promise<void>;
}) {
  const { t } = useI18n();
  const headingId = useId();
  const [problem, setProblem] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function remove(matcherId: string, value: string): Promise<void> {
    setProblem(null);
    setNotice(null);
    try {
      await api.del(`/parties/${party.id}/matchers/${matcherId}`);
      setNotice(t("parties.matchers.removed", { value }));
      await reload();
    } catch (error) {
      setProblem(error);
    }
  }

  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("parties.matchers.title")}
      </h2>
      <p className="section__intro">{t("parties.matchers.intro")}</p>
      <ProblemAlert error={problem} />
      {notice ? (
        <Alert tone="success">
          <p>{notice}</p>
        </Alert>
      ) : null}
      {party.matchers.length === 0 ? (
        <p className="empty">{t("parties.matchers.empty")}</p>
      ) : (
        <TableRegion label={t("parties.matchers.title")}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("parties.matchers.col.kind")}</th>
                <th scope="col">{t("parties.matchers.col.value")}</th>
                {canManage ? (
                  <th scope="col">
                    <span className="visually-hidden">{t("parties.col.actions")}</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {party.matchers.map((m) => (
                <tr key={m.id}>
                  <td>{t(`parties.matcher.${m.kind}` as MessageKey)}</td>
                  <th scope="row">
                    <code>{m.value}</code>
                  </th>
                  {canManage ? (
                    <td className="nowrap">
                      <ConfirmButton
                        label={t("parties.remove")}
                        context={m.value}
                        confirmLabel={t("parties.remove.confirm")}
                        onConfirm={() => remove(m.id, m.value)}
                      />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {canManage ? (
        <AddMatcherForm
          partyId={party.id}
          onAttempt={() => setNotice(null)}
          onAdded={async (value) => {
            setNotice(t("parties.matchers.added", { value }));
            await reload();
          }}
        />
      ) : null}
    </section>
  );
}

function AddMatcherForm({
  partyId,
  onAttempt,
  onAdded,
}: {
  partyId: string;
  onAttempt(): void;
  onAdded(value: string): Promise<void>;
}) {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const titleId = useId();
  const [kind, setKind] = useState<string>("domain");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    onAttempt();
    setProblem(null);
    setError(undefined);
    if (!value.trim()) {
      setError(t("parties.matchers.value.required"));
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      const created = await api.post<{ value: string }>(`/parties/${partyId}/matchers`, {
        kind,
        value: value.trim(),
      });
      setValue("");
      await onAdded(created.value);
    } catch (e) {
      setProblem(e);
      focusFirstInvalid(formRef.current);
    } finally {
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
      <h3 className="panel__title" id={titleId}>
        {t("parties.matchers.add")}
      </h3>
      <ProblemAlert error={problem} />
      <div className="form__grid">
        <SelectField
          label={t("parties.matchers.col.kind")}
          value={kind}
          onValueChange={setKind}
          options={MATCHER_KINDS.map((k) => ({ value: k, label: t(`parties.matcher.${k}` as MessageKey) }))}
        />
        <TextField
          label={t("parties.matchers.col.value")}
          hint={t(`parties.matcher.${kind}.hint` as MessageKey)}
          value={value}
          onValueChange={setValue}
          error={error ?? problemAt(problem, "value")}
          maxLength={PARTY_LIMITS.address}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          required
        />
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("parties.matchers.add.submit")}
        </button>
      </div>
    </form>
  );
}

// ---------- channels ----------

function ChannelsSection({
  party,
  canManage,
  reload,
}: {
  party: PartyDetail;
  canManage: boolean;
  reload(): Promise<void>;
}) {
  const { t, formatDateTime } = useI18n();
  const headingId = useId();
  const [problem, setProblem] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ address: string; secret: string } | null>(null);
  const [editing, setEditing] = useState<PartyChannel | null>(null);

  async function act(work: () => Promise<unknown>, message: string): Promise<void> {
    setProblem(null);
    setNotice(null);
    try {
      await work();
      setNotice(message);
      await reload();
    } catch (error) {
      setProblem(error);
    }
  }

  async function rotate(c: PartyChannel): Promise<void> {
    setProblem(null);
    setNotice(null);
    try {
      const out = await api.post<NewChannelResponse>(`/parties/${party.id}/channels/${c.id}/secret`, {});
      if (out.secret) setSecret({ address: c.address, secret: out.secret });
      await reload();
    } catch (error) {
      setProblem(error);
    }
  }

  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("parties.channels.title")}
      </h2>
      <p className="section__intro">{t("parties.channels.intro")}</p>
      {secret ? (
        <SecretOnce address={secret.address} secret={secret.secret} onDone={() => setSecret(null)} />
      ) : null}
      <ProblemAlert error={problem} />
      {notice ? (
        <Alert tone="success">
          <p>{notice}</p>
        </Alert>
      ) : null}
      {party.channels.length === 0 ? (
        <p className="empty">{t("parties.channels.empty")}</p>
      ) : (
        <TableRegion label={t("parties.channels.title")}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t("parties.channels.col.priority")}
                </th>
                <th scope="col">{t("parties.channels.col.kind")}</th>
                <th scope="col">{t("parties.channels.col.address")}</th>
                <th scope="col">{t("parties.channels.col.state")}</th>
                {canManage ? (
                  <th scope="col">
                    <span className="visually-hidden">{t("parties.col.actions")}</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {party.channels.map((c) => (
                <tr key={c.id}>
                  <td className="num">{c.priority}</td>
                  <td>
                    {t(`parties.channel.${c.kind}` as MessageKey)}
                    {c.hasSecret ? (
                      <span className="cell-secondary">{t("parties.channels.signed")}</span>
                    ) : null}
                  </td>
                  <th scope="row">
                    <span className="cell-primary">
                      <code>{c.address}</code>
                    </span>
                  </th>
                  <td>
                    {c.failing ? (
                      <>
                        <span className="badge badge--danger">
                          {t("parties.channels.failing", { count: c.failures })}
                        </span>
                        <span className="cell-secondary">
                          {t("parties.channels.failingSince", { when: formatDateTime(c.failingSince) })}
                        </span>
                      </>
                    ) : (
                      <span className="badge badge--ok">{t("parties.channels.healthy")}</span>
                    )}
                    {c.lastFailure ? (
                      <span className="cell-secondary">
                        {t("parties.channels.lastFailure")} {c.lastFailure}
                      </span>
                    ) : null}
                  </td>
                  {canManage ? (
                    <td className="nowrap">
                      <button
                        type="button"
                        className="button button--quiet button--small"
                        onClick={() => setEditing(c)}
                      >
                        {t("parties.channels.edit")}
                        <span className="visually-hidden"> {c.address}</span>
                      </button>
                      {c.failing || c.failures > 0 || c.lastFailure ? (
                        <button
                          type="button"
                          className="button button--quiet button--small"
                          onClick={() =>
                            void act(
                              () => api.post(`/parties/${party.id}/channels/${c.id}/reset`, {}),
                              t("parties.channels.resetDone", { address: c.address }),
                            )
                          }
                        >
                          {t("parties.channels.reset")}
                          <span className="visually-hidden"> {c.address}</span>
                        </button>
                      ) : null}
                      {c.kind === "webhook" ? (
                        <ConfirmButton
                          label={t("parties.channels.rotate")}
                          context={c.address}
                          confirmLabel={t("parties.channels.rotate.confirm")}
                          onConfirm={() => rotate(c)}
                        />
                      ) : null}
                      <ConfirmButton
                        label={t("parties.remove")}
                        context={c.address}
                        confirmLabel={t("parties.remove.confirm")}
                        onConfirm={() =>
                          act(
                            () => api.del(`/parties/${party.id}/channels/${c.id}`),
                            t("parties.channels.removed", { address: c.address }),
                          )
                        }
                      />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {canManage && editing ? (
        <EditChannelForm
          key={editing.id}
          partyId={party.id}
          channel={editing}
          onCancel={() => setEditing(null)}
          onSaved={async () => {
            setEditing(null);
            setNotice(t("parties.channels.saved"));
            await reload();
          }}
        />
      ) : null}
      {canManage ? (
        <AddChannelForm
          partyId={party.id}
          onAttempt={() => setNotice(null)}
          onAdded={async (out) => {
            setNotice(t("parties.channels.added", { address: out.channel.address }));
            if (out.secret) setSecret({ address: out.channel.address, secret: out.secret });
            await reload();
          }}
        />
      ) : null}
    </section>
  );
}

function checkAddressLocally(
  kind: string,
  address: string,
  t: (k: MessageKey) => string,
): string | undefined {
  const a = address.trim();
  if (!a) return t("parties.channels.address.required");
  if (kind === "email" && !looksLikeEmail(a)) return t("form.email.invalid");
  if (kind !== "email" && !/^https?:\/\/\S+$/i.test(a)) return t("parties.channels.address.url");
  return undefined;
}

function AddChannelForm({
  partyId,
  onAttempt,
  onAdded,
}: {
  partyId: string;
  onAttempt(): void;
  onAdded(out: NewChannelResponse): Promise<void>;
}) {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const titleId = useId();
  const [kind, setKind] = useState<string>("email");
  const [address, setAddress] = useState("");
  const [priority, setPriority] = useState("");
  const [errors, setErrors] = useState<{ address?: string; priority?: string }>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    onAttempt();
    const found = {
      address: checkAddressLocally(kind, address, t),
      priority:
        priority.trim() && !/^[0-9]+$/.test(priority.trim()) ? t("parties.number.invalid") : undefined,
    };
    setErrors(found);
    setProblem(null);
    if (found.address || found.priority) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      const out = await api.post<NewChannelResponse>(`/parties/${partyId}/channels`, {
        kind,
        address: address.trim(),
        ...(priority.trim() && { priority: Number(priority) }),
      });
      setAddress("");
      setPriority("");
      await onAdded(out);
    } catch (e) {
      setProblem(e);
      focusFirstInvalid(formRef.current);
    } finally {
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
      <h3 className="panel__title" id={titleId}>
        {t("parties.channels.add")}
      </h3>
      <ProblemAlert error={problem} />
      <div className="form__grid">
        <SelectField
          label={t("parties.channels.col.kind")}
          value={kind}
          onValueChange={setKind}
          options={CHANNEL_KINDS.map((k) => ({ value: k, label: t(`parties.channel.${k}` as MessageKey) }))}
        />
        <TextField
          label={t("parties.channels.col.address")}
          hint={t(`parties.channel.${kind}.hint` as MessageKey)}
          value={address}
          onValueChange={setAddress}
          error={errors.address ?? problemAt(problem, "address")}
          type={kind === "email" ? "email" : "url"}
          maxLength={PARTY_LIMITS.address}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          required
        />
        <TextField
          label={t("parties.channels.col.priority")}
          hint={t("parties.channels.priority.hint")}
          value={priority}
          onValueChange={setPriority}
          error={errors.priority ?? problemAt(problem, "priority")}
          inputMode="numeric"
          maxLength={5}
          autoComplete="off"
          optional
        />
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("parties.channels.add.submit")}
        </button>
      </div>
    </form>
  );
}

function EditChannelForm({
  partyId,
  channel,
  onCancel,
  onSaved,
}: {
  partyId: string;
  channel: PartyChannel;
  onCancel(): void;
  onSaved(): Promise<void>;
}) {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const titleId = useId();
  const titleRef = useFocusOnMount<HTMLHeadingElement>();
  const [address, setAddress] = useState(channel.address);
  const [priority, setPriority] = useState(String(channel.priority));
  const [errors, setErrors] = useState<{ address?: string; priority?: string }>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found = {
      address: checkAddressLocally(channel.kind, address, t),
      priority: !/^[0-9]+$/.test(priority.trim()) ? t("parties.number.invalid") : undefined,
    };
    setErrors(found);
    setProblem(null);
    if (found.address || found.priority) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      await api.patch(`/parties/${partyId}/channels/${channel.id}`, {
        address: address.trim(),
        priority: Number(priority),
      });
      await onSaved();
    } catch (e) {
      setProblem(e);
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
      <h3 className="panel__title" id={titleId} ref={titleRef} tabIndex={-1}>
        {t("parties.channels.edit.title", { kind: t(`parties.channel.${channel.kind}` as MessageKey) })}
      </h3>
      <ProblemAlert error={problem} />
      <div className="form__grid">
        <TextField
          label={t("parties.channels.col.address")}
          value={address}
          onValueChange={setAddress}
          error={errors.address ?? problemAt(problem, "address")}
          maxLength={PARTY_LIMITS.address}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          required
        />
        <TextField
          label={t("parties.channels.col.priority")}
          hint={t("parties.channels.priority.hint")}
          value={priority}
          onValueChange={setPriority}
          error={errors.priority ?? problemAt(problem, "priority")}
          inputMode="numeric"
          maxLength={5}
          autoComplete="off"
        />
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("parties.channels.edit.submit")}
        </button>
        <button type="button" className="button button--quiet" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

/** A webhook's secret, shown once: copy it now, it is never shown again. */
function SecretOnce({ address, secret, onDone }: { address: string; secret: string; onDone(): void }) {
  const { t } = useI18n();
  const inputId = useId();
  const input = useFocusOnMount<HTMLInputElement>();
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      setCopied("no");
    }
  }

  return (
    <div className="token-once" role="status">
      <p className="alert__title">{t("parties.secret.title", { address })}</p>
      <p>{t("parties.secret.once")}</p>
      <label className="field__label" htmlFor={inputId}>
        {t("parties.secret.value")}
      </label>
      <div className="copy">
        <input
          ref={input}
          id={inputId}
          className="input input--mono copy__input"
          readOnly
          value={secret}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
        />
        <button type="button" className="button button--secondary" onClick={() => void copy()}>
          {t("parties.secret.copy")}
        </button>
      </div>
      <p className="field__hint" aria-live="polite">
        {copied === "yes"
          ? t("parties.secret.copied")
          : copied === "no"
            ? t("parties.secret.copyFailed")
            : null}
      </p>
      <button type="button" className="button button--quiet button--small" onClick={onDone}>
        {t("parties.secret.done")}
      </button>
    </div>
  );
}

// ---------- registered from RDAP ----------

function ReviewSection({
  party,
  canManage,
  reload,
}: {
  party: PartyDetail;
  canManage: boolean;
  reload(): Promise<void>;
}) {
  const { t, formatDateTime } = useI18n();
  const headingId = useId();
  const [problem, setProblem] = useState<unknown>(null);
  const source = party.autoRegistered;
  if (!source) return null;

  async function review(): Promise<void> {
    setProblem(null);
    try {
      await api.post(`/parties/${party.id}/review`, {});
      await reload();
    } catch (error) {
      setProblem(error);
    }
  }

  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {t("parties.review.title")}
      </h2>
      <p className="section__intro">{t("parties.review.intro")}</p>
      <dl className="facts">
        <div className="facts__item">
          <dt>{t("parties.review.sourceUrl")}</dt>
          <dd className="mono">{source.sourceUrl ?? "—"}</dd>
        </div>
        <div className="facts__item">
          <dt>{t("parties.review.rawSha256")}</dt>
          <dd className="mono">{source.rawSha256 ?? "—"}</dd>
        </div>
        {party.reviewedAt ? (
          <div className="facts__item">
            <dt>{t("parties.review.reviewedAt")}</dt>
            <dd>{formatDateTime(party.reviewedAt)}</dd>
          </div>
        ) : null}
      </dl>
      <ProblemAlert error={problem} />
      {canManage && party.needsReview ? (
        <ConfirmButton
          label={t("parties.review.confirm")}
          confirmLabel={t("parties.review.confirmAgain")}
          onConfirm={review}
          secondary
        />
      ) : null}
    </section>
  );
}

// ---------- archive ----------

function ArchiveSection({ party, reload }: { party: PartyDetail; reload(): Promise<void> }) {
  const { t } = useI18n();
  const headingId = useId();
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  async function toggle(): Promise<void> {
    setProblem(null);
    setDone(null);
    try {
      await api.post(`/parties/${party.id}/${party.archived ? "restore" : "archive"}`, {});
      setDone(party.archived ? t("parties.restored") : t("parties.archivedDone"));
      await reload();
    } catch (error) {
      setProblem(error);
    }
  }

  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 className="section-title" id={headingId}>
        {party.archived ? t("parties.restore.title") : t("parties.archive.title")}
      </h2>
      <p className="section__intro">
        {party.archived ? t("parties.restore.intro") : t("parties.archive.intro")}
      </p>
      <ProblemAlert error={problem} />
      {done ? (
        <Alert tone="success">
          <p>{done}</p>
        </Alert>
      ) : null}
      <ConfirmButton
        label={party.archived ? t("parties.restore") : t("parties.archive")}
        confirmLabel={party.archived ? t("parties.restore.confirm") : t("parties.archive.confirm")}
        onConfirm={toggle}
        secondary
      />
    </section>
  );
}

/** Two clicks for what cannot simply be undone: the second button takes focus, Cancel gives it back. */
function ConfirmButton({
  label,
  context,
  confirmLabel,
  onConfirm,
  secondary = false,
}: {
  label: string;
  /** What the button acts on, for screen readers (the visible label stays in the name). */
  context?: string;
  confirmLabel: string;
  onConfirm(): Promise<void>;
  secondary?: boolean;
}) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const startButton = useReturnFocus<HTMLButtonElement>(confirming);
  if (!confirming) {
    return (
      <button
        ref={startButton}
        type="button"
        className={secondary ? "button button--secondary" : "button button--quiet button--small"}
        onClick={() => setConfirming(true)}
      >
        {label}
        {context ? <span className="visually-hidden"> {context}</span> : null}
      </button>
    );
  }
  return (
    <Confirm
      label={confirmLabel}
      busy={busy}
      onConfirm={async () => {
        setBusy(true);
        await onConfirm();
        setBusy(false);
        setConfirming(false);
      }}
      onCancel={() => setConfirming(false)}
      cancelLabel={t("common.cancel")}
    />
  );
}

function Confirm({
  label,
  busy,
  onConfirm,
  onCancel,
  cancelLabel,
}: {
  label: string;
  busy: boolean;
  onConfirm(): Promise<void>;
  onCancel(): void;
  cancelLabel: string;
}) {
  const button = useFocusOnMount<HTMLButtonElement>();
  return (
    <span className="confirm">
      <button
        ref={button}
        type="button"
        className="button button--danger button--small"
        aria-busy={busy || undefined}
        onClick={() => void onConfirm()}
      >
        {label}
      </button>
      <button type="button" className="button button--quiet button--small" onClick={onCancel}>
        {cancelLabel}
      </button>
    </span>
  );
}
