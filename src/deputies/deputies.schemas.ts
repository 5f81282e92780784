import { Type } from "@sinclair/typebox";
import { Closed, DomainInPath, Named } from "../http/schemas.js";

const Login = Type.String({
  minLength: 1,
  maxLength: 320,
  description: "A service account: login or login@<service domain>",
});

export const DeputyParams = Closed({ name: DomainInPath, login: Login });

export const AddDeputyBody = Closed({
  login: Login,
  dnsGranted: Type.Optional(
    Type.Boolean({ description: "May manage DNS while the domain is delegated to mfd (default false)" }),
  ),
});

export const UpdateDeputyBody = Closed({ dnsGranted: Type.Boolean() });

export const Deputy = Named(
  "Deputy",
  Type.Object({
    login: Type.String(),
    address: Type.String({ description: "login@<service domain>" }),
    dnsGranted: Type.Boolean(),
    addedAt: Type.String({ description: "UTC" }),
  }),
);
