// The page's <h1>. It sets document.title and takes focus after client-side
// navigation so screen readers announce the new page.
import { type ReactNode, useEffect, useRef } from "react";
import { useI18n } from "../i18n/index.tsx";

let firstTitleRendered = false;

export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  const { t } = useI18n();
  const ref = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = `${title} · ${t("app.name")}`;
  }, [title, t]);

  useEffect(() => {
    // Not on first load: the browser already starts at the top of the page.
    if (firstTitleRendered) ref.current?.focus({ preventScroll: false });
    firstTitleRendered = true;
  }, []);

  return (
    <h1 className="page-title" tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}
