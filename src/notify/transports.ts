import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../config.js";

/** What a transport is handed: one row of the outbox. */
export interface OutgoingMessage {
  recipient: string;
  subject: string;
  body: string;
}

export type Send = (message: OutgoingMessage) => Promise<void>;

/** Bounds every network step, so one stuck server cannot hold a delivery past its lease. */
export const TRANSPORT_TIMEOUT_MS = 20_000;

// One transporter per SMTP URL, reused across runs of the job (its connection settings are fixed).
const transporters = new Map<string, Transporter>();

/** E-mail over SMTP (MFD_SMTP_URL), from MFD_SMTP_FROM. */
export function smtpTransport(config: Pick<Config, "smtpUrl" | "smtpFrom">): Send | null {
  const url = config.smtpUrl;
  if (!url) return null;
  let transporter = transporters.get(url);
  if (!transporter) {
    transporter = nodemailer.createTransport({
      url,
      connectionTimeout: TRANSPORT_TIMEOUT_MS,
      greetingTimeout: TRANSPORT_TIMEOUT_MS,
      socketTimeout: TRANSPORT_TIMEOUT_MS,
    });
    transporters.set(url, transporter);
  }
  const mailer = transporter;
  return async (message) => {
    await mailer.sendMail({
      from: config.smtpFrom,
      to: message.recipient,
      subject: message.subject,
      text: message.body,
    });
  };
}

/** SMS through the operator's HTTP gateway (MFD_SMS_URL): POST {to, text}; any non-2xx is a failure. */
export function smsTransport(config: Pick<Config, "smsUrl">): Send | null {
  const url = config.smsUrl;
  if (!url) return null;
  return async (message) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ to: message.recipient, text: message.body }),
      redirect: "error",
      signal: AbortSignal.timeout(TRANSPORT_TIMEOUT_MS),
    });
    // The gateway's body is not read into errors: it may echo the message, code included.
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the SMS gateway answered HTTP ${response.status}`);
  };
}
