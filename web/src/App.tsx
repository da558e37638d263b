// Routing: the sign-in state decides which pages exist; the path picks among them.
import { type ComponentType, type ReactNode, useEffect, useRef } from "react";
import { AppLayout } from "./components/AppLayout.tsx";
import { useAuth } from "./lib/auth.tsx";
import { CASE_PATH } from "./lib/cases.ts";
import {
  COORDINATION_PATH,
  ENFORCEMENT_PATH,
  ENFORCEMENT_REQUEST_PATH,
  PORTAL_PATH,
  PORTAL_REQUEST_PATH,
} from "./lib/enforcement.ts";
import { PARTIES_IMPORT_PATH, PARTIES_PATH, PARTY_PATH } from "./lib/parties.ts";
import { FIGURES_PATH } from "./lib/reporting.ts";
import { navigate, usePath } from "./lib/router.tsx";
import { AuditPage } from "./pages/AuditPage.tsx";
import { CasePage } from "./pages/CasePage.tsx";
import { CasesPage } from "./pages/CasesPage.tsx";
import { CoordinationPage, EnforcementListPage, PortalListPage } from "./pages/EnforcementPage.tsx";
import { EnforcementRequestPage } from "./pages/EnforcementRequestPage.tsx";
import { FiguresPage } from "./pages/figures/FiguresPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { MfaEnrolPage } from "./pages/MfaEnrolPage.tsx";
import { MfaVerifyPage } from "./pages/MfaVerifyPage.tsx";
import { OrganisationPage } from "./pages/OrganisationPage.tsx";
import { OverviewPage } from "./pages/OverviewPage.tsx";
import { PartiesImportPage } from "./pages/PartiesImportPage.tsx";
import { PartiesPage } from "./pages/PartiesPage.tsx";
import { PartyPage } from "./pages/PartyPage.tsx";
import { SetupPage } from "./pages/SetupPage.tsx";
import { LoadingPage, NotFoundPage, UnavailablePage } from "./pages/StatusPages.tsx";

const PATHS = {
  setup: "/setup",
  login: "/login",
  mfaVerify: "/login/mfa",
  mfaEnrol: "/login/mfa/enrol",
  overview: "/",
  organisation: "/organisation",
  audit: "/audit",
  cases: "/cases",
} as const;

const APP_PAGES: Record<string, ComponentType> = {
  [PATHS.overview]: OverviewPage,
  [PATHS.organisation]: OrganisationPage,
  [PATHS.audit]: AuditPage,
  [PATHS.cases]: CasesPage,
  [PARTIES_PATH]: PartiesPage,
  [PARTIES_IMPORT_PATH]: PartiesImportPage,
  [ENFORCEMENT_PATH]: EnforcementListPage,
  [COORDINATION_PATH]: CoordinationPage,
  [PORTAL_PATH]: PortalListPage,
  [FIGURES_PATH]: FiguresPage,
};

/** The page for a path: a fixed page, one case or one party by its id; null when there is none. */
function pageFor(path: string): ReactNode {
  const Page = APP_PAGES[path];
  if (Page) return <Page />;
  const caseId = CASE_PATH.exec(path)?.[1];
  if (caseId) return <CasePage key={caseId} id={caseId} />;
  const partyId = PARTY_PATH.exec(path)?.[1];
  if (partyId) return <PartyPage key={partyId} id={partyId} />;
  const requestId = ENFORCEMENT_REQUEST_PATH.exec(path)?.[1];
  if (requestId) return <EnforcementRequestPage key={requestId} id={requestId} portal={false} />;
  const portalId = PORTAL_REQUEST_PATH.exec(path)?.[1];
  if (portalId) return <EnforcementRequestPage key={portalId} id={portalId} portal={true} />;
  return null;
}

const SIGN_IN_PATHS: readonly string[] = [PATHS.setup, PATHS.login, PATHS.mfaVerify, PATHS.mfaEnrol];

/** Puts the address bar where the page shown actually lives. */
function useCanonicalPath(expected: string | null): void {
  const path = usePath();
  useEffect(() => {
    if (expected !== null && path !== expected) navigate(expected, { replace: true });
  }, [expected, path]);
}

export function App() {
  const { state, reload } = useAuth();
  const path = usePath();
  // Where a signed-out person was heading, to return there after sign-in.
  const returnTo = useRef<string | null>(null);
  const remember =
    (state.status === "anonymous" && state.notice === null) || state.status === "loading" ? path : null;
  useEffect(() => {
    if (remember && remember !== PATHS.overview && pageFor(remember)) {
      // Filters of the queue come back too.
      returnTo.current = remember + window.location.search;
    }
  }, [remember]);

  let expected: string | null = null;
  if (state.status === "setup") expected = PATHS.setup;
  else if (state.status === "anonymous") expected = PATHS.login;
  else if (state.status === "signed-in") {
    if (state.stage === "mfa_verify") expected = PATHS.mfaVerify;
    else if (state.stage === "mfa_enrol") expected = PATHS.mfaEnrol;
    else if (SIGN_IN_PATHS.includes(path)) {
      expected = returnTo.current ?? PATHS.overview;
    }
  }
  useCanonicalPath(expected);
  useEffect(() => {
    if (
      state.status === "signed-in" &&
      state.stage === "complete" &&
      returnTo.current?.split("?")[0] === path
    ) {
      returnTo.current = null;
    }
  }, [state, path]);

  switch (state.status) {
    case "loading":
      return <LoadingPage />;
    case "unavailable":
      return <UnavailablePage error={state.error} onRetry={() => void reload()} />;
    case "setup":
      return <SetupPage />;
    case "anonymous":
      return <LoginPage notice={state.notice} email={state.email} />;
    case "signed-in": {
      if (state.stage === "mfa_verify") return <MfaVerifyPage />;
      if (state.stage === "mfa_enrol") return <MfaEnrolPage />;
      if (!state.session) {
        return <UnavailablePage error={null} onRetry={() => void reload()} />;
      }
      if (SIGN_IN_PATHS.includes(path)) return <LoadingPage />;
      return <AppLayout>{pageFor(path) ?? <NotFoundPage />}</AppLayout>;
    }
  }
}
