import { type ReactNode, useCallback, useEffect, useState } from "react";
import { api } from "../api";
import { t } from "../i18n";
import { Loading, useAction } from "./ui";

/**
 * Reads `path` when mounted and whenever the path changes; `refresh` reads it again (after a
 * change). `data` stays null until the first answer; `error` holds a failed read for display;
 * `setData` puts in what a change answered, without reading again.
 */
export function useApiData<T>(path: string) {
  const [data, setData] = useState<T | null>(null);
  const { error, run } = useAction();
  const refresh = useCallback(
    () =>
      run(async () => {
        setData(await api<T>("GET", path));
      }),
    [run, path],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return { data, setData, error, refresh };
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

export type Column = string | { label: string; className?: string };

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
  return (
    <table className="table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => {
            const { label, className } = typeof column === "string" ? { label: column } : column;
            return (
              <th key={label} scope="col" className={className}>
                {label}
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
