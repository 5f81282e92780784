import { type FormEvent, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { ApiError, api, client } from "../../api";
import { NO_SECOND_FACTOR, type SecondFactor, secondFactorBody } from "../../components/SecondFactorFields";
import { Page, useAction } from "../../components/ui";
import { t } from "../../i18n";
import type { SecurityQuestion } from "../../types";
import {
  AnswerStep,
  type Channel,
  CodeStep,
  LoginStep,
  MethodStep,
  PasswordStep,
  type Step,
  StepProgress,
} from "./RestoreSteps";

/**
 * Restore access: login → how to prove it (a code to the phone or the recovery e-mail typed in
 * full, or the security question when neither exists) → the code or the answer → a new password.
 * The server answers the same whether or not the details match, and so do we. The steps' forms
 * are in RestoreSteps; this holds the flow and talks to the server.
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
  const [secondFactor, setSecondFactor] = useState<SecondFactor>(NO_SECOND_FACTOR);
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
            body: { resetToken, newPassword: password, ...(needsTotp ? secondFactorBody(secondFactor) : {}) },
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

  return (
    <Page title={t("restore.title")} intro={t("restore.intro")} narrow>
      <div className="card card-form">
        <StepProgress step={step} />

        {step === "login" ? (
          <LoginStep focus={moved.current} login={login} onLogin={setLogin} onSubmit={submitLogin} />
        ) : null}

        {step === "method" ? (
          <MethodStep
            focus={moved.current}
            error={error}
            busy={busy}
            channel={channel}
            onChannel={(option) => {
              setChannel(option);
              setContact("");
            }}
            contact={contact}
            onContact={setContact}
            onSubmit={submitMethod}
            onBack={() => go("login")}
          />
        ) : null}

        {step === "code" ? (
          <CodeStep
            focus={moved.current}
            error={error}
            busy={busy}
            channel={channel}
            contact={contact.trim()}
            resent={resent}
            code={code}
            onCode={setCode}
            onSubmit={verify}
            onResend={resend}
            onOther={() => go("method")}
          />
        ) : null}

        {step === "answer" && question ? (
          <AnswerStep
            focus={moved.current}
            error={error}
            busy={busy}
            question={question}
            answer={answer}
            onAnswer={setAnswer}
            onSubmit={verify}
            onBack={() => go("method")}
          />
        ) : null}

        {step === "password" ? (
          <PasswordStep
            focus={moved.current}
            error={error}
            localError={localError}
            busy={busy}
            password={password}
            repeat={repeat}
            onPassword={setPassword}
            onRepeat={setRepeat}
            needsTotp={needsTotp}
            secondFactor={secondFactor}
            onSecondFactor={setSecondFactor}
            onSubmit={reset}
          />
        ) : null}

        <div className="form-links">
          <Link to="/sign-in">{t("restore.backToSignIn")}</Link>
        </div>
      </div>
    </Page>
  );
}
