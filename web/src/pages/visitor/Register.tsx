import { type FormEvent, useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, client, formErrors } from "../../api";
import {
  Button,
  Form,
  FormError,
  Page,
  SelectField,
  TextField,
  useAction,
  useFocusField,
} from "../../components/ui";
import { HOME } from "../../home";
import { t } from "../../i18n";
import { questionText } from "../../labels";
import { useSession } from "../../session";
import type { RegisterBody, SecurityQuestion } from "../../types";

const FIELDS = {
  login: "LOGIN_",
  password: "PASSWORD_",
  firstName: "",
  lastName: "",
  securityQuestion: "SECURITY_QUESTION_",
  securityAnswer: "",
  phone: "PHONE_",
  recoveryEmail: "EMAIL_",
};

export function Register() {
  const navigate = useNavigate();
  const { signedIn } = useSession();
  const [questions, setQuestions] = useState<SecurityQuestion[]>([]);
  const [form, setForm] = useState({
    login: "",
    password: "",
    firstName: "",
    lastName: "",
    securityQuestion: "",
    securityAnswer: "",
    phone: "",
    recoveryEmail: "",
  });
  const { busy, error, run } = useAction();

  useEffect(() => {
    api(() => client.GET("/api/v1/security-questions"))
      .then(setQuestions)
      .catch(() => setQuestions([]));
  }, []);

  const set = (name: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [name]: event.target.value }));

  // Every field the server refuses is marked at once; the first takes focus.
  const errors = formErrors(error, FIELDS);
  const fieldError = (name: string) => errors.byField[name] ?? null;
  useFocusField(errors.first, error);
  const validate = () => ({
    password: form.password && form.password.length < 10 ? t("register.passwordTooShort") : null,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const body: RegisterBody = {
        login: form.login.trim(),
        password: form.password,
        firstName: form.firstName.trim(),
        lastName: form.lastName.trim(),
      };
      if (form.securityQuestion) {
        body.securityQuestion = form.securityQuestion;
        body.securityAnswer = form.securityAnswer;
      }
      if (form.phone.trim()) body.phone = form.phone.trim();
      if (form.recoveryEmail.trim()) body.recoveryEmail = form.recoveryEmail.trim();
      const info = await api(() => client.POST("/api/v1/accounts", { body }));
      signedIn(info);
      const hasContacts = Boolean(body.phone || body.recoveryEmail);
      navigate(hasContacts ? "/account/confirm" : HOME, { replace: true, state: { welcome: true } });
    });
  };

  return (
    <Page title={t("register.title")} intro={t("register.intro")} narrow>
      <div className="card card-form">
        <Form onSubmit={submit} validate={validate}>
          <FormError error={errors.form} />
          <fieldset>
            <legend>{t("register.section.account")}</legend>
            <TextField
              label={t("field.login")}
              hint={t("field.login.hint")}
              name="login"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              maxLength={30}
              value={form.login}
              onChange={set("login")}
              error={fieldError("login")}
            />
            <TextField
              label={t("field.newPassword")}
              hint={t("field.newPassword.hint")}
              name="password"
              type="password"
              autoComplete="new-password"
              required
              value={form.password}
              onChange={set("password")}
              error={fieldError("password")}
            />
          </fieldset>
          <fieldset>
            <legend>{t("register.section.about")}</legend>
            <div className="field-row">
              <TextField
                label={t("field.firstName")}
                name="firstName"
                autoComplete="given-name"
                required
                value={form.firstName}
                onChange={set("firstName")}
                error={fieldError("firstName")}
              />
              <TextField
                label={t("field.lastName")}
                name="lastName"
                autoComplete="family-name"
                required
                value={form.lastName}
                onChange={set("lastName")}
                error={fieldError("lastName")}
              />
            </div>
          </fieldset>
          <fieldset>
            <legend>{t("register.section.recovery")}</legend>
            <p className="fieldset-intro">{t("register.section.recovery.intro")}</p>
            <TextField
              label={t("field.phone")}
              hint={t("field.phone.hint")}
              name="phone"
              type="tel"
              autoComplete="tel"
              placeholder="+44 20 7946 0958"
              value={form.phone}
              onChange={set("phone")}
              error={fieldError("phone")}
            />
            <TextField
              label={t("field.recoveryEmail")}
              hint={t("field.recoveryEmail.hint")}
              name="recoveryEmail"
              type="email"
              autoComplete="email"
              value={form.recoveryEmail}
              onChange={set("recoveryEmail")}
              error={fieldError("recoveryEmail")}
            />
            <SelectField
              label={t("field.securityQuestion")}
              hint={t("field.securityQuestion.hint")}
              name="securityQuestion"
              value={form.securityQuestion}
              onChange={set("securityQuestion")}
              error={fieldError("securityQuestion")}
            >
              <option value="">{t("field.securityQuestion.none")}</option>
              {questions.map((question) => (
                <option key={question.id} value={question.id}>
                  {questionText(question)}
                </option>
              ))}
            </SelectField>
            {form.securityQuestion ? (
              <TextField
                label={t("field.securityAnswer")}
                hint={t("field.securityAnswer.hint")}
                name="securityAnswer"
                autoComplete="off"
                required
                value={form.securityAnswer}
                onChange={set("securityAnswer")}
                error={fieldError("securityAnswer")}
              />
            ) : null}
          </fieldset>
          <div className="form-actions">
            <Button type="submit" busy={busy} className="button-wide">
              {t("register.submit")}
            </Button>
          </div>
        </Form>
        <div className="form-links">
          <span>
            {t("register.haveAccount")} <Link to="/sign-in">{t("register.signIn")}</Link>
          </span>
        </div>
      </div>
    </Page>
  );
}
