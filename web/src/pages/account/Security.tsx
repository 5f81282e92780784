import { type FormEvent, useEffect, useRef, useState } from "react";
import { api, client } from "../../api";
import {
  NO_SECOND_FACTOR,
  type SecondFactor,
  SecondFactorFields,
  secondFactorBody,
} from "../../components/SecondFactorFields";
import {
  Badge,
  Button,
  Card,
  CodeField,
  CopyButton,
  FormError,
  Loading,
  NewPasswordFields,
  Notice,
  Page,
  SelectField,
  TextField,
  useAction,
} from "../../components/ui";
import { t, tp } from "../../i18n";
import { questionText } from "../../labels";
import { useSession } from "../../session";
import type { Account, SecurityQuestion, TwoFactorSetup } from "../../types";

function PasswordCard() {
  const { refreshSession } = useSession();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    if (next.length < 10) return setLocalError(t("register.passwordTooShort"));
    if (next !== repeat) return setLocalError(t("password.mismatch"));
    setLocalError(null);
    void run(async () => {
      await api(() =>
        client.PUT("/api/v1/account/password", { body: { currentPassword: current, newPassword: next } }),
      );
      setCurrent("");
      setNext("");
      setRepeat("");
      setDone(true);
      // A password change may rotate the session; pick up its new anti-CSRF token.
      await refreshSession();
    });
  };

  return (
    <Card title={t("password.title")} description={t("password.description")} id="password">
      <form onSubmit={submit}>
        {done ? <Notice>{t("password.changed")}</Notice> : null}
        <FormError error={error}>{localError}</FormError>
        <TextField
          label={t("field.currentPassword")}
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <NewPasswordFields value={next} repeat={repeat} onChange={setNext} onRepeatChange={setRepeat} row />
        <div className="form-actions">
          <Button type="submit" busy={busy}>
            {t("password.submit")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function SecurityQuestionCard({ account }: { account: Account }) {
  const { refreshAccount } = useSession();
  const [questions, setQuestions] = useState<SecurityQuestion[]>([]);
  const [question, setQuestion] = useState(account.securityQuestion?.id ?? "");
  const [answer, setAnswer] = useState("");
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();

  useEffect(() => {
    api(() => client.GET("/api/v1/security-questions"))
      .then((list) => {
        setQuestions(list);
        setQuestion((current) => current || list[0]?.id || "");
      })
      .catch(() => setQuestions([]));
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    void run(async () => {
      await api(() => client.PUT("/api/v1/account/security-question", { body: { question, answer } }));
      setAnswer("");
      setDone(true);
      await refreshAccount();
    });
  };

  return (
    <Card
      title={t("securityQuestion.title")}
      description={t("securityQuestion.description")}
      id="security-question"
    >
      <p>
        {account.securityQuestion ? (
          <>
            {t("securityQuestion.current")} <strong>{questionText(account.securityQuestion)}</strong>
          </>
        ) : (
          <Badge tone="warning">{t("securityQuestion.none")}</Badge>
        )}
      </p>
      <form onSubmit={submit}>
        {done ? <Notice>{t("securityQuestion.saved")}</Notice> : null}
        <FormError error={error} />
        <div className="field-row">
          <SelectField
            label={t("field.securityQuestion")}
            name="question"
            required
            value={question}
            onChange={(event) => setQuestion(event.target.value)}
          >
            {questions.map((item) => (
              <option key={item.id} value={item.id}>
                {questionText(item)}
              </option>
            ))}
          </SelectField>
          <TextField
            label={t("field.securityAnswer")}
            hint={t("field.securityAnswer.hint")}
            name="answer"
            autoComplete="off"
            required
            value={answer}
            onChange={(event) => setAnswer(event.target.value)}
          />
        </div>
        <div className="form-actions">
          <Button type="submit" busy={busy}>
            {account.securityQuestion ? t("securityQuestion.change") : t("securityQuestion.set")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

const groupSecret = (secret: string) => secret.replace(/(.{4})/g, "$1 ").trim();

/**
 * Recovery codes just made: shown this once, to copy, download or write down. The heading takes
 * focus so a screen reader starts here.
 */
function NewRecoveryCodes({
  codes,
  address,
  onDone,
}: {
  codes: string[];
  address: string;
  onDone: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [download, setDownload] = useState<string | null>(null);
  const text = `${t("recoveryCodes.fileHeader", { address })}\n\n${codes.join("\n")}\n`;
  useEffect(() => {
    heading.current?.focus();
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    setDownload(url);
    return () => URL.revokeObjectURL(url);
  }, [text]);
  return (
    <section className="recovery-codes" aria-labelledby="recovery-codes-title">
      <h3 id="recovery-codes-title" ref={heading} tabIndex={-1}>
        {t("recoveryCodes.title")}
      </h3>
      <Notice tone="warning">{t("recoveryCodes.saveNow")}</Notice>
      <ol className="recovery-code-list">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="form-actions">
        <CopyButton value={codes.join("\n")} label={t("recoveryCodes.title")} />
        {download ? (
          <a
            className="button button-secondary button-small"
            href={download}
            download="mfd-recovery-codes.txt"
          >
            {t("recoveryCodes.download")}
          </a>
        ) : null}
        <Button onClick={onDone}>{t("recoveryCodes.saved")}</Button>
      </div>
    </section>
  );
}

function TwoFactorCard({ account }: { account: Account }) {
  const { refreshAccount } = useSession();
  const [setup, setSetup] = useState<TwoFactorSetup | null>(null);
  const [code, setCode] = useState("");
  const [secondFactor, setSecondFactor] = useState<SecondFactor>(NO_SECOND_FACTOR);
  const [password, setPassword] = useState("");
  const [done, setDone] = useState<"enabled" | "disabled" | "renewed" | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const { busy, error, run } = useAction();

  const renew = () =>
    void run(async () => {
      setDone(null);
      const made = await api(() => client.POST("/api/v1/account/two-factor/recovery-codes"));
      setCodes(made.recoveryCodes);
      setDone("renewed");
      await refreshAccount();
    });

  const start = () =>
    void run(async () => {
      setDone(null);
      setSetup(await api(() => client.POST("/api/v1/account/two-factor/setup")));
      setCode("");
    });

  const enable = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const enabled = await api(() =>
        client.POST("/api/v1/account/two-factor/enable", { body: { code: code.trim() } }),
      );
      setSetup(null);
      setCode("");
      setCodes(enabled.recoveryCodes);
      setDone("enabled");
      await refreshAccount();
    });
  };

  const disable = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await api(() =>
        client.POST("/api/v1/account/two-factor/disable", {
          body: { ...secondFactorBody(secondFactor), password },
        }),
      );
      setSecondFactor(NO_SECOND_FACTOR);
      setCodes(null);
      setPassword("");
      setDone("disabled");
      await refreshAccount();
    });
  };

  return (
    <Card title={t("twoFactor.title")} description={t("twoFactor.description")} id="two-factor">
      <p>
        {t("twoFactor.state")}{" "}
        {account.twoFactor ? (
          <Badge tone="success">{t("common.on")}</Badge>
        ) : (
          <Badge>{t("common.off")}</Badge>
        )}
      </p>
      {done === "enabled" ? <Notice>{t("twoFactor.enabled")}</Notice> : null}
      {done === "renewed" ? <Notice>{t("recoveryCodes.renewed")}</Notice> : null}
      {done === "disabled" ? <Notice>{t("twoFactor.disabled")}</Notice> : null}
      <FormError error={error} />
      {codes ? (
        <NewRecoveryCodes codes={codes} address={account.address} onDone={() => setCodes(null)} />
      ) : null}
      {account.twoFactor && !codes ? (
        <div className="recovery-codes-state">
          <p>
            {account.recoveryCodesLeft <= 3 ? (
              <Badge tone="warning">{tp("recoveryCodes.left", account.recoveryCodesLeft)}</Badge>
            ) : (
              tp("recoveryCodes.left", account.recoveryCodesLeft)
            )}{" "}
            <span className="hint">{t("recoveryCodes.explain")}</span>
          </p>
          <div className="form-actions">
            <Button variant="secondary" onClick={renew} busy={busy}>
              {t("recoveryCodes.regenerate")}
            </Button>
          </div>
          <p className="hint">{t("recoveryCodes.regenerateHint")}</p>
        </div>
      ) : null}
      {account.twoFactor && codes ? null : account.twoFactor ? (
        <form onSubmit={disable}>
          {account.isSupportAgent ? <Notice tone="warning">{t("twoFactor.agentMustKeep")}</Notice> : null}
          <TextField
            label={t("field.currentPassword")}
            hint={t("twoFactor.disablePasswordHint")}
            name="disablePassword"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <SecondFactorFields
            name="disableCode"
            codeHint={t("twoFactor.disableHint")}
            value={secondFactor}
            onChange={setSecondFactor}
          />
          <div className="form-actions">
            <Button type="submit" variant="danger" busy={busy}>
              {t("twoFactor.disable")}
            </Button>
          </div>
        </form>
      ) : setup ? (
        <form onSubmit={enable} className="totp-setup">
          <ol className="totp-steps">
            <li>
              <p>{t("twoFactor.step.scan")}</p>
              <img
                className="qr"
                src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qrSvg)}`}
                alt={t("twoFactor.qrAlt")}
                width={200}
                height={200}
              />
              <p>
                <a href={setup.otpauthUri}>{t("twoFactor.openInApp")}</a>
              </p>
              <p className="hint">{t("twoFactor.step.manual")}</p>
              <p className="secret">
                <span className="visually-hidden">{t("twoFactor.secret")}: </span>
                <code>{groupSecret(setup.secret)}</code>
                <CopyButton value={setup.secret} label={t("twoFactor.secret")} />
              </p>
            </li>
            <li>
              <p>{t("twoFactor.step.code")}</p>
              <div className="inline-form">
                <CodeField
                  label={t("field.totpCode")}
                  name="enableCode"
                  autoFocus
                  value={code}
                  onChange={(event) => setCode(event.target.value.trim())}
                />
                <Button type="submit" busy={busy}>
                  {t("twoFactor.enable")}
                </Button>
                <Button variant="ghost" onClick={() => setSetup(null)}>
                  {t("common.cancel")}
                </Button>
              </div>
            </li>
          </ol>
        </form>
      ) : (
        <div className="form-actions">
          <Button onClick={start} busy={busy}>
            {t("twoFactor.setUp")}
          </Button>
        </div>
      )}
    </Card>
  );
}

export function Security() {
  const { account } = useSession();
  return (
    <Page title={t("security.title")} intro={t("security.intro")}>
      {account ? (
        <div className="stack">
          <PasswordCard />
          <TwoFactorCard account={account} />
          <SecurityQuestionCard account={account} />
        </div>
      ) : (
        <Loading />
      )}
    </Page>
  );
}
