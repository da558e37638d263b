// Limits in one place, used by the API schemas and by the web forms alike.

export const limits = {
  nameMax: 200,
  emailMax: 254,
  passwordMin: 12,
  passwordMax: 256,
  tokenNameMax: 100,
  tokenMaxDays: 366,
  reasonMax: 2000,
  pageSizeMax: 200,
  mfaCodeLength: 6,
} as const;
