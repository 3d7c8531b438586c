import fc from 'fast-check';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';
import type { ResultTable, StoredResult } from '#rungopher/adapters/store.ts';
import type * as QueryModule from '#rungopher/use-cases/query.ts';
import type * as StoreResultModule from '#rungopher/use-cases/store-result.ts';
import { parseResult } from '#rungopher/domain/result.ts';
import { makeResult } from './samples.ts';

/**
 * "All results after T, oldest first" over the sharded byTime index: results spread over every shard
 * (and rows of the unsharded `all` partition written before the index was sharded) are listed in one
 * sort-key order, page by page with cursors, with `after` and a result-name filter, against dynalite.
 * The same for one campaign's results over the byCampaignShard shards and the legacy byCampaign index.
 */
let aws: TestAws<'rungopher-results'>;
let store: typeof StoreResultModule;
let query: typeof QueryModule;
let table: ResultTable;

beforeAll(async () => {
  aws = await startTestAws({ tables: ['rungopher-results'] });
  store = await import('#rungopher/use-cases/store-result.ts');
  query = await import('#rungopher/use-cases/query.ts');
  table = (await import('#rungopher/adapters/store.ts')).dynamoResultTable(aws.tableName('rungopher-results'));
});
afterAll(async () => {
  await aws?.stop();
});

let next = 1;
/** Writes `n` results with random times (some equal) and names; a few as legacy `all` rows. */
async function write(times: number[], names: string[], legacy: boolean[], prefix: string, campaignId?: string): Promise<StoredResult[]> {
  const rows: StoredResult[] = [];
  for (const [i, t] of times.entries()) {
    const result = makeResult({ id: `${prefix}${next++}`, ...(campaignId ? { campaignId } : {}), resultName: names[i % names.length] ?? 'accepted', timestamp: new Date(Date.UTC(2026, 0, 1) + t * 1000).toISOString().replace('.000', '') });
    const raw = JSON.stringify(result);
    const parsed = parseResult(raw);
    if (!parsed.ok) throw new Error(parsed.reason);
    const row = store.resultRow(parsed.result, raw, { source: 'webhook' }, new Date());
    // A legacy row as it was written before the shards: the `all` bucket, and `campaignId` instead of a campaign shard.
    const { campaignShard: _shard, ...unsharded } = row;
    const stored = legacy[i % legacy.length] ? { ...unsharded, timeBucket: store.LEGACY_TIME_BUCKET, campaignId: parsed.result.campaignId } : row;
    await aws.doc.send(new PutCommand({ TableName: aws.tableName('rungopher-results'), Item: stored }));
    rows.push(stored);
  }
  return rows;
}

async function listAll(params: Record<string, string>, limit: number): Promise<string[]> {
  return (await listKeys(params, limit)).map((k) => k.split('#')[1] ?? '');
}
/** Every listed result's `<time>#<id>`, all pages. */
async function listKeys(params: Record<string, string>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await query.listResults(table, query.parseResultsQuery({ ...params, limit: String(limit), ...(cursor ? { cursor } : {}) }));
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((i) => `${i.timestamp}#${i.id}`));
    if (!page.nextCursor) return ids;
    expect(page.items.length).toBe(limit);
    cursor = page.nextCursor;
  }
  throw new Error('too many pages');
}

/** A listing's cases: times (some equal), which rows are legacy, the page size, `after`, whether to filter by name. */
const listings = [
  fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 40 }),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
  fc.integer({ min: 1, max: 7 }),
  fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
  fc.boolean(),
] as const;

/** `after` of a case, as the API takes it. */
const afterOf = (afterSeconds: number | undefined): string | undefined => (afterSeconds === undefined ? undefined : new Date(Date.UTC(2026, 0, 1) + afterSeconds * 1000).toISOString());

/** The ids a listing must give of `rows`: after `after` (exclusive), named `optedOut` if filtered, oldest first. */
function expectedIds(rows: readonly StoredResult[], after: string | undefined, filterName: boolean): string[] {
  return rows
    .filter((r) => !after || r.sortKey > new Date(Date.parse(after) + 1).toISOString())
    .filter((r) => !filterName || r.resultName === 'optedOut')
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1))
    .map((r) => r.id);
}

