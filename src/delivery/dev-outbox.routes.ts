import { Type } from "@sinclair/typebox";
import type { Executor } from "../db/database.js";
import { Nullable } from "../http/schemas.js";
import type { App } from "../http/types.js";
import { listOutbox, type OutboxEntry } from "./delivery.js";

const SHOWN = 200;

const DevMessage = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  recipient: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  createdAt: Type.String(),
  sentAt: Nullable(Type.String()),
});

const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

const status = (m: OutboxEntry): string =>
  m.sentAt ? `delivered ${m.sentAt}` : m.failedAt ? `failed: ${m.lastError ?? ""}` : "waiting";

function page(messages: OutboxEntry[]): string {
  const items = messages
    .map(
      (m) => `<article>
<p class="meta">${escapeHtml(m.createdAt)} · ${escapeHtml(m.channel)} to <strong>${escapeHtml(m.recipient)}</strong> · ${escapeHtml(status(m))}</p>
<h2>${escapeHtml(m.subject)}</h2>
<pre>${escapeHtml(m.body)}</pre>
</article>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>mfd dev outbox</title>
<style>body{font:15px/1.4 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}
header p{margin:0 0 1rem}article{border-top:1px solid #ccc;padding:.5rem 0}.meta{color:#555;margin:0}h2{font-size:1rem;margin:.3rem 0}
pre{white-space:pre-wrap;background:#f5f5f5;padding:.5rem}</style></head>
<body><header><p><a href="/">mfd console</a></p></header>
<main><h1>Outbox (development mode)</h1>
<p>What mfd sent or would have sent, newest first. <a href="/dev/outbox.json">JSON</a></p>
${items || "<p>No messages yet.</p>"}
</main>
</body></html>`;
}

/**
 * Development mode only (app.ts registers these only when MFD_DEV=1): read what mfd would have
 * sent, codes included, without an SMTP server or SMS gateway.
 */
export async function devOutboxRoutes(app: App, db: Executor): Promise<void> {
  app.get(
    "/dev/outbox",
    { config: { access: { public: true } }, schema: { hide: true } },
    async (_request, reply) => reply.type("text/html; charset=utf-8").send(page(await listOutbox(db, SHOWN))),
  );

  app.get(
    "/dev/outbox.json",
    {
      config: { access: { public: true } },
      schema: { hide: true, response: { 200: Type.Array(DevMessage) } },
    },
    async () =>
      (await listOutbox(db, SHOWN)).map(({ id, channel, recipient, subject, body, createdAt, sentAt }) => ({
        id,
        channel,
        recipient,
        subject,
        body,
        createdAt,
        sentAt,
      })),
  );
}
