// A real SMTP server on loopback (smtp-server) that keeps every message it accepts, refuses
// chosen recipients with a 550 (a bounce), and can answer slowly or hostilely. Plus a small
// MIME reader for the tests: the text part, the HTML part and the attachments.
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Map<string, string>;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; content: string }[];
}

export interface SmtpSink {
  port: number;
  url: string;
  messages: ReceivedMail[];
  /** Recipients refused with 550 at RCPT TO. */
  refuse: Set<string>;
  /** Recipients refused with a temporary 451 (retry later). */
  defer: Set<string>;
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export async function startSmtpSink(
  opts: { maxBytes?: number; onMessage?: (m: ReceivedMail) => void } = {},
): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const refuse = new Set<string>();
  const defer = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    size: opts.maxBytes ?? 10 * 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const a = address.address.toLowerCase();
      if (refuse.has(a)) {
        const e = new Error("5.1.1 mailbox unavailable") as Error & { responseCode: number };
        e.responseCode = 550;
        return callback(e);
      }
      if (defer.has(a)) {
        const e = new Error("4.2.0 try again later") as Error & { responseCode: number };
        e.responseCode = 451;
        return callback(e);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const m = parseMail(raw, {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        messages.push(m);
        opts.onMessage?.(m);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuse,
    defer,
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} messages, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// --- A small MIME reader (enough for nodemailer's output) ------------------------------------

function splitHead(part: string): [Map<string, string>, string] {
  const at = part.search(/\r?\n\r?\n/);
  const head = at < 0 ? part : part.slice(0, at);
  const body = at < 0 ? "" : part.slice(at).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return [headers, body];
}

function decode(body: string, encoding: string | undefined): string {
  const e = (encoding ?? "").toLowerCase();
  if (e === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (e === "quoted-printable")
    return Buffer.from(
      body
        .replace(/=\r?\n/g, "")
        .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      "latin1",
    ).toString("utf8");
  return body;
}

function walk(part: string, out: ReceivedMail): void {
  const [headers, body] = splitHead(part);
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const pieces = body.split(`--${boundary}`);
    for (const p of pieces.slice(1)) {
      if (p.startsWith("--")) break;
      walk(p.replace(/^\r?\n/, ""), out);
    }
    return;
  }
  const content = decode(body, headers.get("content-transfer-encoding"));
  const disposition = headers.get("content-disposition") ?? "";
  const filename = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  if (filename) out.attachments.push({ filename, contentType: type.split(";")[0] as string, content });
  else if (/^text\/html/i.test(type)) out.html += content;
  else if (/^text\/plain/i.test(type)) out.text += content;
}

export function parseMail(raw: string, envelope: { from: string; to: string[] }): ReceivedMail {
  const [headers] = splitHead(raw);
  const m: ReceivedMail = { ...envelope, raw, headers, text: "", html: "", attachments: [] };
  walk(raw, m);
  return m;
}
