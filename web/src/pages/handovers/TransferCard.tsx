import { type FormEvent, useState } from "react";
import { ApiError, api, client, errorMessage } from "../../api";
import { useApiData } from "../../components/data";
import { Button, Card, Form, FormError, Notice, TextField, useAction } from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import { useSession } from "../../session";
import type { DomainView } from "../../types";
import { OPEN_STATES } from "./handoverLabels";

const LOGIN_CODES = new Set(["TRANSFER_TO_SELF", "LOGIN_INVALID"]);

/**
 * On a confirmed domain's page, for its owner: offer the domain to another account (the server
 * asks for the password again first), or, while an offer is open, see it and cancel it.
 */
export function TransferCard({ view }: { view: DomainView }) {
  const { account } = useSession();
  const serviceDomain = account?.address.split("@")[1] ?? "";
  const {
    data,
    error: loadError,
    refresh,
  } = useApiData("/api/v1/transfers", () => client.GET("/api/v1/transfers"));
  const [login, setLogin] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const start = useAction();
  const cancel = useAction();
  const pending = data?.handovers.find(
    (h) => h.domain === view.name && h.side === "from" && h.kind === "transfer" && OPEN_STATES.has(h.state),
  );
  const loginError =
    start.error instanceof ApiError && LOGIN_CODES.has(start.error.code) ? errorMessage(start.error) : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void start.run(async () => {
      setNotice(null);
      const target = login.trim();
      await api(() =>
        client.POST("/api/v1/domains/{name}/transfer", {
          params: { path: { name: view.name } },
          body: { login: target },
        }),
      );
      setLogin("");
      setNotice(t("transfer.started", { login: target }));
      await refresh();
    });
  };

  const cancelPending = () =>
    void cancel.run(async () => {
      if (!pending) return;
      await api(() => client.POST("/api/v1/transfers/{id}/cancel", { params: { path: { id: pending.id } } }));
      setNotice(t("transfer.pending.cancelled"));
      await refresh();
    });

  return (
    <Card title={t("transfer.card.title")} description={t("transfer.card.text")}>
      <div aria-live="polite" className="live">
        {notice ? <Notice>{notice}</Notice> : null}
      </div>
      <FormError error={loadError ?? cancel.error} />
      {pending ? (
        <>
          <p>
            {t("transfer.pending", {
              login: pending.toLogin ?? "…",
              until: formatDateTime(pending.expiresAt),
            })}
          </p>
          <Button variant="danger" busy={cancel.busy} onClick={cancelPending}>
            {t("transfer.pending.cancel")}
          </Button>
        </>
      ) : data ? (
        <Form onSubmit={submit} className="form-narrow">
          <FormError error={loginError ? null : start.error} />
          <TextField
            label={t("transfer.field.login")}
            hint={t("transfer.field.login.hint", { example: `anna@${serviceDomain || "…"}` })}
            error={loginError}
            name="transferLogin"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={320}
            required
            value={login}
            onChange={(event) => setLogin(event.target.value)}
          />
          <div className="form-actions">
            <Button type="submit" busy={start.busy}>
              {t("transfer.submit")}
            </Button>
          </div>
        </Form>
      ) : null}
    </Card>
  );
}
