import { useId } from "react";
import { t } from "../../i18n";

/** The search above the list: the start of a login, a first name or a last name. */
export function MailboxSearch({ value, onChange }: { value: string; onChange: (value: string) => void }) {
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
    </search>
  );
}
