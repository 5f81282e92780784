import type { AddressInfo } from "node:net";
import { type AddressObject, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from "smtp-server";
import { systemContext } from "../access/actor.js";
import type { Clock } from "../lib/clock.js";
import type { SupportService } from "./support.service.js";

/** The longest message body kept in a thread (after the quoted reply is cut). */
const MAX_BODY_CHARS = 10_000;

/** An SMTP reply with its code, as smtp-server sends an Error's `responseCode`. */
const smtpError = (code: number, text: string): Error =>
  Object.assign(new Error(text), { responseCode: code });

/**
 * The new text of a reply: what comes before the quoted message. Cuts at the first line that
 * starts the quote as mail programs write it ("On … wrote:", "-----Original Message-----",
 * Outlook's "From: …" header block, or a run of "> " lines), then trims trailing blank lines.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    const next = (lines[i + 1] ?? "").trim();
    if (
      /^-{2,}\s*(original message|forwarded message)\s*-{2,}$/i.test(line) ||
      /^(on|le|am|el)\s.+(wrote|a écrit|schrieb|escribió):$/i.test(line) ||
      // "On Tue, 1 Dec 2026 at 10:00, Someone <x@y>" broken over two lines by the mail program.
      (/^on\s.+/i.test(line) && /^.*wrote:$/i.test(next) && !next.startsWith(">")) ||
      /^(от|from):\s.+/i.test(line) ||
      (line.startsWith(">") &&
        lines.slice(i).every((rest) => rest.trim() === "" || rest.trim().startsWith(">")))
    ) {
      end = i;
      break;
    }
  }
  const kept = lines.slice(0, end);
  // "-- " is the signature separator (RFC 3676): the signature is not part of the message.
  const signature = kept.indexOf("-- ");
  const body = (signature >= 0 ? kept.slice(0, signature) : kept).join("\n").trim();
  return body.length > MAX_BODY_CHARS ? `${body.slice(0, MAX_BODY_CHARS)}\n[…]` : body;
}

const firstAddress = (from: AddressObject | AddressObject[] | undefined): string | null => {
  const object = Array.isArray(from) ? from[0] : from;
  return object?.value[0]?.address?.toLowerCase() ?? null;
};

export interface InboundServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The SMTP server of the `inbound` role: replies to support tickets. It accepts RCPT only to a
 * ticket's own address (`support+<ticket>.<secret>@<domain>`, src/support/tickets.ts) — anything
 * else is refused with 550 before the message is sent — limits the size (552 above it), parses the
 * message, cuts the quoted reply and adds the rest to each named ticket's thread with the header and
 * envelope senders. No authentication: like any MX, it takes mail for its own addresses only.
 */
export async function startInboundServer(options: {
  support: SupportService;
  clock: Clock;
  host: string;
  port: number;
  maxBytes: number;
  serverName: string;
  log: (message: string, error?: unknown) => void;
}): Promise<InboundServer> {
  const { support, clock, maxBytes, log } = options;
  const tickets = new WeakMap<SMTPServerSession, string[]>();
  const server = new SMTPServer({
    name: options.serverName,
    banner: "mfd support desk",
    size: maxBytes,
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    hideSTARTTLS: true,
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (error?: Error) => void) {
      support
        .inboundTicket(address.address)
        .then((ticketId) => {
          if (!ticketId) return callback(smtpError(550, "5.1.1 No such support request here"));
          tickets.set(session, [...(tickets.get(session) ?? []), ticketId]);
          callback();
        })
        .catch((error: unknown) => {
          log("inbound: checking a recipient failed", error);
          callback(smtpError(451, "4.3.0 Try again later"));
        });
    },
    onData(stream, session, callback) {
      const ticketIds = [...new Set(tickets.get(session) ?? [])];
      tickets.delete(session);
      simpleParser(stream)
        .then(async (parsed) => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded)
            return callback(smtpError(552, `5.3.4 The message is larger than ${maxBytes} bytes`));
          const body = stripQuotedReply(parsed.text ?? "");
          if (body === "") return callback(smtpError(550, "5.6.0 The message has no text to add"));
          const mailFrom = session.envelope.mailFrom;
          for (const ticketId of ticketIds) {
            await support.addInbound(systemContext(clock.now()), ticketId, {
              body,
              fromAddress: firstAddress(parsed.from),
              envelopeFrom: mailFrom ? mailFrom.address.toLowerCase() || null : null,
              messageId: parsed.messageId?.slice(0, 300) ?? null,
            });
          }
          callback();
        })
        .catch((error: unknown) => {
          // A request closed between RCPT and the end of DATA refuses the message for good.
          if (error instanceof Error && "code" in error && error.code === "TICKET_CLOSED")
            return callback(smtpError(550, "5.7.1 This request is closed; send a new one through the form"));
          log("inbound: adding a message failed", error);
          callback(smtpError(451, "4.3.0 Try again later"));
        });
    },
  });
  server.on("error", (error) => log("inbound: SMTP server error", error));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once("error", onError);
    server.listen(options.port, options.host, () => {
      server.server.off("error", onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
