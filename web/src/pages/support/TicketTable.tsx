import type { ReactNode } from "react";
import { Link } from "react-router";
import { Badge, DataTable } from "../../components/ui";
import { t } from "../../i18n";
import type { TicketSummary } from "../../types";
import { categoryLabel, shortId, stateLabel, stateTone } from "./labels";

type TicketRow = Pick<TicketSummary, "id" | "domain" | "category" | "state">;

/**
 * A table of support requests — the agents' queue and a requester's own list: the request (a link
 * to `pathOf` its id), domain, category and state, then the columns of `extra`.
 */
export function TicketTable<T extends TicketRow>({
  caption,
  tickets,
  pathOf,
  extra,
}: {
  caption: string;
  tickets: readonly T[];
  pathOf: (id: string) => string;
  extra: Array<{ title: string; cell: (ticket: T) => ReactNode }>;
}) {
  return (
    <div className="table-wrap">
      <DataTable
        caption={caption}
        columns={[
          t("support.column.request"),
          t("support.column.domain"),
          t("support.column.category"),
          t("support.column.state"),
          ...extra.map((column) => column.title),
        ]}
      >
        {tickets.map((ticket) => (
          <tr key={ticket.id}>
            <th scope="row">
              <Link to={pathOf(ticket.id)}>{shortId(ticket.id)}</Link>
            </th>
            <td>{ticket.domain}</td>
            <td>{categoryLabel(ticket.category)}</td>
            <td>
              <Badge tone={stateTone(ticket.state)}>{stateLabel(ticket.state)}</Badge>
            </td>
            {extra.map((column) => (
              <td key={column.title}>{column.cell(ticket)}</td>
            ))}
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
