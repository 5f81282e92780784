import { useCallback, useEffect, useRef, useState } from "react";
import { type Answer, api, type Call } from "../api";
import { useAction } from "./ui";

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
  /** Reads the first page again (after a failed read: the error's "Try again"). */
  const reload = () => void load(null);
  return { items, next, busy, error, more, reload };
}
