import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { metrics } from '#platform/observability.ts';
import { httpEvent, lambdaContext } from './harness.ts';
import { conversation, goodaysBody } from './fixtures.ts';
import type { GoodaysWorld } from './setup.ts';
import { startGoodaysWorld } from './setup.ts';

let world: GoodaysWorld;

beforeAll(async () => {
  world = await startGoodaysWorld();
});
afterAll(async () => {
  await world?.stop();
});

const sig = (body: string | Buffer, secret = 'new-secret') => createHmac('sha256', secret).update(body).digest('hex');

async function post(body: string | Buffer, headers: Record<string, string> = {}, base64 = false) {
  const res = await world.webhook(httpEvent({ method: 'POST', route: '/webhooks/goodays', headers, body, base64 }), lambdaContext(10_000));
  return { status: res.statusCode, body: res.body };
}

async function quarantined(body: string | Buffer) {
  const out = await world.harness.ddb.send(new ScanCommand({ TableName: 'quarantine', ConsistentRead: true }));
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return (out.Items ?? []).find((i) => {
    const stored = i.bodyEncoding?.S === 'base64' ? Buffer.from(i.body?.S ?? '', 'base64') : Buffer.from(i.body?.S ?? '', 'utf8');
    return stored.equals(bytes);
  });
}

/**
 * What a quarantine put on the queue (then settled): no envelope, only the notices the processor
 * publishes as `hub.quarantined` (the webhook has no EventBridge client), one per put.
 */
async function queuedNotices() {
  // Imported once the world has set the emulators' environment (the SDK clients are made at import).
  const { parseQuarantineNotice } = await import('#platform/quarantine-events.ts');
  const event = await world.harness.receive('goodays-events');
  const notices = event.Records.map((r) => parseQuarantineNotice(r.body, 'goodays'));
  await world.harness.settle('goodays-events', event, []);
  return notices.map((n) => (n ? { vendor: n.vendor, stage: n.stage, quarantineId: n.quarantineId } : 'not a notice'));
}

