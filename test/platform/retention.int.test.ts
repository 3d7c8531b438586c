import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAws, type TestAws } from '#test/helpers/emulators.ts';

/**
 * Retention on DynamoDB (dynalite): each class's items carry `expiresAt` from their own time when
 * `RETENTION_<CLASS>_DAYS` is set, nothing when not; a Goodays conversation expires whole, with its
 * latest event.
 */
type Tables = 'goodays-events' | 'goodays-threads' | 'quarantine' | 'netcore-transcripts' | 'rungopher-results';
let aws: TestAws<Tables>;
const DAY = 86_400;
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

beforeAll(async () => {
  aws = await startTestAws({ tables: ['goodays-events', 'goodays-threads', 'quarantine', 'netcore-transcripts', 'rungopher-results'] });
  Object.assign(process.env, { RETENTION_GOODAYS_EVENTS_DAYS: '30', RETENTION_QUARANTINE_DAYS: '7', RETENTION_NETCORE_TRANSCRIPTS_DAYS: '90', RETENTION_RAW_BODIES_DAYS: '10' });
});
afterAll(async () => {
  for (const k of ['RETENTION_GOODAYS_EVENTS_DAYS', 'RETENTION_QUARANTINE_DAYS', 'RETENTION_NETCORE_TRANSCRIPTS_DAYS', 'RETENTION_RAW_BODIES_DAYS']) delete process.env[k];
  await aws?.stop();
});

describe('retention through DynamoDB TTL', () => {
  it('moves every event of a Goodays conversation to expire with its latest one', async () => {
    const { dynamoEventStore } = await import('#goodays/adapters/store.ts');
    const events = dynamoEventStore(aws.tableName('goodays-events'));
    const ev = (key: string, receivedAt: string) => ({ responseId: 'r1', eventKey: key, eventType: 'response', order: '1', body: '{}', receivedAt, requestId: 'q' });
    await events.put(ev('response#a', '2026-10-01T00:00:00.000Z'));
    await events.put(ev('message#b', '2026-10-20T00:00:00.000Z'));
    const before = await aws.scan('goodays-events');
    expect(before.map((i) => i.expiresAt).sort()).toEqual([epoch('2026-10-01T00:00:00.000Z') + 30 * DAY, epoch('2026-10-20T00:00:00.000Z') + 30 * DAY].sort());
    expect(await events.retain?.('r1')).toBe(1);
    const after = await aws.scan('goodays-events');
    expect(after.map((i) => i.expiresAt)).toEqual([epoch('2026-10-20T00:00:00.000Z') + 30 * DAY, epoch('2026-10-20T00:00:00.000Z') + 30 * DAY]);
    // Nothing behind any more: nothing written.
    expect(await events.retain?.('r1')).toBe(0);
  });

  it('gives a quarantined body, a Netcore message and a Rungopher result their expiry; none when retention is off', async () => {
    const { dynamoQuarantine } = await import('#platform/quarantine.ts');
    const q = dynamoQuarantine(aws.tableName('quarantine'));
    await q.put({ vendor: 'rungopher', reason: 'test', body: 'x', receivedAt: '2026-11-01T00:00:00.000Z', requestId: 'r', stage: 'webhook' });
    expect((await aws.scan('quarantine'))[0]?.expiresAt).toBe(epoch('2026-11-01T00:00:00.000Z') + 7 * DAY);

    const { messageItem } = await import('#netcore/adapters/store.ts');
    const item = messageItem({ botUserId: 'u', channelId: 1010, key: 'k', createdAt: '2026-11-02T00:00:00.000Z', entry: { type: 'text', shape: 'text', raw: {} } as never, storedAt: '2026-11-03T00:00:00.000Z' });
    expect(item.expiresAt).toBe(epoch('2026-11-02T00:00:00.000Z') + 90 * DAY);

    const { resultRow } = await import('#rungopher/use-cases/store-result.ts');
    const result = { id: '1', campaignId: '15', contactId: 'c', resultType: 'boolean', resultName: 'accepted', data: { answer: true }, timestamp: '2026-11-01T00:00:00Z' } as never;
    expect(resultRow(result, '{}', { source: 'webhook' }, new Date('2026-11-04T00:00:00.000Z')).expiresAt).toBe(epoch('2026-11-04T00:00:00.000Z') + 10 * DAY);
    delete process.env.RETENTION_RAW_BODIES_DAYS;
    expect(resultRow(result, '{}', { source: 'webhook' }, new Date('2026-11-04T00:00:00.000Z')).expiresAt).toBeUndefined();
  });
});
