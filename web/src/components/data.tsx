import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { type Answer, api, type Call } from "../api";
import { t } from "../i18n";
import { Button, Loading, useAction } from "./ui";

/**
 * Reads with `read` when mounted and whenever `key` (the path read) changes; `refresh` reads again
 * (after a change). `data` stays null until the first answer; `error` holds a failed read for
 * display; `setData` puts in what a change answered, without reading again.
 */
export function useApiData<T>(key: string, read: Call<T>) {
  const [data, setData] = useState<T | null>(null);
  const { error, run } = useAction();
  const reader = useRef(read);
  reader.current = read;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `read` reads, so a new key reads again
  const refresh = useCallback(
    () =>
      run(async () => {
        setData(await api(reader.current));
      }),
    [run, key],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return { data, setData, error, refresh };
}

/** A page of a newest-first listing: its items under `field`, and the cursor of the next page. */
type OlderPage<F extends string, T> = { [name in F]: T[] } & { next: string | null };

/**
 * A newest-first listing paged by a `before` cursor (the server's keyset pages): reads the first
 * page of `limit` when mounted and whenever `key` (the path read) or `reloadOn` changes; `more`
 * appends the next. `field` is the field of the answer holding the items ("events", "checks").
 */
export function useOlderPages<F extends string, T>(
  key: string,
  field: F,
  limit: number,
  read: (query: { limit: number; before?: string }) => Promise<Answer<OlderPage<F, T>>>,
  reloadOn?: unknown,
) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const reader = useRef(read);
  reader.current = read;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `read` reads, so a new key reads again
  const load = useCallback(
    (before: string | null) =>
      run(async () => {
        const page = await api(() => reader.current({ limit, ...(before ? { before } : {}) }));
        const loaded = page[field];
        setItems((current) => (before && current ? [...current, ...loaded] : loaded));
        setNext(page.next);
      }),
    [run, key, field, limit],
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
