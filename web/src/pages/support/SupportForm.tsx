import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { api, client } from "../../api";
import {
  Button,
  Card,
  Form,
  FormError,
  Notice,
  Page,
  SelectField,
  TextField,
  useAction,
} from "../../components/ui";
import { t } from "../../i18n";
import { useSession } from "../../session";
import type { TicketCategory } from "../../types";
import { CATEGORIES, categoryLabel, ticketPath } from "./labels";

/** The feedback form (product.md §7), for visitors and signed-in accounts alike. */
export function SupportForm() {
  const { status, account } = useSession();
  const [category, setCategory] = useState<TicketCategory>("other");
  const [domain, setDomain] = useState("");
  // The account's confirmed address until the field is edited: the account may arrive after the form opened.
  const [typedReplyTo, setReplyTo] = useState<string | null>(null);
  const replyTo = typedReplyTo ?? (account?.recoveryEmail?.confirmed ? account.recoveryEmail.address : "");
  const [message, setMessage] = useState("");
  const [filed, setFiled] = useState<{ id: string; replyTo: string } | null>(null);
  const { busy, error, run } = useAction();
  const signedIn = status === "signed-in";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const answer = await api(() =>
        client.POST("/api/v1/support/tickets", {
          body: { category, domain: domain.trim(), replyTo: replyTo.trim(), message },
        }),
      );
      setFiled({ id: answer.id, replyTo: replyTo.trim() });
    });
  };

  if (filed) {
    return (
      <Page title={t("support.form.sent.title")} narrow>
        <Notice>
          {signedIn
            ? t("support.form.sent.account", { address: filed.replyTo })
            : t("support.form.sent.visitor", { address: filed.replyTo })}
        </Notice>
        <p>
          {signedIn ? <Link to={ticketPath(filed.id)}>{t("support.form.open")}</Link> : null}{" "}
          <button
            type="button"
            className="button button-ghost button-small"
            onClick={() => {
              setFiled(null);
              setMessage("");
            }}
          >
            {t("support.form.another")}
          </button>
        </p>
      </Page>
    );
  }

  const hint =
    category === "restore-access"
      ? t("support.category.restore-access.hint")
      : category === "transfer"
        ? t("support.category.transfer.hint")
        : undefined;
  return (
    <Page title={t("support.form.title")} intro={t("support.form.intro")} narrow>
      <Card>
        <Form onSubmit={submit} className="form-narrow">
          <FormError error={error} />
          <SelectField
            label={t("support.field.category")}
            hint={hint}
            name="category"
            required
            value={category}
            onChange={(event) => setCategory(event.target.value as TicketCategory)}
          >
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {categoryLabel(c)}
              </option>
            ))}
          </SelectField>
          <TextField
            label={t("support.field.domain")}
            hint={t("support.field.domain.hint")}
            name="domain"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={300}
            required
            value={domain}
            onChange={(event) => setDomain(event.target.value)}
          />
          <TextField
            label={t("support.field.replyTo")}
            hint={t("support.field.replyTo.hint")}
            name="replyTo"
            type="email"
            autoComplete="email"
            maxLength={254}
            required
            value={replyTo}
            onChange={(event) => setReplyTo(event.target.value)}
          />
          <MessageField
            label={t("support.field.message")}
            name="message"
            value={message}
            onChange={setMessage}
          />
          <div className="form-actions">
            <Button type="submit" busy={busy}>
              {t("support.form.submit")}
            </Button>
          </div>
        </Form>
      </Card>
    </Page>
  );
}

/** A labelled multi-line text field. */
export function MessageField({
  label,
  name,
  value,
  onChange,
  hint,
}: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
}) {
  const id = `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        rows={6}
        maxLength={10_000}
        required
        aria-describedby={hint ? `${id}-hint` : undefined}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
