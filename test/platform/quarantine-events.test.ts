import { describe, expect, it } from 'vitest';
import type { HubEvent } from '#platform/outbound/event.ts';
import type { EventPublisher } from '#platform/outbound/publisher.ts';
import { asciiJson } from '#platform/queue.ts';
import { announcingQuarantine, type Quarantine, type QuarantineEntry, type QuarantineNotice, type QuarantineNoticeMessage } from '#platform/quarantine.ts';
import { parseQuarantineNotice, publishQuarantineNotice, publishingQuarantine } from '#platform/quarantine-events.ts';

/**
 * A webhook announces its quarantines through its queue (a notice, published by the queue's consumer);
 * the others publish themselves. Both ways give subscribers the same `hub.quarantined` event.
 */
const ID = `acme#webhook#${'ab'.repeat(32)}`;
const store = (created: boolean): Quarantine => ({ put: async () => ({ id: ID, created }) });
const entry: QuarantineEntry = { vendor: 'acme', reason: `not a result ${'x'.repeat(3000)}`, body: 'café {', requestId: 'r1', receivedAt: '2026-12-02T10:00:00.000Z', stage: 'webhook' };
const at = () => new Date('2026-12-02T10:00:01.000Z');
const recording = (): EventPublisher & { events: HubEvent[] } => {
  const events: HubEvent[] = [];
  return { events, publish: async (e) => void events.push(...e) };
};

describe('hub.quarantined, published or relayed', () => {
  it.each([true, false])('the event relayed through the queue is the one published directly (created %s)', async (created) => {
    const direct = recording();
    await publishingQuarantine(store(created), direct, at).put(entry);

    const queued: string[] = [];
    // What the webhook sends (ASCII-escaped JSON, as its queue sends it), and what its consumer publishes.
    await announcingQuarantine(store(created), async (notice) => queued.push(asciiJson({ hubQuarantined: notice } satisfies QuarantineNoticeMessage)), at).put(entry);
    expect(queued).toHaveLength(1);
    const notice = parseQuarantineNotice(queued[0] ?? '', 'acme');
    expect(notice).toBeDefined();
    const relayed = recording();
    await publishQuarantineNotice(notice as QuarantineNotice, relayed);

    expect(relayed.events).toEqual(direct.events);
    expect(direct.events).toHaveLength(1);
    expect(direct.events[0]).toMatchObject({ type: 'hub.quarantined', time: '2026-12-02T10:00:01.000Z', data: { quarantineId: ID, vendor: 'acme', stage: 'webhook', bodyBytes: 7 } });
    expect((direct.events[0]?.data.reason as string).length).toBe(2000);
    // Never the body.
    expect(JSON.stringify(direct.events)).not.toContain('café');
  });

  it('a put whose announcement fails fails, so the caller retries it', async () => {
    const q = announcingQuarantine(store(true), async () => {
      throw new Error('SQS unavailable');
    });
    await expect(q.put(entry)).rejects.toThrow('SQS unavailable');
  });

  it("reads no notice in an envelope, a foreign body, a notice missing a field, or one that is not this vendor's webhook's", () => {
    const notice = { quarantineId: ID, vendor: 'acme', stage: 'webhook', reason: 'r', receivedAt: 't', bodyBytes: 1, time: '2026-12-02T10:00:01.000Z' };
    const text = (n: Record<string, unknown>) => JSON.stringify({ hubQuarantined: n });
    expect(parseQuarantineNotice(text(notice), 'acme')).toEqual(notice);
    expect(parseQuarantineNotice(JSON.stringify({ vendor: 'acme', requestId: 'r', receivedAt: 't', body: '{}', source: 'webhook' }), 'acme')).toBeUndefined();
    expect(parseQuarantineNotice('not json', 'acme')).toBeUndefined();
    const { bodyBytes: _, ...missing } = notice;
    expect(parseQuarantineNotice(text(missing), 'acme')).toBeUndefined();
    // Another vendor's notice, or a stage or an id no webhook quarantine has: a foreign record here.
    expect(parseQuarantineNotice(text(notice), 'other')).toBeUndefined();
    expect(parseQuarantineNotice(text({ ...notice, vendor: 'other', quarantineId: `other#webhook#${'ab'.repeat(32)}` }), 'acme')).toBeUndefined();
    expect(parseQuarantineNotice(text({ ...notice, stage: 'poller' }), 'acme')).toBeUndefined();
    expect(parseQuarantineNotice(text({ ...notice, quarantineId: 'anything at all' }), 'acme')).toBeUndefined();
    expect(parseQuarantineNotice(text({ ...notice, quarantineId: `acme#processor#${'ab'.repeat(32)}` }), 'acme')).toBeUndefined();
  });
});
