// The organisation's people and API tokens; adding people needs `users:manage`.
import { type FormEvent, useId, useRef, useState } from "react";
import { Alert, ProblemAlert } from "../components/Alert.tsx";
import { TableRegion } from "../components/DataTable.tsx";
import { CheckboxGroup, PasswordField, SelectField, TextField } from "../components/Field.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import { api, fieldProblem } from "../lib/api.ts";
import { useSession } from "../lib/auth.tsx";
import { useFocusOnMount, useReturnFocus } from "../lib/focus.ts";
import { type FieldErrors, focusFirstInvalid, hasErrors, looksLikeEmail } from "../lib/forms.ts";
import {
  EMAIL_MAX_LENGTH,
  NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  TOKEN_EXPIRY_CHOICES,
  TOKEN_NAME_MAX_LENGTH,
} from "../lib/limits.ts";
import type { ApiTokenItem, CreatedApiToken, ListResponse, User } from "../lib/types.ts";
import { ROLES, TOKEN_SCOPES } from "../lib/types.ts";
import { useResource } from "../lib/useResource.ts";

export function OrganisationPage() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <>
      <PageTitle title={t("organisation.title")}>{session.organisation.name}</PageTitle>
      <p className="lead">{t("organisation.intro")}</p>
      <MembersSection canManage={session.permissions.includes("users:manage")} />
      <TokensSection />
    </>
  );
}

