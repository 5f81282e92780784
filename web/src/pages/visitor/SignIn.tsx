import { type FormEvent, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { ApiError, api, client } from "../../api";
import {
  NO_SECOND_FACTOR,
  type SecondFactor,
  SecondFactorFields,
  secondFactorBody,
} from "../../components/SecondFactorFields";
import { Button, Form, FormError, Notice, Page, TextField, useAction } from "../../components/ui";
import { HOME } from "../../home";
import { t } from "../../i18n";
import { useSession } from "../../session";

export function SignIn() {
  const location = useLocation();
  const navigate = useNavigate();
  const { signedIn, ended } = useSession();
  const state = (location.state ?? {}) as { notice?: "restored"; from?: string; login?: string };
  const [login, setLogin] = useState(state.login ?? "");
  const [password, setPassword] = useState("");
  const [secondFactor, setSecondFactor] = useState<SecondFactor>(NO_SECOND_FACTOR);
  const [needsCode, setNeedsCode] = useState(false);
  const { busy, error, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      try {
        const info = await api(
          () =>
            client.POST("/api/v1/session", {
              body: { login: login.trim(), password, ...(needsCode ? secondFactorBody(secondFactor) : {}) },
            }),
          { expectUnauthenticated: true },
        );
        signedIn(info);
        navigate(state.from && state.from !== "/sign-in" ? state.from : HOME, { replace: true });
      } catch (caught) {
        if (caught instanceof ApiError && caught.code === "TWO_FACTOR_REQUIRED" && !needsCode) {
          setNeedsCode(true);
          return;
        }
        throw caught;
      }
    });
  };

  return (
    <Page title={t("signIn.title")} intro={t("signIn.intro")} narrow>
      <div className="card card-form">
        {state.notice === "restored" ? <Notice>{t("signIn.notice.restored")}</Notice> : null}
        {!state.notice && ended === "signedOut" ? (
          <Notice tone="info">{t("signIn.notice.signedOut")}</Notice>
        ) : null}
        {!state.notice && ended === "lost" ? (
          <Notice tone="warning">{t("signIn.notice.sessionLost")}</Notice>
        ) : null}
        <Form onSubmit={submit}>
          <FormError error={error} />
          <TextField
            label={t("field.loginOrAddress")}
            hint={t("field.loginOrAddress.hint")}
            name="login"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={login}
            onChange={(event) => setLogin(event.target.value)}
          />
          <TextField
            label={t("field.password")}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          {needsCode ? (
            <>
              <Notice tone="info">
                {secondFactor.useRecoveryCode ? t("signIn.recoveryCode") : t("signIn.twoFactor")}
              </Notice>
              <SecondFactorFields autoFocus value={secondFactor} onChange={setSecondFactor} />
            </>
          ) : null}
          <div className="form-actions">
            <Button type="submit" busy={busy} className="button-wide">
              {t("signIn.submit")}
            </Button>
          </div>
        </Form>
        <div className="form-links">
          <Link to="/restore">{t("signIn.forgot")}</Link>
          <span>
            {t("signIn.noAccount")} <Link to="/register">{t("signIn.register")}</Link>
          </span>
          <Link to="/support/new">{t("support.contact")}</Link>
        </div>
      </div>
    </Page>
  );
}
