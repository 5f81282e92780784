import { useRef } from "react";
import { Link, useLocation } from "react-router";
import { Card, Loading, Notice, Page } from "../../components/ui";
import { HOME } from "../../home";
import { t } from "../../i18n";
import { useSession } from "../../session";
import { type ContactKind, PendingContactForm } from "./ContactCard";

/** After registration: one code field per contact waiting for its code. */
export function ConfirmContacts() {
  const { account } = useSession();
  const location = useLocation();
  const welcome = Boolean((location.state as { welcome?: boolean } | null)?.welcome);
  // What was pending when the page opened stays on screen, so a confirmed contact shows its success.
  const snapshot = useRef<Array<{ kind: ContactKind; value: string }> | null>(null);
  if (!account) return <Loading />;
  if (!snapshot.current) {
    snapshot.current = [
      ...(account.pendingEmail ? [{ kind: "email" as const, value: account.pendingEmail }] : []),
      ...(account.pendingPhone ? [{ kind: "phone" as const, value: account.pendingPhone }] : []),
    ];
  }
  const pending = snapshot.current;
  const waiting = Boolean(account.pendingEmail || account.pendingPhone);
  return (
    <Page title={t("confirm.title")} intro={t("confirm.intro")} narrow>
      {welcome ? <Notice>{t("confirm.welcome", { address: account.address })}</Notice> : null}
      {pending.length === 0 ? (
        <Card>
          <p>{t("confirm.nothing")}</p>
        </Card>
      ) : (
        pending.map((item) => (
          <Card key={item.kind} title={t(`confirm.${item.kind}`)}>
            <PendingContactForm kind={item.kind} pending={item.value} />
          </Card>
        ))
      )}
      <div className="form-actions">
        <Link className="button button-primary" to={HOME}>
          {waiting ? t("confirm.later") : t("confirm.continue")}
        </Link>
        <Link className="button button-secondary" to="/account">
          {t("confirm.toProfile")}
        </Link>
      </div>
    </Page>
  );
}
