import { useCallback, useEffect, useState } from "react";
import { api, client } from "../../api";
import type { Mailbox, MailboxPage } from "../../types";

/** Rows per page: a domain may hold 100,000 mailboxes; the console only ever holds one page. */
export const PAGE_SIZE = 50;
/** The search asks the server once the typing pauses. */
const SEARCH_DELAY_MS = 300;

function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/** Where the list stands: the search, and the `after` cursor of every page up to the one shown. */
interface Position {
  q: string;
  /** Keyset paging: `cursors[i]` is the `after` of page i (null for the first); "previous" pops. */
  cursors: (string | null)[];
}

/**
 * The one page of a domain's mailboxes the list shows: the search as typed, the page it stands on,
 * and what the server answered for it.
 */
export function useMailboxPage(domain: string) {
  const [query, setQuery] = useState("");
  const q = useDebounced(query.trim(), SEARCH_DELAY_MS);
  const [position, setPosition] = useState<Position>({ q: "", cursors: [null] });
  const [version, setVersion] = useState(0);
  const [page, setPage] = useState<MailboxPage | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<unknown>(null);

  // A new search starts again from the first page.
  useEffect(() => {
    setPosition((current) => (current.q === q ? current : { q, cursors: [null] }));
  }, [q]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks for the same page again
  useEffect(() => {
    const controller = new AbortController();
    const after = position.cursors.at(-1) ?? null;
    const query = { limit: PAGE_SIZE, ...(after ? { after } : {}), ...(position.q ? { q: position.q } : {}) };
    setLoading(true);
    api(() =>
      client.GET("/api/v1/domains/{domain}/mailboxes", {
        params: { path: { domain }, query },
        signal: controller.signal,
      }),
    )
      .then((answer) => {
        if (answer.mailboxes.length === 0 && position.cursors.length > 1) {
          // The page's last mailboxes were deleted: step back to the one before.
          setPosition((current) => ({ ...current, cursors: current.cursors.slice(0, -1) }));
          return;
        }
        setPage(answer);
        setLoadError(null);
        setLoading(false);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setLoadError(error);
        setLoading(false);
      });
    return () => controller.abort();
  }, [domain, position, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);

  const pageIndex = position.cursors.length - 1;
  const first = pageIndex === 0;
  const last = !page?.next;
  const goNext = () => {
    if (!page?.next || loading) return;
    const next = page.next;
    setPosition((current) => ({ ...current, cursors: [...current.cursors, next] }));
  };
  const goPrevious = () => {
    if (first || loading) return;
    setPosition((current) => ({ ...current, cursors: current.cursors.slice(0, -1) }));
  };

  /** Puts in a mailbox as a change answered it, without reading the page again. */
  const replace = (mailbox: Mailbox) =>
    setPage((current) =>
      current
        ? { ...current, mailboxes: current.mailboxes.map((m) => (m.login === mailbox.login ? mailbox : m)) }
        : current,
    );

  /** Back to the first page of the whole domain, with the search cleared. */
  const startOver = () => {
    setQuery("");
    setPosition({ q: "", cursors: [null] });
  };

  return {
    query,
    setQuery,
    /** The search the shown page answers (the typed one once it settles). */
    searched: position.q,
    page,
    loading,
    loadError,
    reload,
    pageIndex,
    first,
    last,
    goNext,
    goPrevious,
    replace,
    startOver,
  };
}
