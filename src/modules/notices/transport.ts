// How messages leave: e-mail (SMTP through nodemailer's SMTP client, one connection per message
// with every wait bounded, optionally DKIM-signed; or written as .eml files when no SMTP server
// is configured) and signed webhooks (HMAC-SHA256 over the
// timestamp and body, POSTed through the safe fetcher). Each message is built once into its
// exact bytes, so what was sent can be hashed and kept for the record.
import { createHash, createHmac } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import DKIM from "nodemailer/lib/dkim";
import MailComposer from "nodemailer/lib/mail-composer";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import type { Config, SmtpTimeouts } from "../../platform/config.ts";
import { AppError } from "../../platform/errors.ts";
import { Fetcher, type FetcherConfig } from "../../platform/fetcher/fetcher.ts";
import { bareAddress, remoteText } from "./text.ts";

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

/** Where the SMTP relay is, from SMTP_URL (smtp://user:pass@host:port, or smtps:// for TLS from the start). */
interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  auth: { user: string; pass: string } | undefined;
}

function smtpTarget(url: string): SmtpTarget {
  const u = new URL(url);
  const secure = u.protocol === "smtps:";
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    auth: u.username
      ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) }
      : undefined,
  };
}

/** The largest reply line block accepted from an SMTP server (a huge reply is an error, not memory). */
const MAX_SMTP_REPLY = 64 * 1024;

type SmtpError = Error & { responseCode?: number; code?: string; response?: string };

/**
 * One message over one SMTP connection, every wait bounded: connecting, the greeting, each
 * silence, and the whole exchange (`sendMs`, which also ends a server that answers a byte at a
 * time). When a limit passes the socket is destroyed at once, so a message cut off mid-DATA is
 * never completed later behind the outbox's back. Resolves with the server's final answer or
 * rejects with its error; never throws for anything the server does, never leaves a listener
 * that could crash the process.
 */
export function smtpSend(
  target: SmtpTarget,
  timeouts: SmtpTimeouts,
  envelope: { from: string; to: string[] },
  raw: Buffer,
): Promise<SMTPConnection.SentMessageInfo> {
  return new Promise((resolve, reject) => {
    const conn = new SMTPConnection({
      host: target.host,
      port: target.port,
      secure: target.secure,
      connectionTimeout: timeouts.connectionMs,
      greetingTimeout: timeouts.greetingMs,
      socketTimeout: timeouts.socketMs,
      socketCloseTimeout: 1000,
      maxResponseSize: MAX_SMTP_REPLY,
      logger: false,
    });
    let settled = false;
    const finish = (err: SmtpError | null, info?: SMTPConnection.SentMessageInfo) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (err) {
        conn.close();
        reject(err);
      } else {
        // Accepted: say goodbye politely, but nothing waits for it.
        conn.quit();
        resolve(info as SMTPConnection.SentMessageInfo);
      }
    };
    const deadline = setTimeout(() => {
      finish(
        Object.assign(new Error(`the SMTP server did not finish within ${timeouts.sendMs} ms`), {
          code: "ETIMEDOUT",
        }),
      );
    }, timeouts.sendMs);
    conn.on("error", (e: SmtpError) => finish(e));
    conn.on("end", () =>
      finish(Object.assign(new Error("the SMTP server closed the connection"), { code: "ECONNECTION" })),
    );
    conn.connect(() => {
      const send = () =>
        conn.send(envelope, raw, (err, info) => (err ? finish(err as SmtpError) : finish(null, info)));
      if (!target.auth) return send();
      conn.login(target.auth, (err) => (err ? finish(err as SmtpError) : send()));
    });
  });
}

/** Signs a built message with DKIM (relaxed/relaxed, rsa-sha256). */
async function dkimSign(signer: DKIM, raw: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of signer.sign(raw)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
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
    mail.transport === "smtp" ? { target: smtpTarget(mail.url), timeouts: mail.timeouts } : undefined;
  const dkim =
    mail.transport === "smtp" && mail.dkim
      ? new DKIM({
          domainName: mail.dkim.domain,
          keySelector: mail.dkim.selector,
          privateKey: readFileSync(mail.dkim.privateKeyFile, "utf8"),
        })
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
        if (dkim) raw = await dkimSign(dkim, raw);
      } catch (e) {
        return { ok: false, permanent: true, error: `message could not be built: ${(e as Error).message}` };
      }
      if (opts.copyDir) keepCopy(opts.copyDir, m, raw);
      if (!smtp) {
        keepCopy((mail as { dir: string }).dir, m, raw);
        return { ok: true, sha256: sha256(raw), detail: "written to the mail-out folder" };
      }
      try {
        const info = await smtpSend(
          smtp.target,
          smtp.timeouts,
          { from: bareAddress(m.from), to: [m.to] },
          raw,
        );
        if (info.rejected.length > 0)
          return {
            ok: false,
            permanent: true,
            error: `rejected: ${remoteText(String(info.response ?? ""))}`,
          };
        return { ok: true, sha256: sha256(raw), detail: remoteText(String(info.response ?? "")) };
      } catch (e) {
        const err = e as Error & { responseCode?: number; code?: string; response?: string };
        return {
          ok: false,
          permanent: smtpPermanent(err),
          error: remoteText(`${err.code ?? "SMTP"} ${err.responseCode ?? ""} ${err.response ?? err.message}`),
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
        return { ok: false, permanent, error: remoteText((e as Error).message) };
      }
    },

    close() {
      // Each message has its own connection, closed when it is done.
    },
  };
}