describe('results by time across byTime shards', () => {
  it('spreads results over every shard, stably per id', () => {
    const buckets = new Map<string, number>();
    for (let i = 0; i < 8000; i++) {
      const b = store.timeBucketOf(String(1_000_000 + i));
      expect(store.timeBucketOf(String(1_000_000 + i))).toBe(b);
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
    }
    expect([...buckets.keys()].sort()).toEqual(store.TIME_BUCKETS.filter((b) => b !== store.LEGACY_TIME_BUCKET).sort());
    // No shard takes much more than its share (1,000 of 8,000).
    for (const n of buckets.values()) expect(n).toBeLessThan(1_200);
  });

  it('lists every result after T oldest first, across shards and the legacy bucket, page by page', async () => {
    await fc.assert(
      fc.asyncProperty(...listings, async (times, legacy, limit, afterSeconds, filterName) => {
          const prefix = `p${next}-`;
          const rows = await write(times, ['accepted', 'optedOut'], legacy, prefix);
          // Only this run's rows: the table keeps earlier runs', so the run's own ids are compared.
          const after = afterOf(afterSeconds);
          const expected = expectedIds(rows, after, filterName);
          const params = { ...(after ? { after } : {}), ...(filterName ? { resultName: 'optedOut' } : {}) };
          const listed = (await listAll(params, limit)).filter((id) => id.startsWith(prefix));
          expect(listed).toEqual(expected);
          // The listing as a whole is in sort-key order with no repeats.
          const everything = await listKeys(params, 50);
          expect(everything).toEqual([...new Set(everything)].sort());
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});

describe("one campaign's results across byCampaignShard shards", () => {
  it('spreads a campaign over its shards, stably per id, and writes no new row under the legacy index', async () => {
    const shards = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const s = store.campaignShardOf('15', String(1_000_000 + i));
      expect(store.campaignShardOf('15', String(1_000_000 + i))).toBe(s);
      shards.set(s, (shards.get(s) ?? 0) + 1);
    }
    expect([...shards.keys()].sort()).toEqual([...store.campaignShards('15')].sort());
    for (const n of shards.values()) expect(n).toBeLessThan(1_200);
    // Shards are one digit after the campaign id: two campaigns never share a partition.
    expect(store.campaignShards('1#1').some((v) => store.campaignShards('1').includes(v))).toBe(false);
    const [row] = await write([1], ['accepted'], [false], 'solo-', 'campaign-solo');
    expect(row).not.toHaveProperty('campaignId');
    const legacyIndex = await table.query({ index: 'byCampaign', partitionValue: 'campaign-solo', limit: 10 });
    expect(legacyIndex.items).toEqual([]);
    const listed = await query.listResults(table, query.parseResultsQuery({ campaignId: 'campaign-solo' }));
    expect(listed.items.map((i) => [i.id, i.campaignId])).toEqual([[row?.id, 'campaign-solo']]);
    // A row in both indexes (a backfill that gave a legacy row its shard and kept `campaignId`) is listed once.
    if (!row) throw new Error('no row written');
    await aws.doc.send(new PutCommand({ TableName: aws.tableName('rungopher-results'), Item: { ...row, campaignId: 'campaign-solo' } }));
    const twice = await query.listResults(table, query.parseResultsQuery({ campaignId: 'campaign-solo' }));
    expect(twice.items.map((i) => i.id)).toEqual([row.id]);
  });

  it("lists a campaign's results after T oldest first, across its shards and legacy rows, page by page", async () => {
    await fc.assert(
      fc.asyncProperty(...listings, async (times, legacy, limit, afterSeconds, filterName) => {
          // A campaign of this run's own, with an id that holds the shard separator.
          const campaignId = `c#${next}`;
          const rows = await write(times, ['accepted', 'optedOut'], legacy, `q${next}-`, campaignId);
          // Another campaign's rows beside it, which must not be listed.
          await write(times.slice(0, 3), ['accepted'], legacy, `o${next}-`, `${campaignId}#1`);
          const after = afterOf(afterSeconds);
          const expected = expectedIds(rows, after, filterName);
          const params = { campaignId, ...(after ? { after } : {}), ...(filterName ? { resultName: 'optedOut' } : {}) };
          expect(await listAll(params, limit)).toEqual(expected);
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});
