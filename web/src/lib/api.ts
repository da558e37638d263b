// The one way the web front end talks to /api/v1: same-origin JSON, the CSRF
// header on every state-changing request, and RFC 9457 problems turned into ApiError.

export interface ProblemFieldError {
  path: string;
  message: string;
}

export interface Problem {
  type?: string | undefined;
  title?: string | undefined;
  status: number;
  detail?: string | undefined;
  code?: string | undefined;
  errors?: ProblemFieldError[] | undefined;
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = "ApiError";
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string | undefined {
    return this.problem.code;
  }
}

const API_BASE = "/api/v1";

let csrfToken: string | null = null;
let acceptLanguage = "nl";
let unauthorizedHandler: (() => void) | null = null;

/** Set from GET /auth/session; cleared on logout. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Lets the server word its problem details in the language the person chose. */
export function setApiLanguage(locale: string): void {
  acceptLanguage = locale;
}

/** Called when a signed-in request comes back 401: the session ended elsewhere. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

// A 401 on these paths is an answer about credentials, not an expired session.
const AUTH_PATHS = ["/auth/login", "/auth/session", "/auth/mfa/", "/setup"];

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

function normalisePath(path: unknown): string {
  if (Array.isArray(path)) return path.join(".");
  return String(path ?? "")
    .replace(/^[#/]+/, "")
    .replaceAll("/", ".");
}

async function readProblem(response: Response): Promise<Problem> {
  const fallback: Problem = { status: response.status, title: response.statusText || undefined };
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) return fallback;
  try {
    const body: unknown = await response.json();
    if (body === null || typeof body !== "object") return fallback;
    const raw = body as Record<string, unknown>;
    const errors = Array.isArray(raw.errors)
      ? raw.errors
          .filter((e): e is Record<string, unknown> => e !== null && typeof e === "object")
          .map((e) => ({ path: normalisePath(e.path), message: String(e.message ?? "") }))
      : undefined;
    return {
      status: response.status,
      type: typeof raw.type === "string" ? raw.type : undefined,
      title: typeof raw.title === "string" ? raw.title : fallback.title,
      detail:
        typeof raw.detail === "string"
          ? raw.detail
          : typeof raw.message === "string"
            ? raw.message
            : undefined,
      code: typeof raw.code === "string" ? raw.code : undefined,
      errors,
    };
  } catch {
    return fallback;
  }
}

async function request<T>(
  method: Method,
  path: string,
  body?: unknown,
  extraHeaders: Readonly<Record<string, string>> = {},
): Promise<T> {
  const headers: Record<string, string> = {
    ...extraHeaders,
    accept: "application/json, application/problem+json",
    "accept-language": acceptLanguage,
  };
  let payload: string | FormData | Blob | null = null;
  if (method !== "GET") {
    if (csrfToken) headers["x-csrf-token"] = csrfToken;
    // DELETE carries no body; a form (files) goes as multipart with the browser's boundary; a
    // file of its own (a CSV upload) goes as its bytes with its type; every other write sends
    // JSON, `{}` when empty.
    if (body instanceof FormData) {
      payload = body;
    } else if (body instanceof Blob) {
      headers["content-type"] = body.type || "application/octet-stream";
      payload = body;
    } else if (method !== "DELETE") {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body ?? {});
    }
  }

  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      body: payload,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError({ status: 0, code: "network_error" });
  }

  if (!response.ok) {
    const problem = await readProblem(response);
    if (
      response.status === 401 &&
      unauthorizedHandler &&
      !AUTH_PATHS.some((prefix) => path.startsWith(prefix))
    ) {
      unauthorizedHandler();
    }
    throw new ApiError(problem);
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) return undefined as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string): Promise<T> => request<T>("GET", path),
  post: <T>(path: string, body?: unknown, headers?: Readonly<Record<string, string>>): Promise<T> =>
    request<T>("POST", path, body, headers),
  patch: <T>(path: string, body: unknown): Promise<T> => request<T>("PATCH", path, body),
  del: <T = undefined>(path: string): Promise<T> => request<T>("DELETE", path),
};

/** The message for one field from a problem's `errors`, matched on the last path segments. */
export function fieldProblem(error: unknown, path: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const match = error.problem.errors?.find((e) => e.path === path || e.path.endsWith(`.${path}`));
  return match?.message;
}
