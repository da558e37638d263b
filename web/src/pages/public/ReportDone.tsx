// After sending: thanks, the help routes for these answers (urgent first and prominent), and
// the two codes to follow the report, large and easy to write down or copy.
import { useId, useState } from "react";
import { HelpRouteCard, HelpRouteList } from "../../components/HelpRoutes.tsx";
import { PageTitle } from "../../components/PageTitle.tsx";
import { useI18n } from "../../i18n/index.tsx";
import { handOffCodes, type ReportReceipt } from "../../lib/report.ts";
import { Link } from "../../lib/router.tsx";

export function ReportDone({
  receipt,
  aboutThemself,
  onAnother,
}: {
  receipt: ReportReceipt;
  /** The reporter is the person it happened to: they hear that it is not their fault. */
  aboutThemself: boolean;
  onAnother(): void;
}) {
  const { t, locale } = useI18n();
  const urgent = receipt.helpRoutes.filter((r) => r.urgent);
  const other = receipt.helpRoutes.filter((r) => !r.urgent);
  const helpId = useId();
  const codesId = useId();

  return (
    <>
      <PageTitle title={t("report.done.title")}>
        <span className="done-mark" aria-hidden="true">
          ✓
        </span>
        {t("report.done.title")}
      </PageTitle>
      <p className="lead">
        {t("report.done.thanks")}
        {aboutThemself ? ` ${t("report.done.notYourFault")}` : null}
      </p>
      <p>
        <a href={`#${codesId}`} className="text-link">
          {t("report.done.toCodes")}
        </a>
      </p>

      {urgent.length > 0 ? (
        <section className="done-section done-section--urgent" aria-labelledby={`${helpId}-urgent`}>
          <h2 className="done-section__title" id={`${helpId}-urgent`}>
            {t("report.done.urgentTitle")}
          </h2>
          <ul className="help-list">
            {urgent.map((route) => (
              <li key={route.id}>
                <HelpRouteCard route={route} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {other.length > 0 ? (
        <section className="done-section" aria-labelledby={`${helpId}-other`}>
          <h2 className="done-section__title" id={`${helpId}-other`}>
            {t("report.done.helpTitle")}
          </h2>
          <HelpRouteList routes={other} />
        </section>
      ) : null}

      <Codes id={codesId} receipt={receipt.receipt} secret={receipt.secret} />

      <section className="done-section" aria-labelledby={`${helpId}-next`}>
        <h2 className="done-section__title" id={`${helpId}-next`}>
          {t("report.done.nextTitle")}
        </h2>
        <p>{t("report.done.nextText")}</p>
        <div className="form__actions">
          <Link
            to="/status"
            className="button button--primary"
            onClick={() => handOffCodes({ receipt: receipt.receipt, secret: receipt.secret })}
          >
            {t("report.done.statusLink")}
          </Link>
          <button type="button" className="button button--quiet" onClick={onAnother}>
            {t("report.done.another")}
          </button>
        </div>
        <p className="done-hashes">
          {t("report.done.hashesText")}{" "}
          <Link
            to={locale === "en" ? "/hashes" : "/hashen"}
            className="text-link"
            onClick={() => handOffCodes({ receipt: receipt.receipt, secret: receipt.secret })}
          >
            {t("report.done.hashesLink")}
          </Link>
        </p>
      </section>
    </>
  );
}

function Codes({ id, receipt, secret }: { id: string; receipt: string; secret: string }) {
  const { t } = useI18n();
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  async function copyCodes(): Promise<void> {
    const text = `${t("report.done.receipt")}: ${receipt}\n${t("report.done.secret")}: ${secret}`;
    try {
      await navigator.clipboard.writeText(text);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
  }

  return (
    <section className="codes" id={id} aria-labelledby={`${id}-title`} tabIndex={-1}>
      <h2 className="codes__title" id={`${id}-title`}>
        {t("report.done.codesTitle")}
      </h2>
      <p className="codes__lead">{t("report.done.codesText")}</p>
      <dl className="codes__list">
        <div className="codes__item">
          <dt>{t("report.done.receipt")}</dt>
          <dd>
            <code className="code-display" data-testid="receipt">
              {receipt}
            </code>
          </dd>
        </div>
        <div className="codes__item">
          <dt>{t("report.done.secret")}</dt>
          <dd>
            <code className="code-display" data-testid="secret">
              {secret}
            </code>
          </dd>
        </div>
      </dl>
      <p className="codes__hint">{t("report.done.secretHint")}</p>
      <div className="form__actions">
        <button type="button" className="button button--secondary" onClick={() => void copyCodes()}>
          {t("report.done.copy")}
        </button>
        <span className="codes__copied" role="status">
          {copy === "copied" ? t("report.done.copied") : copy === "failed" ? t("report.done.copyFailed") : ""}
        </span>
      </div>
    </section>
  );
}