function MembersSection({ canManage }: { canManage: boolean }) {
  const { t, tMaybe, formatDateTime } = useI18n();
  const [users, reload] = useResource<ListResponse<User>>("/users");
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<User | null>(null);
  const headingId = useId();
  const addButton = useReturnFocus<HTMLButtonElement>(adding, !added);

  return (
    <section className="section" aria-labelledby={headingId}>
      <div className="section__head">
        <h2 className="section-title" id={headingId}>
          {t("members.title")}
        </h2>
        {canManage && !adding ? (
          <button
            ref={addButton}
            type="button"
            className="button button--secondary"
            onClick={() => {
              setAdded(null);
              setAdding(true);
            }}
          >
            {t("members.add")}
          </button>
        ) : null}
      </div>

      {added ? (
        <Alert tone="success" focusOnMount>
          <p>{t("members.added", { name: added.displayName })}</p>
        </Alert>
      ) : null}

      {canManage && adding ? (
        <AddMemberForm
          onCancel={() => setAdding(false)}
          onAdded={(user) => {
            setAdding(false);
            setAdded(user);
            void reload();
          }}
        />
      ) : null}

      {users.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : null}
      {users.status === "failed" ? <ProblemAlert error={users.error} /> : null}
      {users.status === "ready" ? (
        users.data.items.length === 0 ? (
          <p className="empty">{t("members.empty")}</p>
        ) : (
          <TableRegion label={t("members.title")}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t("members.col.name")}</th>
                  <th scope="col">{t("members.col.role")}</th>
                  <th scope="col">{t("members.col.mfa")}</th>
                  <th scope="col">{t("members.col.status")}</th>
                  <th scope="col">{t("members.col.created")}</th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((user) => (
                  <tr key={user.id}>
                    <th scope="row">
                      <span className="cell-primary">{user.displayName}</span>
                      <span className="cell-secondary">{user.email}</span>
                    </th>
                    <td>{tMaybe(`role.${user.role}`, user.role)}</td>
                    <td>
                      <span className={user.mfaEnabled ? "badge badge--ok" : "badge badge--muted"}>
                        {user.mfaEnabled ? t("members.mfa.on") : t("members.mfa.off")}
                      </span>
                    </td>
                    <td>
                      <span className={user.locked ? "badge badge--danger" : "badge badge--ok"}>
                        {user.locked ? t("members.status.locked") : t("members.status.active")}
                      </span>
                    </td>
                    <td className="nowrap">{formatDateTime(user.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )
      ) : null}
    </section>
  );
}

type MemberField = "displayName" | "email" | "role" | "password";

function AddMemberForm({ onCancel, onAdded }: { onCancel(): void; onAdded(user: User): void }) {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const titleId = useId();
  const titleRef = useFocusOnMount<HTMLHeadingElement>();
  const [values, setValues] = useState<Record<MemberField, string>>({
    displayName: "",
    email: "",
    role: "analyst",
    password: "",
  });
  const [errors, setErrors] = useState<FieldErrors<MemberField>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (field: MemberField) => (value: string) => setValues((v) => ({ ...v, [field]: value }));

  async function handleSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found: FieldErrors<MemberField> = {};
    if (!values.displayName.trim()) found.displayName = t("form.displayName.required");
    if (!looksLikeEmail(values.email)) found.email = t("form.email.invalid");
    if (values.password.length < PASSWORD_MIN_LENGTH) {
      found.password = t("form.password.tooShort", { min: PASSWORD_MIN_LENGTH });
    }
    setErrors(found);
    setProblem(null);
    if (hasErrors(found)) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      const user = await api.post<User>("/users", {
        displayName: values.displayName.trim(),
        email: values.email.trim(),
        role: values.role,
        password: values.password,
      });
      onAdded(user);
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  }

  return (
    <form
      ref={formRef}
      noValidate
      onSubmit={(e) => void handleSubmit(e)}
      className="panel form"
      aria-labelledby={titleId}
    >
      <h3 className="panel__title" id={titleId} ref={titleRef} tabIndex={-1}>
        {t("members.add.title")}
      </h3>
      <ProblemAlert error={problem} />
      <div className="form__grid">
        <TextField
          label={t("form.displayName")}
          value={values.displayName}
          onValueChange={set("displayName")}
          error={errors.displayName ?? fieldProblem(problem, "displayName")}
          autoComplete="off"
          maxLength={NAME_MAX_LENGTH}
          required
        />
        <TextField
          label={t("form.email")}
          type="email"
          maxLength={EMAIL_MAX_LENGTH}
          value={values.email}
          onValueChange={set("email")}
          error={errors.email ?? fieldProblem(problem, "email")}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          required
        />
        <SelectField
          label={t("members.role")}
          value={values.role}
          onValueChange={set("role")}
          error={fieldProblem(problem, "role")}
          options={ROLES.map((role) => ({ value: role, label: t(`role.${role}`) }))}
        />
        <PasswordField
          label={t("members.password")}
          hint={t("members.password.hint", { min: PASSWORD_MIN_LENGTH })}
          value={values.password}
          onValueChange={set("password")}
          error={errors.password ?? fieldProblem(problem, "password")}
          autoComplete="new-password"
          maxLength={PASSWORD_MAX_LENGTH}
          required
        />
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("members.add.submit")}
        </button>
        <button type="button" className="button button--quiet" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

function tokenState(token: ApiTokenItem): "revoked" | "expired" | "active" {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= Date.now()) return "expired";
  return "active";
}

function TokensSection() {
  const { t, formatDateTime } = useI18n();
  const [tokens, reload] = useResource<ListResponse<ApiTokenItem>>("/tokens");
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const headingId = useId();
  const createButton = useReturnFocus<HTMLButtonElement>(creating, !created);

  async function revoke(token: ApiTokenItem): Promise<void> {
    setProblem(null);
    setRevoked(null);
    try {
      await api.del(`/tokens/${encodeURIComponent(token.id)}`);
      setRevoked(token.name);
      await reload();
    } catch (error) {
      setProblem(error);
    }
  }

  return (
    <section className="section" aria-labelledby={headingId}>
      <div className="section__head">
        <h2 className="section-title" id={headingId}>
          {t("tokens.title")}
        </h2>
        {!creating ? (
          <button
            ref={createButton}
            type="button"
            className="button button--secondary"
            onClick={() => {
              setCreated(null);
              setRevoked(null);
              setCreating(true);
            }}
          >
            {t("tokens.create")}
          </button>
        ) : null}
      </div>
      <p className="section__intro">{t("tokens.intro")}</p>

      {created ? <NewTokenNotice created={created} onDone={() => setCreated(null)} /> : null}
      {revoked ? (
        <Alert tone="success" focusOnMount>
          <p>{t("tokens.revoked", { name: revoked })}</p>
        </Alert>
      ) : null}
      <ProblemAlert error={problem} />

      {creating ? (
        <CreateTokenForm
          onCancel={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
            void reload();
          }}
        />
      ) : null}

      {tokens.status === "loading" ? (
        <p className="loading" role="status">
          {t("common.loading")}
        </p>
      ) : null}
      {tokens.status === "failed" ? <ProblemAlert error={tokens.error} /> : null}
      {tokens.status === "ready" ? (
        tokens.data.items.length === 0 ? (
          <p className="empty">{t("tokens.empty")}</p>
        ) : (
          <TableRegion label={t("tokens.title")}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t("tokens.col.name")}</th>
                  <th scope="col">{t("tokens.col.scopes")}</th>
                  <th scope="col">{t("tokens.col.created")}</th>
                  <th scope="col">{t("tokens.col.expires")}</th>
                  <th scope="col">{t("tokens.col.lastUsed")}</th>
                  <th scope="col">{t("tokens.col.status")}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t("tokens.col.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.items.map((token) => {
                  const state = tokenState(token);
                  return (
                    <tr key={token.id}>
                      <th scope="row">
                        <span className="cell-primary">{token.name}</span>
                      </th>
                      <td>
                        <ul className="chips chips--inline">
                          {token.scopes.map((scope) => (
                            <li key={scope} className="chip">
                              <code>{scope}</code>
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td className="nowrap">{formatDateTime(token.createdAt)}</td>
                      <td className="nowrap">
                        {token.expiresAt ? formatDateTime(token.expiresAt) : t("tokens.noExpiry")}
                      </td>
                      <td className="nowrap">{formatDateTime(token.lastUsedAt)}</td>
                      <td>
                        <span
                          className={
                            state === "active"
                              ? "badge badge--ok"
                              : state === "revoked"
                                ? "badge badge--danger"
                                : "badge badge--muted"
                          }
                        >
                          {t(`tokens.state.${state}`)}
                        </span>
                      </td>
                      <td className="nowrap">
                        {state === "revoked" ? null : (
                          <RevokeControl token={token} onRevoke={() => revoke(token)} />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableRegion>
        )
      ) : null}
    </section>
  );
}

/** Revoking is two clicks: the second button takes focus, Cancel gives it back. */
function RevokeControl({ token, onRevoke }: { token: ApiTokenItem; onRevoke(): Promise<void> }) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const startButton = useReturnFocus<HTMLButtonElement>(confirming);
  if (!confirming) {
    return (
      <button
        ref={startButton}
        type="button"
        className="button button--quiet button--small"
        aria-label={t("tokens.revoke.label", { name: token.name })}
        onClick={() => setConfirming(true)}
      >
        {t("tokens.revoke")}
      </button>
    );
  }
  return (
    <ConfirmRevoke
      busy={busy}
      onConfirm={async () => {
        setBusy(true);
        await onRevoke();
        setBusy(false);
        setConfirming(false);
      }}
      onCancel={() => setConfirming(false)}
    />
  );
}

function ConfirmRevoke({
  busy,
  onConfirm,
  onCancel,
}: {
  busy: boolean;
  onConfirm(): Promise<void>;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const confirmButton = useFocusOnMount<HTMLButtonElement>();
  return (
    <span className="confirm">
      <button
        ref={confirmButton}
        type="button"
        className="button button--danger button--small"
        aria-busy={busy || undefined}
        onClick={() => void onConfirm()}
      >
        {t("tokens.revoke.confirm")}
      </button>
      <button type="button" className="button button--quiet button--small" onClick={onCancel}>
        {t("common.cancel")}
      </button>
    </span>
  );
}

type TokenField = "name" | "scopes";

function CreateTokenForm({
  onCancel,
  onCreated,
}: {
  onCancel(): void;
  onCreated(result: CreatedApiToken): void;
}) {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const titleId = useId();
  const titleRef = useFocusOnMount<HTMLHeadingElement>();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["org:read"]);
  const [expiry, setExpiry] = useState("90");
  const [errors, setErrors] = useState<FieldErrors<TokenField>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    if (busy) return;
    const found: FieldErrors<TokenField> = {};
    if (!name.trim()) found.name = t("tokens.name.required");
    if (scopes.length === 0) found.scopes = t("tokens.scopes.required");
    setErrors(found);
    setProblem(null);
    if (hasErrors(found)) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBusy(true);
    try {
      const ordered = TOKEN_SCOPES.filter((scope) => scopes.includes(scope));
      const body: { name: string; scopes: string[]; expiresInDays?: number } = {
        name: name.trim(),
        scopes: ordered,
      };
      if (expiry !== "never") body.expiresInDays = Number(expiry);
      onCreated(await api.post<CreatedApiToken>("/tokens", body));
    } catch (error) {
      setProblem(error);
      setBusy(false);
    }
  }

  return (
    <form
      ref={formRef}
      noValidate
      onSubmit={(e) => void handleSubmit(e)}
      className="panel form"
      aria-labelledby={titleId}
    >
      <h3 className="panel__title" id={titleId} ref={titleRef} tabIndex={-1}>
        {t("tokens.create.title")}
      </h3>
      <ProblemAlert error={problem} />
      <div className="form__grid">
        <TextField
          label={t("tokens.name")}
          hint={t("tokens.name.hint")}
          value={name}
          onValueChange={setName}
          error={errors.name ?? fieldProblem(problem, "name")}
          autoComplete="off"
          maxLength={TOKEN_NAME_MAX_LENGTH}
          required
        />
        <SelectField
          label={t("tokens.expiry")}
          value={expiry}
          onValueChange={setExpiry}
          error={fieldProblem(problem, "expiresInDays")}
          options={[
            ...TOKEN_EXPIRY_CHOICES.map((days) => ({
              value: String(days),
              label: t("tokens.expiry.days", { days }),
            })),
            { value: "never", label: t("tokens.expiry.never") },
          ]}
        />
      </div>
      <CheckboxGroup
        legend={t("tokens.scopes")}
        hint={t("tokens.scopes.hint")}
        error={errors.scopes ?? fieldProblem(problem, "scopes")}
        values={scopes}
        onValuesChange={setScopes}
        options={TOKEN_SCOPES.map((scope) => ({
          value: scope,
          label: scope,
          description: t(`scope.${scope}`),
        }))}
      />
      <div className="form__actions">
        <button type="submit" className="button button--primary" aria-busy={busy || undefined}>
          {busy ? t("form.busy") : t("tokens.create.submit")}
        </button>
        <button type="button" className="button button--quiet" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}

function NewTokenNotice({ created, onDone }: { created: CreatedApiToken; onDone(): void }) {
  const { t } = useI18n();
  const inputId = useId();
  const input = useFocusOnMount<HTMLInputElement>();
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied("yes");
    } catch {
      setCopied("no");
    }
  }

  return (
    <div className="token-once" role="status">
      <p className="alert__title">{t("tokens.createdTitle", { name: created.item.name })}</p>
      <p>{t("tokens.once")}</p>
      <label className="field__label" htmlFor={inputId}>
        {t("tokens.value")}
      </label>
      <div className="copy">
        <input
          ref={input}
          id={inputId}
          className="input input--mono copy__input"
          readOnly
          value={created.token}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
        />
        <button type="button" className="button button--secondary" onClick={() => void copy()}>
          {t("tokens.copy")}
        </button>
      </div>
      <p className="field__hint" aria-live="polite">
        {copied === "yes"
          ? t("tokens.copied")
          : copied === "no"
            ? t("tokens.copyFailed")
            : t("tokens.copyHint")}
      </p>
      <button type="button" className="button button--quiet button--small" onClick={onDone}>
        {t("tokens.done")}
      </button>
    </div>
  );
}
