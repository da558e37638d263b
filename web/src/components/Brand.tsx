// The Vangrail mark: a guard rail, two rails over two posts.
import { useI18n } from "../i18n/index.tsx";

export function BrandMark({ size = 32 }: { size?: number }) {
  return (
    <svg
      className="brand__mark"
      width={size}
      height={size}
      viewBox="0 0 32 32"
      aria-hidden="true"
      focusable="false"
    >
      <rect width="32" height="32" rx="7" fill="#17505e" />
      <path d="M6 12.5h20M6 19.5h20" stroke="#ffffff" strokeWidth="2.6" strokeLinecap="round" />
      <path d="M10 9v15M22 9v15" stroke="#9fd3cf" strokeWidth="2.6" strokeLinecap="round" />
    </svg>
  );
}

export function BrandName() {
  const { t } = useI18n();
  return (
    <span className="brand">
      <BrandMark />
      <span className="brand__name">{t("app.name")}</span>
    </span>
  );
}
