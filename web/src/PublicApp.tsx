// The public side of Vangrail: reporting, following a report and hashing photos on the
// reporter's own device, without an account. It never asks the server who is signed in and
// sets no cookies.
import { isDeviceHashPath, PUBLIC_STATUS_PATH, PublicLayout } from "./components/PublicLayout.tsx";
import { usePath } from "./lib/router.tsx";
import { DeviceHashPage } from "./pages/public/DeviceHashPage.tsx";
import { ReportPage } from "./pages/public/ReportPage.tsx";
import { ReportStatusPage } from "./pages/public/ReportStatusPage.tsx";

export function PublicApp() {
  const path = usePath();
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
