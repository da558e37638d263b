// Big, calm choices for the public form: each option is a whole card that can be tapped,
// with a title and an optional explanation. Radio groups and check lists share the look.
import { type ReactNode, useId } from "react";
import { useI18n } from "../i18n/index.tsx";

export interface ChoiceOption {
  value: string;
  label: ReactNode;
  description?: ReactNode;
  /** Shown right under this option when it is chosen, e.g. help for an urgent answer. */
  after?: ReactNode;
}

interface GroupFrameProps {
  id: string;
  legend: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  large?: boolean | undefined;
  children: ReactNode;
}

function GroupFrame({ id, legend, hint, error, large, children }: GroupFrameProps) {
  const { t } = useI18n();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <fieldset
      className={error ? "fieldset choice-group field--invalid" : "fieldset choice-group"}
      aria-describedby={describedBy || undefined}
    >
      <legend className={large ? "choice-group__legend choice-group__legend--large" : "choice-group__legend"}>
        {legend}
      </legend>
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
      <div className="choices">{children}</div>
    </fieldset>
  );
}

interface RadioCardsProps {
  name: string;
  legend: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  options: readonly ChoiceOption[];
  value: string;
  onValueChange(value: string): void;
  large?: boolean | undefined;
}

export function RadioCards({
  name,
  legend,
  hint,
  error,
  options,
  value,
  onValueChange,
  large,
}: RadioCardsProps) {
  const id = useId();
  return (
    <GroupFrame id={id} legend={legend} hint={hint} error={error} large={large}>
      {options.map((option) => {
        const optionId = `${id}-${option.value}`;
        return (
          <div className="choice-slot" key={option.value}>
            <label className="choice" htmlFor={optionId}>
              <input
                type="radio"
                id={optionId}
                name={name}
                className="choice__input"
                value={option.value}
                checked={value === option.value}
                aria-invalid={error ? true : undefined}
                aria-describedby={option.description ? `${optionId}-desc` : undefined}
                onChange={() => onValueChange(option.value)}
              />
              <span className="choice__text">
                <span className="choice__title">{option.label}</span>
                {option.description ? (
                  <span className="choice__desc" id={`${optionId}-desc`}>
                    {option.description}
                  </span>
                ) : null}
              </span>
            </label>
            {value === option.value && option.after ? option.after : null}
          </div>
        );
      })}
    </GroupFrame>
  );
}

interface CheckCardsProps {
  legend: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  options: readonly ChoiceOption[];
  values: Readonly<Record<string, boolean>>;
  onToggle(value: string, checked: boolean): void;
}

export function CheckCards({ legend, hint, error, options, values, onToggle }: CheckCardsProps) {
  const id = useId();
  return (
    <GroupFrame id={id} legend={legend} hint={hint} error={error}>
      {options.map((option) => {
        const optionId = `${id}-${option.value}`;
        const checked = values[option.value] === true;
        return (
          <div className="choice-slot" key={option.value}>
            <label className="choice" htmlFor={optionId}>
              <input
                type="checkbox"
                id={optionId}
                className="choice__input choice__input--check"
                checked={checked}
                aria-describedby={option.description ? `${optionId}-desc` : undefined}
                onChange={(e) => onToggle(option.value, e.target.checked)}
              />
              <span className="choice__text">
                <span className="choice__title">{option.label}</span>
                {option.description ? (
                  <span className="choice__desc" id={`${optionId}-desc`}>
                    {option.description}
                  </span>
                ) : null}
              </span>
            </label>
            {/* Always present, so screen readers announce the help the moment it appears. */}
            {option.after !== undefined ? (
              <div className="choice__after" aria-live="polite">
                {checked ? option.after : null}
              </div>
            ) : null}
          </div>
        );
      })}
    </GroupFrame>
  );
}

/** One checkbox as a card, e.g. "I want to be contacted" or the consent. */
export function CheckCard({
  label,
  description,
  checked,
  onCheckedChange,
  error,
  id: givenId,
}: {
  label: ReactNode;
  description?: ReactNode;
  checked: boolean;
  onCheckedChange(checked: boolean): void;
  error?: string | undefined;
  id?: string | undefined;
}) {
  const { t } = useI18n();
  const autoId = useId();
  const id = givenId ?? autoId;
  const describedBy = [description ? `${id}-desc` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={error ? "field field--invalid" : "field"}>
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          <span className="visually-hidden">{t("form.errorPrefix")} </span>
          {error}
        </p>
      ) : null}
      <label className="choice" htmlFor={id}>
        <input
          type="checkbox"
          id={id}
          className="choice__input choice__input--check"
          checked={checked}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy || undefined}
          onChange={(e) => onCheckedChange(e.target.checked)}
        />
        <span className="choice__text">
          <span className="choice__title">{label}</span>
          {description ? (
            <span className="choice__desc" id={`${id}-desc`}>
              {description}
            </span>
          ) : null}
        </span>
      </label>
    </div>
  );
}
