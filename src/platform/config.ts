// Typed configuration from the environment (and an optional .env file). Every problem is
// collected and reported at once, so an operator fixes them in one round, not one per start.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: int(0, 65535).default(8080),
  PUBLIC_URL: z.url().optional(),
  VANGRAIL_DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATABASE_POOL_MAX: int(1, 200).default(10),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  VANGRAIL_MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 random bytes, base64-encoded")
    .optional(),
  VANGRAIL_SETUP_CODE: z.string().min(12).max(128).optional(),
  SESSION_IDLE_MINUTES: int(1, 24 * 60).default(60),
  SESSION_MAX_HOURS: int(1, 24 * 30).default(12),
  LOGIN_MAX_FAILURES: int(1, 100).default(5),
  LOGIN_LOCKOUT_MINUTES: int(1, 24 * 60).default(15),
  RATE_LIMIT_MAX: int(1, 1_000_000).default(300),
  RATE_LIMIT_WINDOW_SECONDS: int(1, 3600).default(60),
  LOGIN_RATE_LIMIT_PER_MINUTE: int(1, 10_000).default(10),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  TRUST_PROXY: bool.default(false),
  WORKERS_IN_SERVE: bool.default(true),
  MATCH_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(120),
  INTAKE_ORGANISATION_ID: z.uuid().optional(),
  REPORT_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(10),
  UPLOAD_RETENTION_DAYS: int(0, 3650).default(30),
  // evidence (issue 4): earlier master keys, the safe fetcher, capture, timestamps, blob store
  VANGRAIL_MASTER_KEY_PREVIOUS: z
    .string()
    .refine(
      (v) => v.split(",").every((k) => Buffer.from(k.trim(), "base64").length === 32),
      "must be a comma-separated list of 32-byte base64 keys",
    )
    .optional(),
  FETCHER_CONTACT_URL: z.url().optional(),
  FETCHER_MAX_BYTES: int(1024, 1024 ** 3).default(25 * 1024 * 1024),
  FETCHER_TIMEOUT_SECONDS: int(1, 600).default(30),
  FETCHER_MAX_REDIRECTS: int(0, 20).default(5),
  FETCHER_HOST_CONCURRENCY: int(1, 64).default(4),
  CAPTURE_BROWSER_PATH: z.string().min(1).default("/usr/bin/chromium"),
  CAPTURE_SCREENSHOTS: bool.default(true),
  CAPTURE_MAX_MEDIA: int(0, 500).default(20),
  CAPTURE_MEDIA_MAX_BYTES: int(1024, 1024 ** 3).default(10 * 1024 * 1024),
  TSA_URL: z.url().optional(),
  BLOB_STORE: z.enum(["fs", "s3"]).default("fs"),
  BLOB_S3_ENDPOINT: z.url().optional(),
  BLOB_S3_REGION: z.string().min(1).default("us-east-1"),
  BLOB_S3_BUCKET: z.string().min(3).max(63).optional(),
  BLOB_S3_PREFIX: z.string().max(200).optional(),
  BLOB_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  BLOB_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  BLOB_S3_FORCE_PATH_STYLE: bool.default(false),
  MAIL_TRANSPORT: z.enum(["smtp", "file"]).default("file"),
  SMTP_URL: z
    .url()
    .refine((u) => /^smtps?:\/\//.test(u), "must start with smtp:// or smtps://")
    .optional(),
  MAIL_FROM: z.string().min(3).max(320).default("Vangrail <notices@localhost>"),
  DKIM_DOMAIN: z.string().min(1).max(253).optional(),
  DKIM_SELECTOR: z.string().min(1).max(63).optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  // Every wait on an SMTP server is bounded; the whole send stays under the outbox lease (5 min),
  // so a message never goes out twice because a slow send outlived its claim.
  SMTP_CONNECTION_TIMEOUT_SECONDS: int(1, 120).default(20),
  SMTP_GREETING_TIMEOUT_SECONDS: int(1, 120).default(15),
  SMTP_SOCKET_TIMEOUT_SECONDS: int(1, 240).default(60),
  SMTP_SEND_TIMEOUT_SECONDS: int(1, 240).default(120),
  NOTICE_POLICY_FILE: z.string().min(1).optional(),
  MONITORING_POLICY_FILE: z.string().min(1).optional(),
  RDAP_CACHE_HOURS: int(1, 24 * 90).default(24),
  RDAP_TIMEOUT_SECONDS: int(1, 120).default(15),
  RDAP_MAX_BYTES: int(1024, 16 * 1024 * 1024).default(1024 * 1024),
  RDAP_BOOTSTRAP_DIR: z.string().min(1).optional(),
  ATTRIBUTION_AUTO_REGISTER: bool.default(true),
});

