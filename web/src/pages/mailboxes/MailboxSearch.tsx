import { useId } from "react";
import { formatNumber, t } from "../../i18n";
import { type MailboxOrder, PAGE_SIZES } from "./useMailboxPage";

/**
 * The search above the list (the start of a login, a first name or a last name), the order and
 * the number of mailboxes a page.
 */
export function MailboxSearch({
  value,
  onChange,
  order,
  onOrder,
  size,
  onSize,
}: {
  value: string;
  onChange: (value: string) => void;
  order: MailboxOrder;
  onOrder: (order: MailboxOrder) => void;
  size: number;
  onSize: (size: number) => void;
}) {
  const searchId = useId();
  return (
    <search className="toolbar">
      <div className="field field-search">
        <label htmlFor={searchId}>{t("mailboxes.search")}</label>
        <input
          id={searchId}
          type="search"
          name="q"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={100}
          aria-describedby={`${searchId}-hint`}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
        <p className="hint" id={`${searchId}-hint`}>
          {t("mailboxes.search.hint")}
        </p>
      </div>
      <div className="field field-select">
        <label htmlFor={`${searchId}-order`}>{t("mailboxes.order")}</label>
        <select
          id={`${searchId}-order`}
          name="order"
          value={order}
          onChange={(event) => onOrder(event.target.value === "-login" ? "-login" : "login")}
        >
          <option value="login">{t("mailboxes.order.login")}</option>
          <option value="-login">{t("mailboxes.order.-login")}</option>
        </select>
      </div>
      <div className="field field-select">
        <label htmlFor={`${searchId}-size`}>{t("mailboxes.pageSize")}</label>
        <select
          id={`${searchId}-size`}
          name="size"
          value={size}
          onChange={(event) => onSize(Number(event.target.value))}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {formatNumber(n)}
            </option>
          ))}
        </select>
      </div>
    </search>
  );
}
