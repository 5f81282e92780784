import { Type } from "@sinclair/typebox";
import { RECOVERY_CODE_PATTERN } from "../credentials/recovery-codes.js";
import { Closed, Code, Named, Nullable, Password } from "../http/schemas.js";

const TotpCode = Type.String({
  pattern: "^[0-9]{6}$",
  description: "6-digit code from the authenticator app",
});
/** A recovery code instead of a TOTP code, for a lost authenticator (src/credentials/recovery-codes.ts). */
export const RecoveryCode = Type.String({
  pattern: RECOVERY_CODE_PATTERN,
  description:
    "One of the account's two-factor recovery codes (xxxx-xxxx-xx), instead of totpCode; works once",
});
const Name = Type.String({ minLength: 1, maxLength: 100 });

export const RegisterBody = Closed({
  login: Type.String({ minLength: 1, maxLength: 64 }),
  password: Password,
  firstName: Name,
  lastName: Name,
  securityQuestion: Type.Optional(Type.String({ maxLength: 64 })),
  securityAnswer: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  recoveryEmail: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
});

export const SignInBody = Closed({
  login: Type.String({ minLength: 1, maxLength: 320, description: "login or login@<service domain>" }),
  password: Password,
  totpCode: Type.Optional(TotpCode),
  recoveryCode: Type.Optional(RecoveryCode),
});

export const ReauthenticateBody = Closed({
  password: Password,
  totpCode: Type.Optional(TotpCode),
  recoveryCode: Type.Optional(RecoveryCode),
});

const sessionInfoFields = {
  accountId: Type.String(),
  csrfToken: Type.String({ description: "Send as X-CSRF-Token on state-changing requests" }),
  reauthenticatedAt: Type.String(),
};

export const SessionInfo = Named("SessionInfo", Type.Object(sessionInfoFields));

export const SignedInInfo = Named(
  "SignedInInfo",
  Type.Object({
    ...sessionInfoFields,
    failedSignIns: Type.Integer({
      minimum: 0,
      description: "Sign-ins that failed or were refused as throttled since the previous successful one",
    }),
  }),
);

export const Profile = Named(
  "Account",
  Type.Object({
    id: Type.String(),
    login: Type.String(),
    address: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    securityQuestion: Nullable(Type.Object({ id: Type.String(), text: Type.String() })),
    phone: Nullable(Type.Object({ number: Type.String(), confirmed: Type.Boolean() })),
    recoveryEmail: Nullable(
      Type.Object({
        address: Type.String(),
        confirmed: Type.Boolean(),
        usableForRestore: Type.Boolean({
          description:
            "False when no restore code is sent there: the address is on a domain this account manages, whose other managers could read it",
        }),
        unusableReason: Nullable(Type.Literal("on-managed-domain")),
        managedDomain: Nullable(Type.String({ description: "The managed domain the address is on" })),
      }),
    ),
    pendingPhone: Nullable(Type.String()),
    pendingEmail: Nullable(Type.String()),
    twoFactor: Type.Boolean(),
    recoveryCodesLeft: Type.Integer({
      minimum: 0,
      description: "Unused two-factor recovery codes (0 while two-factor is off)",
    }),
    isSupportAgent: Type.Boolean(),
    complete: Type.Boolean(),
    missing: Type.Array(Type.String()),
    createdAt: Type.String(),
  }),
);

export const SecurityQuestion = Named(
  "SecurityQuestion",
  Type.Object({ id: Type.String(), text: Type.String() }),
);

export const ConfirmBody = Closed({ code: Code });

export const SessionView = Named(
  "Session",
  Type.Object({
    id: Type.String(),
    createdAt: Type.String(),
    lastSeenAt: Type.String(),
    ip: Nullable(Type.String()),
    userAgent: Nullable(Type.String()),
    current: Type.Boolean({ description: "The session making this request" }),
  }),
);

export const SessionIdParams = Closed({
  id: Type.String({
    minLength: 1,
    maxLength: 64,
    description: "The session's `id`, as the list of sessions gives it",
  }),
});

export const EndedSessions = Type.Object({ ended: Type.Integer({ description: "Sessions ended" }) });

export const ChangePasswordBody = Closed({ currentPassword: Password, newPassword: Password });

export const ProfileBody = Closed({ firstName: Type.Optional(Name), lastName: Type.Optional(Name) });

export const SecurityQuestionBody = Closed({
  question: Type.String({
    minLength: 1,
    maxLength: 64,
    description: "An id from /api/v1/security-questions",
  }),
  answer: Type.String({ minLength: 1, maxLength: 200 }),
});

export const PhoneBody = Closed({
  phone: Type.String({
    minLength: 1,
    maxLength: 32,
    description: "Full international number, +<country code>…",
  }),
});

export const RecoveryEmailBody = Closed({ email: Type.String({ minLength: 3, maxLength: 254 }) });

export const PendingContact = Type.Object({
  pending: Type.String({ description: "The normalised contact the code was sent to" }),
});

export const TwoFactorSetup = Named(
  "TwoFactorSetup",
  Type.Object({
    secret: Type.String({ description: "Base32 secret, for typing into the app by hand" }),
    otpauthUri: Type.String(),
    qrSvg: Type.String({ description: "The otpauth URI as an SVG QR code" }),
  }),
);

export const TwoFactorCodeBody = Closed({ code: TotpCode });
export const TwoFactorDisableBody = Closed({
  code: Type.Optional(TotpCode),
  recoveryCode: Type.Optional(RecoveryCode),
  password: Password,
});

export const RecoveryCodes = Named(
  "RecoveryCodes",
  Type.Object({
    recoveryCodes: Type.Array(Type.String(), {
      description:
        "Ten one-time codes for signing in without the authenticator app; shown this once, stored only as hashes",
    }),
  }),
);
