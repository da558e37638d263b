// How messages leave: e-mail (SMTP through nodemailer, optionally DKIM-signed, or written as
// .eml files when no SMTP server is configured) and signed webhooks (HMAC-SHA256 over the
// timestamp and body, POSTed through the safe fetcher). Each message is built once into its
// exact bytes, so what was sent can be hashed and kept for the record.
import { createHash, createHmac } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer";
import type { Config } from "../../platform/config.ts";
import { AppError } from "../../platform/errors.ts";
import { Fetcher, type FetcherConfig } from "../../platform/fetcher/fetcher.ts";
import { bareAddress } from "./text.ts";

export interface MailMessage {
  messageId: string;
  from: string;
  to: string;
  replyTo?: string | undefined;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  attachments: { filename: string; content: string; contentType: string }[];
  /** The message date: the (possibly simulated) clock, not the wall clock. */
  date: Date;
}

/** A delivery attempt's outcome. `permanent`: the address or endpoint refuses; try the next. */
export type SendResult =
  | { ok: true; sha256: string; detail: string }
  | { ok: false; permanent: boolean; error: string };

export interface Transport {
  sendMail(m: MailMessage): Promise<SendResult>;
  postWebhook(url: string, secret: string, body: Buffer, deliveryId: string, at: Date): Promise<SendResult>;
  close(): void;
}

export async function buildRaw(m: MailMessage): Promise<Buffer> {
  const composer = new MailComposer({
    from: m.from,
    to: m.to,
    ...(m.replyTo ? { replyTo: m.replyTo } : {}),
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    date: m.date,
    headers: m.headers,
    attachments: m.attachments.map((a) => ({
      filename: a.filename,
      content: a.content,
      contentType: a.contentType,
    })),
    textEncoding: "quoted-printable",
  });
  return new Promise((resolve, reject) =>
    composer.compile().build((err, buf) => (err ? reject(err) : resolve(buf as Buffer))),
  );
}

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** Signature header of a webhook: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export function webhookSignature(secret: string, body: Buffer, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const mac = createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
  return `t=${t},v1=${mac}`;
}

/** SMTP answer codes and errors that mean the address itself is refused (a bounce). */
function smtpPermanent(e: { responseCode?: number; code?: string }): boolean {
  if (typeof e.responseCode === "number") return e.responseCode >= 500 && e.responseCode < 600;
  return e.code === "EENVELOPE";
}

export interface TransportOptions {
  fetcher?: Partial<FetcherConfig>;
  /** Also keep every message as an .eml file here (the simulation's sim-mail folder). */
  copyDir?: string;
}

export function createTransport(config: Config, opts: TransportOptions = {}): Transport {
  const mail = config.notices.mail;
  const fetcher = new Fetcher({
    ...config.evidence.fetcher,
    timeoutMs: 20_000,
    headerTimeoutMs: 15_000,
    maxBytes: 64 * 1024,
    maxRedirects: 0,
    ...opts.fetcher,
  });
  const smtp =
    mail.transport === "smtp"
      ? nodemailer.createTransport({
          url: mail.url,
          pool: true,
          maxConnections: 2,
          connectionTimeout: 20_000,
          greetingTimeout: 15_000,
          socketTimeout: 60_000,
          ...(mail.dkim
            ? {
                dkim: {
                  domainName: mail.dkim.domain,
                  keySelector: mail.dkim.selector,
                  privateKey: readFileSync(mail.dkim.privateKeyFile, "utf8"),
                },
              }
            : {}),
          // biome-ignore lint/suspicious/noExplicitAny: nodemailer's option union does not accept url
        } as any)
      : undefined;

  const keepCopy = (dir: string, m: MailMessage, raw: Buffer) => {
    mkdirSync(dir, { recursive: true });
    const name = `${m.date.toISOString().replace(/[:.]/g, "-")}-${m.messageId.replace(/[^A-Za-z0-9.-]/g, "_")}.eml`;
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, raw);
    renameSync(tmp, join(dir, name));
  };

  return {
    async sendMail(m) {
      let raw: Buffer;
      try {
        raw = await buildRaw(m);
      } catch (e) {
        return { ok: false, permanent: true, error: `message could not be built: ${(e as Error).message}` };
      }
      if (opts.copyDir) keepCopy(opts.copyDir, m, raw);
      if (!smtp) {
        keepCopy((mail as { dir: string }).dir, m, raw);
        return { ok: true, sha256: sha256(raw), detail: "written to the mail-out folder" };
      }
      try {
        const info = await smtp.sendMail({ envelope: { from: bareAddress(m.from), to: [m.to] }, raw });
        if (info.rejected.length > 0)
          return {
            ok: false,
            permanent: true,
            error: `rejected: ${String(info.response ?? "").slice(0, 500)}`,
          };
        return { ok: true, sha256: sha256(raw), detail: String(info.response ?? "").slice(0, 500) };
      } catch (e) {
        const err = e as Error & { responseCode?: number; code?: string; response?: string };
        return {
          ok: false,
          permanent: smtpPermanent(err),
          error:
            `${err.code ?? "SMTP"} ${err.responseCode ?? ""} ${(err.response ?? err.message).slice(0, 500)}`.trim(),
        };
      }
    },

    async postWebhook(url, secret, body, deliveryId, at) {
      try {
        const res = await fetcher.fetch(url, {
          method: "POST",
          body,
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            "x-vangrail-delivery": deliveryId,
            "x-vangrail-signature": webhookSignature(secret, body, at),
          },
        });
        if (res.status >= 200 && res.status < 300)
          return { ok: true, sha256: sha256(body), detail: `HTTP ${res.status}` };
        const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
        return { ok: false, permanent, error: `HTTP ${res.status} from the webhook` };
      } catch (e) {
        const permanent = e instanceof AppError && e.code === "fetch_blocked";
        return { ok: false, permanent, error: (e as Error).message.slice(0, 500) };
      }
    },

    close() {
      smtp?.close();
    },
  };
}
