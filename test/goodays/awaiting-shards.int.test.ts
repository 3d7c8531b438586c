import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoThreadStore } from '#goodays/adapters/store.ts';
import { AWAITING_KEY, threadItem } from '#goodays/adapters/store-keys.ts';
import type { Thread } from '#goodays/domain/thread.ts';
import type { ThreadRecord } from '#goodays/use-cases/ports.ts';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';

/**
 * The sparse byAwaiting index has no single constant key: a waiting thread goes to the shard of its
 * response id, and the unprocessed count reads every shard and the `'1'` threads had before.
 */
let aws: TestAws<'goodays-threads'>;

beforeAll(async () => {
  aws = await startTestAws({ tables: ['goodays-threads'] });
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

function record(responseId: string, at: string, awaiting: boolean): ThreadRecord {
  const thread = { responseId, state: 'open', source: null, response: null, delegatedTo: null, messages: [], offeredActions: [], otherOfferedActions: [], latestEventKey: null, latestEventType: null, latestEventReceivedAt: at, eventKeys: [], unknownEvents: [] } as unknown as Thread;
  return { responseId, version: 1, thread, awaiting, updatedAt: at };
}

describe('byAwaiting shards', () => {
  it('spreads waiting threads over its shards and counts them with the threads written before', async () => {
    const store = dynamoThreadStore(aws.tableName('goodays-threads'));
    const at = (i: number) => `2026-11-01T09:${String(i).padStart(2, '0')}:00.000Z`;
    for (let i = 0; i < 24; i++) expect(await store.write(record(`resp-${i}`, at(i + 10), i % 3 !== 0), undefined)).toBe(true);
    // A waiting thread as the store wrote it before the index was sharded.
    await aws.doc.send(new PutCommand({ TableName: aws.tableName('goodays-threads'), Item: { ...threadItem(record('resp-old', at(5), true)), awaiting: '1' } }));

    const items = await aws.scan('goodays-threads');
    const keys = items.map((i) => i.awaiting).filter((k) => k !== undefined);
    expect(keys.every((k) => AWAITING_KEY.holds(k))).toBe(true);
    expect(new Set(keys.filter((k) => k !== '1')).size).toBeGreaterThanOrEqual(4);
    expect(items.filter((i) => i.responseId !== 'resp-old').every((i) => i.awaiting !== '1')).toBe(true);

    // 16 new waiting threads and the old one; the oldest is the old one.
    expect(await store.awaitingBefore('2026-12-01T00:00:00.000Z')).toEqual({ count: 17, oldest: at(5) });
    expect(await store.awaitingBefore(at(12))).toEqual({ count: 2, oldest: at(5) });
    expect((await store.get('resp-old'))?.awaiting).toBe(true);
    expect((await store.get('resp-1'))?.awaiting).toBe(true);
    expect((await store.get('resp-0'))?.awaiting).toBe(false);
  });
});
