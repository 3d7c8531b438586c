import { campaignContactKey } from '#rungopher/domain/result.ts';
import type { ContactView } from '#rungopher/domain/contact-view.ts';
import type { ResultItem } from '#rungopher/domain/views.ts';
import { ResultsQuery } from '#rungopher/domain/results-query.ts';
import { toContactView } from '#rungopher/domain/contact-view.ts';
import type { ContactTable, ResultQuery, ResultTable, StoredResult } from '#rungopher/adapters/store.ts';
import { NotFoundError } from '#platform/errors.ts';
import type { Page } from '#platform/list-page.ts';
import { sizedPage } from '#platform/list-page.ts';
import { pageCursor } from '#platform/page-cursor.ts';
import { KEY_LIMITS, keyValue, parseInput, pathId } from '#platform/validation.ts';
import * as z from '#platform/zod.ts';
import { TIME_BUCKETS, campaignShards, rowCampaignId, storedResultOf } from './store-result.ts';

export { ResultsQuery } from '#rungopher/domain/results-query.ts';

/** Parses query parameters, with every problem named (400). */
export function parseResultsQuery(params: Record<string, string>): ResultsQuery {
  return parseInput(ResultsQuery, params, 'Invalid query');
}

/** The results list's cursor: the sort key (`<UTC ms ISO>#<id>`) of the last item given out. */
const resultsCursor = pageCursor('rungopher-results', keyValue(KEY_LIMITS.sort).check(z.regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z#.+$/, 'a result sort key')));

/**
 * Lists results oldest first ("newest last"), paged by sort key. The index is chosen by the most
 * selective filter given; a result-name filter is applied while reading, so a page may take several
 * DynamoDB queries to fill.
 */
export async function listResults(results: ResultTable, q: ResultsQuery): Promise<Page<ResultItem>> {
  const partitions: readonly Partition[] =
    q.campaignId && q.contactId
      ? [{ index: 'byContact', partitionValue: campaignContactKey(q.campaignId, q.contactId) }]
      : q.campaignId
        ? [...campaignShards(q.campaignId).map((v): Partition => ({ index: 'byCampaignShard', partitionValue: v })), { index: 'byCampaign', partitionValue: q.campaignId }]
        : TIME_BUCKETS.map((v): Partition => ({ index: 'byTime', partitionValue: v }));
  // "after" excludes its own instant. Sort keys are `<UTC ms>#<id>`, so every key of instant T+1ms or
  // later is greater than the bare string of T+1ms, and every key of T is smaller.
  const afterKey = q.after ? new Date(new Date(q.after).getTime() + 1).toISOString() : undefined;
  const cursorKey = resultsCursor.decode(q.cursor);
  const sortKeyAfter = [afterKey, cursorKey].filter((k): k is string => k !== undefined).sort().pop();
  // Read one more than asked to know whether a next page exists.
  const found = await mergedByTime(results, partitions, q.limit + 1, sortKeyAfter, q.resultName);
  const items = found.slice(0, q.limit);
  const last = items.at(-1);
  return sizedPage(
    items.map((r) => ({
      id: r.id,
      campaignId: rowCampaignId(r),
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

/** One partition key value of one index of the results table. */
type Partition = Pick<ResultQuery, 'index' | 'partitionValue'>;

/**
 * The first `want` rows of several partitions (of one index or several), oldest first: each partition is read in
 * pages from `sortKeyAfter` on and the pages are merged by sort key (sort keys hold the result id, so
 * no two rows tie). A partition is read further only when its rows so far have all been taken, so one
 * partition costs one query when it alone fills the page. A result-name filter is applied while
 * reading, so a partition may take several queries to give a row.
 */
async function mergedByTime(
  results: ResultTable,
  partitions: readonly Partition[],
  want: number,
  sortKeyAfter: string | undefined,
  resultName: string | undefined,
): Promise<StoredResult[]> {
  // Unfiltered, each partition is asked for its share of the page (and one more); with a result-name
  // filter, DynamoDB's limit counts the rows read before the filter, so each is asked for the whole page.
  const pageSize = partitions.length === 1 || resultName ? want : Math.min(want, Math.ceil(want / partitions.length) + 1);
  const streams = partitions.map(({ index, partitionValue }) => ({ index, partitionValue, rows: [] as StoredResult[], startKey: undefined as Record<string, unknown> | undefined, done: false }));
  const fill = async (s: (typeof streams)[number]): Promise<void> => {
    while (!s.rows.length && !s.done) {
      const page = await results.query({
        index: s.index,
        partitionValue: s.partitionValue,
        ...(sortKeyAfter !== undefined ? { sortKeyAfter } : {}),
        ...(resultName ? { resultName } : {}),
        limit: pageSize,
        ...(s.startKey ? { startKey: s.startKey } : {}),
      });
      s.rows.push(...page.items);
      s.startKey = page.lastKey;
      s.done = !page.lastKey;
    }
  };
  await Promise.all(streams.map(fill));
  const out: StoredResult[] = [];
  while (out.length < want) {
    let next: (typeof streams)[number] | undefined;
    for (const s of streams) if (s.rows[0] && (!next?.rows[0] || s.rows[0].sortKey < next.rows[0].sortKey)) next = s;
    const row = next?.rows.shift();
    if (!next || !row) break;
    // A row in two of the partitions (one a backfill gave a shard and left in the legacy index) comes
    // out of both side by side, with its one sort key: listed once.
    if (out.at(-1)?.id !== row.id) out.push(row);
    await fill(next);
  }
  return out;
}
