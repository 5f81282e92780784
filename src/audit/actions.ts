/**
 * Every action an audit event can record. The console shows each with a label of its own
 * (`audit.action.<name>` in web/src/i18n/en.ts; test/catalog.test.ts keeps them in step), and
 * recordEvent accepts nothing else, so a new event cannot ship unnamed.
 */
export const AUDIT_ACTIONS = [
  "account.register",
  "contact.change",
  "contact.code-failure",
  "contact.recovery-email-unusable",
  "contact.remove",
  "deputy.add",
  "deputy.remove",
  "deputy.update",
  "dns.dkim.rotate",
  "dns.record.create",
  "dns.record.delete",
  "dns.record.update",
  "domain.check",
  "domain.claim.cancel",
  "domain.claim.close",
  "domain.confirm",
  "domain.connect",
  "domain.disconnect",
  "domain.mx-check",
  "domain.renew",
  "mailbox.alias.add",
  "mailbox.alias.remove",
  "mailbox.create",
  "mailbox.delete",
  "mailbox.delete-all",
  "mailbox.update",
  "password.change",
  "password.reset",
  "profile.update",
  "reauth.failure",
  "recovery.code-failure",
  "recovery.code-requested",
  "recovery.question-failure",
  "recovery.two-factor-failure",
  "request.rate-limited",
  "security-question.change",
  "session.end",
  "session.reauthenticate",
  "session.sign-out",
  "sign-in",
  "sign-in.failure",
  "sign-in.rate-limited",
  "sign-in.throttle",
  "sign-in.throttled",
  "support-agent.add",
  "support-agent.remove",
  "token.create",
  "token.exposed",
  "token.revoke",
  "two-factor.disable",
  "two-factor.enable",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Checks rather than changes: a domain's ownership and mail routing, run by the worker or by hand.
 * The account's activity shows them apart from its security events (`kind=checks`).
 */
export const CHECK_ACTIONS = ["domain.check", "domain.mx-check"] as const satisfies readonly AuditAction[];
