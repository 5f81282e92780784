import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { ApiError, api, client } from "../../api";
import {
  Button,
  CodeField,
  FormError,
  NewPasswordFields,
  Notice,
  Page,
  TextField,
  useAction,
} from "../../components/ui";
import { t } from "../../i18n";
import { questionText } from "../../labels";
import type { SecurityQuestion } from "../../types";

type Step = "login" | "method" | "code" | "answer" | "password";
type Channel = "phone" | "email" | "question";

function StepHeading({ focus, children }: { focus: boolean; children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus once, when the step appears
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, []);
  return (
    <h2 ref={ref} tabIndex={-1} className="step-title">
      {children}
    </h2>
  );
}

const STEP_NUMBER: Record<Step, number> = { login: 1, method: 2, code: 3, answer: 3, password: 4 };

/**
 * Restore access (product.md §2): login → how to prove it (a code to the phone or the recovery
 * e-mail typed in full, or the security question when neither exists) → the code or the answer →
 * a new password. The server answers the same whether or not the details match, and so do we.
 */
export function Restore() {
  const navigate = useNavigate();
  const [step, setStep] = useState<Step>("login");
  const [login, setLogin] = useState("");
  const [channel, setChannel] = useState<Channel>("email");
  const [contact, setContact] = useState("");
  const [flowId, setFlowId] = useState("");
  const [question, setQuestion] = useState<SecurityQuestion | null>(null);
  const [code, setCode] = useState("");
  const [answer, setAnswer] = useState("");
  const [resetToken, setResetToken] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [totpCode, setTotpCode] = useState("");
  const [needsTotp, setNeedsTotp] = useState(false);
  const [resent, setResent] = useState(false);
  const [localError, setLocalError] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  // After the first step, each new step's heading takes the focus so screen readers announce it.
  const moved = useRef(false);

  const go = (next: Step) => {
    moved.current = true;
    setError(null);
    setLocalError(null);
    setStep(next);
  };

  const requestCode = (via: Exclude<Channel, "question">) =>
    api(() =>
      client.POST("/api/v1/recovery/code", {
        body: { login: login.trim(), channel: via, contact: contact.trim() },
      }),
    );

  const submitLogin = (event: FormEvent) => {
    event.preventDefault();
    if (login.trim()) go("method");
  };

  const submitMethod = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      if (channel === "question") {
        const flow = await api(() =>
          client.POST("/api/v1/recovery/question", { body: { login: login.trim() } }),
        );
        setFlowId(flow.flowId);
        setQuestion(flow.question);
        setAnswer("");
        go("answer");
      } else {
        const flow = await requestCode(channel);
        setFlowId(flow.flowId);
        setCode("");
        setResent(false);
        go("code");
      }
    });
  };

  const resend = () =>
    void run(async () => {
      // Only the code step offers to send again.
      if (channel === "question") return;
      const flow = await requestCode(channel);
      setFlowId(flow.flowId);
      setResent(true);
    });

  const verify = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const proof = step === "code" ? { code: code.trim() } : { answer };
      const result = await api(() => client.POST("/api/v1/recovery/verify", { body: { flowId, ...proof } }));
      setResetToken(result.resetToken);
      setPassword("");
      setRepeat("");
      go("password");
    });
  };

  const reset = (event: FormEvent) => {
    event.preventDefault();
    if (password.length < 10) {
      setLocalError(t("register.passwordTooShort"));
      return;
    }
    if (password !== repeat) {
      setLocalError(t("password.mismatch"));
      return;
    }
    setLocalError(null);
    void run(async () => {
      try {
        await api(() =>
          client.POST("/api/v1/recovery/reset", {
            body: { resetToken, newPassword: password, ...(needsTotp && totpCode ? { totpCode } : {}) },
          }),
        );
        navigate("/sign-in", { replace: true, state: { notice: "restored", login: login.trim() } });
      } catch (caught) {
        if (caught instanceof ApiError && caught.code === "TWO_FACTOR_REQUIRED" && !needsTotp) {
          setNeedsTotp(true);
          return;
        }
        throw caught;
      }
    });
  };

  const contactLabel = channel === "phone" ? t("restore.contact.phone") : t("restore.contact.email");

  return (
    <Page title={t("restore.title")} intro={t("restore.intro")} narrow>
      <div className="card card-form">
        <p className="steps" aria-hidden="true">
          {[1, 2, 3, 4].map((n) => (
            <span
              key={n}
              className={
                n === STEP_NUMBER[step]
                  ? "step step-current"
                  : n < STEP_NUMBER[step]
                    ? "step step-done"
                    : "step"
              }
            />
          ))}
        </p>
        <p className="step-count">{t("restore.stepOf", { step: STEP_NUMBER[step], total: 4 })}</p>

        {step === "login" ? (
          <form onSubmit={submitLogin}>
            <StepHeading focus={moved.current}>{t("restore.login.title")}</StepHeading>
            <TextField
              label={t("field.loginOrAddress")}
              name="login"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={login}
              onChange={(event) => setLogin(event.target.value)}
            />
            <div className="form-actions">
              <Button type="submit">{t("common.next")}</Button>
            </div>
          </form>
        ) : null}

        {step === "method" ? (
          <form onSubmit={submitMethod}>
            <StepHeading focus={moved.current}>{t("restore.method.title")}</StepHeading>
            <FormError error={error} />
            <fieldset className="choices">
              <legend className="visually-hidden">{t("restore.method.title")}</legend>
              {(["phone", "email", "question"] as const).map((option) => (
                <label key={option} className={`choice${channel === option ? " choice-selected" : ""}`}>
                  <input
                    type="radio"
                    name="channel"
                    value={option}
                    checked={channel === option}
                    onChange={() => {
                      setChannel(option);
                      setContact("");
                    }}
                  />
                  <span>
                    <span className="choice-title">{t(`restore.method.${option}`)}</span>
                    <span className="choice-hint">{t(`restore.method.${option}.hint`)}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            {channel !== "question" ? (
              <TextField
                key={channel}
                label={contactLabel}
                hint={t("restore.contact.hint")}
                name="contact"
                type={channel === "phone" ? "tel" : "email"}
                autoComplete={channel === "phone" ? "tel" : "email"}
                required
                value={contact}
                onChange={(event) => setContact(event.target.value)}
              />
            ) : null}
            <div className="form-actions">
              <Button type="submit" busy={busy}>
                {channel === "question" ? t("restore.method.showQuestion") : t("restore.method.sendCode")}
              </Button>
              <Button variant="secondary" onClick={() => go("login")}>
                {t("common.back")}
              </Button>
            </div>
          </form>
        ) : null}

        {step === "code" ? (
          <form onSubmit={verify}>
            <StepHeading focus={moved.current}>{t("restore.code.title")}</StepHeading>
            <Notice tone="info">
              {t(channel === "phone" ? "restore.code.sentPhone" : "restore.code.sentEmail", {
                contact: contact.trim(),
              })}
            </Notice>
            {resent ? <Notice>{t("restore.code.resent")}</Notice> : null}
            <FormError error={error} />
            <CodeField
              label={t("field.code")}
              hint={t("field.code.hint")}
              name="code"
              value={code}
              onChange={(event) => setCode(event.target.value.trim())}
            />
            <div className="form-actions">
              <Button type="submit" busy={busy}>
                {t("restore.code.submit")}
              </Button>
              <Button variant="secondary" onClick={resend}>
                {t("restore.code.resend")}
              </Button>
              <Button variant="ghost" onClick={() => go("method")}>
                {t("restore.code.other")}
              </Button>
            </div>
          </form>
        ) : null}

        {step === "answer" && question ? (
          <form onSubmit={verify}>
            <StepHeading focus={moved.current}>{t("restore.answer.title")}</StepHeading>
            <FormError error={error} />
            <TextField
              label={questionText(question)}
              hint={t("restore.answer.hint")}
              name="answer"
              autoComplete="off"
              required
              value={answer}
              onChange={(event) => setAnswer(event.target.value)}
            />
            <div className="form-actions">
              <Button type="submit" busy={busy}>
                {t("restore.answer.submit")}
              </Button>
              <Button variant="secondary" onClick={() => go("method")}>
                {t("common.back")}
              </Button>
            </div>
          </form>
        ) : null}

        {step === "password" ? (
          <form onSubmit={reset}>
            <StepHeading focus={moved.current}>{t("restore.password.title")}</StepHeading>
            <FormError error={error}>{localError}</FormError>
            <NewPasswordFields
              value={password}
              repeat={repeat}
              onChange={setPassword}
              onRepeatChange={setRepeat}
            />
            {needsTotp ? (
              <>
                <Notice tone="info">{t("restore.password.twoFactor")}</Notice>
                <CodeField
                  label={t("field.totpCode")}
                  hint={t("field.totpCode.hint")}
                  name="totpCode"
                  autoFocus
                  value={totpCode}
                  onChange={(event) => setTotpCode(event.target.value.trim())}
                />
              </>
            ) : null}
            <div className="form-actions">
              <Button type="submit" busy={busy}>
                {t("restore.password.submit")}
              </Button>
            </div>
          </form>
        ) : null}

        <div className="form-links">
          <Link to="/sign-in">{t("restore.backToSignIn")}</Link>
        </div>
      </div>
    </Page>
  );
}
