import { useCallback, useEffect, useState } from "react";
import { api } from "../api";
import { useAction } from "./ui";

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
