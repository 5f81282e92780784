// Listings: the data table, its loading and empty states, and "show older" paging.
import { type ReactNode, useLayoutEffect, useRef } from "react";
import { t } from "../../i18n";
import { Button } from "./action";
import { Loading } from "./page";

/** "Show older" under a listing from useOlderPages, while there is a next page. */
export function MoreButton({
  next,
  busy,
  onClick,
  children,
}: {
  next: string | null;
  busy: boolean;
  onClick: () => void;
  children: ReactNode;
}) {
  if (!next) return null;
  return (
    <div className="form-actions">
      <Button variant="secondary" busy={busy} onClick={onClick}>
        {children}
      </Button>
    </div>
  );
}

/**
 * A list that is being loaded: a spinner until it comes (nothing once loading failed — the page
 * shows that error), `empty` when it has no item, `children` with the items otherwise.
 */
export function Listing<T>({
  items,
  error,
  empty = null,
  children,
}: {
  items: readonly T[] | null;
  error: unknown;
  empty?: ReactNode;
  children: (items: readonly T[]) => ReactNode;
}) {
  if (items === null) return error ? null : <Loading />;
  if (items.length === 0) return <>{empty}</>;
  return <>{children(items)}</>;
}

/** A column's header: its text, or (`content`) a control in its place with the text for screen readers. */
export type Column = string | { label: string; className?: string; content?: ReactNode };

/**
 * A data table as screen readers expect it: a caption (read, not shown), column headers with
 * scope, and — with `actions` — a last column for row buttons whose header is read as "Actions".
 * The rows are the children (a `<th scope="row">` for each row's name).
 */
export function DataTable({
  caption,
  columns,
  actions,
  children,
}: {
  caption: string;
  columns: readonly Column[];
  actions?: boolean;
  children: ReactNode;
}) {
  const table = useRef<HTMLTableElement>(null);
  // On a phone the rows become cards (styles/shared/table.css) and the column headers are not
  // shown: each cell carries its column's name as data-label, which the card shows above the value.
  useLayoutEffect(() => {
    const labels = columns.map((column) => (typeof column === "string" ? column : column.label));
    for (const row of Array.from(table.current?.tBodies[0]?.rows ?? [])) {
      let index = 0;
      for (const cell of Array.from(row.cells)) {
        const label = cell.colSpan === 1 ? labels[index] : undefined;
        if (label && cell.tagName === "TD") cell.dataset.label = label;
        else delete cell.dataset.label;
        index += cell.colSpan;
      }
    }
  });
  return (
    <table className="table" ref={table}>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => {
            const { label, className, content } =
              typeof column === "string" ? { label: column, content: undefined } : column;
            return (
              <th key={label} scope="col" className={className}>
                {content === undefined ? label : content}
              </th>
            );
          })}
          {actions ? (
            <th scope="col">
              <span className="visually-hidden">{t("common.actions")}</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
