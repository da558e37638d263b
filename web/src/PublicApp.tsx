// The public side of Vangrail: reporting, following a report and hashing photos on the
// reporter's own device, and a platform answering a notice, without an account. It never asks
// the server who is signed in and sets no cookies.
import { isDeviceHashPath, PUBLIC_STATUS_PATH, PublicLayout } from "./components/PublicLayout.tsx";
import { RespondLayout } from "./components/RespondLayout.tsx";
import { RESPOND_PATH } from "./lib/notices.ts";
import { isTransparencyPath } from "./lib/reporting.ts";
import { usePath } from "./lib/router.tsx";
import { DeviceHashPage } from "./pages/public/DeviceHashPage.tsx";
import { ReportPage } from "./pages/public/ReportPage.tsx";
import { ReportStatusPage } from "./pages/public/ReportStatusPage.tsx";
import { RespondPage } from "./pages/public/RespondPage.tsx";
import { TransparencyPage } from "./pages/public/TransparencyPage.tsx";

export function PublicApp() {
  const path = usePath();
  if (isTransparencyPath(path)) return <TransparencyPage />;
  const respond = RESPOND_PATH.exec(path);
  if (respond)
    return (
      <RespondLayout>
        <RespondPage key={respond[1]} token={respond[1] ?? ""} />
      </RespondLayout>
    );
  return (
    <PublicLayout>
      {path === PUBLIC_STATUS_PATH ? (
        <ReportStatusPage />
      ) : isDeviceHashPath(path) ? (
        <DeviceHashPage />
      ) : (
        <ReportPage />
      )}
    </PublicLayout>
  );
}
