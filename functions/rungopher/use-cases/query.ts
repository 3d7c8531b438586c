import * as z from 'zod';
import { campaignContactKey } from '#rungopher/domain/result.ts';
import type { ContactView } from '#rungopher/domain/contact-view.ts';
import { toContactView } from '#rungopher/domain/contact-view.ts';
import type { ContactTable, ResultQuery, ResultTable, StoredResult } from '#rungopher/adapters/store.ts';
import { NotFoundError } from '#platform/errors.ts';
import type { Page } from '#platform/list-page.ts';
import { ListQuery, sizedPage } from '#platform/list-page.ts';
import { pageCursor } from '#platform/page-cursor.ts';
import { KEY_LIMITS, keyString, keyValue, parseInput, pathId } from '#platform/validation.ts';
import { TIME_BUCKET, storedResultOf } from './store-result.ts';

/** Query parameters of GET /rungopher/results. */
export const ResultsQuery = ListQuery.extend({
  campaignId: keyString().optional(),
  contactId: keyString().optional(),
  resultName: keyString().optional(),
  after: z.iso.datetime({ offset: true }).optional(),
})
  .refine((q) => !q.contactId || q.campaignId, { message: 'contactId needs campaignId (contact ids are per campaign)', path: ['contactId'] });
export type ResultsQuery = z.infer<typeof ResultsQuery>;

export interface ResultItem {
  readonly id: string;
  readonly campaignId: string;
  readonly contactId: string;
  readonly resultType: string;
  readonly resultName: string;
  readonly timestamp: string;
  readonly result: Record<string, unknown>;
  readonly source: string;
  readonly storedAt: string;
}

/** Parses query parameters, with every problem named (400). */
export function parseResultsQuery(params: Record<string, string>): ResultsQuery {
  return parseInput(ResultsQuery, params, 'Invalid query');
}

/** The results list's cursor: the sort key (`<UTC ms ISO>#<id>`) of the last item given out. */
const resultsCursor = pageCursor('rungopher-results', keyValue(KEY_LIMITS.sort).regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z#.+$/, 'a result sort key'));

/**
 * Lists results oldest first ("newest last"), paged by sort key. The index is chosen by the most
 * selective filter given; a result-name filter is applied while reading, so a page may take several
 * DynamoDB queries to fill.
 */
export async function listResults(results: ResultTable, q: ResultsQuery): Promise<Page<ResultItem>> {
  const base: Pick<ResultQuery, 'index' | 'partitionValue'> =
    q.campaignId && q.contactId
      ? { index: 'byContact', partitionValue: campaignContactKey(q.campaignId, q.contactId) }
      : q.campaignId
        ? { index: 'byCampaign', partitionValue: q.campaignId }
        : { index: 'byTime', partitionValue: TIME_BUCKET };
  // "after" excludes its own instant. Sort keys are `<UTC ms>#<id>`, so every key of instant T+1ms or
  // later is greater than the bare string of T+1ms, and every key of T is smaller.
  const afterKey = q.after ? new Date(new Date(q.after).getTime() + 1).toISOString() : undefined;
  const cursorKey = resultsCursor.decode(q.cursor);
  const sortKeyAfter = [afterKey, cursorKey].filter((k): k is string => k !== undefined).sort().pop();
  const found: StoredResult[] = [];
  let startKey: Record<string, unknown> | undefined;
  // Read one more than asked to know whether a next page exists.
  do {
    const page = await results.query({
      ...base,
      ...(sortKeyAfter !== undefined ? { sortKeyAfter } : {}),
      ...(q.resultName ? { resultName: q.resultName } : {}),
      limit: q.limit + 1 - found.length,
      ...(startKey ? { startKey } : {}),
    });
    found.push(...page.items);
    startKey = page.lastKey;
  } while (found.length <= q.limit && startKey);
  const items = found.slice(0, q.limit);
  const last = items.at(-1);
  return sizedPage(
    items.map((r) => ({
      id: r.id,
      campaignId: r.campaignId,
      contactId: r.contactId,
      resultType: r.resultType,
      resultName: r.resultName,
      timestamp: r.sortKey.split('#')[0] ?? '',
      result: storedResultOf(r),
      source: r.source,
      storedAt: r.storedAt,
    })),
    found.length > q.limit && last ? resultsCursor.encode(last.sortKey) : null,
    (i) => resultsCursor.encode(items[i]?.sortKey ?? ''),
  );
}

/** The contact view of a route's `{campaignId}` and `{contactId}`, or 404. */
export async function getContactView(contacts: ContactTable, path: Readonly<Record<string, string | undefined>>): Promise<ContactView> {
  const campaignId = pathId(path.campaignId, 'campaignId');
  const contactId = pathId(path.contactId, 'contactId');
  const slots = await contacts.get(campaignContactKey(campaignId, contactId));
  if (!slots) throw new NotFoundError(`No results for contact ${contactId} in campaign ${campaignId}`);
  return toContactView(campaignId, contactId, slots);
}
