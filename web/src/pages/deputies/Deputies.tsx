import { type FormEvent, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { ApiError, api, client, errorMessage } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { useApiData } from "../../components/data";
import {
  Badge,
  Button,
  Card,
  CheckboxField,
  DataTable,
  Form,
  FormError,
  Listing,
  Notice,
  TextField,
  useAction,
} from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import { useSession } from "../../session";
import type { Deputy, DomainView } from "../../types";
import { DomainFrame } from "../domains/DomainFrame";
import { domainPath } from "../domains/Domains";

/** Codes that belong next to the login field of the add form. */
const LOGIN_CODES = new Set(["ACCOUNT_NOT_FOUND", "DEPUTY_EXISTS", "DEPUTY_IS_OWNER", "LOGIN_INVALID"]);

function AddDeputy({ view, onAdded }: { view: DomainView; onAdded: (deputy: Deputy) => void }) {
  const { account } = useSession();
  const serviceDomain = account?.address.split("@")[1] ?? "";
  const [login, setLogin] = useState("");
  const [dns, setDns] = useState(false);
  const { busy, error, run } = useAction();
  const input = useRef<HTMLInputElement>(null);
  const loginError = error instanceof ApiError && LOGIN_CODES.has(error.code) ? errorMessage(error) : null;

  useEffect(() => {
    if (loginError) input.current?.focus();
  }, [loginError]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const deputy = await api(() =>
        client.POST("/api/v1/domains/{name}/deputies", {
          params: { path: { name: view.name } },
          body: { login: login.trim(), dnsGranted: dns },
        }),
      );
      setLogin("");
      setDns(false);
      onAdded(deputy);
    });
  };

  return (
    <Card title={t("deputies.add.title")} description={t("deputies.add.text")}>
      <Form onSubmit={submit} className="form-narrow">
        <FormError error={loginError ? null : error} />
        <TextField
          ref={input}
          label={t("deputies.field.login")}
          hint={t("deputies.field.login.hint", { example: `anna@${serviceDomain || "…"}` })}
          error={loginError}
          name="login"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={320}
          required
          value={login}
          onChange={(event) => setLogin(event.target.value)}
        />
        <CheckboxField
          label={t("deputies.field.dns")}
          hint={t("deputies.field.dns.hint")}
          name="dnsGranted"
          checked={dns}
          onChange={(event) => setDns(event.target.checked)}
        />
        <div className="form-actions">
          <Button type="submit" busy={busy}>
            {t("deputies.add.submit")}
          </Button>
        </div>
      </Form>
    </Card>
  );
}

