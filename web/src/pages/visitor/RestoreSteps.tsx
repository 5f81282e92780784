import { type FormEvent, type ReactNode, useEffect, useRef } from "react";
import { type SecondFactor, SecondFactorFields } from "../../components/SecondFactorFields";
import { Button, CodeField, FormError, NewPasswordFields, Notice, TextField } from "../../components/ui";
import { t } from "../../i18n";
import { questionText } from "../../labels";
import type { SecurityQuestion } from "../../types";

// The forms of the restore-access steps. They only show and report; Restore holds the flow.

export type Step = "login" | "method" | "code" | "answer" | "password";
export type Channel = "phone" | "email" | "question";

const STEP_NUMBER: Record<Step, number> = { login: 1, method: 2, code: 3, answer: 3, password: 4 };
const STEPS = 4;

/** The bar of four steps and "Step 2 of 4". */
export function StepProgress({ step }: { step: Step }) {
  return (
    <>
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
      <p className="step-count">{t("restore.stepOf", { step: STEP_NUMBER[step], total: STEPS })}</p>
    </>
  );
}

/** A step's heading; `focus` moves the focus to it when the step appears, so it is announced. */
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

type Submit = (event: FormEvent) => void;

export function LoginStep({
  focus,
  login,
  onLogin,
  onSubmit,
}: {
  focus: boolean;
  login: string;
  onLogin: (login: string) => void;
  onSubmit: Submit;
}) {
  return (
    <form onSubmit={onSubmit}>
      <StepHeading focus={focus}>{t("restore.login.title")}</StepHeading>
      <TextField
        label={t("field.loginOrAddress")}
        name="login"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        value={login}
        onChange={(event) => onLogin(event.target.value)}
      />
      <div className="form-actions">
        <Button type="submit">{t("common.next")}</Button>
      </div>
    </form>
  );
}

/** How to prove the account is yours: a code to the phone or the e-mail typed in full, or the question. */
export function MethodStep({
  focus,
  error,
  busy,
  channel,
  onChannel,
  contact,
  onContact,
  onSubmit,
  onBack,
}: {
  focus: boolean;
  error: unknown;
  busy: boolean;
  channel: Channel;
  onChannel: (channel: Channel) => void;
  contact: string;
  onContact: (contact: string) => void;
  onSubmit: Submit;
  onBack: () => void;
}) {
  const contactLabel = channel === "phone" ? t("restore.contact.phone") : t("restore.contact.email");
  return (
    <form onSubmit={onSubmit}>
      <StepHeading focus={focus}>{t("restore.method.title")}</StepHeading>
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
              onChange={() => onChannel(option)}
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
          onChange={(event) => onContact(event.target.value)}
        />
      ) : null}
      <div className="form-actions">
        <Button type="submit" busy={busy}>
          {channel === "question" ? t("restore.method.showQuestion") : t("restore.method.sendCode")}
        </Button>
        <Button variant="secondary" onClick={onBack}>
          {t("common.back")}
        </Button>
      </div>
    </form>
  );
}

export function CodeStep({
  focus,
  error,
  busy,
  channel,
  contact,
  resent,
  code,
  onCode,
  onSubmit,
  onResend,
  onOther,
}: {
  focus: boolean;
  error: unknown;
  busy: boolean;
  channel: Channel;
  contact: string;
  resent: boolean;
  code: string;
  onCode: (code: string) => void;
  onSubmit: Submit;
  onResend: () => void;
  onOther: () => void;
}) {
  return (
    <form onSubmit={onSubmit}>
      <StepHeading focus={focus}>{t("restore.code.title")}</StepHeading>
      <Notice tone="info">
        {t(channel === "phone" ? "restore.code.sentPhone" : "restore.code.sentEmail", { contact })}
      </Notice>
      {resent ? <Notice>{t("restore.code.resent")}</Notice> : null}
      <FormError error={error} />
      <CodeField
        label={t("field.code")}
        hint={t("field.code.hint")}
        name="code"
        value={code}
        onChange={(event) => onCode(event.target.value.trim())}
      />
      <div className="form-actions">
        <Button type="submit" busy={busy}>
          {t("restore.code.submit")}
        </Button>
        <Button variant="secondary" onClick={onResend}>
          {t("restore.code.resend")}
        </Button>
        <Button variant="ghost" onClick={onOther}>
          {t("restore.code.other")}
        </Button>
      </div>
    </form>
  );
}

export function AnswerStep({
  focus,
  error,
  busy,
  question,
  answer,
  onAnswer,
  onSubmit,
  onBack,
}: {
  focus: boolean;
  error: unknown;
  busy: boolean;
  question: SecurityQuestion;
  answer: string;
  onAnswer: (answer: string) => void;
  onSubmit: Submit;
  onBack: () => void;
}) {
  return (
    <form onSubmit={onSubmit}>
      <StepHeading focus={focus}>{t("restore.answer.title")}</StepHeading>
      <FormError error={error} />
      <TextField
        label={questionText(question)}
        hint={t("restore.answer.hint")}
        name="answer"
        autoComplete="off"
        required
        value={answer}
        onChange={(event) => onAnswer(event.target.value)}
      />
      <div className="form-actions">
        <Button type="submit" busy={busy}>
          {t("restore.answer.submit")}
        </Button>
        <Button variant="secondary" onClick={onBack}>
          {t("common.back")}
        </Button>
      </div>
    </form>
  );
}

/** The new password, and the authenticator code once the server asks for it. */
export function PasswordStep({
  focus,
  error,
  localError,
  busy,
  password,
  repeat,
  onPassword,
  onRepeat,
  needsTotp,
  secondFactor,
  onSecondFactor,
  onSubmit,
}: {
  focus: boolean;
  error: unknown;
  /** A mistake found before asking the server (too short, the two differ). */
  localError: string | null;
  busy: boolean;
  password: string;
  repeat: string;
  onPassword: (password: string) => void;
  onRepeat: (repeat: string) => void;
  needsTotp: boolean;
  secondFactor: SecondFactor;
  onSecondFactor: (value: SecondFactor) => void;
  onSubmit: Submit;
}) {
  return (
    <form onSubmit={onSubmit}>
      <StepHeading focus={focus}>{t("restore.password.title")}</StepHeading>
      <FormError error={error}>{localError}</FormError>
      <NewPasswordFields value={password} repeat={repeat} onChange={onPassword} onRepeatChange={onRepeat} />
      {needsTotp ? (
        <>
          <Notice tone="info">{t("restore.password.twoFactor")}</Notice>
          <SecondFactorFields autoFocus value={secondFactor} onChange={onSecondFactor} />
        </>
      ) : null}
      <div className="form-actions">
        <Button type="submit" busy={busy}>
          {t("restore.password.submit")}
        </Button>
      </div>
    </form>
  );
}
