import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, client, formErrors } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { useApiData } from "../../components/data";
import {
  Badge,
  Button,
  Card,
  CheckboxField,
  CopyValue,
  DataTable,
  Form,
  FormError,
  GroupError,
  Listing,
  Loading,
  Notice,
  Page,
  TextField,
  useAction,
} from "../../components/ui";
import { formatDateTime, formatRelative, t } from "../../i18n";
import { permissionHint, permissionLabel } from "../../labels";
import type { ApiToken, CreatedToken, DomainSummary, TokenPermission } from "../../types";

const PERMISSIONS: TokenPermission[] = [
  "domains:read",
  "mailboxes:read",
  "mailboxes:write",
  "dns:read",
  "dns:write",
];
const MAX_DAYS = 365;
const DEFAULT_DAYS = 90;
const DAY_MS = 86_400_000;

type Scope = "all" | "some";
/** What a token may hold while its holder has no confirmed domain: reading My domains. */
const NO_DOMAIN_PERMISSION: TokenPermission = "domains:read";

/** The token form's fields, and the codes of the errors that belong to each. */
const TOKEN_FIELDS = { name: "", permissions: "", domains: "SCOPE_", expiresInDays: "" };

function CreateToken({
  preselected,
  onCreated,
  onCancel,
}: {
  /** A domain whose page sent the user here (?domain=). */
  preselected: string | null;
  onCreated: (token: CreatedToken) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState("");
  const [permissions, setPermissions] = useState<TokenPermission[]>([]);
  const [scope, setScope] = useState<Scope>("some");
  const [chosen, setChosen] = useState<string[]>(preselected ? [preselected] : []);
  const [days, setDays] = useState(String(DEFAULT_DAYS));
  const [domains, setDomains] = useState<DomainSummary[] | null>(null);
  const { busy, error, run } = useAction();
  const load = useAction();
  const ids = useId();

  useEffect(() => {
    void load.run(async () => {
      const answer = await api(() => client.GET("/api/v1/domains"));
      // A token works on confirmed domains only: a pending claim has nothing to manage yet.
      const confirmed = answer.domains.filter((d) => d.status !== "domain-activate");
      setDomains(confirmed);
      setChosen((list) => list.filter((name) => confirmed.some((d) => d.name === name)));
      // Nothing to choose: the token can be for all domains only, which until a domain is
      // confirmed may only read My domains (the server refuses more: SCOPE_EXCEEDS_RIGHTS).
      if (confirmed.length === 0) {
        setScope("all");
        setPermissions((list) => (list.length === 0 ? [NO_DOMAIN_PERMISSION] : list));
      }
    });
  }, [load.run]);

  // No confirmed domain: only "all domains" and reading My domains can be submitted as shown.
  const noDomains = domains !== null && domains.length === 0;
  const offered = (permission: TokenPermission) => !noDomains || permission === NO_DOMAIN_PERMISSION;
  const dayCount = Number(days);
  const daysValid = Number.isInteger(dayCount) && dayCount >= 1 && dayCount <= MAX_DAYS;

  const toggle = <T,>(list: T[], value: T, on: boolean): T[] =>
    on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value);

  // Every rule at once, in the form's own words (the browser's checks are off: see Form).
  const validate = () => ({
    name: name.trim() ? null : t("tokens.error.name"),
    permissions: permissions.some(offered) ? null : t("tokens.error.permissions"),
    domains: scope === "all" || chosen.length > 0 ? null : t("tokens.error.domains"),
    expiresInDays: daysValid ? null : t("tokens.error.days", { max: MAX_DAYS }),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const created = await api(() =>
        client.POST("/api/v1/tokens", {
          body: {
            name: name.trim(),
            // In the catalog's order, whatever order they were ticked in.
            permissions: PERMISSIONS.filter((p) => permissions.includes(p) && offered(p)),
            domains: scope === "all" ? "all" : chosen,
            expiresInDays: dayCount,
          },
        }),
      );
      onCreated(created);
    });
  };

  const errors = formErrors(error, TOKEN_FIELDS);
  const fieldText = (field: string) => errors.byField[field] ?? null;

  return (
    <Card title={t("tokens.create.title")} description={t("tokens.create.text")}>
      <Form onSubmit={submit} validate={validate}>
        <FormError error={errors.form} />
        {noDomains ? (
          <Notice tone="info">
            {t("tokens.noDomains.text")} <Link to="/domains">{t("tokens.noDomains.link")}</Link>
          </Notice>
        ) : null}
        <TextField
          id={`${ids}-name`}
          label={t("tokens.field.name")}
          hint={t("tokens.field.name.hint")}
          error={fieldText("name")}
          name="name"
          autoComplete="off"
          maxLength={100}
          required
          autoFocus
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <fieldset
          className="fieldset-flat"
          id={`${ids}-permissions`}
          tabIndex={-1}
          aria-describedby={`${ids}-permissions-error`}
        >
          <legend>{t("tokens.field.permissions")}</legend>
          <div className="check-grid">
            {PERMISSIONS.map((permission) => (
              <CheckboxField
                key={permission}
                label={permissionLabel(permission)}
                hint={offered(permission) ? permissionHint(permission) : t("tokens.noDomains.permission")}
                name="permissions"
                value={permission}
                disabled={!offered(permission)}
                checked={permissions.includes(permission) && offered(permission)}
                onChange={(event) => setPermissions((list) => toggle(list, permission, event.target.checked))}
              />
            ))}
          </div>
          <GroupError name="permissions" id={`${ids}-permissions-error`} error={fieldText("permissions")} />
        </fieldset>
        <fieldset
          className="fieldset-flat"
          id={`${ids}-domains`}
          tabIndex={-1}
          aria-describedby={`${ids}-domains-error`}
        >
          <legend>{t("tokens.field.domains")}</legend>
          <div className="choices">
            <label className={`choice${scope === "all" ? " choice-selected" : ""}`}>
              <input
                type="radio"
                name="scope"
                value="all"
                checked={scope === "all"}
                onChange={() => setScope("all")}
              />
              <span>
                <span className="choice-title">{t("tokens.scope.all")}</span>
                <span className="choice-hint">{t("tokens.scope.all.hint")}</span>
              </span>
            </label>
            <label className={`choice${scope === "some" ? " choice-selected" : ""}`}>
              <input
                type="radio"
                name="scope"
                value="some"
                checked={scope === "some"}
                disabled={noDomains}
                onChange={() => setScope("some")}
              />
              <span>
                <span className="choice-title">{t("tokens.scope.some")}</span>
                <span className="choice-hint">
                  {noDomains ? t("tokens.scope.noDomains") : t("tokens.scope.some.hint")}
                </span>
              </span>
            </label>
          </div>
          {scope === "some" ? (
            <div className="domain-picks">
              {domains === null ? (
                load.error ? (
                  <FormError error={load.error} />
                ) : (
                  <Loading />
                )
              ) : domains.length === 0 ? (
                <p className="muted small">{t("tokens.scope.noDomains")}</p>
              ) : (
                <div className="check-grid">
                  {domains.map((domain) => (
                    <CheckboxField
                      key={domain.name}
                      label={domain.unicodeName}
                      hint={domain.role === "deputy" ? t("tokens.scope.asDeputy") : undefined}
                      name="domains"
                      value={domain.name}
                      checked={chosen.includes(domain.name)}
                      onChange={(event) =>
                        setChosen((list) => toggle(list, domain.name, event.target.checked))
                      }
                    />
                  ))}
                </div>
              )}
            </div>
          ) : null}
          <GroupError name="domains" id={`${ids}-domains-error`} error={fieldText("domains")} />
        </fieldset>
        <TextField
          id={`${ids}-days`}
          label={t("tokens.field.days")}
          hint={
            daysValid
              ? t("tokens.field.days.hint", {
                  max: MAX_DAYS,
                  date: formatDateTime(Date.now() + dayCount * DAY_MS),
                })
              : t("tokens.field.days.range", { max: MAX_DAYS })
          }
          error={fieldText("expiresInDays")}
          name="expiresInDays"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_DAYS}
          step={1}
          required
          className="field-short"
          value={days}
          onChange={(event) => setDays(event.target.value)}
        />
        <div className="form-actions">
          <Button type="submit" busy={busy}>
            {t("tokens.create.submit")}
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            {t("common.cancel")}
          </Button>
        </div>
      </Form>
    </Card>
  );
}

