import { Type } from "@sinclair/typebox";
import { TOKEN_PERMISSIONS } from "../access/actor.js";
import { Closed, Named, Nullable } from "../http/schemas.js";

/** docs/SECURITY.md §18: a token lives a year at most. */
export const MAX_TOKEN_DAYS = 365;

const TokenPermissionField = Type.Union(
  TOKEN_PERMISSIONS.map((p) => Type.Literal(p)),
  { description: "What the token may do on its domains" },
);
/** In answers by name; request bodies keep it inline, as their validator resolves no references. */
const TokenPermission = Named("TokenPermission", TokenPermissionField);
const Scope = Type.Union([
  Type.Literal("all", { description: "Every domain the holder manages, now and later" }),
  Type.Array(Type.String({ minLength: 1, maxLength: 300, description: "Domain name, Unicode or punycode" }), {
    minItems: 1,
    maxItems: 100,
  }),
]);

export const CreateTokenBody = Closed({
  name: Type.String({ minLength: 1, maxLength: 100, description: "To recognise the token in the list" }),
  permissions: Type.Array(TokenPermissionField, {
    minItems: 1,
    maxItems: TOKEN_PERMISSIONS.length,
    uniqueItems: true,
  }),
  domains: Scope,
  expiresInDays: Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS }),
});

export const TokenIdParams = Closed({
  id: Type.String({
    minLength: 1,
    maxLength: 64,
    description: "The token's `id`, as the list of tokens gives it",
  }),
});

const tokenFields = {
  id: Type.String(),
  name: Type.String(),
  hint: Type.String({ description: "The secret's last 4 characters" }),
  permissions: Type.Array(TokenPermission),
  domains: Type.Union([Type.Literal("all"), Type.Array(Type.String())], {
    description: "ASCII names the token is limited to, or all",
  }),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  expired: Type.Boolean(),
  revoked: Type.Boolean(),
  lastUsedAt: Nullable(Type.String({ description: "UTC, updated at most once a minute" })),
  lastUsedIp: Nullable(Type.String()),
};

export const TokenView = Named("Token", Type.Object(tokenFields));

export const IssuedToken = Named(
  "IssuedToken",
  Type.Object({
    ...tokenFields,
    token: Type.String({
      description:
        "The secret, shown this once: send it as `Authorization: Bearer <token>`. Only its hash is kept.",
    }),
  }),
);
