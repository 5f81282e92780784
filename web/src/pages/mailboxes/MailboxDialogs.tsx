import { type ComponentProps, type FormEvent, useEffect, useId, useRef, useState } from "react";
import { api, client } from "../../api";
import { ConfirmDialog, TypeNameToConfirm } from "../../components/ConfirmDialog";
import {
  Button,
  CheckboxField,
  Dialog,
  Form,
  FormError,
  TextField,
  useAction,
  useFocusField,
} from "../../components/ui";
import { formatNumber, t, tp } from "../../i18n";
import type { DomainView, Mailbox } from "../../types";
import { fieldError, formError, mailboxErrorField } from "./mailboxFields";

/** The path parameters of one mailbox of a domain. */
const mailboxParams = (domain: string, login: string) => ({ params: { path: { domain, login } } });

const CREATE_FIELDS = ["login", "password", "firstName", "lastName"] as const;

/** A local part typed before "@domain" (a login, an alias): never capitalised, spell-checked or autofilled. */
function LocalPartField({ domain, ...field }: ComponentProps<typeof TextField> & { domain: string }) {
  return (
    <TextField
      suffix={`@${domain}`}
      autoComplete="off"
      autoCapitalize="none"
      spellCheck={false}
      maxLength={320}
      required
      {...field}
    />
  );
}

/** The person's first and last name, side by side, each with its own error from the answer. */
function NameFields({
  fields,
  error,
  firstName,
  lastName,
  onFirstName,
  onLastName,
  autoFocus,
}: {
  fields: readonly string[];
  error: unknown;
  firstName: string;
  lastName: string;
  onFirstName: (value: string) => void;
  onLastName: (value: string) => void;
  autoFocus?: boolean;
}) {
  return (
    <div className="field-row">
      <TextField
        label={t("field.firstName")}
        error={fieldError(error, fields, "firstName")}
        name="firstName"
        autoComplete="off"
        maxLength={100}
        autoFocus={autoFocus}
        value={firstName}
        onChange={(event) => onFirstName(event.target.value)}
      />
      <TextField
        label={t("field.lastName")}
        error={fieldError(error, fields, "lastName")}
        name="lastName"
        autoComplete="off"
        maxLength={100}
        value={lastName}
        onChange={(event) => onLastName(event.target.value)}
      />
    </div>
  );
}

/** A new mailbox: its login (the domain shown after it), a password and, if wanted, the person's name. */
export function CreateMailboxDialog({
  open,
  view,
  onClose,
  onCreated,
}: {
  open: boolean;
  view: DomainView;
  onClose: () => void;
  onCreated: (mailbox: Mailbox) => void;
}) {
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [firstName, setFirstName] = useState("");
  const [lastName, setLastName] = useState("");
  const { busy, error, setError, run } = useAction();
  useFocusField(mailboxErrorField(error, CREATE_FIELDS), error);

  useEffect(() => {
    if (!open) return;
    setLogin("");
    setPassword("");
    setFirstName("");
    setLastName("");
    setError(null);
  }, [open, setError]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const mailbox = await api(() =>
        client.POST("/api/v1/domains/{domain}/mailboxes", {
          params: { path: { domain: view.name } },
          body: {
            login: login.trim(),
            password,
            ...(firstName.trim() ? { firstName: firstName.trim() } : {}),
            ...(lastName.trim() ? { lastName: lastName.trim() } : {}),
          },
        }),
      );
      onCreated(mailbox);
    });
  };

  return (
    <Dialog
      open={open}
      wide
      onClose={onClose}
      title={t("mailboxes.create.title", { name: view.unicodeName })}
      description={t("mailboxes.create.text")}
    >
      <Form onSubmit={submit}>
        <FormError error={formError(error, CREATE_FIELDS)} />
        <LocalPartField
          label={t("mailboxes.field.login")}
          hint={t("mailboxes.field.login.hint")}
          error={fieldError(error, CREATE_FIELDS, "login")}
          name="login"
          domain={view.unicodeName}
          autoFocus
          value={login}
          onChange={(event) => setLogin(event.target.value)}
        />
        <TextField
          label={t("field.password")}
          hint={t("mailboxes.field.password.hint")}
          error={fieldError(error, CREATE_FIELDS, "password")}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <NameFields
          fields={CREATE_FIELDS}
          error={error}
          firstName={firstName}
          lastName={lastName}
          onFirstName={setFirstName}
          onLastName={setLastName}
        />
        <div className="form-actions">
          <Button type="submit" busy={busy}>
            {t("mailboxes.create.submit")}
          </Button>
          <Button variant="secondary" onClick={onClose}>
            {t("common.cancel")}
          </Button>
        </div>
      </Form>
    </Dialog>
  );
}

const EDIT_FIELDS = ["firstName", "lastName", "password", "quotaMb"] as const;
const ALIAS_FIELDS = ["alias"] as const;

