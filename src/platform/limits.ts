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
  /** Hashes in one call of the matching API. */
  hashMatchBatchMax: 1000,
  /** PDQ hashes a victim sends from their own device in one call (and photos the page takes). */
  deviceHashesPerCall: 100,
  /** Lines of one hash-list import through the API (the CLI streams larger lists in chunks). */
  hashImportLinesMax: 200_000,
  hashImportBytesMax: 32 * 1024 * 1024,
  noteMax: 10_000,
  urlMax: 4096,
  /** URLs (and other items) in one report; more is refused, not truncated. */
  urlsPerReport: 100,
  accountsPerReport: 20,
  descriptionMax: 10_000,
  /** Screenshots in one public report, and their size before re-encoding. */
  filesPerReport: 5,
  fileMaxBytes: 10 * 1024 * 1024,
  /** Decoded pixels of one image: a small file that decodes to a huge picture is refused. */
  imageMaxPixels: 40_000_000,
  contactFieldMax: 200,
  importRowsMax: 10_000,
  importBytesMax: 5 * 1024 * 1024,
  /** The party registry: what one party may hold, and one CSV import of parties. */
  partyMatchersMax: 200,
  partyChannelsMax: 20,
  partyImportRowsMax: 5000,
  partyImportBytesMax: 2 * 1024 * 1024,
  partyCsvCellMax: 20_000,
} as const;