function DeputyList({ view }: { view: DomainView }) {
  const name = view.name;
  const {
    data: deputies,
    setData: setDeputies,
    error: loadError,
    refresh,
  } = useApiData(`/api/v1/domains/${encodeURIComponent(name)}/deputies`, () =>
    client.GET("/api/v1/domains/{name}/deputies", { params: { path: { name } } }),
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Deputy | null>(null);
  const act = useAction();
  const remove = useAction();
  const heading = useRef<HTMLHeadingElement>(null);

  const [changing, setChanging] = useState<string | null>(null);
  const setDns = (deputy: Deputy, dnsGranted: boolean) =>
    void act.run(async () => {
      setNotice(null);
      setChanging(deputy.login);
      const next = await api(() =>
        client.PATCH("/api/v1/domains/{name}/deputies/{login}", {
          params: { path: { name, login: deputy.login } },
          body: { dnsGranted },
        }),
      ).finally(() => setChanging(null));
      setDeputies((current) => current?.map((d) => (d.login === deputy.login ? next : d)) ?? null);
      setNotice(
        dnsGranted
          ? t("deputies.dnsGranted", { address: deputy.address })
          : t("deputies.dnsRevoked", { address: deputy.address }),
      );
    });

  const confirmRemove = () =>
    void remove.run(async () => {
      if (!removing) return;
      const { login } = removing;
      await api(() =>
        client.DELETE("/api/v1/domains/{name}/deputies/{login}", { params: { path: { name, login } } }),
      );
      setNotice(t("deputies.removed", { address: removing.address }));
      setRemoving(null);
      await refresh();
      heading.current?.focus();
    });

  return (
    <>
      <div aria-live="polite" className="live">
        {notice ? <Notice>{notice}</Notice> : null}
      </div>
      <Card>
        <h2 className="card-title" ref={heading} tabIndex={-1}>
          {t("deputies.list.title")}
        </h2>
        <FormError error={act.error ?? loadError} onRetry={act.error ? undefined : () => void refresh()} />
        <Listing items={deputies} error={loadError} empty={<p className="muted">{t("deputies.none")}</p>}>
          {(deputies) => (
            <div className="table-wrap">
              <DataTable
                caption={t("deputies.list.title")}
                columns={[t("deputies.column.account"), t("deputies.column.dns"), t("deputies.column.added")]}
                actions
              >
                {deputies.map((deputy) => (
                  <tr key={deputy.login}>
                    <th scope="row" className="cell-name">
                      {deputy.address}
                    </th>
                    <td>
                      {deputy.dnsGranted ? (
                        <Badge tone="success">{t("deputies.dns.yes")}</Badge>
                      ) : (
                        <span className="muted">{t("deputies.dns.no")}</span>
                      )}
                      {deputy.dnsGranted && !view.delegated ? (
                        <span className="cell-note">{t("deputies.dns.notDelegated")}</span>
                      ) : null}
                    </td>
                    <td>{formatDateTime(deputy.addedAt)}</td>
                    <td className="cell-actions">
                      <span className="row-actions">
                        <Button
                          variant="secondary"
                          className="button-small"
                          busy={changing === deputy.login}
                          aria-label={
                            deputy.dnsGranted
                              ? t("deputies.revokeDnsOne", { address: deputy.address })
                              : t("deputies.grantDnsOne", { address: deputy.address })
                          }
                          onClick={() => setDns(deputy, !deputy.dnsGranted)}
                        >
                          {deputy.dnsGranted ? t("deputies.revokeDns") : t("deputies.grantDns")}
                        </Button>
                        <Button
                          variant="danger"
                          className="button-small"
                          aria-label={t("deputies.removeOne", { address: deputy.address })}
                          onClick={() => {
                            remove.setError(null);
                            setRemoving(deputy);
                          }}
                        >
                          {t("deputies.remove")}
                        </Button>
                      </span>
                    </td>
                  </tr>
                ))}
              </DataTable>
            </div>
          )}
        </Listing>
      </Card>
      <AddDeputy
        view={view}
        onAdded={(deputy) => {
          setNotice(t("deputies.added", { address: deputy.address }));
          void refresh();
        }}
      />
      <Card title={t("deputies.rights.title")}>
        <ul className="plain-list">
          <li>{t("deputies.rights.mailboxes")}</li>
          <li>{t("deputies.rights.dns")}</li>
          <li>{t("deputies.rights.never")}</li>
          <li>{t("deputies.rights.removal")}</li>
        </ul>
      </Card>
      <ConfirmDialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={t("deputies.remove.title", { address: removing?.address ?? "" })}
        description={t("deputies.remove.text", { name: view.unicodeName })}
        confirmLabel={t("deputies.remove.confirm")}
        busy={remove.busy}
        error={remove.error}
        onConfirm={confirmRemove}
      />
    </>
  );
}

/** Additional administrators of a domain: the owner's page alone. */
export function Deputies() {
  return (
    <DomainFrame section={t("domain.nav.deputies")}>
      {(view) =>
        !view.actions.includes("deputies:manage") ? (
          <Notice tone="info">
            {t("deputies.ownerOnly")}{" "}
            <Link to={domainPath(view.name)}>{t("mailboxes.notConfirmed.link")}</Link>
          </Notice>
        ) : view.claim ? (
          <Notice tone="info">
            {t("deputies.notConfirmed")}{" "}
            <Link to={domainPath(view.name)}>{t("mailboxes.notConfirmed.link")}</Link>
          </Notice>
        ) : (
          <DeputyList view={view} />
        )
      }
    </DomainFrame>
  );
}