/** The aliases of one mailbox: each removable, a new one added by its local part. */
function Aliases({
  view,
  mailbox,
  onChanged,
}: {
  view: DomainView;
  mailbox: Mailbox;
  onChanged: (mailbox: Mailbox) => void;
}) {
  const [alias, setAlias] = useState("");
  const { busy, error, run } = useAction();
  const input = useRef<HTMLInputElement>(null);
  const headingId = useId();
  useFocusField(mailboxErrorField(error, ALIAS_FIELDS), error);

  const add = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      onChanged(
        await api(() =>
          client.POST("/api/v1/domains/{domain}/mailboxes/{login}/aliases", {
            ...mailboxParams(view.name, mailbox.login),
            body: { alias: alias.trim() },
          }),
        ),
      );
      setAlias("");
      input.current?.focus();
    });
  };

  const remove = (name: string) =>
    void run(async () => {
      await api(() =>
        client.DELETE("/api/v1/domains/{domain}/mailboxes/{login}/aliases/{alias}", {
          params: { path: { domain: view.name, login: mailbox.login, alias: name } },
        }),
      );
      onChanged({ ...mailbox, aliases: mailbox.aliases.filter((a) => a !== name) });
      // The button pressed is gone: keep the keyboard in the aliases section.
      input.current?.focus();
    });

  return (
    <section className="dialog-section" aria-labelledby={headingId}>
      <h3 id={headingId} className="dialog-subtitle">
        {t("mailboxes.aliases.title")}
      </h3>
      <p className="hint">{t("mailboxes.aliases.text", { address: mailbox.address })}</p>
      <FormError error={formError(error, ALIAS_FIELDS)} />
      {mailbox.aliases.length === 0 ? (
        <p className="muted small">{t("mailboxes.aliases.none")}</p>
      ) : (
        <ul className="alias-list">
          {mailbox.aliases.map((name) => {
            const address = `${name}@${view.unicodeName}`;
            return (
              <li key={name} className="alias-item">
                <span className="alias-address">{address}</span>
                <Button
                  variant="secondary"
                  className="button-small"
                  busy={busy}
                  aria-label={t("mailboxes.aliases.removeOne", { address })}
                  onClick={() => remove(name)}
                >
                  {t("mailboxes.aliases.remove")}
                </Button>
              </li>
            );
          })}
        </ul>
      )}
      <Form className="inline-form" onSubmit={add}>
        <LocalPartField
          ref={input}
          label={t("mailboxes.aliases.new")}
          error={fieldError(error, ALIAS_FIELDS, "alias")}
          name="alias"
          domain={view.unicodeName}
          value={alias}
          onChange={(event) => setAlias(event.target.value)}
        />
        <Button type="submit" variant="secondary" busy={busy}>
          {t("mailboxes.aliases.add")}
        </Button>
      </Form>
    </section>
  );
}

/**
 * Everything about one mailbox: names, quota, enabled or blocked, a new password, and its aliases.
 * Only changed fields are sent, so saving names never touches the password.
 */
export function EditMailboxDialog({
  view,
  mailbox,
  onClose,
  onSaved,
  onChanged,
}: {
  view: DomainView;
  mailbox: Mailbox | null;
  onClose: () => void;
  /** The form was saved (the dialog closes). */
  onSaved: (mailbox: Mailbox) => void;
  /** An alias was added or removed (the dialog stays). */
  onChanged: (mailbox: Mailbox) => void;
}) {
  return (
    <Dialog
      open={mailbox !== null}
      wide
      onClose={onClose}
      title={t("mailboxes.edit.title", { address: mailbox?.address ?? "" })}
    >
      {mailbox ? (
        // A fresh form for each mailbox opened; alias changes keep what is being typed.
        <MailboxEditor
          key={mailbox.login}
          view={view}
          mailbox={mailbox}
          onClose={onClose}
          onSaved={onSaved}
          onChanged={onChanged}
        />
      ) : null}
    </Dialog>
  );
}

