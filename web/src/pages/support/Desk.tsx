import { useCallback, useEffect, useState } from "react";
import { api, client } from "../../api";
import {
  Button,
  Card,
  FormError,
  Listing,
  Page,
  SelectField,
  TextField,
  useAction,
} from "../../components/ui";
import { formatDateTime, t } from "../../i18n";
import type { QueuePage, TicketCategory, TicketState } from "../../types";
import { CATEGORIES, categoryLabel, deskPath, STATES, stateLabel } from "./labels";
import { TicketTable } from "./TicketTable";

type Row = QueuePage["tickets"][number];

/** The agents' queue: oldest first, filtered by category, state and age. */
export function Desk() {
  const [category, setCategory] = useState<TicketCategory | "">("");
  const [state, setState] = useState<TicketState | "">("");
  const [age, setAge] = useState("");
  const [rows, setRows] = useState<Row[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const load = useAction();

  const read = useCallback(
    (after?: string) =>
      api(() =>
        client.GET("/api/v1/support/queue", {
          params: {
            query: {
              ...(category ? { category } : {}),
              ...(state ? { state } : {}),
              ...(age !== "" && Number.isInteger(Number(age)) ? { olderThanHours: Number(age) } : {}),
              ...(after ? { after } : {}),
              limit: 50,
            },
          },
        }),
      ),
    [category, state, age],
  );

  useEffect(() => {
    void load.run(async () => {
      const page = await read();
      setRows(page.tickets);
      setNext(page.next);
    });
  }, [read, load.run]);

  const more = () =>
    void load.run(async () => {
      if (!next) return;
      const page = await read(next);
      setRows((current) => [...(current ?? []), ...page.tickets]);
      setNext(page.next);
    });

  return (
    <Page title={t("support.desk.title")} intro={t("support.desk.intro")}>
      <Card>
        <div className="desk-filters">
          <SelectField
            label={t("support.filter.category")}
            name="category"
            value={category}
            onChange={(event) => setCategory(event.target.value as TicketCategory | "")}
          >
            <option value="">{t("support.filter.any")}</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {categoryLabel(c)}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={t("support.filter.state")}
            name="state"
            value={state}
            onChange={(event) => setState(event.target.value as TicketState | "")}
          >
            <option value="">{t("support.filter.open")}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabel(s)}
              </option>
            ))}
          </SelectField>
          <TextField
            label={t("support.filter.age")}
            name="olderThanHours"
            inputMode="numeric"
            value={age}
            onChange={(event) => setAge(event.target.value.replace(/\D/g, ""))}
          />
        </div>
        <FormError error={load.error} />
        <Listing items={rows} error={load.error} empty={<p className="muted">{t("support.desk.none")}</p>}>
          {(tickets) => (
            <TicketTable
              caption={t("support.desk.title")}
              tickets={tickets}
              pathOf={deskPath}
              extra={[
                { title: t("support.column.replyTo"), cell: (ticket) => ticket.replyTo },
                { title: t("support.column.created"), cell: (ticket) => formatDateTime(ticket.createdAt) },
              ]}
            />
          )}
        </Listing>
        {next ? (
          <div className="form-actions">
            <Button variant="secondary" busy={load.busy} onClick={more}>
              {t("support.desk.more")}
            </Button>
          </div>
        ) : null}
      </Card>
    </Page>
  );
}
