import { type FormEvent, useId, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { ApiError, api, client, errorMessage } from "../../api";
import { Button, Card, Form, Page, useAction } from "../../components/ui";
import { t } from "../../i18n";
import { domainPath } from "./Domains";
import { domainHint } from "./domainHints";

/** Connect a domain: the name is checked as it is typed, the server has the last word. */
export function Connect() {
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [touched, setTouched] = useState(false);
  const { busy, error, setError, run } = useAction();
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  const hint = touched ? domainHint(name) : null;
  const serverError = error instanceof ApiError && error.code.startsWith("DOMAIN_") ? error : null;
  const otherError = error && !serverError ? error : null;
  const invalid = Boolean((hint?.blocking && touched) || serverError);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    const current = domainHint(name);
    if (current?.blocking) {
      setError(null);
      input.current?.focus();
      return;
    }
    void run(async () => {
      try {
        const view = await api(() => client.POST("/api/v1/domains", { body: { name: name.trim() } }));
        navigate(domainPath(view.name), { state: { connected: true } });
      } catch (caught) {
        input.current?.focus();
        throw caught;
      }
    });
  };

  const accept = (suggestion: string) => {
    setName(suggestion);
    setError(null);
    input.current?.focus();
  };

  return (
    <Page title={t("connect.title")} intro={t("connect.intro")} narrow>
      <Card>
        <Form onSubmit={submit}>
          {otherError ? (
            <div className="alert alert-error" role="alert">
              {errorMessage(otherError)}
            </div>
          ) : null}
          <div className="field">
            <label htmlFor={id}>{t("connect.field")}</label>
            <input
              ref={input}
              id={id}
              name="domain"
              type="text"
              inputMode="url"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              placeholder="example.org"
              required
              value={name}
              aria-invalid={invalid || undefined}
              aria-describedby={`${id}-hint ${id}-feedback`}
              onChange={(event) => {
                setName(event.target.value);
                if (serverError) setError(null);
              }}
              onBlur={() => name.trim() && setTouched(true)}
            />
            <p className="hint" id={`${id}-hint`}>
              {t("connect.field.hint")}
            </p>
            <div id={`${id}-feedback`} aria-live="polite">
              {serverError ? (
                <p className="field-error" role="alert">
                  {errorMessage(serverError)}
                </p>
              ) : hint ? (
                <p className={hint.blocking ? "field-error" : "field-warning"}>
                  {t(hint.key, hint.params)}
                  {hint.suggestion ? (
                    <>
                      {" "}
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => accept(hint.suggestion as string)}
                      >
                        {t("connect.hint.use", { name: hint.suggestion })}
                      </button>
                    </>
                  ) : null}
                </p>
              ) : null}
            </div>
          </div>
          <div className="form-actions">
            <Button type="submit" busy={busy}>
              {t("connect.submit")}
            </Button>
            <Link className="button button-secondary" to="/domains">
              {t("common.cancel")}
            </Link>
          </div>
        </Form>
      </Card>
      <Card title={t("connect.next.title")}>
        <p className="muted">{t("connect.next.text")}</p>
      </Card>
    </Page>
  );
}
