import type { FastifySwaggerUiOptions } from "@fastify/swagger-ui";

/**
 * The API documentation page (Swagger UI at /api/docs, also reached as /docs): dressed as mfd —
 * its name, mark and colours, a way back to the console — and made accessible (a language, a
 * header landmark, contrast of WCAG AA), which Swagger UI's own page lacks.
 */

/** Where the page lives, and the short address the console links to. */
export const API_DOCS_PREFIX = "/api/docs";
export const API_DOCS_SHORT = "/docs";

const MARK = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><title>mfd</title><rect width="32" height="32" rx="7" fill="#4338ca"/><path d="M7 10h18v12H7z" fill="none" stroke="#fff" stroke-width="2.2" stroke-linejoin="round"/><path d="M7.5 10.5 16 17l8.5-6.5" fill="none" stroke="#fff" stroke-width="2.2" stroke-linejoin="round"/></svg>`;

// The console's colours (web/src/styles/shared/base.css); Swagger UI's method badges and links get
// darker tones so that white text on them and they on white meet WCAG AA contrast (4.5:1).
const CSS = `
:root { --mfd-accent: #4338ca; --mfd-text: #172033; --mfd-muted: #5a6478; --mfd-border: #dde1ec; --mfd-bg: #f6f7fb; }
body { margin: 0; background: var(--mfd-bg); color: var(--mfd-text);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.mfd-docs-header { display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap; padding: 0.75rem 1.5rem;
  background: #fff; border-bottom: 1px solid var(--mfd-border); }
.mfd-docs-brand { display: inline-flex; align-items: center; gap: 0.5rem; font-weight: 700; font-size: 1.15rem;
  color: var(--mfd-text); text-decoration: none; }
.mfd-docs-brand img { width: 28px; height: 28px; }
.mfd-docs-tagline { color: var(--mfd-muted); font-size: 0.875rem; }
.mfd-docs-back { margin-left: auto; color: var(--mfd-accent); font-weight: 600; }
.mfd-docs-back:focus-visible, .mfd-docs-brand:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.swagger-ui .topbar { display: none; }
.swagger-ui .info .title, .swagger-ui .opblock-tag, .swagger-ui .opblock .opblock-summary-path,
.swagger-ui .opblock .opblock-summary-description, .swagger-ui .parameter__name, .swagger-ui table thead tr th,
.swagger-ui .response-col_status, .swagger-ui .model-title, .swagger-ui .model, .swagger-ui label,
.swagger-ui .tab li, .swagger-ui .opblock-description-wrapper p, .swagger-ui .info p, .swagger-ui .info li,
.swagger-ui .renderedMarkdown p, .swagger-ui .markdown p { color: var(--mfd-text); }
.swagger-ui a, .swagger-ui .info a, .swagger-ui .info .link { color: var(--mfd-accent); }
.swagger-ui .parameter__in, .swagger-ui .parameter__type, .swagger-ui .prop-format,
.swagger-ui .opblock-summary-operation-id, .swagger-ui .response-col_links { color: var(--mfd-muted); }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1d5fa8; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #0b6b47; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #8a4b00; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #0f6e69; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b42318; }
.swagger-ui .opblock-tag small, .swagger-ui .info .base-url { color: var(--mfd-muted); }
.swagger-ui .btn.authorize { color: #0b6b47; border-color: #0b6b47; }
.swagger-ui .btn.authorize svg { fill: #0b6b47; }
.swagger-ui .scheme-container { background: #fff; box-shadow: none; border-bottom: 1px solid var(--mfd-border); }
.swagger-ui .opblock .opblock-summary-path__deprecated { color: var(--mfd-muted); }
.swagger-ui .response-control-media-type__accept-message { color: #0b6b47; }
.swagger-ui .opblock-summary-control:focus { outline: 3px solid #f59e0b; }
.swagger-ui .info .title small, .swagger-ui .info .title small pre { background: #3f4a5e; color: #fff; }
.swagger-ui .info .title small.version-stamp { background: #0b6b47; }
.swagger-ui .renderedMarkdown code, .swagger-ui .markdown code { color: #6b21a8; background: #eef0f6; }
`;

// Runs after Swagger UI's own script: gives the page its language and the mfd header with the way
// back to the console.
const JS = `(function () {
  document.documentElement.lang = "en";
  document.title = "API documentation — mfd";
  var root = document.getElementById("swagger-ui");
  if (!root || document.querySelector(".mfd-docs-header")) return;
  var header = document.createElement("header");
  header.className = "mfd-docs-header";
  header.innerHTML =
    '<a class="mfd-docs-brand" href="/"><img src="${API_DOCS_PREFIX}/static/theme/mfd.svg" alt="" />mfd</a>' +
    '<span class="mfd-docs-tagline">Mail for Domain — API documentation</span>' +
    '<a class="mfd-docs-back" href="/">Back to the console</a>';
  // Swagger UI draws its own <main> landmark inside the root.
  root.parentNode.insertBefore(header, root);
  // Swagger UI draws a parameter's value field (a <select> for an enum, an <input> otherwise)
  // without a label; name each after its parameter so screen readers say what it is (axe: select-name).
  function labelFields() {
    var rows = root.querySelectorAll("tr[data-param-name]");
    for (var i = 0; i < rows.length; i++) {
      var fields = rows[i].querySelectorAll(".parameters-col_description select, .parameters-col_description input");
      for (var j = 0; j < fields.length; j++)
        if (!fields[j].getAttribute("aria-label")) fields[j].setAttribute("aria-label", rows[i].getAttribute("data-param-name"));
    }
  }
  new MutationObserver(labelFields).observe(root, { childList: true, subtree: true });
})();
`;

/**
 * The OpenAPI document's description: what every answer looks like, and a walk through both ways
 * of signing requests (Swagger UI renders it as Markdown at the top of the page).
 */
export const API_DESCRIPTION = `REST API of **mfd — Mail for Domain**: domains, mailboxes, aliases, administrators, DNS and
your account. [Back to the console](/).

Every error is an \`application/problem+json\` document with a stable \`code\` (such as
\`LOGIN_TAKEN\`), a \`title\`, a human \`detail\` and, for a form field, the \`field\` it belongs to.
Requests may carry at most 64 KiB.

## Authentication

There are two ways to call the API. Replace \`https://mail.example.org\` with this server's address.

### 1. An API token (scripts)

Create a token in the console under **Account → API tokens** (or \`POST /api/v1/tokens\` while
signed in). It is shown once; it is limited to the permissions and domains you chose and expires.
Send it in the \`Authorization\` header of every request — never in a URL (a token seen in a web
address is revoked):

\`\`\`sh
curl -H "Authorization: Bearer mfd_…" \\
  https://mail.example.org/api/v1/domains/example.org/mailboxes

curl -X POST -H "Authorization: Bearer mfd_…" -H "Content-Type: application/json" \\
  -d '{"login": "anna", "password": "a long passphrase of hers"}' \\
  https://mail.example.org/api/v1/domains/example.org/mailboxes
\`\`\`

A token needs no anti-CSRF header. It cannot change passwords, contacts, tokens or
administrators: those need a browser session.

### 2. A browser session (the console)

1. \`POST /api/v1/session\` with \`{"login": "…", "password": "…"}\` (and \`"totpCode"\` when
   two-factor authentication is on). The answer sets the \`mfd_session\` cookie (HttpOnly) and
   carries a \`csrfToken\`; \`GET /api/v1/session\` tells it again.
2. Every POST, PUT, PATCH and DELETE sends that token in the \`X-CSRF-Token\` header, with the
   cookie, from the server's own origin (its public URL). Without it the answer is
   \`403 CSRF_REJECTED\`.
3. Sensitive actions (adding administrators, creating tokens, disconnecting a domain…) need a
   recent password: they answer \`403 REAUTH_REQUIRED\`; send
   \`POST /api/v1/session/reauthenticate\` with \`{"password": "…"}\` and repeat the request.
4. \`DELETE /api/v1/session\` signs out.

\`\`\`sh
curl -c jar -H "Content-Type: application/json" -d '{"login": "alice", "password": "…"}' \\
  https://mail.example.org/api/v1/session            # answers {"csrfToken": "…", …}
curl -b jar -X POST -H "X-CSRF-Token: <csrfToken>" -H "Origin: https://mail.example.org" \\
  -H "Content-Type: application/json" -d '{"name": "example.org"}' \\
  https://mail.example.org/api/v1/domains
\`\`\`
`;

/** Swagger UI's options: the theme above, and the page's own CSP tightened. */
export function apiDocsOptions(): FastifySwaggerUiOptions {
  return {
    routePrefix: API_DOCS_PREFIX,
    staticCSP: true,
    // The documentation page must not be framed by any site either (clickjacking).
    transformStaticCSP: (header: string) =>
      header.replace("frame-ancestors 'self'", "frame-ancestors 'none'"),
    // No deep links: each would be a link inside the operation's summary button (axe: nested-interactive).
    uiConfig: { deepLinking: false, docExpansion: "list", defaultModelsExpandDepth: 0 },
    theme: {
      title: "API documentation — mfd",
      css: [{ filename: "mfd.css", content: CSS }],
      js: [{ filename: "mfd.js", content: JS }],
      favicon: [{ filename: "mfd.svg", rel: "icon", type: "image/svg+xml", sizes: "any", content: MARK }],
    },
  };
}
