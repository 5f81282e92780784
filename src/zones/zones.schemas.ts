import { Type } from "@sinclair/typebox";
import { RDATA_TYPES } from "../dns/rdata.js";
import { Closed, DomainInPath, Named } from "../http/schemas.js";

export const RecordTypeSchema = Type.Union(
  RDATA_TYPES.map((type) => Type.Literal(type)),
  { description: "SOA is the service's; NS at the domain itself too" },
);

const RecordName = Type.String({
  minLength: 1,
  maxLength: 300,
  description:
    '"@" for the domain itself, a name relative to it ("www", "_dmarc"), or a name ending in "." inside it',
});
const Ttl = Type.Integer({ description: "Seconds, 60–604800; 3600 when left out" });
const Data = Type.String({
  minLength: 1,
  maxLength: 70000,
  description: 'RDATA in zone-file presentation form, e.g. "10 mx.example.org." for MX',
});

export const RecordParams = Closed({
  name: DomainInPath,
  id: Type.String({
    minLength: 1,
    maxLength: 64,
    description: "The record's `id`, as the list of records gives it",
  }),
});

export const CreateRecordBody = Closed({
  name: RecordName,
  type: RecordTypeSchema,
  ttl: Type.Optional(Ttl),
  data: Data,
});

export const UpdateRecordBody = Closed({
  name: Type.Optional(RecordName),
  ttl: Type.Optional(Ttl),
  data: Type.Optional(Data),
});

export const DnsRecord = Named(
  "DnsRecord",
  Type.Object({
    id: Type.String(),
    name: Type.String({ description: '"@" or the name relative to the domain' }),
    fqdn: Type.String({ description: "The full name, without the trailing dot" }),
    type: RecordTypeSchema,
    ttl: Type.Integer(),
    data: Type.String({ description: "RDATA in presentation form, names absolute" }),
  }),
);
