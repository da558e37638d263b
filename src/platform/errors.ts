// The one error catalogue. Services throw AppError with a stable code; only the HTTP edge
// turns it into an RFC 9457 problem document, and the CLI into a message and exit code.

export interface ErrorSpec {
  readonly status: number;
  readonly title: string;
}

export const errorCatalogue = {
  bad_request: { status: 400, title: "The request is not valid." },
  validation_failed: { status: 422, title: "Some fields are missing or not valid; see `errors`." },
  malformed_json: { status: 400, title: "The request body is not valid JSON." },
  unsupported_media_type: { status: 415, title: "Send the body as application/json." },
  payload_too_large: { status: 413, title: "The request body is larger than this endpoint accepts." },
  unauthenticated: { status: 401, title: "Log in or send a valid API token." },
  invalid_credentials: { status: 401, title: "The e-mail address or password is not correct." },
  mfa_required: { status: 401, title: "Finish logging in with your authentication code." },
  mfa_enrolment_required: { status: 403, title: "Set up two-factor authentication before you continue." },
  invalid_mfa_code: { status: 401, title: "The authentication code is not correct or was already used." },
  mfa_already_enabled: { status: 409, title: "Two-factor authentication is already set up." },
  csrf_failed: { status: 403, title: "The request lacks a valid CSRF token; reload the page and try again." },
  forbidden: { status: 403, title: "Your role does not allow this." },
  insufficient_scope: { status: 403, title: "This API token does not have the scope this endpoint needs." },
  not_found: { status: 404, title: "Not found." },
  conflict: { status: 409, title: "This conflicts with the current state." },
  email_taken: { status: 409, title: "A user with this e-mail address already exists." },
  setup_done: { status: 409, title: "Vangrail is already set up; log in instead." },
  invalid_setup_code: {
    status: 403,
    title: "The setup code is not correct; it is printed in the server log.",
  },
  weak_password: { status: 400, title: "Choose a longer password (at least 12 characters)." },
  too_many_attempts: { status: 429, title: "Too many attempts; wait a few minutes and try again." },
  rate_limited: { status: 429, title: "Too many requests; slow down and try again shortly." },
  service_unavailable: { status: 503, title: "A dependency is not reachable; try again shortly." },
  image_unreadable: {
    status: 422,
    title: "The file is not an image Vangrail can decode (JPEG, PNG, WebP, GIF, AVIF, TIFF).",
  },
  hash_invalid: { status: 400, title: "The hash is not valid for its signal type; see `detail`." },
  // evidence: the safe fetcher, the blob store, manifests and bundles
  fetch_blocked: {
    status: 422,
    title: "That address is not on the public internet; Vangrail does not fetch from it.",
  },
  fetch_failed: { status: 502, title: "The site could not be fetched; check the URL or try again later." },
  fetch_timeout: { status: 504, title: "The site took too long to answer; try again later." },
  fetch_too_large: { status: 502, title: "The response is larger than the capture limit allows." },
  fetch_too_many_redirects: { status: 502, title: "The site redirected more often than the limit allows." },
  blob_missing: { status: 404, title: "The stored evidence file is missing; check the blob store." },
  blob_unreadable: {
    status: 500,
    title: "A stored evidence file cannot be decrypted; check the master key configuration.",
  },
  timestamp_failed: { status: 502, title: "The timestamp authority did not issue a valid token." },
  bundle_invalid: { status: 400, title: "The evidence bundle is not valid; see the detail." },
  reveal_required: { status: 403, title: "Reveal the item first; material stays blurred until you do." },
  report_rejected: { status: 422, title: "This report could not be accepted." },
  intake_not_configured: { status: 503, title: "No hotline is set up to receive reports yet." },
  internal: { status: 500, title: "Something went wrong on our side; it has been logged." },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FieldError {
  /** Dotted path of the field, e.g. `urls.3`. */
  path: string;
  /** The same as a JSON Pointer (RFC 6901), e.g. `/urls/3`. */
  pointer?: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    opts: { detail?: string; errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(opts.detail ?? errorCatalogue[code].title, { cause: opts.cause });
    this.name = "AppError";
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.detail = opts.detail;
    this.errors = opts.errors;
    this.headers = opts.headers;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** The stable `type` URI of a problem document: documented in docs/API.md. */
export const problemType = (code: ErrorCode): string =>
  `https://vangrail.org/problems/${code.replaceAll("_", "-")}`;
