import { type ReactNode, useCallback, useEffect, useState } from "react";
import { api } from "../api";
import { t } from "../i18n";
import { Button, Loading, useAction } from "./ui";

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
 * A newest-first listing paged by a `before` cursor (the server's keyset pages): reads the first
 * page of `limit` when mounted and whenever `path` or `reloadOn` changes; `more` appends the next.
 * `key` is the field of the answer holding the items ("events", "checks").
 */
export function useOlderPages<T>(path: string, key: string, limit: number, reloadOn?: unknown) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const load = useCallback(
    (before: string | null) =>
      run(async () => {
        const query = new URLSearchParams({ limit: String(limit) });
        if (before) query.set("before", before);
        const page = await api<Record<string, unknown>>("GET", `${path}?${query}`);
        const loaded = page[key] as T[];
        setItems((current) => (before && current ? [...current, ...loaded] : loaded));
        setNext(page.next as string | null);
      }),
    [run, path, key, limit],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadOn asks for a fresh first page
  useEffect(() => {
    void load(null);
  }, [load, reloadOn]);
  const more = () => {
    if (next) void load(next);
  };
  return { items, next, busy, error, more };
}

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