type Env = z.infer<typeof schema>;

export interface Config {
  env: Env["NODE_ENV"];
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  logLevel: Env["LOG_LEVEL"];
  masterKey: Buffer | undefined;
  setupCode: string | undefined;
  session: { idleMinutes: number; maxHours: number };
  login: { maxFailures: number; lockoutMinutes: number };
  rateLimit: { max: number; windowSeconds: number; loginPerMinute: number };
  bodyLimitBytes: number;
  trustProxy: boolean;
  workersInServe: boolean;
  /** Hash banks (issue 5): calls of POST /api/v1/match per minute per API token. */
  hashing: { matchPerMinute: number };
  /** The hotline that receives public and partner reports; default: the oldest hotline. */
  intakeOrganisationId: string | undefined;
  intake: { reportsPerMinute: number; uploadRetentionDays: number };
  evidence: EvidenceConfig;
  /** Attribution (issue 6): RDAP lookups and their cache. */
  attribution: {
    rdapCacheHours: number;
    rdapTimeoutMs: number;
    rdapMaxBytes: number;
    /** IANA bootstrap files (dns.json, ipv4.json, ipv6.json, asn.json); default: the shipped copy. */
    bootstrapDir: string | undefined;
    /**
     * Register hosts and registrars RDAP names with an abuse address that no party has, as
     * parties marked for review (true by default), so their items can be noticed.
     */
    autoRegister: boolean;
  };
  /** Notices (issue 6): how mail leaves, and the deadline policy. */
  notices: {
    mail:
      | { transport: "file"; dir: string; from: string }
      | {
          transport: "smtp";
          url: string;
          from: string;
          dkim: { domain: string; selector: string; privateKeyFile: string } | undefined;
          timeouts: SmtpTimeouts;
        };
    policyFile: string | undefined;
  };
  /** Monitoring (issue 7): the re-check policy (cadence, politeness, removal pages). */
  monitoring: { policyFile: string | undefined };
}

/** Milliseconds: to connect, for the greeting, of silence, and for a whole send. */
export interface SmtpTimeouts {
  connectionMs: number;
  greetingMs: number;
  socketMs: number;
  sendMs: number;
}

export interface EvidenceConfig {
  /** Retired master keys still accepted for unwrapping until `vangrail keys rotate` is done. */
  previousMasterKeys: Buffer[];
  fetcher: {
    contactUrl: string;
    maxBytes: number;
    timeoutMs: number;
    maxRedirects: number;
    perHostConcurrency: number;
  };
  capture: { browserPath: string; screenshots: boolean; maxMedia: number; mediaMaxBytes: number };
  tsaUrl: string | undefined;
  blobStore:
    | { kind: "fs" }
    | {
        kind: "s3";
        endpoint: string | undefined;
        region: string;
        bucket: string;
        prefix: string;
        accessKeyId: string | undefined;
        secretAccessKey: string | undefined;
        forcePathStyle: boolean;
      };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Reads `.env` from `dir` when present; the real environment wins over it. */
export function readDotEnv(dir: string = process.cwd()): Record<string, string> {
  const file = resolve(dir, ".env");
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, "utf8")) as Record<string, string>;
}

