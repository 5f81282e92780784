/**
 * Keyset paging: the query asks for one row more than the page holds, so whether a next page
 * exists is known without a count. Returns the page and the cursor of its last row, or null.
 */
export function keysetPage<Row>(
  rows: Row[],
  limit: number,
  cursorOf: (last: Row) => string,
): { shown: Row[]; next: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { shown, next: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
