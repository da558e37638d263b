// Entry point of the Vangrail web front end.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { I18nProvider } from "./i18n/index.tsx";
import { AuthProvider } from "./lib/auth.tsx";
import "./styles.css";

const container = document.getElementById("root");
if (!container) throw new Error("Vangrail: #root element missing from index.html");

createRoot(container).render(
  <StrictMode>
    <I18nProvider>
      <AuthProvider>
        <App />
      </AuthProvider>
    </I18nProvider>
  </StrictMode>,
);
