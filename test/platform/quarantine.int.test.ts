import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';

/**
 * The quarantine on DynamoDB (dynalite): one item per distinct body, news (counted, so alarmed on)
 * once. A resend of the body by the vendor, or its re-reading by a poller, is a new request and not
 * news; the same entry put again, as an SDK retry of a put that had landed does, still is.
 */
let aws: TestAws<'quarantine'>;
beforeAll(async () => {
  aws = await startTestAws({ tables: ['quarantine'] });
});
afterAll(async () => {
  await aws?.stop();
});

describe('dynamoQuarantine', () => {
  it('is news for the first put of a body and for the same entry put again, not for a resend of the body', async () => {
    const { dynamoQuarantine } = await import('#platform/quarantine.ts');
    const q = dynamoQuarantine(aws.tableName('quarantine'));
    const entry = { vendor: 'acme', reason: 'not a result', body: '{"odd":true}', requestId: 'req-1', receivedAt: '2026-12-02T03:00:00.000Z', stage: 'webhook' as const };
    const first = await q.put(entry);
    expect(first.created).toBe(true);
    // The SDK's retry of the same put (its first answer lost to a timeout) finds the entry's own item.
    expect(await q.put(entry)).toEqual({ id: first.id, created: true });
    // The vendor resending the body is another request: kept once, not news.
    expect(await q.put({ ...entry, requestId: 'req-2', receivedAt: '2026-12-02T03:05:00.000Z' })).toEqual({ id: first.id, created: false });
    expect(await q.put({ ...entry, requestId: undefined, receivedAt: '2026-12-02T03:10:00.000Z' })).toEqual({ id: first.id, created: false });
    const items = await aws.scan('quarantine');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ requestId: 'req-1', receivedAt: '2026-12-02T03:00:00.000Z' });
  });
});
