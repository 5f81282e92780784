import { useCallback, useEffect, useRef, useState } from "react";
import { useLocation, useSearchParams } from "react-router";
import { api, client } from "../../api";
import type { Mailbox, MailboxPage } from "../../types";

/** Rows per page to choose from: a domain may hold 100,000 mailboxes; the console holds one page. */
export const PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 50;
export type MailboxOrder = "login" | "-login";
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

/**
 * The `after` cursors of the pages before the shown one, kept in the history entry (which survives
 * a reload), so "previous" needs no cursor the server never gave. A link opened afresh has none:
 * "previous" then goes back to the first page.
 */
interface PageState {
  trail?: (string | null)[];
}

/**
 * The one page of a domain's mailboxes the list shows. Where the list stands — the search, the
 * order, the page size and the page — lives in the address (`?q=…&order=-login&size=100&after=…&page=3`),
 * so the back button and a reload keep the place; each page is a history entry, the search as it
 * is typed replaces the entry instead of adding one per letter.
 */
export function useMailboxPage(domain: string) {
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const q = (params.get("q") ?? "").trim();
  const order: MailboxOrder = params.get("order") === "-login" ? "-login" : "login";
  const sizeParam = Number(params.get("size"));
  const size = (PAGE_SIZES as readonly number[]).includes(sizeParam) ? sizeParam : DEFAULT_PAGE_SIZE;
  const after = params.get("after");
  const pageNumber = after ? Math.max(2, Math.floor(Number(params.get("page"))) || 2) : 1;
  const trail = (location.state as PageState | null)?.trail ?? [];

  const [query, setQueryText] = useState(q);
  const typed = useDebounced(query.trim(), SEARCH_DELAY_MS);
  const [version, setVersion] = useState(0);
  const [page, setPage] = useState<MailboxPage | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<unknown>(null);

  /** Moves to another place of the list: a new history entry, unless `replace`. */
  const go = useCallback(
    (
      change: { q?: string; order?: MailboxOrder; size?: number; after?: string | null; page?: number },
      options: { replace?: boolean; trail?: (string | null)[] } = {},
    ) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          const set = (key: string, value: string | null) =>
            value === null || value === "" ? next.delete(key) : next.set(key, value);
          if (change.q !== undefined) set("q", change.q);
          if (change.order !== undefined) set("order", change.order === "-login" ? "-login" : null);
          if (change.size !== undefined)
            set("size", change.size === DEFAULT_PAGE_SIZE ? null : String(change.size));
          // Anything but a page step starts again from the first page.
          set("after", change.after ?? null);
          set("page", change.after ? String(change.page ?? 2) : null);
          return next;
        },
        { replace: options.replace, state: { trail: options.trail ?? [] } satisfies PageState },
      ),
    [setParams],
  );

  // The typed search, once it settles, becomes the address's (replacing the entry).
  const lastTyped = useRef(typed);
  useEffect(() => {
    if (typed === lastTyped.current) return;
    lastTyped.current = typed;
    if (typed !== q) go({ q: typed }, { replace: true });
  }, [typed, q, go]);
  // The address's search (back button, a link) shows in the field.
  const queryNow = useRef(query);
  queryNow.current = query;
  useEffect(() => {
    if (q !== queryNow.current.trim()) {
      lastTyped.current = q;
      setQueryText(q);
    }
  }, [q]);

  // Where the page on screen starts, set together with its rows: the address moves on first, and
  // a range computed from it would name the next page while the last one's rows are still shown.
  const [shownOffset, setShownOffset] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks for the same page again
  useEffect(() => {
    const controller = new AbortController();
    const query = {
      limit: size,
      ...(after ? { after } : {}),
      ...(q ? { q } : {}),
      ...(order === "-login" ? { order } : {}),
    };
    setLoading(true);
    api(() =>
      client.GET("/api/v1/domains/{domain}/mailboxes", {
        params: { path: { domain }, query },
        signal: controller.signal,
      }),
    )
      .then((answer) => {
        if (answer.mailboxes.length === 0 && after) {
          // The page's last mailboxes were deleted: step back to the one before.
          const previous = trail.at(-1) ?? null;
          go({ after: previous, page: pageNumber - 1 }, { replace: true, trail: trail.slice(0, -1) });
          return;
        }
        setPage(answer);
        setShownOffset((pageNumber - 1) * size);
        setLoadError(null);
        setLoading(false);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setLoadError(error);
        setLoading(false);
      });
    return () => controller.abort();
  }, [domain, q, order, size, after, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);

  const first = !after;
  const last = !page?.next;
  const goNext = () => {
    if (!page?.next || loading) return;
    go({ after: page.next, page: pageNumber + 1 }, { trail: [...trail, after] });
  };
  const goPrevious = () => {
    if (first || loading) return;
    if (trail.length === 0 || pageNumber <= 2) return go({ after: null });
    go({ after: trail.at(-1) ?? null, page: pageNumber - 1 }, { trail: trail.slice(0, -1) });
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
    lastTyped.current = "";
    setQueryText("");
    go({ q: "" });
  };

  return {
    query,
    setQuery: setQueryText,
    /** The search the shown page answers (the typed one once it settles). */
    searched: q,
    order,
    setOrder: (value: MailboxOrder) => go({ order: value }),
    size,
    setSize: (value: number) => go({ size: value }),
    page,
    loading,
    loadError,
    reload,
    /** How many mailboxes come before the shown page's first (0 on the first page). */
    shownOffset,
    first,
    last,
    goNext,
    goPrevious,
    replace,
    startOver,
  };
}
