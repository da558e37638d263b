// Labelled form controls: every field has a visible label, an optional hint and an
// error wired up with aria-describedby / aria-invalid.
import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
  useState,
} from "react";
import { useI18n } from "../i18n/index.tsx";

interface FieldFrameProps {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  optional?: boolean | undefined;
  children: ReactNode;
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

function FieldFrame({ id, label, hint, error, optional, children }: FieldFrameProps) {
  const { t } = useI18n();
  return (
    <div className={error ? "field field--invalid" : "field"}>
      <label className="field__label" htmlFor={id}>
        {label}
        {optional ? <span className="field__optional"> ({t("form.optional")})</span> : null}
      </label>
      {hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          <span className="visually-hidden">{t("form.errorPrefix")} </span>
          {error}
        </p>
      ) : null}
      {children}
    </div>
  );
}

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "onChange" | "value" | "id"> & {
  label: string;
  value: string;
  onValueChange(value: string): void;
  hint?: ReactNode;
  error?: string | undefined;
  optional?: boolean | undefined;
  id?: string | undefined;
};

export function TextField({
  label,
  value,
  onValueChange,
  hint,
  error,
  optional,
  id: givenId,
  className,
  ...input
}: TextFieldProps) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} optional={optional}>
      <input
        id={id}
        className={className ? `input ${className}` : "input"}
        value={value}
        onChange={(e) => onValueChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...input}
      />
    </FieldFrame>
  );
}

type TextAreaFieldProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "onChange" | "value" | "id"> & {
  label: string;
  value: string;
  onValueChange(value: string): void;
  hint?: ReactNode;
  error?: string | undefined;
  optional?: boolean | undefined;
  id?: string | undefined;
  /** Shown under the box, e.g. "120 of 10,000 characters"; announced politely. */
  counter?: string | undefined;
};

export function TextAreaField({
  label,
  value,
  onValueChange,
  hint,
  error,
  optional,
  id: givenId,
  counter,
  className,
  ...textarea
}: TextAreaFieldProps) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} optional={optional}>
      <textarea
        id={id}
        className={className ? `input textarea ${className}` : "input textarea"}
        value={value}
        onChange={(e) => onValueChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...textarea}
      />
      {counter ? <p className="field__counter">{counter}</p> : null}
    </FieldFrame>
  );
}

type PasswordFieldProps = Omit<TextFieldProps, "type">;

export function PasswordField({
  label,
  value,
  onValueChange,
  hint,
  error,
  id: givenId,
  ...input
}: PasswordFieldProps) {
  const { t } = useI18n();
  const autoId = useId();
  const id = givenId ?? autoId;
  const [visible, setVisible] = useState(false);
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error}>
      <div className="password">
        <input
          id={id}
          className="input password__input"
          type={visible ? "text" : "password"}
          value={value}
          onChange={(e) => onValueChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(id, hint, error)}
          spellCheck={false}
          autoCapitalize="off"
          {...input}
        />
        <button
          type="button"
          className="password__toggle"
          aria-pressed={visible}
          aria-controls={id}
          onClick={() => setVisible((v) => !v)}
        >
          {t("form.showPassword")}
        </button>
      </div>
    </FieldFrame>
  );
}

interface Option {
  value: string;
  label: string;
}

type SelectFieldProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, "onChange" | "value" | "id"> & {
  label: string;
  value: string;
  onValueChange(value: string): void;
  options: readonly Option[];
  hint?: ReactNode;
  error?: string | undefined;
  id?: string | undefined;
};

export function SelectField({
  label,
  value,
  onValueChange,
  options,
  hint,
  error,
  id: givenId,
  ...select
}: SelectFieldProps) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error}>
      <select
        id={id}
        className="input select"
        value={value}
        onChange={(e) => onValueChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...select}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

interface CheckboxGroupProps {
  legend: string;
  hint?: ReactNode;
  error?: string | undefined;
  options: readonly (Option & { description?: string })[];
  values: readonly string[];
  onValuesChange(values: string[]): void;
}

export function CheckboxGroup({ legend, hint, error, options, values, onValuesChange }: CheckboxGroupProps) {
  const id = useId();
  return (
    <fieldset
      className={error ? "fieldset field--invalid" : "fieldset"}
      aria-describedby={describedBy(id, hint, error)}
    >
      <legend className="field__label">{legend}</legend>
      {hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <div className="checks">
        {options.map((option) => {
          const optionId = `${id}-${option.value}`;
          const checked = values.includes(option.value);
          return (
            <div className="check" key={option.value}>
              <input
                type="checkbox"
                id={optionId}
                className="check__input"
                checked={checked}
                aria-describedby={option.description ? `${optionId}-desc` : undefined}
                onChange={() =>
                  onValuesChange(
                    checked ? values.filter((v) => v !== option.value) : [...values, option.value],
                  )
                }
              />
              <label htmlFor={optionId} className="check__label">
                <span className="check__name">{option.label}</span>
                {option.description ? (
                  <span className="check__desc" id={`${optionId}-desc`}>
                    {option.description}
                  </span>
                ) : null}
              </label>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