/** The secret, once: copy it now or never. */
function NewSecret({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const headingId = useId();
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <section className="card card-secret" aria-labelledby={headingId}>
      <h2 className="card-title" id={headingId} ref={heading} tabIndex={-1}>
        {t("tokens.secret.title", { name: token.name })}
      </h2>
      <div className="alert alert-warning" role="note">
        <strong>{t("tokens.secret.warningTitle")}</strong> {t("tokens.secret.warning")}
      </div>
      <dl className="copy-list">
        <CopyValue label={t("tokens.secret.label")} value={token.token} />
      </dl>
      <p className="hint">{t("tokens.secret.usage")}</p>
      <div className="form-actions">
        <Button onClick={onDone}>{t("tokens.secret.done")}</Button>
      </div>
    </section>
  );
}

function tokenState(token: ApiToken): "revoked" | "expired" | "active" {
  if (token.revoked) return "revoked";
  return token.expired || new Date(token.expiresAt).getTime() <= Date.now() ? "expired" : "active";
}

/** Account → API tokens: personal tokens for scripts, limited and expiring. */
export function Tokens() {
  const [params] = useSearchParams();
  const preselected = params.get("domain");
  const {
    data: tokens,
    error: loadError,
    refresh,
  } = useApiData("/api/v1/tokens", () => client.GET("/api/v1/tokens"));
  const [creating, setCreating] = useState(preselected !== null);
  const [secret, setSecret] = useState<CreatedToken | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const revoke = useAction();
  const createButton = useRef<HTMLButtonElement>(null);

  const confirmRevoke = () =>
    void revoke.run(async () => {
      if (!revoking) return;
      await api(() => client.DELETE("/api/v1/tokens/{id}", { params: { path: { id: revoking.id } } }));
      setNotice(t("tokens.revoked", { name: revoking.name }));
      setRevoking(null);
      await refresh();
    });

  const domainsText = (domains: ApiToken["domains"]) =>
    domains === "all" ? t("tokens.scope.allShort") : domains.join(", ");

  return (
    <Page
      title={t("tokens.title")}
      intro={t("tokens.intro")}
      actions={
        creating || secret ? null : (
          <Button
            ref={createButton}
            onClick={() => {
              setNotice(null);
              setCreating(true);
            }}
          >
            {t("tokens.create")}
          </Button>
        )
      }
    >
      <div aria-live="polite" className="live">
        {notice ? <Notice>{notice}</Notice> : null}
      </div>
      {secret ? (
        <NewSecret
          token={secret}
          onDone={() => {
            setSecret(null);
            window.setTimeout(() => createButton.current?.focus(), 0);
          }}
        />
      ) : creating ? (
        <CreateToken
          preselected={preselected}
          onCancel={() => {
            setCreating(false);
            window.setTimeout(() => createButton.current?.focus(), 0);
          }}
          onCreated={(created) => {
            setCreating(false);
            setSecret(created);
            void refresh();
          }}
        />
      ) : null}
      <FormError error={loadError} onRetry={() => void refresh()} />
      <Listing
        items={tokens}
        error={loadError}
        empty={
          creating || secret ? null : (
            <Card>
              <div className="empty">
                <h2 className="empty-title">{t("tokens.empty.title")}</h2>
                <p className="muted">{t("tokens.empty.text")}</p>
              </div>
            </Card>
          )
        }
      >
        {(tokens) => (
          <Card title={t("tokens.list.title")}>
            <div className="table-wrap">
              <DataTable
                caption={t("tokens.list.title")}
                columns={[
                  t("tokens.column.name"),
                  t("tokens.column.permissions"),
                  t("tokens.column.domains"),
                  t("tokens.column.expires"),
                  t("tokens.column.lastUsed"),
                ]}
                actions
              >
                {tokens.map((token) => {
                  const state = tokenState(token);
                  return (
                    <tr key={token.id} className={state === "active" ? undefined : "row-inactive"}>
                      <th scope="row" className="cell-name">
                        {token.name}
                        <span className="cell-note">{t("tokens.hint", { hint: token.hint })}</span>
                      </th>
                      <td>
                        <ul className="tag-list">
                          {token.permissions.map((p) => (
                            <li key={p} className="tag">
                              {permissionLabel(p)}
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td className="cell-wrap">{domainsText(token.domains)}</td>
                      <td>
                        {state === "revoked" ? (
                          <Badge tone="neutral">{t("tokens.state.revoked")}</Badge>
                        ) : state === "expired" ? (
                          <Badge tone="warning">{t("tokens.state.expired")}</Badge>
                        ) : (
                          <time dateTime={token.expiresAt} title={formatDateTime(token.expiresAt)}>
                            {formatRelative(token.expiresAt)}
                          </time>
                        )}
                      </td>
                      <td>
                        {token.lastUsedAt ? (
                          <>
                            <time dateTime={token.lastUsedAt} title={formatDateTime(token.lastUsedAt)}>
                              {formatRelative(token.lastUsedAt)}
                            </time>
                            {token.lastUsedIp ? (
                              <span className="cell-note mono">{token.lastUsedIp}</span>
                            ) : null}
                          </>
                        ) : (
                          <span className="muted">{t("tokens.neverUsed")}</span>
                        )}
                      </td>
                      <td className="cell-actions">
                        {state === "revoked" ? null : (
                          <Button
                            variant="danger"
                            className="button-small"
                            aria-label={t("tokens.revokeOne", { name: token.name })}
                            onClick={() => {
                              revoke.setError(null);
                              setRevoking(token);
                            }}
                          >
                            {t("tokens.revoke")}
                          </Button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </DataTable>
            </div>
          </Card>
        )}
      </Listing>
      <ConfirmDialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title={t("tokens.revoke.title", { name: revoking?.name ?? "" })}
        description={t("tokens.revoke.text")}
        confirmLabel={t("tokens.revoke.confirm")}
        busy={revoke.busy}
        error={revoke.error}
        onConfirm={confirmRevoke}
      />
    </Page>
  );
}
