import fc from 'fast-check';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';

/**
 * The outbound delivery records: a subscription's records spread over shards of its partition key
 * (no key value takes every delivery), an event's attempts land on one record, erasure still finds
 * them by subject; the summary, in parts beside the records, is the newest success and failure
 * whatever the order.
 */
let aws: TestAws<'outbound-deliveries'>;

beforeAll(async () => {
  aws = await startTestAws({ tables: ['outbound-deliveries'] });
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

const event = (i: number, subject = 'acme:contact:1') => ({ id: `evt_${String(i).padStart(32, '0')}`, type: 'acme.thing.happened', subject });

describe('outbound delivery records', () => {
  it('spread over shards, one record per event, erased by subject', async () => {
    const { dynamoDeliveryStore, DELIVERY_SHARDS, SUMMARY_KEY } = await import('#platform/outbound/deliveries-store.ts');
    const { deliveryRecords } = await import('#platform/outbound/event.ts');
    const { eraseRef } = await import('#platform/customer-index.ts');
    const store = dynamoDeliveryStore(aws.tableName('outbound-deliveries'));
    for (let i = 0; i < 40; i++) await store.recordAttempt('crm', event(i), 'delivered', '200', new Date(Date.UTC(2026, 11, 1, 0, 0, i)));
    await store.recordAttempt('crm', event(3), 'delivered', '200', new Date(Date.UTC(2026, 11, 1, 0, 1)));
    const items = (await aws.scan('outbound-deliveries')).filter((i) => i.eventId !== SUMMARY_KEY);
    expect(items).toHaveLength(40);
    const partitions = new Set(items.map((i) => String(i.subscriptionId)));
    expect([...partitions].every((p) => /^crm#(\d|1[0-5])$/.test(p))).toBe(true);
    expect(partitions.size).toBeGreaterThanOrEqual(DELIVERY_SHARDS / 2);
    expect(items.find((i) => i.eventId === event(3).id)).toMatchObject({ attempts: 2, subscription: 'crm' });
    // Erasure finds and deletes them through the subject index, whatever their partition.
    expect(await eraseRef(deliveryRecords('acme:contact:1'))).toBe(40);
    expect((await aws.scan('outbound-deliveries')).filter((i) => i.eventId !== SUMMARY_KEY)).toHaveLength(0);
  });

  it('summarises the newest success and failure whatever the order and however many instances, with the summary written before the shards', async () => {
    const { dynamoDeliveryStore, SUMMARY_KEY } = await import('#platform/outbound/deliveries-store.ts');
    const table = aws.tableName('outbound-deliveries');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ ms: fc.integer({ min: 0, max: 100_000 }), ok: fc.boolean(), status: fc.constantFrom('retrying: 500', 'rejected: 410', 'dead-lettered: 503') }), { selector: (a) => a.ms, minLength: 1, maxLength: 12 }),
        fc.option(fc.record({ successMs: fc.integer({ min: 0, max: 100_000 }), failureMs: fc.integer({ min: 0, max: 100_000 }) }), { nil: undefined }),
        async (attempts, legacy) => {
          const sub = `prop${++run}`;
          const at = (ms: number) => new Date(Date.UTC(2026, 11, 1) + ms * 1000 + 1).toISOString();
          if (legacy) await aws.doc.send(new PutCommand({ TableName: table, Item: { subscriptionId: sub, eventId: SUMMARY_KEY, lastSuccessAt: at(legacy.successMs), lastSuccessEventId: 'evt_legacy_ok', lastFailureAt: at(legacy.failureMs), lastFailureEventId: 'evt_legacy_failed', lastFailureStatus: 'rejected: 400' } }));
          // Applied in the order given (any order), each by a store of its own (one instance each).
          for (const [i, a] of attempts.entries()) {
            const [state, status] = a.ok ? (['delivered', '200'] as const) : ((a.status.split(': ') as ['retrying' | 'rejected' | 'dead-lettered', string]));
            await dynamoDeliveryStore(table).recordAttempt(sub, event(10_000 + i), state, status, new Date(at(a.ms)));
          }
          const expected = (ok: boolean) => {
            const mine = attempts.map((a, i) => ({ ...a, i })).filter((a) => a.ok === ok).sort((x, y) => y.ms - x.ms)[0];
            const old = legacy ? { at: at(ok ? legacy.successMs : legacy.failureMs), id: ok ? 'evt_legacy_ok' : 'evt_legacy_failed', status: 'rejected: 400' } : undefined;
            const mineAt = mine ? at(mine.ms) : undefined;
            if (mine && (!old || (mineAt as string) > old.at)) return { at: mineAt, id: event(10_000 + mine.i).id, status: mine.status };
            return old;
          };
          const s = await dynamoDeliveryStore(table).summary(sub);
          expect(s.lastSuccessAt).toBe(expected(true)?.at);
          expect(s.lastSuccessEventId).toBe(expected(true)?.id);
          expect(s.lastFailureAt).toBe(expected(false)?.at);
          expect(s.lastFailureEventId).toBe(expected(false)?.id);
          if (expected(false)) expect(s.lastFailureStatus).toBe(expected(false)?.status);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('records the attempt even when the summary cannot be written', async () => {
    const { dynamoDeliveryStore, SUMMARY_KEY, deliveryPartition } = await import('#platform/outbound/deliveries-store.ts');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const table = aws.tableName('outbound-deliveries');
    // A summary item so close to DynamoDB's 400 KB that any update of it is refused (not a condition failure).
    const e = event(500);
    await aws.doc.send(new PutCommand({ TableName: table, Item: { subscriptionId: deliveryPartition('full', e.id), eventId: SUMMARY_KEY, filler: 'x'.repeat(400 * 1024 - 100) } }));
    await expect(dynamoDeliveryStore(table).recordAttempt('full', e, 'delivered', '200', new Date(Date.UTC(2026, 11, 2)))).resolves.toBeUndefined();
    const record = await aws.doc.send(new GetCommand({ TableName: table, Key: { subscriptionId: deliveryPartition('full', e.id), eventId: e.id } }));
    expect(record.Item).toMatchObject({ state: 'delivered', attempts: 1 });
  });
});
