import { Type } from "@sinclair/typebox";
import { Named, Nullable } from "../http/schemas.js";

const CheckName = Type.Union(
  ["delegation", "mx", "spf", "dkim", "dmarc"].map((name) => Type.Literal(name)),
  { description: "What was checked" },
);

export const DnsHealthCheck = Named(
  "DnsHealthCheck",
  Type.Object({
    check: CheckName,
    ok: Type.Boolean(),
    code: Type.String({
      description:
        "OK, or why it failed: LOOKUP_FAILED, NOT_REGISTERED, NOT_DELEGATED, DELEGATED_ELSEWHERE, DELEGATION_INCOMPLETE, MX_MISSING, MX_ELSEWHERE, SPF_MISSING, SPF_MULTIPLE, SPF_TOO_OPEN, SPF_WITHOUT_US, DKIM_MISSING, DKIM_WRONG_KEY, DMARC_MISSING, DMARC_MULTIPLE, DMARC_NO_POLICY",
    }),
    detail: Type.String({ description: "What was seen, in words" }),
    expected: Type.String({
      description: "What the check wants to see (name servers, MX host, record value)",
    }),
  }),
);

export const DnsHealth = Named(
  "DnsHealth",
  Type.Object({
    checkedAt: Nullable(Type.String({ description: "When the checks ran (UTC)" }), {
      description: "Null until the first check",
    }),
    ok: Type.Boolean({ description: "Every check passed" }),
    checks: Type.Array(DnsHealthCheck),
  }),
);
