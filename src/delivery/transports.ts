import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../config.js";

/** What a transport is handed: one row of the outbox. */
export interface OutgoingMessage {
  /** The outbox row's id: the same on every attempt, so a receiver can tell a repeat. */
  id: string;
  recipient: string;
  subject: string;
  body: string;
  /** E-mail: the Reply-To address, if any (a support ticket's inbound address). */
  replyTo?: string | null;
}

export type Send = (message: OutgoingMessage) => Promise<void>;

// One transporter per SMTP URL and timeout, reused across runs of the job (its settings are fixed).
const transporters = new Map<string, Transporter>();

/** The Message-ID of an outbox row's e-mail: every attempt at one row carries the same one. */
export const messageIdFor = (id: string, serviceDomain: string): string => `<${id}@${serviceDomain}>`;

/**
 * E-mail over SMTP (MFD_SMTP_URL), from MFD_SMTP_FROM. Every network step is bounded by
 * MFD_SMTP_TIMEOUT, so a relay that stops answering costs one attempt, not the worker.
 */
export function smtpTransport(
  config: Pick<Config, "smtpUrl" | "smtpFrom" | "smtpTimeoutMs" | "serviceDomain">,
): Send | null {
  const url = config.smtpUrl;
  if (!url) return null;
  const key = `${config.smtpTimeoutMs} ${url}`;
  let transporter = transporters.get(key);
  if (!transporter) {
    transporter = nodemailer.createTransport({
      url,
      connectionTimeout: config.smtpTimeoutMs,
      greetingTimeout: config.smtpTimeoutMs,
      socketTimeout: config.smtpTimeoutMs,
    });
    transporters.set(key, transporter);
  }
  const mailer = transporter;
  return async (message) => {
    await mailer.sendMail({
      from: config.smtpFrom,
      to: message.recipient,
      subject: message.subject,
      text: message.body,
      ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      messageId: messageIdFor(message.id, config.serviceDomain),
    });
  };
}

/**
 * SMS through the operator's HTTP gateway (MFD_SMS_URL): POST {to, text} with an
 * `Idempotency-Key` header that is the same on every attempt at one message; any non-2xx is a
 * failure. One request may take MFD_SMS_TIMEOUT.
 */
export function smsTransport(config: Pick<Config, "smsUrl" | "smsTimeoutMs">): Send | null {
  const url = config.smsUrl;
  if (!url) return null;
  return async (message) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": message.id },
      body: JSON.stringify({ to: message.recipient, text: message.body }),
      redirect: "error",
      signal: AbortSignal.timeout(config.smsTimeoutMs),
    });
    // The gateway's body is not read into errors: it may echo the message, code included.
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the SMS gateway answered HTTP ${response.status}`);
  };
}
