import * as z from 'zod';
import { MAX_CURSOR_CHARS } from './page-cursor.ts';

/**
 * The hub's one list contract: every list route answers `{ "items": [...], "nextCursor": string|null }`,
 * takes `limit` (1–1000, default 100) and the opaque `cursor` it gave out, and stops a page before
 * {@link MAX_PAGE_BYTES} of items so no answer reaches Lambda's 6 MB response limit; `nextCursor`
 * then continues after the last item given.
 */

/** Largest page of items, in bytes of JSON: about 5 MB, leaving room under Lambda's 6 MB for the rest. */
export const MAX_PAGE_BYTES = 5 * 1024 * 1024;
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;

/** The `limit` query parameter. */
export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .default(DEFAULT_LIMIT)
  .meta({ description: `Most items on one page (1–${MAX_LIMIT}); a page also stops before about 5 MB.` });

/** The `cursor` query parameter: the `nextCursor` of the previous page, as given. */
export const Cursor = z
  .string()
  .max(MAX_CURSOR_CHARS)
  .regex(/^[A-Za-z0-9_-]*$/, 'must be a value returned as nextCursor')
  .meta({ description: 'The `nextCursor` of the previous page, unchanged. Opaque; valid only for the same query.' });

/** The query parameters every list takes; a list's own filters extend this object. */
export const ListQuery = z.object({ limit: Limit, cursor: Cursor.optional() });

/** The answer of a list route. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** The zod schema of a page of `item`, named `id` in the OpenAPI document. */
export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'Send as `cursor` for the next page; null on the last page.' }),
    })
    .meta({ id });
}

/**
 * A page of `views` (in list order, at most `limit` of them, as a store read them) cut before
 * `maxBytes` of JSON. `next` is the store's cursor after the last view, or null when nothing follows;
 * `cursorAfter(i)` the cursor continuing after view `i`, used when the size cut stops the page early.
 * A page holds at least one view, whatever its size (one item is at most DynamoDB's 400 KB).
 */
export function sizedPage<T>(views: readonly T[], next: string | null, cursorAfter: (index: number) => string, maxBytes: number = MAX_PAGE_BYTES): Page<T> {
  let bytes = 0;
  for (let i = 0; i < views.length; i++) {
    // The separator comma counts too; the envelope is outside the budget (MAX_PAGE_BYTES leaves room).
    bytes += Buffer.byteLength(JSON.stringify(views[i]) ?? 'null', 'utf8') + (i > 0 ? 1 : 0);
    if (bytes > maxBytes && i > 0) return { items: views.slice(0, i), nextCursor: cursorAfter(i - 1) };
  }
  return { items: [...views], nextCursor: next };
}
