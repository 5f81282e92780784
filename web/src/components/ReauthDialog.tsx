import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { ApiError, api, client, onReauthRequired } from "../api";
import { t } from "../i18n";
import { useSession } from "../session";
import {
  NO_SECOND_FACTOR,
  type SecondFactor,
  SecondFactorFields,
  secondFactorBody,
} from "./SecondFactorFields";
import { Button, Dialog, Form, FormError, TextField, useAction } from "./ui";

/**
 * Whenever an action answers 403 REAUTH_REQUIRED, this asks for the password (and the
 * authenticator code when two-factor is on), re-authenticates the session and lets the action
 * be retried. Cancelling leaves the action failed with its REAUTH_REQUIRED message.
 */
export function ReauthProvider({ children }: { children: ReactNode }) {
  const { signedIn, account } = useSession();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [secondFactor, setSecondFactor] = useState<SecondFactor>(NO_SECOND_FACTOR);
  const [needsCode, setNeedsCode] = useState(false);
  const pending = useRef<{ promise: Promise<boolean>; resolve: (ok: boolean) => void } | null>(null);
  const { busy, error, setError, run } = useAction();

  useEffect(() => {
    onReauthRequired(() => {
      if (pending.current) return pending.current.promise;
      let resolve: (ok: boolean) => void = () => {};
      const promise = new Promise<boolean>((r) => {
        resolve = r;
      });
      pending.current = { promise, resolve };
      setPassword("");
      setSecondFactor(NO_SECOND_FACTOR);
      setError(null);
      setOpen(true);
      return promise;
    });
    return () => onReauthRequired(null);
  }, [setError]);

  useEffect(() => {
    if (account) setNeedsCode(account.twoFactor);
  }, [account]);

  const finish = (ok: boolean) => {
    setOpen(false);
    setPassword("");
    setSecondFactor(NO_SECOND_FACTOR);
    pending.current?.resolve(ok);
    pending.current = null;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      try {
        const info = await api(
          () =>
            client.POST("/api/v1/session/reauthenticate", {
              body: { password, ...(needsCode ? secondFactorBody(secondFactor) : {}) },
            }),
          { noReauth: true },
        );
        signedIn(info);
        finish(true);
      } catch (caught) {
        if (caught instanceof ApiError && caught.code === "TWO_FACTOR_REQUIRED") {
          setNeedsCode(true);
        }
        throw caught;
      }
    });
  };

  return (
    <>
      {children}
      <Dialog
        open={open}
        title={t("reauth.title")}
        description={t("reauth.description")}
        onClose={() => finish(false)}
      >
        <Form onSubmit={submit}>
          <FormError error={error} />
          <TextField
            label={t("field.password")}
            type="password"
            autoComplete="current-password"
            required
            autoFocus
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          {needsCode ? <SecondFactorFields value={secondFactor} onChange={setSecondFactor} /> : null}
          <div className="form-actions">
            <Button type="submit" busy={busy}>
              {t("reauth.submit")}
            </Button>
            <Button variant="secondary" onClick={() => finish(false)}>
              {t("common.cancel")}
            </Button>
          </div>
        </Form>
      </Dialog>
    </>
  );
}
