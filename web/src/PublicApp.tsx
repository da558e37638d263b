// The public side of Vangrail: reporting and following a report, without an account. It never
// asks the server who is signed in and sets no cookies.
import { PUBLIC_STATUS_PATH, PublicLayout } from "./components/PublicLayout.tsx";
import { usePath } from "./lib/router.tsx";
import { ReportPage } from "./pages/public/ReportPage.tsx";
import { ReportStatusPage } from "./pages/public/ReportStatusPage.tsx";

export function PublicApp() {
  const path = usePath();
  return <PublicLayout>{path === PUBLIC_STATUS_PATH ? <ReportStatusPage /> : <ReportPage />}</PublicLayout>;
}
