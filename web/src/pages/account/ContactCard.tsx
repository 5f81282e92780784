import { type FormEvent, useState } from "react";
import { api, client, formErrors } from "../../api";
import {
  Badge,
  Button,
  Card,
  CodeField,
  Form,
  FormError,
  Notice,
  TextField,
  useAction,
} from "../../components/ui";
import { t } from "../../i18n";
import { formatPhone } from "../../labels";
import { useSession } from "../../session";
import type { Account } from "../../types";

export type ContactKind = "phone" | "email";

/** The requests of each kind of contact: set (a code is sent), confirm with the code, remove. */
const REQUESTS = {
  phone: {
    set: (value: string) => client.POST("/api/v1/account/phone", { body: { phone: value } }),
    confirm: (code: string) => client.POST("/api/v1/account/phone/confirm", { body: { code } }),
    remove: () => client.DELETE("/api/v1/account/phone"),
  },
  email: {
    set: (value: string) => client.POST("/api/v1/account/recovery-email", { body: { email: value } }),
    confirm: (code: string) => client.POST("/api/v1/account/recovery-email/confirm", { body: { code } }),
    remove: () => client.DELETE("/api/v1/account/recovery-email"),
  },
} satisfies Record<ContactKind, unknown>;

export function contactOf(account: Account, kind: ContactKind) {
  const current =
    kind === "phone"
      ? account.phone && { value: formatPhone(account.phone.number), confirmed: account.phone.confirmed }
      : account.recoveryEmail && {
          value: account.recoveryEmail.address,
          confirmed: account.recoveryEmail.confirmed,
        };
  const pending = kind === "phone" ? account.pendingPhone : account.pendingEmail;
  return { current: current || null, pending };
}

/** Types back the code sent to a pending phone number or e-mail address. */
export function PendingContactForm({
  kind,
  pending,
  onConfirmed,
}: {
  kind: ContactKind;
  pending: string;
  onConfirmed?: () => void;
}) {
  const { refreshAccount } = useSession();
  const [code, setCode] = useState("");
  const [resent, setResent] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  const { busy, error, run } = useAction();

  const confirm = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api(() => REQUESTS[kind].confirm(code.trim()));
      setConfirmed(true);
      onConfirmed?.();
      await refreshAccount();
    });
  };

  const resend = () =>
    void run(async () => {
      await api(() => REQUESTS[kind].set(pending));
      setResent(true);
    });

  if (confirmed) return <Notice>{t(`contacts.${kind}.confirmed`)}</Notice>;
  return (
    <Form onSubmit={confirm} className="pending-form">
      <Notice tone="info">
        {t(`contacts.${kind}.codeSent`, { contact: kind === "phone" ? formatPhone(pending) : pending })}
      </Notice>
      {resent ? <Notice>{t("contacts.resent")}</Notice> : null}
      <FormError error={error} />
      <div className="inline-form">
        <CodeField
          label={t(`contacts.${kind}.codeLabel`)}
          name={`${kind}Code`}
          value={code}
          onChange={(event) => setCode(event.target.value.trim())}
        />
        <Button type="submit" busy={busy}>
          {t("contacts.confirm")}
        </Button>
        <Button variant="ghost" onClick={resend}>
          {t("contacts.resend")}
        </Button>
      </div>
    </Form>
  );
}

/** A contact used to restore access: shows it, changes it (with a code to the new one), removes it. */
export function ContactCard({ kind, account }: { kind: ContactKind; account: Account }) {
  const { refreshAccount } = useSession();
  const { current, pending } = contactOf(account, kind);
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState("");
  const [done, setDone] = useState<"removed" | "confirmed" | null>(null);
  const { busy, error, run } = useAction();

  const change = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api(() => REQUESTS[kind].set(value.trim()));
      setEditing(false);
      setValue("");
      setDone(null);
      await refreshAccount();
    });
  };

  const remove = () =>
    void run(async () => {
      if (!window.confirm(t(`contacts.${kind}.removeConfirm`))) return;
      await api(() => REQUESTS[kind].remove());
      setDone("removed");
      await refreshAccount();
    });

  // The new number or address is the only field: its errors sit under it, the rest above.
  const errors = formErrors(error, kind === "phone" ? { phone: "PHONE_" } : { email: "EMAIL_" });
  return (
    <Card title={t(`contacts.${kind}.title`)} description={t(`contacts.${kind}.description`)}>
      {done === "removed" ? <Notice>{t(`contacts.${kind}.removed`)}</Notice> : null}
      {done === "confirmed" ? <Notice>{t(`contacts.${kind}.confirmed`)}</Notice> : null}
      <FormError error={errors.form} />
      {current ? (
        <div className="contact-current">
          <span className="contact-value">{current.value}</span>
          {current.confirmed ? (
            <Badge tone="success">{t("contacts.confirmedBadge")}</Badge>
          ) : (
            <Badge tone="warning">{t("contacts.unconfirmedBadge")}</Badge>
          )}
        </div>
      ) : (
        <p className="muted">{t(`contacts.${kind}.none`)}</p>
      )}
      {kind === "email" && account.recoveryEmail && !account.recoveryEmail.usableForRestore ? (
        <Notice tone="warning">
          {t("contacts.email.unusable", { domain: account.recoveryEmail.managedDomain ?? "" })}
        </Notice>
      ) : null}
      {pending ? (
        <PendingContactForm
          key={pending}
          kind={kind}
          pending={pending}
          onConfirmed={() => setDone("confirmed")}
        />
      ) : null}
      {editing ? (
        <Form onSubmit={change}>
          <TextField
            label={t(`contacts.${kind}.new`)}
            hint={t(`contacts.${kind}.newHint`)}
            name={kind === "phone" ? "newPhone" : "newEmail"}
            type={kind === "phone" ? "tel" : "email"}
            autoComplete={kind === "phone" ? "tel" : "email"}
            required
            autoFocus
            value={value}
            onChange={(event) => setValue(event.target.value)}
            error={errors.byField[kind]}
          />
          <div className="form-actions">
            <Button type="submit" busy={busy}>
              {t("contacts.sendCode")}
            </Button>
            <Button variant="secondary" onClick={() => setEditing(false)}>
              {t("common.cancel")}
            </Button>
          </div>
        </Form>
      ) : (
        <div className="form-actions">
          <Button variant="secondary" onClick={() => setEditing(true)}>
            {pending
              ? t(`contacts.${kind}.other`)
              : current
                ? t(`contacts.${kind}.change`)
                : t(`contacts.${kind}.add`)}
          </Button>
          {current ? (
            <Button variant="danger" busy={busy} onClick={remove}>
              {t("contacts.remove")}
            </Button>
          ) : null}
        </div>
      )}
    </Card>
  );
}
