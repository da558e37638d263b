// Limits the web forms check before sending. They come from the one shared file the API
// schemas use too, so the browser and the server never disagree.
import { limits } from "../../../src/platform/limits.ts";

export const PASSWORD_MIN_LENGTH = limits.passwordMin;
export const PASSWORD_MAX_LENGTH = limits.passwordMax;
export const NAME_MAX_LENGTH = limits.nameMax;
export const EMAIL_MAX_LENGTH = limits.emailMax;
export const TOKEN_NAME_MAX_LENGTH = limits.tokenNameMax;
export const MFA_CODE_LENGTH = limits.mfaCodeLength;

/** How many audit events the log page shows. */
export const AUDIT_PAGE_SIZE = 50;
/** Lifetimes offered for a new API token, in days; all within limits.tokenMaxDays. */
export const TOKEN_EXPIRY_CHOICES = [30, 90, 365] as const satisfies readonly number[];
