// Pages for the in-between moments: loading, server unreachable, unknown address.
import { ProblemAlert } from "../components/Alert.tsx";
import { AuthLayout } from "../components/AuthLayout.tsx";
import { PageTitle } from "../components/PageTitle.tsx";
import { useI18n } from "../i18n/index.tsx";
import { Link } from "../lib/router.tsx";

export function LoadingPage() {
  const { t } = useI18n();
  return (
    <div className="boot" role="status" aria-live="polite">
      <span className="boot__spinner" aria-hidden="true" />
      <span>{t("common.loading")}</span>
    </div>
  );
}

export function UnavailablePage({ error, onRetry }: { error: unknown; onRetry(): void }) {
  const { t } = useI18n();
  return (
    <AuthLayout>
      <PageTitle title={t("unavailable.title")}>{t("unavailable.title")}</PageTitle>
      <p className="lead">{t("unavailable.text")}</p>
      <ProblemAlert error={error} />
      <button type="button" className="button button--primary" onClick={onRetry}>
        {t("common.retry")}
      </button>
    </AuthLayout>
  );
}

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <>
      <PageTitle title={t("notFound.title")}>{t("notFound.title")}</PageTitle>
      <p className="lead">{t("notFound.text")}</p>
      <p>
        <Link to="/" className="text-link">
          {t("notFound.home")}
        </Link>
      </p>
    </>
  );
}
