import { Type } from "@sinclair/typebox";
import { Closed, Code, Password } from "../http/schemas.js";

export const RegisterBody = Closed({
  login: Type.String({ minLength: 1, maxLength: 64 }),
  password: Password,
  firstName: Type.String({ minLength: 1, maxLength: 100 }),
  lastName: Type.String({ minLength: 1, maxLength: 100 }),
  securityQuestion: Type.Optional(Type.String({ maxLength: 64 })),
  securityAnswer: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  recoveryEmail: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
});

export const SignInBody = Closed({
  login: Type.String({ minLength: 1, maxLength: 320, description: "login or login@<service domain>" }),
  password: Password,
  totpCode: Type.Optional(Type.String({ pattern: "^[0-9]{6}$" })),
});

export const SessionInfo = Type.Object({
  accountId: Type.String(),
  csrfToken: Type.String({ description: "Send as X-CSRF-Token on state-changing requests" }),
  reauthenticatedAt: Type.String(),
});

export const Profile = Type.Object({
  id: Type.String(),
  login: Type.String(),
  address: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  securityQuestion: Type.Union([Type.Object({ id: Type.String(), text: Type.String() }), Type.Null()]),
  phone: Type.Union([Type.Object({ number: Type.String(), confirmed: Type.Boolean() }), Type.Null()]),
  recoveryEmail: Type.Union([
    Type.Object({ address: Type.String(), confirmed: Type.Boolean() }),
    Type.Null(),
  ]),
  pendingPhone: Type.Union([Type.String(), Type.Null()]),
  pendingEmail: Type.Union([Type.String(), Type.Null()]),
  twoFactor: Type.Boolean(),
  isSupportAgent: Type.Boolean(),
  complete: Type.Boolean(),
  missing: Type.Array(Type.String()),
  createdAt: Type.String(),
});

export const ConfirmBody = Closed({ code: Code });