function MailboxEditor({
  view,
  mailbox,
  onClose,
  onSaved,
  onChanged,
}: {
  view: DomainView;
  mailbox: Mailbox;
  onClose: () => void;
  onSaved: (mailbox: Mailbox) => void;
  onChanged: (mailbox: Mailbox) => void;
}) {
  const [firstName, setFirstName] = useState(mailbox.firstName);
  const [lastName, setLastName] = useState(mailbox.lastName);
  const [enabled, setEnabled] = useState(mailbox.enabled);
  // 0 is the service's default size: an empty field that says "Default", not a bare 0.
  const [quota, setQuota] = useState(mailbox.quotaMb === 0 ? "" : String(mailbox.quotaMb));
  const [password, setPassword] = useState("");
  const { busy, error, run } = useAction();
  useFocusField(mailboxErrorField(error, EDIT_FIELDS), error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const quotaMb = quota.trim() === "" ? 0 : Number(quota);
    const changes = {
      ...(firstName.trim() !== mailbox.firstName ? { firstName: firstName.trim() } : {}),
      ...(lastName.trim() !== mailbox.lastName ? { lastName: lastName.trim() } : {}),
      ...(enabled !== mailbox.enabled ? { enabled } : {}),
      ...(quotaMb !== mailbox.quotaMb ? { quotaMb } : {}),
      ...(password ? { password } : {}),
    };
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    void run(async () => {
      onSaved(
        await api(() =>
          client.PATCH("/api/v1/domains/{domain}/mailboxes/{login}", {
            ...mailboxParams(view.name, mailbox.login),
            body: changes,
          }),
        ),
      );
    });
  };

  return (
    <>
      <Form onSubmit={submit}>
        <FormError error={formError(error, EDIT_FIELDS)} />
        <NameFields
          fields={EDIT_FIELDS}
          error={error}
          firstName={firstName}
          lastName={lastName}
          onFirstName={setFirstName}
          onLastName={setLastName}
          autoFocus
        />
        <div className="field-row">
          <TextField
            label={t("mailboxes.field.newPassword")}
            hint={t("mailboxes.field.newPassword.hint")}
            error={fieldError(error, EDIT_FIELDS, "password")}
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <TextField
            label={t("mailboxes.field.quota")}
            hint={t("mailboxes.field.quota.hint")}
            error={fieldError(error, EDIT_FIELDS, "quotaMb")}
            name="quotaMb"
            type="number"
            inputMode="numeric"
            min={0}
            max={16_777_216}
            step={1}
            suffix={t("mailboxes.field.quota.unit")}
            placeholder={t("mailboxes.quota.default")}
            value={quota}
            onChange={(event) => setQuota(event.target.value)}
          />
        </div>
        <CheckboxField
          label={t("mailboxes.field.enabled")}
          hint={t("mailboxes.field.enabled.hint")}
          name="enabled"
          checked={enabled}
          onChange={(event) => setEnabled(event.target.checked)}
        />
        <div className="form-actions">
          <Button type="submit" busy={busy}>
            {t("common.save")}
          </Button>
          <Button variant="secondary" onClick={onClose}>
            {t("common.close")}
          </Button>
        </div>
      </Form>
      <Aliases view={view} mailbox={mailbox} onChanged={onChanged} />
    </>
  );
}

/** Deleting is for good: the mail goes with the mailbox. The API may ask for the password first. */
export function DeleteMailboxDialog({
  view,
  mailbox,
  onClose,
  onDeleted,
}: {
  view: DomainView;
  mailbox: Mailbox | null;
  onClose: () => void;
  onDeleted: (mailbox: Mailbox) => void;
}) {
  const { busy, error, setError, run } = useAction();
  const login = mailbox?.login ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new mailbox starts without an error
  useEffect(() => setError(null), [login, setError]);

  const remove = () =>
    void run(async () => {
      if (!mailbox) return;
      await api(() =>
        client.DELETE("/api/v1/domains/{domain}/mailboxes/{login}", mailboxParams(view.name, mailbox.login)),
      );
      onDeleted(mailbox);
    });

  return (
    <ConfirmDialog
      open={mailbox !== null}
      onClose={onClose}
      title={t("mailboxes.delete.title", { address: mailbox?.address ?? "" })}
      description={t("mailboxes.delete.text")}
      confirmLabel={t("mailboxes.delete.confirm")}
      busy={busy}
      error={error}
      onConfirm={remove}
    >
      {mailbox && mailbox.aliases.length > 0 ? (
        <p className="small">
          {t("mailboxes.delete.aliases", {
            aliases: mailbox.aliases.map((a) => `${a}@${view.unicodeName}`).join(", "),
          })}
        </p>
      ) : null}
    </ConfirmDialog>
  );
}

/** Every mailbox of the domain at once, after typing the domain's name. */
export function DeleteAllDialog({
  open,
  view,
  total,
  onClose,
  onDeleted,
}: {
  open: boolean;
  view: DomainView;
  total: number | null;
  onClose: () => void;
  onDeleted: (deleted: number) => void;
}) {
  const [typed, setTyped] = useState("");
  const { busy, error, setError, run } = useAction();

  useEffect(() => {
    if (!open) return;
    setTyped("");
    setError(null);
  }, [open, setError]);

  const submit = () => {
    void run(async () => {
      const answer = await api(() =>
        client.POST("/api/v1/domains/{domain}/mailboxes/delete-all", {
          params: { path: { domain: view.name } },
          body: { confirm: typed.trim() },
        }),
      );
      onDeleted(answer.deleted);
    });
  };

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t("mailboxes.deleteAll.dialogTitle", { name: view.unicodeName })}
      description={
        total === null
          ? t("mailboxes.deleteAll.dialogText")
          : tp("mailboxes.deleteAll.dialogCount", total, { count: formatNumber(total) })
      }
    >
      <TypeNameToConfirm
        domain={view}
        typed={typed}
        onTyped={setTyped}
        confirmLabel={t("mailboxes.deleteAll.confirm")}
        busy={busy}
        error={error}
        onConfirm={submit}
        onClose={onClose}
      />
    </Dialog>
  );
}
