import { Type } from "@sinclair/typebox";
import { Closed, DomainInPath, Named, Nullable, PageLimit, Password } from "../http/schemas.js";

/** Room for `login@<a long domain>`; the login rules themselves are the service's (LOGIN_INVALID). */
const Login = Type.String({
  minLength: 1,
  maxLength: 320,
  description: "Latin letters, digits, `.`, `-`, `_`; starts with a letter; at most 30. Or login@domain.",
});
const Name = Type.String({
  maxLength: 100,
  pattern: "^[^\\u0000-\\u001f\\u007f]*$",
  description: "At most 100 characters, no control characters",
});
const QuotaMb = Type.Integer({
  minimum: 0,
  maximum: 16_777_216,
  description: "Quota in MiB; 0 means the installation's default",
});

export const DomainParams = Closed({ domain: DomainInPath });
const MailboxInPath = Type.String({
  minLength: 1,
  maxLength: 320,
  description: "The mailbox's login (the part before @), or its full address on the domain",
});
export const MailboxParams = Closed({ domain: DomainInPath, login: MailboxInPath });
export const AliasParams = Closed({
  domain: DomainInPath,
  login: MailboxInPath,
  alias: Type.String({
    minLength: 1,
    maxLength: 320,
    description: "The alias: its local part, or its full address on the domain",
  }),
});

export const CreateMailboxBody = Closed({
  login: Login,
  password: Password,
  firstName: Type.Optional(Name),
  lastName: Type.Optional(Name),
  quotaMb: Type.Optional(QuotaMb),
  enabled: Type.Optional(Type.Boolean({ description: "false creates the mailbox blocked" })),
});

export const UpdateMailboxBody = Closed({
  firstName: Type.Optional(Name),
  lastName: Type.Optional(Name),
  password: Type.Optional(Password),
  enabled: Type.Optional(Type.Boolean({ description: "false blocks the mailbox: no sign-in, no mail" })),
  quotaMb: Type.Optional(QuotaMb),
});

export const ListQuery = Type.Object(
  {
    limit: PageLimit(50),
    after: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "`next` of the previous page" }),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "Login prefix, or the start of the first or last name (case-insensitive)",
      }),
    ),
    order: Type.Optional(
      Type.Union([Type.Literal("login"), Type.Literal("-login")], {
        description:
          "By login A to Z (`login`, the default) or Z to A (`-login`); `after` follows the same order",
      }),
    ),
  },
  { additionalProperties: false },
);

export const DeleteAllBody = Closed({
  confirm: Type.String({ maxLength: 1000, description: "The domain name, typed again" }),
});

export const AliasBody = Closed({ alias: Login });

/** The largest batch: a thousand rows hash in seconds, and fit a 2 MiB body. */
export const BATCH_MAX = 1000;
export const BATCH_BODY_LIMIT = 2 * 1024 * 1024;

export const BatchBody = Closed({
  mailboxes: Type.Array(
    Closed({
      login: Login,
      password: Password,
      firstName: Type.Optional(Name),
      lastName: Type.Optional(Name),
    }),
    { minItems: 1, maxItems: BATCH_MAX },
  ),
});

export const Mailbox = Named(
  "Mailbox",
  Type.Object({
    login: Type.String(),
    address: Type.String(),
    firstName: Type.String(),
    lastName: Type.String(),
    enabled: Type.Boolean(),
    quotaMb: Type.Integer({ description: "MiB; 0 means the installation's default" }),
    aliases: Type.Array(Type.String(), { description: "Local parts of the mailbox's aliases" }),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  }),
);

export const MailboxPage = Named(
  "MailboxPage",
  Type.Object({
    mailboxes: Type.Array(Mailbox),
    next: Nullable(Type.String({ description: "Pass as `after` for the next page; null on the last" })),
    total: Type.Integer({ description: "Mailboxes matching `q` (all of the domain's without it)" }),
  }),
);

export const Deleted = Type.Object({ deleted: Type.Integer() });

export const BatchResult = Named(
  "BatchResult",
  Type.Object({
    results: Type.Array(
      Type.Object({
        login: Type.String(),
        status: Type.Union([Type.Literal("created"), Type.Literal("skipped"), Type.Literal("failed")]),
        code: Type.Optional(Type.String({ description: "Error code of a failed row" })),
        detail: Type.Optional(Type.String()),
      }),
      { description: "One per row, in the order given" },
    ),
    created: Type.Integer(),
    skipped: Type.Integer(),
    failed: Type.Integer(),
  }),
);

/** The most mailboxes one request blocks, unblocks or deletes. */
export const CHANGE_MAX = 1000;
const Logins = Type.Array(Login, {
  minItems: 1,
  maxItems: CHANGE_MAX,
  description: "Logins (or addresses) of the domain's mailboxes; every one must exist, or nothing changes",
});

export const SetEnabledBody = Closed({
  logins: Logins,
  enabled: Type.Boolean({ description: "false blocks the mailboxes, true unblocks them" }),
});

export const SetEnabledResult = Type.Object({
  changed: Type.Integer({ description: "Mailboxes whose state changed (one audit event each)" }),
  unchanged: Type.Integer({ description: "Mailboxes that were already so" }),
});

export const DeleteManyBody = Closed({ logins: Logins });

/** A CSV file as text: 2 MB of it is some 30,000 rows; JSON may escape it to twice that. */
export const IMPORT_TEXT_MAX = 2_000_000;
export const IMPORT_BODY_LIMIT = 5 * 1024 * 1024;

export const CsvImportBody = Closed({
  csv: Type.String({
    minLength: 1,
    maxLength: IMPORT_TEXT_MAX,
    description:
      "The file's text. Header: login,password,first_name,last_name (login and password required); " +
      `an import (not a dry run) takes at most ${BATCH_MAX} rows: send a larger file in slices, ` +
      "each the header followed by whole rows, cut where the dry run says rows start",
  }),
  dryRun: Type.Optional(
    Type.Boolean({
      description: "Only check: every row as the import would treat it, nothing created (default false)",
    }),
  ),
});

export const CsvImportResult = Named(
  "CsvImportResult",
  Type.Object({
    dryRun: Type.Boolean(),
    rows: Type.Array(
      Type.Object({
        line: Type.Integer({ description: "The line of the text the row starts on (the header is line 1)" }),
        start: Type.Integer({
          description: "Where the row starts in the text (UTF-16 code units), to cut the text in slices",
        }),
        login: Type.String(),
        status: Type.Union([Type.Literal("created"), Type.Literal("skipped"), Type.Literal("failed")], {
          description: "In a dry run: what the import would do",
        }),
        code: Type.Optional(Type.String({ description: "Error code of a failed row" })),
        detail: Type.Optional(Type.String()),
      }),
      { description: "One per row after the header, in file order" },
    ),
    created: Type.Integer(),
    skipped: Type.Integer(),
    failed: Type.Integer(),
  }),
);
