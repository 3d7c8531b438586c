import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, operatorGet, startTestHub } from '#test/helpers/hub.ts';
import { hubClients } from '#test/helpers/aws.ts';
import { goodaysEvent } from './fixtures.ts';

/**
 * Whatever the Goodays webhook answers 200 is stored (its event, and its thread built) or quarantined,
 * never left to fail into the DLQ: bodies that pass the schema but that DynamoDB could not store as
 * the hub used to write them, and threads whose history grows past 400 KB.
 */
type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let clients: ReturnType<typeof hubClients>;

beforeAll(async () => {
  // Large threads are slow to refold on dynalite: a visibility timeout longer than a batch takes.
  hub = await startTestHub({ visibilityTimeoutSeconds: 30 });
  clients = hubClients(hub);
});
afterAll(async () => {
  await hub?.cleanup();
});

const secret = () => (hub.env.GOODAYS_HMAC_SECRETS ?? '').split(',')[0] ?? '';
const post = async (body: string) => {
  const res = await fetch(`${hub.url}/webhooks/goodays`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hmac-sha256': createHmac('sha256', secret()).update(body).digest('hex') },
    body,
  });
  return { status: res.status, body: (await res.json()) as { status?: string; responseId?: string; quarantineId?: string } };
};
const drained = async () => {
  await eventually(async () => ((await hub.queueDepth('goodays-events')) === 0 ? true : undefined), { timeoutMs: 40_000 });
  expect(await hub.queueDepth('goodays-events', 'dlq')).toBe(0);
};
const storedBodies = async () => new Set((await clients.scan('goodays-events')).map((e) => String(e.body)));
const thread = async (responseId: string) => {
  const r = await operatorGet(hub, `/goodays/responses/${responseId}`);
  return r.status === 200 ? (r.body as { thread: Record<string, unknown> }).thread : undefined;
};
const nestText = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('Goodays events that pass the schema are stored or quarantined, never left to the DLQ', () => {
  it('stores events whose free-form fields hold what the marshaller refuses, and builds their threads', async () => {
    const bodies = [
      JSON.stringify(goodaysEvent('response', { responseId: 'bigNumber', extra: { context: { crm_id: 12345678901234567000, '': 'empty key' } } })),
      JSON.stringify(goodaysEvent('response', { responseId: 'emptyState', state: '' })),
      JSON.stringify(goodaysEvent('response', { responseId: 'tinyNumber', extra: { answers: [{ value: 1e-200 }] } })),
    ];
    for (const b of bodies) expect(await post(b)).toMatchObject({ status: 200, body: { status: 'queued' } });
    await drained();
    const stored = await storedBodies();
    for (const b of bodies) expect(stored.has(b)).toBe(true);
    expect(await thread('bigNumber')).toMatchObject({ responseId: 'bigNumber' });
    expect(await thread('emptyState')).toMatchObject({ responseId: 'emptyState' });
    expect(await thread('tinyNumber')).toMatchObject({ responseId: 'tinyNumber' });
  });

  it('stores an event whose verbatim is 200 KB (the thread kept it twice), its thread within 400 KB', async () => {
    const event = goodaysEvent('response', { responseId: 'bigVerbatim' });
    (event.response as { message: { content: string } }).message.content = 'v'.repeat(200 * 1024);
    const body = JSON.stringify(event);
    expect(await post(body)).toMatchObject({ status: 200, body: { status: 'queued' } });
    await drained();
    expect((await storedBodies()).has(body)).toBe(true);
    expect(await thread('bigVerbatim')).toMatchObject({ responseId: 'bigVerbatim' });
  });

  it('quarantines, with the reason, an event nested 10,000 deep and one whose message id is over the 1 KB sort-key limit', async () => {
    const deep = JSON.stringify(goodaysEvent('response', { responseId: 'deep', extra: { context: { x: 'DEEP' } } })).replace('"DEEP"', nestText(10_000));
    const longId = JSON.stringify(goodaysEvent('message', { responseId: 'longId', message: { id: 'm'.repeat(1100), at: '2020-02-06T10:00:00+01:00', content: 'hi', from: 'customer' } }));
    const answers = [await post(deep), await post(longId)];
    expect(answers.map((a) => [a.status, a.body.status])).toEqual([
      [200, 'quarantined'],
      [200, 'quarantined'],
    ]);
    const kept = await clients.scan('quarantine');
    expect(kept.find((q) => q.id === answers[0]?.body.quarantineId)?.reason).toMatch(/cannot be stored: the event is nested deeper than DynamoDB's 32 levels/);
    expect(kept.find((q) => q.id === answers[1]?.body.quarantineId)?.reason).toMatch(/cannot be stored: event item: sort key eventKey is \d+ bytes, over DynamoDB's 1024/);
    await drained();
  });

  it('keeps a thread under 400 KB whatever its history: every event stored, the oldest messages left out and counted', async () => {
    const bodies = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify(
        goodaysEvent('message', {
          responseId: 'longThread',
          updatedAt: `2020-02-06T10:${String(i).padStart(2, '0')}:00+01:00`,
          message: { id: `msg${i}`, at: `2020-02-06T10:${String(i).padStart(2, '0')}:00+01:00`, content: `${i} `.padEnd(15 * 1024, 'w'), from: 'customer' },
        }),
      ),
    );
    for (const b of bodies) expect((await post(b)).body.status).toBe('queued');
    await drained();
    const stored = await storedBodies();
    for (const b of bodies) expect(stored.has(b)).toBe(true);
    const item = (await clients.scan('goodays-threads')).find((t) => t.responseId === 'longThread');
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(400 * 1024);
    const t = (await thread('longThread')) as unknown as { messages: { id: string }[]; omitted?: { messages: number } };
    expect(t.omitted?.messages).toBeGreaterThan(0);
    // The newest are kept: the latest message is there, the first is not.
    expect(t.messages.map((m) => m.id)).toContain('msg29');
    expect(t.messages.map((m) => m.id)).not.toContain('msg0');
    expect(t.messages.length + (t.omitted?.messages ?? 0)).toBe(31);
  }, 90_000);

  it('whatever JSON context, extra, answers and messages hold, a body answered 200 is stored or quarantined (property, through the hub)', async () => {
    const free = fc.oneof(
      fc.jsonValue({ depthSize: 'medium' }),
      fc.integer({ min: 1, max: 60 }).map((n) => JSON.parse(nestText(n)) as unknown),
      fc.constantFrom(12345678901234567000, 1e300, -1e-200),
      fc.integer({ min: 1, max: 120 }).map((kb) => 'é'.repeat(kb * 512)),
    );
    const message = fc.record({ id: fc.string({ minLength: 1, maxLength: 40 }), content: fc.option(fc.string(), { nil: undefined }), attachment: free, type: fc.option(fc.string(), { nil: undefined }) });
    let n = 0;
    const body = fc
      .record({
        type: fc.constantFrom('response', 'message', 'delegated', 'mystery_event'),
        context: fc.dictionary(fc.string(), free, { maxKeys: 3 }),
        extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), free, { maxKeys: 3 }),
        answers: fc.array(free, { maxLength: 3 }),
        attached: fc.array(message, { maxLength: 3 }),
        newMessage: message,
      })
      .map((r) => {
        const e = goodaysEvent(r.type, { responseId: `prop${n++}`, extra: { context: r.context, answers: r.answers, ...r.extra } });
        (e.response as Record<string, unknown>).attached_messages = r.attached;
        if (r.type === 'message') e.message = r.newMessage;
        return JSON.stringify(e);
      });
    const answered: { body: string; status: string; quarantineId?: string }[] = [];
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await post(b);
        expect([200, 413]).toContain(res.status);
        if (res.status === 200) answered.push({ body: b, status: String(res.body.status), ...(res.body.quarantineId ? { quarantineId: res.body.quarantineId } : {}) });
      }),
      { numRuns: 50 },
    );
    await drained();
    const stored = await storedBodies();
    const kept = await clients.scan('quarantine');
    const quarantined = new Set(kept.map((q) => String(q.id)));
    for (const a of answered) {
      if (a.status === 'queued') expect(stored.has(a.body)).toBe(true);
      else expect(quarantined.has(a.quarantineId ?? '')).toBe(true);
    }
    expect(kept.filter((q) => q.vendor === 'goodays' && q.stage === 'processor')).toEqual([]);
    expect(answered.some((a) => a.status === 'queued')).toBe(true);
  }, 150_000);
});
