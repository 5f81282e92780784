import { Link } from "react-router";
import { client } from "../../api";
import { useApiData } from "../../components/data";
import { Badge, Card, DataTable, FormError, Listing, Page } from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import { categoryLabel, shortId, stateLabel, stateTone, ticketPath } from "./labels";

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
            <div className="table-wrap">
              <DataTable
                caption={t("support.mine.title")}
                columns={[
                  t("support.column.request"),
                  t("support.column.domain"),
                  t("support.column.category"),
                  t("support.column.state"),
                  t("support.column.updated"),
                ]}
              >
                {tickets.map((ticket) => (
                  <tr key={ticket.id}>
                    <th scope="row">
                      <Link to={ticketPath(ticket.id)}>{shortId(ticket.id)}</Link>
                    </th>
                    <td>{ticket.domain}</td>
                    <td>{categoryLabel(ticket.category)}</td>
                    <td>
                      <Badge tone={stateTone(ticket.state)}>{stateLabel(ticket.state)}</Badge>
                    </td>
                    <td>{formatDateTime(ticket.updatedAt)}</td>
                  </tr>
                ))}
              </DataTable>
            </div>
          )}
        </Listing>
      </Card>
    </Page>
  );
}