/** Builds the configuration; throws ConfigError listing every problem. */
export function loadConfig(
  env: Record<string, string | undefined> = { ...readDotEnv(), ...process.env },
): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== "") input[key] = v;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.BLOB_STORE === "s3" && !e.BLOB_S3_BUCKET)
    throw new ConfigError(["BLOB_S3_BUCKET: required when BLOB_STORE=s3"]);
  if (e.MAIL_TRANSPORT === "smtp" && !e.SMTP_URL)
    throw new ConfigError(["SMTP_URL: required when MAIL_TRANSPORT=smtp"]);
  const dkimSet = [e.DKIM_DOMAIN, e.DKIM_SELECTOR, e.DKIM_PRIVATE_KEY_FILE].filter((v) => v).length;
  if (dkimSet !== 0 && dkimSet !== 3)
    throw new ConfigError(["DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY_FILE: set all three or none"]);
  if (e.NODE_ENV === "production" && e.DATABASE_URL && !e.VANGRAIL_MASTER_KEY) {
    // Replicas sharing a database must share the key that seals secrets in it; a key file in
    // each replica's own data folder would silently differ.
    throw new ConfigError([
      "VANGRAIL_MASTER_KEY: required in production with DATABASE_URL (every replica must use the same key)",
    ]);
  }
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    dataDir: resolve(e.VANGRAIL_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    logLevel: e.LOG_LEVEL,
    masterKey: e.VANGRAIL_MASTER_KEY ? Buffer.from(e.VANGRAIL_MASTER_KEY, "base64") : undefined,
    setupCode: e.VANGRAIL_SETUP_CODE,
    session: { idleMinutes: e.SESSION_IDLE_MINUTES, maxHours: e.SESSION_MAX_HOURS },
    login: { maxFailures: e.LOGIN_MAX_FAILURES, lockoutMinutes: e.LOGIN_LOCKOUT_MINUTES },
    rateLimit: {
      max: e.RATE_LIMIT_MAX,
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      loginPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    trustProxy: e.TRUST_PROXY,
    workersInServe: e.WORKERS_IN_SERVE,
    hashing: { matchPerMinute: e.MATCH_RATE_LIMIT_PER_MINUTE },
    intakeOrganisationId: e.INTAKE_ORGANISATION_ID,
    intake: {
      reportsPerMinute: e.REPORT_RATE_LIMIT_PER_MINUTE,
      uploadRetentionDays: e.UPLOAD_RETENTION_DAYS,
    },
    evidence: {
      previousMasterKeys: (e.VANGRAIL_MASTER_KEY_PREVIOUS ?? "")
        .split(",")
        .map((k) => k.trim())
        .filter((k) => k !== "")
        .map((k) => Buffer.from(k, "base64")),
      fetcher: {
        contactUrl:
          e.FETCHER_CONTACT_URL ??
          `${(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "")}/about/fetcher`,
        maxBytes: e.FETCHER_MAX_BYTES,
        timeoutMs: e.FETCHER_TIMEOUT_SECONDS * 1000,
        maxRedirects: e.FETCHER_MAX_REDIRECTS,
        perHostConcurrency: e.FETCHER_HOST_CONCURRENCY,
      },
      capture: {
        browserPath: e.CAPTURE_BROWSER_PATH,
        screenshots: e.CAPTURE_SCREENSHOTS,
        maxMedia: e.CAPTURE_MAX_MEDIA,
        mediaMaxBytes: e.CAPTURE_MEDIA_MAX_BYTES,
      },
      tsaUrl: e.TSA_URL,
      blobStore:
        e.BLOB_STORE === "s3"
          ? {
              kind: "s3",
              endpoint: e.BLOB_S3_ENDPOINT,
              region: e.BLOB_S3_REGION,
              bucket: e.BLOB_S3_BUCKET as string,
              prefix: e.BLOB_S3_PREFIX ?? "",
              accessKeyId: e.BLOB_S3_ACCESS_KEY_ID,
              secretAccessKey: e.BLOB_S3_SECRET_ACCESS_KEY,
              forcePathStyle: e.BLOB_S3_FORCE_PATH_STYLE,
            }
          : { kind: "fs" },
    },
    attribution: {
      rdapCacheHours: e.RDAP_CACHE_HOURS,
      rdapTimeoutMs: e.RDAP_TIMEOUT_SECONDS * 1000,
      rdapMaxBytes: e.RDAP_MAX_BYTES,
      bootstrapDir: e.RDAP_BOOTSTRAP_DIR ? resolve(e.RDAP_BOOTSTRAP_DIR) : undefined,
      autoRegister: e.ATTRIBUTION_AUTO_REGISTER,
    },
    notices: {
      mail:
        e.MAIL_TRANSPORT === "smtp"
          ? {
              transport: "smtp",
              url: e.SMTP_URL as string,
              from: e.MAIL_FROM,
              dkim:
                e.DKIM_DOMAIN && e.DKIM_SELECTOR && e.DKIM_PRIVATE_KEY_FILE
                  ? {
                      domain: e.DKIM_DOMAIN,
                      selector: e.DKIM_SELECTOR,
                      privateKeyFile: resolve(e.DKIM_PRIVATE_KEY_FILE),
                    }
                  : undefined,
              timeouts: {
                connectionMs: e.SMTP_CONNECTION_TIMEOUT_SECONDS * 1000,
                greetingMs: e.SMTP_GREETING_TIMEOUT_SECONDS * 1000,
                socketMs: e.SMTP_SOCKET_TIMEOUT_SECONDS * 1000,
                sendMs: e.SMTP_SEND_TIMEOUT_SECONDS * 1000,
              },
            }
          : { transport: "file", dir: resolve(e.VANGRAIL_DATA_DIR, "mail-out"), from: e.MAIL_FROM },
      policyFile: e.NOTICE_POLICY_FILE ? resolve(e.NOTICE_POLICY_FILE) : undefined,
    },
    monitoring: {
      policyFile: e.MONITORING_POLICY_FILE ? resolve(e.MONITORING_POLICY_FILE) : undefined,
    },
  };
}

/** The names of every variable, for docs and the .env.example test. */
export const configVariables = Object.keys(schema.shape);
