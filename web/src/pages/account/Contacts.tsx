import { Loading, Page } from "../../components/ui";
import { t } from "../../i18n";
import { useSession } from "../../session";
import { ContactCard } from "./ContactCard";

export function Contacts() {
  const { account } = useSession();
  return (
    <Page title={t("contacts.title")} intro={t("contacts.intro")}>
      {account ? (
        <div className="stack">
          <ContactCard kind="phone" account={account} />
          <ContactCard kind="email" account={account} />
        </div>
      ) : (
        <Loading />
      )}
    </Page>
  );
}
