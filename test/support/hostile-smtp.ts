// A raw SMTP peer on loopback (node:net, not smtp-server, so it can misbehave in ways a real
// server library never would). Its behaviour is chosen per connection, when the connection
// opens, and can be changed between deliveries:
//   good                     a minimal, correct SMTP server that keeps every message it accepts
//   garbage_greeting         bytes that are not SMTP instead of "220", then nothing
//   silent                   accepts the TCP connection and never says a word
//   trickle                  answers everything, greeting included, one byte per second
//   trickle_after_greeting   greets at once, then answers one byte per second
//   huge_reply               a multi-line greeting of several megabytes
//   drop_after_data          takes the whole message after DATA, then drops the connection
//                            without the final 250 (so, by SMTP's rules, it did not accept it)
import { createServer, type Socket } from "node:net";

export type SmtpBehaviour =
  | "good"
  | "garbage_greeting"
  | "silent"
  | "trickle"
  | "trickle_after_greeting"
  | "huge_reply"
  | "drop_after_data";

export interface AcceptedMessage {
  from: string;
  to: string[];
  /** The message as received, dot-stuffing undone. */
  raw: string;
}

export interface HostileSmtp {
  port: number;
  url: string;
  behaviour: SmtpBehaviour;
  /** Messages accepted with a 250 after DATA. */
  messages: AcceptedMessage[];
  /** Connections opened, and those still open. */
  connections: number;
  open(): number;
  close(): Promise<void>;
}

const HUGE_LINES = 6000; // 6000 lines of ~1 kB: several megabytes

export async function startHostileSmtp(initial: SmtpBehaviour = "good"): Promise<HostileSmtp> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const peer: HostileSmtp = {
    port: 0,
    url: "",
    behaviour: initial,
    messages: [],
    connections: 0,
    open: () => sockets.size,
    close: async () => undefined,
  };

  const server = createServer((socket) => {
    peer.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    const mode = peer.behaviour;

    // Writes a reply whole, or a byte a second in the trickling modes.
    const trickling = (greeting: boolean) =>
      mode === "trickle" || (mode === "trickle_after_greeting" && !greeting);
    const queue: string[] = [];
    let pumping = false;
    const reply = (text: string, greeting = false) => {
      if (socket.destroyed) return;
      if (!trickling(greeting)) {
        socket.write(text);
        return;
      }
      queue.push(text);
      if (pumping) return;
      pumping = true;
      const timer = setInterval(() => {
        const head = queue[0];
        if (socket.destroyed || head === undefined) {
          clearInterval(timer);
          timers.delete(timer);
          pumping = false;
          return;
        }
        socket.write(head.slice(0, 1));
        if (head.length > 1) queue[0] = head.slice(1);
        else queue.shift();
      }, 1000);
      timers.add(timer);
    };

    switch (mode) {
      case "silent":
        return;
      case "garbage_greeting":
        socket.write(Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a]));
        socket.write("HELLO?? this is not smtp\r\n");
        return;
      case "huge_reply": {
        let sent = 0;
        const line = `220-${"x".repeat(1000)}\r\n`;
        const pump = () => {
          while (!socket.destroyed && sent < HUGE_LINES) {
            sent++;
            if (!socket.write(line)) return socket.once("drain", pump);
          }
          if (!socket.destroyed) socket.write("220 ready\r\n");
        };
        pump();
        break;
      }
      default:
        reply("220 hostile.test ESMTP ready\r\n", true);
    }

    let buffer = "";
    let inData = false;
    let from = "";
    let to: string[] = [];
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          const bare = buffer.startsWith(".\r\n");
          if (end < 0 && !bare) return;
          const body = bare ? "" : buffer.slice(0, end + 2);
          buffer = buffer.slice(bare ? 3 : end + 5);
          inData = false;
          if (mode === "drop_after_data") {
            socket.destroy();
            return;
          }
          const raw = Buffer.from(body.replace(/^\.\./gm, "."), "latin1").toString("utf8");
          peer.messages.push({ from, to, raw });
          reply("250 2.0.0 queued\r\n");
          continue;
        }
        const at = buffer.indexOf("\r\n");
        if (at < 0) {
          if (buffer.length > 4096) socket.destroy();
          return;
        }
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") reply("250-hostile.test\r\n250 8BITMIME\r\n");
        else if (verb === "MAIL") {
          from = /<([^>]*)>/.exec(line)?.[1] ?? "";
          to = [];
          reply("250 2.1.0 ok\r\n");
        } else if (verb === "RCPT") {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? "");
          reply("250 2.1.5 ok\r\n");
        } else if (verb === "DATA") {
          inData = true;
          reply("354 go ahead\r\n");
        } else if (verb === "RSET" || verb === "NOOP") reply("250 ok\r\n");
        else if (verb === "QUIT") {
          reply("221 bye\r\n");
          socket.end();
          return;
        } else reply("502 5.5.2 not implemented\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  peer.port = (server.address() as { port: number }).port;
  peer.url = `smtp://127.0.0.1:${peer.port}`;
  peer.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return peer;
}
