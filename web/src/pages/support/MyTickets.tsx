import { Link } from "react-router";
import { client } from "../../api";
import { useApiData } from "../../components/data";
import { Card, FormError, Listing, Page } from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import { ticketPath } from "./labels";
import { TicketTable } from "./TicketTable";

/** The requests the signed-in account sent. */
export function MyTickets() {
  const { data, error } = useApiData("/api/v1/support/my-tickets", () =>
    client.GET("/api/v1/support/my-tickets"),
  );
  return (
    <Page
      title={t("support.mine.title")}
      intro={t("support.mine.intro")}
      actions={
        <Link className="button button-primary" to="/support/new">
          {t("support.mine.new")}
        </Link>
      }
    >
      <Card>
        <FormError error={error} />
        <Listing
          items={data?.tickets ?? null}
          error={error}
          empty={<p className="muted">{t("support.mine.none")}</p>}
        >
          {(tickets) => (
            <TicketTable
              caption={t("support.mine.title")}
              tickets={tickets}
              pathOf={ticketPath}
              extra={[
                { title: t("support.column.updated"), cell: (ticket) => formatDateTime(ticket.updatedAt) },
              ]}
            />
          )}
        </Listing>
      </Card>
    </Page>
  );
}
