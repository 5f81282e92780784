/**
 * Shapes of the mfd API answers the console reads: names for the shapes generated from
 * docs/openapi.json (`npm run openapi` writes ./api/openapi.d.ts), so the server's schemas are their
 * one source.
 */
import type { components, paths } from "./api/openapi";

type Schemas = components["schemas"];

export type Account = Schemas["Account"];
export type SecurityQuestion = Schemas["SecurityQuestion"];
export type SessionInfo = Schemas["SessionInfo"];
export type SignedInInfo = Schemas["SignedInInfo"];
export type SessionView = Schemas["Session"];
export type TwoFactorSetup = Schemas["TwoFactorSetup"];
export type AuditEvent = Schemas["AuditEvent"];

/** An event on one domain, as its owner sees it (GET /api/v1/domains/{name}/activity). */
export type DomainEvent = Schemas["DomainEvent"];
export type DomainSummary = Schemas["DomainListItem"];
export type DomainView = Schemas["DomainView"];
export type DomainStatus = DomainView["status"];
export type DomainCheck = Schemas["DomainCheck"];
export type ProofMethod = keyof NonNullable<DomainView["claim"]>["methods"];
/** What the viewer may do on a domain: the console shows a control only for a listed action. */
export type DomainAction = DomainView["actions"][number];

/** What registering sends (POST /api/v1/accounts). */
export type RegisterBody = paths["/api/v1/accounts"]["post"]["requestBody"]["content"]["application/json"];

/** A mailbox of a confirmed domain. */
export type Mailbox = Schemas["Mailbox"];
export type MailboxPage = Schemas["MailboxPage"];

/** An additional administrator of a domain. */
export type Deputy = Schemas["Deputy"];

export type TokenPermission = Schemas["TokenPermission"];
/** A personal API token as listed: never the secret, only its hint. */
export type ApiToken = Schemas["Token"];
/** The answer to creating a token: the only time its secret leaves the server. */
export type CreatedToken = Schemas["IssuedToken"];

/** A record of a domain's DNS zone, data in zone-file presentation form. */
export type DnsRecord = Schemas["DnsRecord"];
/** What a zone-file import did (or, dry, would do). */
export type DnsImportReport = Schemas["DnsImportReport"];
export type DnsHealth = Schemas["DnsHealth"];
export type DnsHealthCheck = Schemas["DnsHealthCheck"];

/** The support desk: a request as its requester sees it, and as an agent does. */
export type TicketCategory = Schemas["TicketSummary"]["category"];
export type TicketState = Schemas["TicketSummary"]["state"];
export type TicketSummary = Schemas["TicketSummary"];
export type RequesterTicket = Schemas["RequesterTicket"];
export type AgentTicket = Schemas["AgentTicket"];
export type QueuePage = Schemas["QueuePage"];
/** A hand-over (transfer or restore) as one of its parties sees it. */
export type Handover = Schemas["Handover"];
