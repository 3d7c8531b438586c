import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';

/**
 * The outbound delivery records: a subscription's records spread over shards of its partition key
 * (no key value takes every delivery), an event's attempts land on one record, erasure still finds
 * them by subject; the one summary item per subscription is written at most once a second per
 * instance for successes, at once for a new failure status.
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
    expect([...partitions].every((p) => /^crm#[0-7]$/.test(p))).toBe(true);
    expect(partitions.size).toBeGreaterThanOrEqual(DELIVERY_SHARDS / 2);
    expect(items.find((i) => i.eventId === event(3).id)?.attempts).toBe(2);
    // Erasure finds and deletes them through the subject index, whatever their partition.
    expect(await eraseRef(deliveryRecords('acme:contact:1'))).toBe(40);
    expect((await aws.scan('outbound-deliveries')).filter((i) => i.eventId !== SUMMARY_KEY)).toHaveLength(0);
  });

  it('writes the summary at most once a second for successes, and a new failure status at once', async () => {
    const { dynamoDeliveryStore, SUMMARY_EVERY_MS } = await import('#platform/outbound/deliveries-store.ts');
    let clock = 0;
    // A store per attempt, as the delivery handler makes its ports per message: the limit is the instance's.
    const store = { recordAttempt: (...a: Parameters<ReturnType<typeof dynamoDeliveryStore>['recordAttempt']>) => dynamoDeliveryStore(aws.tableName('outbound-deliveries'), () => clock).recordAttempt(...a) };
    const summary = () => dynamoDeliveryStore(aws.tableName('outbound-deliveries')).summary('erp');
    const at = (ms: number) => new Date(Date.UTC(2026, 11, 1) + ms);
    for (let i = 0; i < 20; i++) {
      clock = i * 10;
      await store.recordAttempt('erp', event(100 + i), 'delivered', '200', at(clock));
    }
    // Twenty successes within 200 ms: the first is the one written.
    expect(await summary()).toMatchObject({ lastSuccessEventId: event(100).id, lastSuccessAt: at(0).toISOString() });
    clock = SUMMARY_EVERY_MS + 5;
    await store.recordAttempt('erp', event(200), 'delivered', '200', at(clock));
    expect(await summary()).toMatchObject({ lastSuccessEventId: event(200).id });
    // Failures: a retry, then (the same millisecond) a dead letter: each status is written.
    await store.recordAttempt('erp', event(300), 'retrying', '500', at(clock + 1));
    await store.recordAttempt('erp', event(300), 'dead-lettered', '410', at(clock + 2));
    expect(await summary()).toMatchObject({ lastFailureEventId: event(300).id, lastFailureStatus: 'dead-lettered: 410' });
    // The same failure status again within the second: not written again.
    await store.recordAttempt('erp', event(301), 'dead-lettered', '410', at(clock + 3));
    expect(await summary()).toMatchObject({ lastFailureEventId: event(300).id });
    // A success right after a failure is written at once, so the subscription does not look failing.
    await store.recordAttempt('erp', event(302), 'delivered', '200', at(clock + 4));
    expect(await summary()).toMatchObject({ lastSuccessEventId: event(302).id, lastSuccessAt: at(clock + 4).toISOString() });
  });

  it('records the attempt even when the summary cannot be written', async () => {
    const { dynamoDeliveryStore, SUMMARY_KEY, deliveryPartition } = await import('#platform/outbound/deliveries-store.ts');
    const { PutCommand, GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const table = aws.tableName('outbound-deliveries');
    // A summary item so close to DynamoDB's 400 KB that any update of it is refused (not a condition failure).
    await aws.doc.send(new PutCommand({ TableName: table, Item: { subscriptionId: 'full', eventId: SUMMARY_KEY, filler: 'x'.repeat(400 * 1024 - 100) } }));
    const e = event(500);
    await expect(dynamoDeliveryStore(table).recordAttempt('full', e, 'delivered', '200', new Date(Date.UTC(2026, 11, 2)))).resolves.toBeUndefined();
    const record = await aws.doc.send(new GetCommand({ TableName: table, Key: { subscriptionId: deliveryPartition('full', e.id), eventId: e.id } }));
    expect(record.Item).toMatchObject({ state: 'delivered', attempts: 1 });
  });
});
