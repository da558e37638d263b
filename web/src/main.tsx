// Entry point of the Vangrail web front end: the public pages (report, status) stand on their
// own; everything else is the signed-in app behind AuthProvider.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { isPublicPath } from "./components/PublicLayout.tsx";
import { I18nProvider } from "./i18n/index.tsx";
import { AuthProvider } from "./lib/auth.tsx";
import { usePath } from "./lib/router.tsx";
import { PublicApp } from "./PublicApp.tsx";
import "./styles.css";

function Root() {
  const path = usePath();
  if (isPublicPath(path)) return <PublicApp />;
  return (
    <AuthProvider>
      <App />
    </AuthProvider>
  );
}

const container = document.getElementById("root");
if (!container) throw new Error("Vangrail: #root element missing from index.html");

createRoot(container).render(
  <StrictMode>
    <I18nProvider>
      <Root />
    </I18nProvider>
  </StrictMode>,
);