describe('POST /webhooks/goodays', () => {
  it('accepts a signed event sent by the sandbox and queues the exact raw body in an envelope', async () => {
    const out = await world.sandbox.sendWebhook('response', 'vdOpL1NJ74l');
    expect(out.status).toBe(200);
    const event = await world.harness.receive('goodays-events');
    expect(event.Records).toHaveLength(1);
    const envelope = JSON.parse(event.Records[0]?.body ?? '{}') as { vendor: string; body: string; requestId: string; receivedAt: string };
    expect(envelope.vendor).toBe('goodays');
    expect(envelope.body).toBe(world.sandbox.eventBody('response', 'vdOpL1NJ74l'));
    expect(envelope.requestId).toBeTruthy();
    expect(Date.parse(envelope.receivedAt)).not.toBeNaN();
    await world.harness.settle('goodays-events', event, []);
  });

  it('answers 401 to missing, empty, malformed and wrong signatures, and to a re-serialised body', async () => {
    const body = goodaysBody('response', { responseId: 'sig401' });
    expect((await post(body)).status).toBe(401);
    expect((await post(body, { 'x-hmac-sha256': '' })).status).toBe(401);
    expect((await post(body, { 'x-hmac-sha256': 'zz-not-hex' })).status).toBe(401);
    expect((await post(body, { 'x-hmac-sha256': sig(body, 'wrong') })).status).toBe(401);
    expect((await post(JSON.stringify(JSON.parse(body)), { 'x-hmac-sha256': sig(body) })).status).toBe(401);
    expect((await world.harness.receive('goodays-events')).Records).toHaveLength(0);
  });

  it('accepts the old secret during a rotation, and base64-encoded bodies checked on their bytes', async () => {
    const body = goodaysBody('response', { responseId: 'rotated1' });
    expect((await post(body, { 'x-hmac-sha256': sig(body, 'old-secret') })).status).toBe(200);
    const raw = Buffer.from(goodaysBody('response', { responseId: 'binary01', extra: { note: 'café 😊' } }), 'utf8');
    expect((await post(raw, { 'X-HMAC-SHA256': sig(raw) }, true)).status).toBe(200);
    const event = await world.harness.receive('goodays-events');
    const bodies = event.Records.map((r) => (JSON.parse(r.body) as { body: string }).body);
    expect(bodies).toContain(body);
    expect(bodies).toContain(raw.toString('utf8'));
    await world.harness.settle('goodays-events', event, []);
  });

  it('quarantines an authentic body it cannot read and answers 200', async () => {
    const notJson = '{"event_type": "response", "response": ';
    expect((await post(notJson, { 'x-hmac-sha256': sig(notJson) })).status).toBe(200);
    const item = await quarantined(notJson);
    expect(item?.vendor?.S).toBe('goodays');
    expect(item?.body?.S).toBe(notJson);
    expect(item?.reason?.S).toMatch(/not JSON/);
    expect(item?.requestId?.S).toBeTruthy();

    const badUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect((await post(badUtf8, { 'x-hmac-sha256': sig(badUtf8) }, true)).status).toBe(200);
    const bin = await quarantined(badUtf8);
    expect(bin?.bodyEncoding?.S).toBe('base64');
    expect(bin?.stage?.S).toBe('webhook');
    expect(Buffer.from(bin?.body?.S ?? '', 'base64').equals(badUtf8)).toBe(true);
    expect((await queuedNotices()).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [item, bin].map((i) => ({ vendor: 'goodays', stage: 'webhook', quarantineId: i?.id?.S })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
  });

  it('counts a quarantined body once, however often it comes back (webhook resends, queue redeliveries)', async () => {
    const added = vi.spyOn(metrics, 'addMetric');
    try {
      const counted = (name: string) => added.mock.calls.filter(([n]) => n === name).length;
      const unreadable = '{"event_type": "response", "response": [1, ';
      for (let i = 0; i < 2; i++) expect((await post(unreadable, { 'x-hmac-sha256': sig(unreadable) })).status).toBe(200);
      expect(counted('GoodaysWebhookQuarantined')).toBe(1);

      const url = world.harness.queueUrl('goodays-events');
      const foreign = 'not an envelope';
      const badEvent = JSON.stringify({ vendor: 'goodays', source: 'webhook', requestId: 'r-bad', receivedAt: '2026-01-01T00:00:00.000Z', body: '{"event_type": 7}' });
      for (let i = 0; i < 2; i++) {
        await world.harness.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: foreign }));
        await world.harness.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: badEvent }));
        await world.deliverEvents();
      }
      expect(await quarantined('{"event_type": 7}')).toBeDefined();
      expect(await quarantined(foreign)).toBeDefined();
      expect(counted('GoodaysEventQuarantined')).toBe(2);
    } finally {
      added.mockRestore();
    }
  });

  it('answers 413 to a body larger than it accepts, before reading it', async () => {
    const big = goodaysBody('response', { responseId: 'toolarge1', extra: { padding: 'x'.repeat(300 * 1024) } });
    expect((await post(big, { 'x-hmac-sha256': sig(big) })).status).toBe(413);
    expect(await queuedNotices()).toEqual([{ vendor: 'goodays', stage: 'webhook', quarantineId: expect.stringMatching(/^goodays#webhook#/) }]);
  });

  it('answers 5xx when the event cannot be queued, so Goodays resends', async () => {
    const url = world.harness.queueUrl('goodays-events');
    await world.harness.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    try {
      const body = goodaysBody('response', { responseId: 'noqueue1' });
      const res = await post(body, { 'x-hmac-sha256': sig(body) });
      expect(res.status).toBeGreaterThanOrEqual(500);
    } finally {
      await world.harness.sqs.send(new CreateQueueCommand({ QueueName: 'goodays-events', Attributes: { VisibilityTimeout: '0' } }));
    }
  });
});

describe('event processing', () => {
  const thread = async (id: string) => (await world.api('GET', '/goodays/responses/{id}', { id })).json as { thread: Record<string, unknown>; allowedActions: string[]; awaiting: boolean };

  it('stores a thread per response, dedupes resent events and keeps unknown types', async () => {
    const [response] = conversation('dedupe001');
    for (let i = 0; i < 3; i++) expect((await post(response ?? '', { 'x-hmac-sha256': sig(response ?? '') })).status).toBe(200);
    const unknown = JSON.stringify({ event_type: 'reassigned', response: { id: 'dedupe001' } });
    expect((await post(unknown, { 'x-hmac-sha256': sig(unknown) })).status).toBe(200);
    await world.deliverEvents();
    const t = await thread('dedupe001');
    expect(t.thread.eventKeys).toHaveLength(2);
    expect(t.thread.unknownEvents).toEqual([expect.objectContaining({ eventType: 'reassigned' })]);
    expect(t.allowedActions).toEqual(['reply', 'call', 'close', 'spam']);
    expect(t.awaiting).toBe(true);
  });

  it('builds the same thread whatever order the events arrive in', async () => {
    const inOrder = conversation('order0001');
    const reversed = conversation('order0002').reverse();
    for (const body of [...inOrder, ...reversed]) expect((await post(body, { 'x-hmac-sha256': sig(body) })).status).toBe(200);
    await world.deliverEvents();
    const a = await thread('order0001');
    const b = await thread('order0002');
    const normalise = (t: { thread: Record<string, unknown>; allowedActions: string[] }) =>
      JSON.parse(JSON.stringify({ ...t.thread, allowedActions: t.allowedActions }).replaceAll(/order000[12]/g, 'ID').replaceAll(/"(latestEventReceivedAt|receivedAt)":"[^"]*"/g, '"$1":"T"')) as unknown;
    expect(normalise(b)).toEqual(normalise(a));
    expect(a.thread.state).toBe('closed');
    expect(a.allowedActions).toEqual(['message']);
    expect((a.thread.messages as unknown[]).length).toBe(5);
  });

  it('folds concurrent deliveries for one response into the full thread (optimistic versions)', async () => {
    const bodies = conversation('concur001');
    for (const body of bodies) expect((await post(body, { 'x-hmac-sha256': sig(body) })).status).toBe(200);
    const batches = [];
    for (let i = 0; i < bodies.length; i++) batches.push(await world.harness.receive('goodays-events', 1));
    expect(batches.every((b) => b.Records.length === 1)).toBe(true);
    const results = await Promise.all(batches.map((b) => world.eventProcessor(b, lambdaContext(30_000))));
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    for (const b of batches) await world.harness.settle('goodays-events', b, []);
    const concurrent = await thread('concur001');
    const sequential = await thread('order0001');
    expect(concurrent.thread.eventKeys).toEqual(sequential.thread.eventKeys);
    expect(concurrent.allowedActions).toEqual(['message']);
    expect((concurrent.thread.messages as unknown[]).length).toBe(5);
  });

  it('lists threads by state with a cursor', async () => {
    const open = (await world.api('GET', '/goodays/responses', {}, { query: { state: 'open', limit: '1' } })).json as { items: { responseId: string; state: string }[]; nextCursor: string | null };
    expect(open.items).toHaveLength(1);
    expect(open.items[0]?.state).toBe('open');
    expect(open.nextCursor).toBeTruthy();
    const next = (await world.api('GET', '/goodays/responses', {}, { query: { state: 'open', limit: '50', cursor: open.nextCursor ?? '' } })).json as { items: { responseId: string }[] };
    expect(next.items.map((i) => i.responseId)).not.toContain(open.items[0]?.responseId);
    const all = (await world.api('GET', '/goodays/responses', {}, { query: { limit: '100' } })).json as { items: unknown[] };
    expect(all.items.map((i) => (i as { responseId: string }).responseId).sort()).toEqual(['concur001', 'dedupe001', 'order0001', 'order0002']);
    expect((await world.api('GET', '/goodays/responses', {}, { query: { state: 'OPEN!' } })).status).toBe(400);
    expect((await world.api('GET', '/goodays/responses', {}, { query: { cursor: 'garbage' } })).status).toBe(400);
  });

  it('refuses a tampered or foreign cursor with a 400 naming cursor (never a 500), and keeps the cursors it gave out working', async () => {
    const list = (query: Record<string, string>) => world.api('GET', '/goodays/responses', {}, { query }) as Promise<{ status: number; json: { items?: { responseId: string }[]; nextCursor?: string | null; errors?: { name: string; detail: string }[] } }>;
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const open = await list({ state: 'open', limit: '1' });
    expect(open.status).toBe(200);
    const given = open.json.nextCursor ?? '';
    expect(given).toBeTruthy();
    const [, position] = JSON.parse(Buffer.from(given, 'base64url').toString('utf8')) as [string, Record<string, unknown>];
    const refused: { query: Record<string, string> }[] = [
      // What the old codec accepted and passed to DynamoDB as a start key.
      { query: { state: 'open', cursor: b64({ responseId: 'dedupe001', threadState: 'open', lastEventAt: { S: 'x' } }) } },
      { query: { state: 'open', cursor: b64(position) } },
      { query: { state: 'open', cursor: b64(['goodays-responses', { ...position, injected: 'x' }]) } },
      { query: { state: 'open', cursor: b64(['goodays-responses', { ...position, lastEventAt: 7 }]) } },
      { query: { state: 'open', cursor: b64(['goodays-responses', { responseId: '' }]) } },
      { query: { state: 'open', cursor: b64(['rungopher-contacts', position]) } },
      // A real cursor, but for another query: another state, or all threads.
      { query: { state: 'closed', cursor: given } },
      { query: { cursor: given } },
      { query: { state: 'open', cursor: `${given}*` } },
    ];
    for (const { query } of refused) {
      const res = await list(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.json.errors?.map((e) => e.name), JSON.stringify(query)).toEqual(['cursor']);
    }
    // Cursors given out keep working: paging one by one through all threads finds each exactly once.
    const all = (await list({ limit: '100' })).json.items?.map((i) => i.responseId).sort();
    const paged: string[] = [];
    let cursor: string | null | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await list({ limit: '1', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      paged.push(...(res.json.items ?? []).map((i) => i.responseId));
      cursor = res.json.nextCursor;
      if (!cursor) break;
    }
    expect(paged.sort()).toEqual(all);
    const next = await list({ state: 'open', limit: '1', cursor: given });
    expect(next.status).toBe(200);
  });

  it('counts responses unprocessed after the configured time', async () => {
    const { measureUnprocessed } = await import('#goodays/use-cases/unprocessed.ts');
    const { unprocessedConfig } = await import('#goodays/adapters/wiring.ts');
    const threadStore = () => unprocessedConfig().threads;
    const later = () => new Date(Date.now() + 2 * 3600_000);
    const m = await measureUnprocessed({ threads: threadStore(), afterMinutes: 60, now: later });
    // dedupe001 (open, four actions), order000x and concur001 (offer `message`) wait for customer service.
    expect(m.count).toBe(4);
    expect(m.oldestMinutes).toBeGreaterThanOrEqual(119);
    const now = await measureUnprocessed({ threads: threadStore(), afterMinutes: 60 });
    expect(now.count).toBe(0);
  });
});
