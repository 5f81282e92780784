import { type FormEvent, useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { ApiError, api, client } from "../../api";
import {
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
import { t } from "../../i18n";
import { useSession } from "../../session";
import type { Handover } from "../../types";
import { domainPath } from "../domains/Domains";
import { keyFromHash, stateLabel } from "./handoverLabels";

/** Reads the hand-over a link names; 404 means not this account's (or no such hand-over). */
function useHandover(id: string) {
  const [handover, setHandover] = useState<Handover | null>(null);
  const load = useAction();
  useEffect(() => {
    void load.run(async () =>
      setHandover(await api(() => client.GET("/api/v1/transfers/{id}", { params: { path: { id } } }))),
    );
  }, [id, load.run]);
  const notYours = load.error instanceof ApiError && load.error.status === 404;
  return { handover, setHandover, load, notYours };
}

/** /transfer/accept/<id>#<key>: the target, signed in, accepts the domain offered to them. */
export function AcceptTransfer() {
  const { id = "" } = useParams();
  const { account } = useSession();
  const [key] = useState(keyFromHash);
  const { handover, setHandover, load, notYours } = useHandover(id);
  const [declined, setDeclined] = useState(false);
  const act = useAction();

  const accept = () =>
    void act.run(async () => {
      setHandover(
        await api(() =>
          client.POST("/api/v1/transfers/{id}/accept", { params: { path: { id } }, body: { key } }),
        ),
      );
    });
  const decline = () =>
    void act.run(async () => {
      setHandover(
        await api(() => client.POST("/api/v1/transfers/{id}/cancel", { params: { path: { id } } })),
      );
      setDeclined(true);
    });

  return (
    <Page title={t("transfer.accept.title")} narrow>
      <Card>
        {!key ? (
          <Notice tone="warning">{t("transfer.accept.noKey")}</Notice>
        ) : notYours ? (
          <Notice tone="warning">{t("transfer.accept.notYours", { address: account?.address ?? "" })}</Notice>
        ) : !handover ? (
          <>
            <FormError error={load.error} />
            {load.error ? null : <Loading label={t("transfer.accept.loading")} />}
          </>
        ) : handover.state === "done" ? (
          <>
            <Notice>{t("transfer.accept.done", { name: handover.domain })}</Notice>
            <Link className="button button-primary" to={domainPath(handover.domain)}>
              {t("transfer.accept.open", { name: handover.domain })}
            </Link>
          </>
        ) : declined ? (
          <Notice tone="info">{t("transfer.accept.declined", { name: handover.domain })}</Notice>
        ) : handover.state !== "offered" ? (
          <Notice tone="warning">{t("transfer.accept.ended", { state: stateLabel(handover.state) })}</Notice>
        ) : (
          <>
            <p>{t("transfer.accept.text", { name: handover.domain, address: account?.address ?? "" })}</p>
            <FormError error={act.error} />
            <div className="form-actions">
              <Button busy={act.busy} onClick={accept}>
                {t("transfer.accept.submit")}
              </Button>
              <Button variant="secondary" onClick={decline}>
                {t("transfer.accept.decline")}
              </Button>
            </div>
          </>
        )}
      </Card>
    </Page>
  );
}

/** /transfer/confirm/<id>#<key>: the owner confirms a transfer asked for through support, naming the target. */
export function ConfirmTransfer() {
  const { id = "" } = useParams();
  const [key] = useState(keyFromHash);
  const { handover, setHandover, load, notYours } = useHandover(id);
  const [login, setLogin] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const act = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act.run(async () => {
      const target = login.trim();
      setHandover(
        await api(() =>
          client.POST("/api/v1/transfers/{id}/confirm", {
            params: { path: { id } },
            body: { key, login: target },
          }),
        ),
      );
      setDone(target);
    });
  };

  return (
    <Page title={t("transfer.confirm.title")} narrow>
      <Card>
        {!key ? (
          <Notice tone="warning">{t("transfer.accept.noKey")}</Notice>
        ) : notYours ? (
          <Notice tone="warning">{t("error.HANDOVER_LINK_INVALID")}</Notice>
        ) : !handover ? (
          <>
            <FormError error={load.error} />
            {load.error ? null : <Loading />}
          </>
        ) : done ? (
          <Notice>{t("transfer.confirm.done", { name: handover.domain, login: done })}</Notice>
        ) : handover.state !== "awaiting-owner" ? (
          <Notice tone="warning">{t("transfer.accept.ended", { state: stateLabel(handover.state) })}</Notice>
        ) : (
          <Form onSubmit={submit}>
            <p>{t("transfer.confirm.text", { name: handover.domain })}</p>
            <FormError error={act.error} />
            <TextField
              label={t("transfer.field.login")}
              name="login"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={320}
              required
              value={login}
              onChange={(event) => setLogin(event.target.value)}
            />
            <div className="form-actions">
              <Button type="submit" busy={act.busy}>
                {t("transfer.confirm.submit")}
              </Button>
            </div>
          </Form>
        )}
      </Card>
    </Page>
  );
}

/**
 * /transfer/cancel/<id>#<key> and /handover/cancel/<id>#<key>: the owner's one-click cancel, no
 * sign-in. Opening the page changes nothing (mail scanners open links); the button POSTs the key.
 */
export function CancelByLink() {
  const [key] = useState(keyFromHash);
  const [result, setResult] = useState<{ domain: string; state: string } | null>(null);
  const act = useAction();

  const cancel = () =>
    void act.run(async () => {
      setResult(await api(() => client.POST("/api/v1/transfers/cancel", { body: { key } })));
    });

  return (
    <Page title={t("transfer.cancelLink.title")} narrow>
      <Card>
        {!key ? (
          <Notice tone="warning">{t("transfer.accept.noKey")}</Notice>
        ) : result ? (
          result.state === "cancelled" ? (
            <Notice>{t("transfer.cancelLink.done", { name: result.domain })}</Notice>
          ) : (
            <Notice tone="info">
              {t("transfer.cancelLink.already", {
                name: result.domain,
                state: stateLabel(result.state as Handover["state"]),
              })}
            </Notice>
          )
        ) : (
          <>
            <p>{t("transfer.cancelLink.text")}</p>
            <FormError error={act.error} />
            <Button variant="danger" busy={act.busy} onClick={cancel}>
              {t("transfer.cancelLink.submit")}
            </Button>
          </>
        )}
      </Card>
    </Page>
  );
}
