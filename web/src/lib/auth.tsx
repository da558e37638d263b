// Who is signed in, and how far: first-run setup, signed out, part-way through
// MFA, or complete. Pages ask this context; App routes on it.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { ApiError, api, setCsrfToken, setUnauthorizedHandler } from "./api.ts";
import type { Session, SetupStatus, Stage } from "./types.ts";

export type AuthState =
  | { status: "loading" }
  | { status: "unavailable"; error: ApiError }
  | { status: "setup" }
  | { status: "anonymous"; notice: AnonymousNotice | null; email: string }
  | { status: "signed-in"; stage: Stage; session: Session | null };

export type AnonymousNotice = "setup-complete" | "signed-out" | "session-expired";

export interface Auth {
  state: AuthState;
  /** Re-reads setup status and session from the server. */
  reload(): Promise<void>;
  /** After POST /auth/login, /auth/mfa/verify or /auth/mfa/enrol/confirm. */
  advance(stage: Stage): Promise<void>;
  setupCompleted(email: string): void;
  logout(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

async function fetchSession(): Promise<Session | null> {
  try {
    return await api.get<Session>("/auth/session");
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
    throw error;
  }
}

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError({ status: 0, code: "network_error" });
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: "loading" });

  const applySession = useCallback((session: Session | null, notice: AnonymousNotice | null = null) => {
    setCsrfToken(session?.csrfToken ?? null);
    setState(
      session
        ? { status: "signed-in", stage: session.stage, session }
        : { status: "anonymous", notice, email: "" },
    );
  }, []);

  const reload = useCallback(async () => {
    try {
      const setup = await api.get<SetupStatus>("/setup/status");
      if (setup.needed) {
        setCsrfToken(null);
        setState({ status: "setup" });
        return;
      }
      applySession(await fetchSession());
    } catch (error) {
      setState({ status: "unavailable", error: toApiError(error) });
    }
  }, [applySession]);

  const advance = useCallback(async (stage: Stage) => {
    let session: Session | null = null;
    try {
      session = await fetchSession();
    } catch {
      // The stage from the answer still tells us where to go next.
    }
    setCsrfToken(session?.csrfToken ?? null);
    setState({ status: "signed-in", stage: session?.stage ?? stage, session });
  }, []);

  const setupCompleted = useCallback((email: string) => {
    setCsrfToken(null);
    setState({ status: "anonymous", notice: "setup-complete", email });
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post("/auth/logout", {});
    } catch {
      // Signed out locally either way; an expired session is already gone.
    }
    applySession(null, "signed-out");
  }, [applySession]);

  useEffect(() => {
    void reload();
  }, [reload]);

  useEffect(() => {
    setUnauthorizedHandler(() => applySession(null, "session-expired"));
    return () => setUnauthorizedHandler(null);
  }, [applySession]);

  const value = useMemo<Auth>(
    () => ({ state, reload, advance, setupCompleted, logout }),
    [state, reload, advance, setupCompleted, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth must be used inside <AuthProvider>");
  return value;
}

/** The session of a person who completed sign-in; only for pages inside the app layout. */
export function useSession(): Session {
  const { state } = useAuth();
  if (state.status !== "signed-in" || !state.session) {
    throw new Error("useSession needs a complete session");
  }
  return state.session;
}
