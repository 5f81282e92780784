import { Type } from "@sinclair/typebox";
import { RECOVERY_CODE_PATTERN } from "../credentials/recovery-codes.js";
import { Closed, Code, Named, Password } from "../http/schemas.js";

// Every login starts with a letter; the pattern also stops a number from being coerced into a login.
const Login = Type.String({
  minLength: 1,
  maxLength: 320,
  pattern: "^\\s*[A-Za-z]",
  description: "login or login@<service domain>",
});
const FlowId = Type.String({ minLength: 1, maxLength: 64 });

export const CodeRequestBody = Closed({
  login: Login,
  channel: Type.Union([Type.Literal("phone"), Type.Literal("email")]),
  contact: Type.String({
    minLength: 1,
    maxLength: 254,
    description: "The full phone number (+country code) or recovery e-mail address, as the account has it",
  }),
});

export const CodeRequested = Named(
  "CodeRequested",
  Type.Object(
    {
      flowId: Type.String(),
      expiresAt: Type.String(),
      message: Type.String(),
    },
    { description: "The same answer whether or not the account and contact exist" },
  ),
);

export const QuestionRequestBody = Closed({ login: Login });

export const QuestionOffered = Named(
  "QuestionOffered",
  Type.Object({
    flowId: Type.String(),
    question: Type.Object({ id: Type.String(), text: Type.String() }),
  }),
);

export const VerifyBody = Closed(
  {
    flowId: FlowId,
    code: Type.Optional(Code),
    answer: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  "Send the code of a code flow or the answer of a question flow (exactly one of them)",
);

export const ResetGrant = Named(
  "ResetGrant",
  Type.Object({
    resetToken: Type.String({ description: "Single use; send it to /recovery/reset within expiresAt" }),
    expiresAt: Type.String(),
  }),
);

export const ResetBody = Closed({
  resetToken: Type.String({ minLength: 1, maxLength: 128 }),
  newPassword: Password,
  totpCode: Type.Optional(Type.String({ pattern: "^[0-9]{6}$" })),
  recoveryCode: Type.Optional(
    Type.String({
      pattern: RECOVERY_CODE_PATTERN,
      description: "A two-factor recovery code instead of totpCode, when the authenticator is lost",
    }),
  ),
});
