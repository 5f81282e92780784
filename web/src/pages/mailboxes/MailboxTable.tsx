import { Badge, Button, DataTable } from "../../components/ui";
import { t } from "../../i18n";
import type { Mailbox } from "../../types";
import { personName, quotaLabel } from "./mailboxFields";

/**
 * One page of mailboxes, each row with a box to choose it (for block, unblock or delete of several)
 * and its edit, block/unblock and delete buttons.
 */
export function MailboxTable({
  caption,
  mailboxes,
  selected,
  onSelect,
  toggling,
  onEdit,
  onToggle,
  onDelete,
}: {
  caption: string;
  mailboxes: readonly Mailbox[];
  /** The logins chosen on this page. */
  selected: ReadonlySet<string>;
  /** Chooses (or lets go of) these logins. */
  onSelect: (logins: readonly string[], on: boolean) => void;
  /** The login whose block/unblock is on its way. */
  toggling: string | null;
  onEdit: (mailbox: Mailbox) => void;
  onToggle: (mailbox: Mailbox) => void;
  onDelete: (mailbox: Mailbox) => void;
}) {
  const chosen = mailboxes.filter((m) => selected.has(m.login)).length;
  const allChosen = mailboxes.length > 0 && chosen === mailboxes.length;
  const someChosen = chosen > 0;
  return (
    <DataTable
      caption={caption}
      columns={[
        {
          label: t("mailboxes.column.select"),
          className: "cell-select",
          content: (
            <input
              type="checkbox"
              aria-label={t("mailboxes.selectPage")}
              checked={allChosen}
              ref={(box) => {
                if (box) box.indeterminate = someChosen && !allChosen;
              }}
              onChange={(event) =>
                onSelect(
                  mailboxes.map((m) => m.login),
                  event.target.checked,
                )
              }
            />
          ),
        },
        t("mailboxes.column.address"),
        t("mailboxes.column.name"),
        t("mailboxes.column.status"),
        t("mailboxes.column.quota"),
      ]}
      actions
    >
      {mailboxes.map((mailbox) => (
        <tr key={mailbox.login} className={selected.has(mailbox.login) ? "row-selected" : undefined}>
          <td className="cell-select">
            <input
              type="checkbox"
              aria-label={t("mailboxes.selectOne", { address: mailbox.address })}
              checked={selected.has(mailbox.login)}
              onChange={(event) => onSelect([mailbox.login], event.target.checked)}
            />
          </td>
          <th scope="row" className="cell-name">
            {mailbox.address}
            {mailbox.aliases.length > 0 ? (
              <span className="cell-note">
                {t("mailboxes.aliasList", { aliases: mailbox.aliases.join(", ") })}
              </span>
            ) : null}
          </th>
          <td>{personName(mailbox) ?? <span className="muted">—</span>}</td>
          <td>
            {mailbox.enabled ? (
              <Badge tone="success">{t("mailboxes.status.active")}</Badge>
            ) : (
              <Badge tone="danger">{t("mailboxes.status.blocked")}</Badge>
            )}
          </td>
          <td>{quotaLabel(mailbox.quotaMb)}</td>
          <td className="cell-actions">
            <span className="row-actions">
              <Button
                variant="secondary"
                className="button-small"
                aria-label={t("mailboxes.editOne", { address: mailbox.address })}
                onClick={() => onEdit(mailbox)}
              >
                {t("mailboxes.edit")}
              </Button>
              <Button
                variant="secondary"
                className="button-small"
                busy={toggling === mailbox.login}
                aria-label={
                  mailbox.enabled
                    ? t("mailboxes.blockOne", { address: mailbox.address })
                    : t("mailboxes.unblockOne", { address: mailbox.address })
                }
                onClick={() => onToggle(mailbox)}
              >
                {mailbox.enabled ? t("mailboxes.block") : t("mailboxes.unblock")}
              </Button>
              <Button
                variant="danger"
                className="button-small"
                aria-label={t("mailboxes.deleteOne", { address: mailbox.address })}
                onClick={() => onDelete(mailbox)}
              >
                {t("mailboxes.delete")}
              </Button>
            </span>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
