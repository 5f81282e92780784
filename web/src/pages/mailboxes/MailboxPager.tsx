import { formatNumber, t } from "../../i18n";

/** "51–100 of 1,234" with the previous and next buttons under the list. */
export function MailboxPager({
  loading,
  range,
  first,
  last,
  onPrevious,
  onNext,
}: {
  loading: boolean;
  /** The rows shown, or null when there is nothing to count. */
  range: { from: number; to: number; total: number } | null;
  first: boolean;
  last: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  return (
    <nav className="pager" aria-label={t("mailboxes.pages")}>
      <p className="pager-status" aria-live="polite">
        {loading ? <span className="spinner" aria-hidden="true" /> : null}
        {range
          ? t("mailboxes.range", {
              from: formatNumber(range.from),
              to: formatNumber(range.to),
              total: formatNumber(range.total),
            })
          : null}
      </p>
      {/* aria-disabled, not disabled: the button keeps the keyboard focus on the last page. */}
      <button
        type="button"
        className="button button-secondary button-small"
        aria-disabled={first || undefined}
        onClick={onPrevious}
      >
        {t("mailboxes.previous")}
      </button>
      <button
        type="button"
        className="button button-secondary button-small"
        aria-disabled={last || undefined}
        onClick={onNext}
      >
        {t("mailboxes.next")}
      </button>
    </nav>
  );
}
