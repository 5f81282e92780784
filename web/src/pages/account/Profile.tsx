import { type FormEvent, useEffect, useState } from "react";
import { Link } from "react-router";
import { api, client } from "../../api";
import {
  Badge,
  Button,
  Card,
  Form,
  FormError,
  Loading,
  Notice,
  Page,
  TextField,
  useAction,
} from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import { missingLabel } from "../../labels";
import { useSession } from "../../session";

const FIX_LINK: Record<string, string> = {
  names: "#names",
  securityQuestion: "/account/security#security-question",
  confirmedPhone: "/account/contacts",
};

export function Profile() {
  const { account, refreshAccount } = useSession();
  const [firstName, setFirstName] = useState("");
  const [lastName, setLastName] = useState("");
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();

  useEffect(() => {
    if (account) {
      setFirstName(account.firstName);
      setLastName(account.lastName);
    }
  }, [account]);

  if (!account) return <Loading />;

  const save = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void run(async () => {
      await api(() =>
        client.PATCH("/api/v1/account/profile", {
          body: { firstName: firstName.trim(), lastName: lastName.trim() },
        }),
      );
      await refreshAccount();
      setSaved(true);
    });
  };

  const pendingContacts = Boolean(account.pendingEmail || account.pendingPhone);

  return (
    <Page title={t("profile.title")} intro={t("profile.intro")}>
      <div className="stack">
        <Card title={t("profile.completeness")}>
          {account.complete ? (
            <p className="completeness completeness-ok">
              <Badge tone="success">{t("profile.complete")}</Badge> {t("profile.complete.text")}
            </p>
          ) : (
            <>
              <p className="completeness">
                <Badge tone="warning">{t("profile.incomplete")}</Badge> {t("profile.incomplete.text")}
              </p>
              <ul className="checklist">
                {account.missing.map((item) => (
                  <li key={item}>
                    <span>{missingLabel(item)}</span>
                    {FIX_LINK[item] ? (
                      item === "names" ? (
                        <a href={FIX_LINK[item]}>{t("profile.fix")}</a>
                      ) : (
                        <Link to={FIX_LINK[item] as string}>{t("profile.fix")}</Link>
                      )
                    ) : null}
                  </li>
                ))}
              </ul>
            </>
          )}
          {pendingContacts ? (
            <p>
              <Link to="/account/confirm">{t("profile.pendingContacts")}</Link>
            </p>
          ) : null}
        </Card>

        <Card title={t("profile.account")}>
          <dl className="facts">
            <div>
              <dt>{t("profile.address")}</dt>
              <dd>{account.address}</dd>
            </div>
            <div>
              <dt>{t("field.login")}</dt>
              <dd>{account.login}</dd>
            </div>
            <div>
              <dt>{t("profile.createdAt")}</dt>
              <dd>{formatDateTime(account.createdAt)}</dd>
            </div>
            <div>
              <dt>{t("profile.twoFactor")}</dt>
              <dd>
                {account.twoFactor ? (
                  <Badge tone="success">{t("common.on")}</Badge>
                ) : (
                  <Badge>{t("common.off")}</Badge>
                )}
              </dd>
            </div>
          </dl>
        </Card>

        <Card title={t("profile.names")} id="names">
          <Form onSubmit={save}>
            {saved ? <Notice>{t("profile.saved")}</Notice> : null}
            <FormError error={error} />
            <div className="field-row">
              <TextField
                label={t("field.firstName")}
                name="firstName"
                autoComplete="given-name"
                required
                value={firstName}
                onChange={(event) => setFirstName(event.target.value)}
              />
              <TextField
                label={t("field.lastName")}
                name="lastName"
                autoComplete="family-name"
                required
                value={lastName}
                onChange={(event) => setLastName(event.target.value)}
              />
            </div>
            <div className="form-actions">
              <Button type="submit" busy={busy}>
                {t("common.save")}
              </Button>
            </div>
          </Form>
        </Card>
      </div>
    </Page>
  );
}
