import { DeleteTableCommand, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';
import { DeleteQueueCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rungopherProgram } from '#infra/cli/rungopher.ts';
import type { ConsumerEvent } from '#infra/local/consumers.ts';
import { createQueues, createTables } from '#infra/local/emulators.ts';
import { DOC_SAMPLES, makeResult } from './samples.ts';
import { eventually, operatorGet, operatorRequest, startTestHub } from '#test/helpers/hub.ts';
import { hubClients } from '#test/helpers/aws.ts';

type TestHub = Awaited<ReturnType<typeof startTestHub>>;
let hub: TestHub;
let clients: ReturnType<typeof hubClients>;
/** Every batch the hub's queue consumers ran. */
const consumerEvents: ConsumerEvent[] = [];

const post = (body: string, token = hub.env.RUNGOPHER_WEBHOOK_TOKEN, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${hub.url}/webhooks/rungopher/${token}`, { method: 'POST', headers, body });

const idsStored = async () => (await clients.scan('rungopher-results')).map((r) => String(r.id)).sort();

// Longer than a batch takes under load: with the test hubs' usual 1 s, a record still being processed is
// delivered again, its receive count climbs past the DLQ's limit and the copy is parked although the
// first delivery stored it. The DLQ test below sets 0 for its own message.
const VISIBILITY_SECONDS = 15;

beforeAll(async () => {
  hub = await startTestHub({ visibilityTimeoutSeconds: VISIBILITY_SECONDS, onConsumerEvent: (e) => consumerEvents.push(e) });
  clients = hubClients(hub);
});
afterAll(async () => {
  await hub?.cleanup();
});

describe('Rungopher webhook, end to end on the local runtime', () => {
  it('answers /health without a token', async () => {
    const res = await fetch(`${hub.url}/health`);
    expect(res.status).toBe(200);
  });

  it('stores every document sample exactly once, whatever order and however often it arrives', async () => {
    const bodies = DOC_SAMPLES.map((s) => JSON.stringify(s));
    // Three deliveries of each, the second and third rounds in reverse and interleaved order.
    const order = [...bodies, ...[...bodies].reverse(), ...bodies.filter((_, i) => i % 2), ...bodies.filter((_, i) => !(i % 2))];
    const answers = await Promise.all(order.map((b) => post(b)));
    expect(answers.map((a) => a.status)).toEqual(order.map(() => 200));
    const expected = DOC_SAMPLES.map((s) => String(s.id)).sort();
    await eventually(async () => ((await idsStored()).length === expected.length && hub.queueDepth('rungopher-results').then((d) => d === 0)) || undefined);
    expect(await idsStored()).toEqual(expected);

    const all = await operatorGet(hub, '/rungopher/results?limit=1000');
    expect(all.status).toBe(200);
    const items = (all.body as { items: { id: string; timestamp: string }[] }).items;
    expect(items.map((i) => i.id).sort()).toEqual(expected);
    // Newest last.
    expect(items.map((i) => i.timestamp)).toEqual([...items.map((i) => i.timestamp)].sort());

    const view = await operatorGet(hub, '/rungopher/campaigns/15/contacts/1');
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ email: 'mark.hingston@rungopher.com', phone: '+61400222111', optedOut: false, links: [{ count: 1 }] });
  });

  it('pages results with filters and a cursor', async () => {
    const first = await operatorGet(hub, '/rungopher/results?campaignId=15&limit=2');
    const page1 = first.body as { items: { id: string }[]; nextCursor: string | null };
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toBeTypeOf('string');
    const ids = page1.items.map((i) => i.id);
    let cursor = page1.nextCursor;
    while (cursor) {
      const next = (await operatorGet(hub, `/rungopher/results?campaignId=15&limit=2&cursor=${cursor}`)).body as typeof page1;
      ids.push(...next.items.map((i) => i.id));
      cursor = next.nextCursor;
    }
    expect(ids.sort()).toEqual(DOC_SAMPLES.filter((s) => s.campaignId === 15).map((s) => String(s.id)).sort());

    const sms = (await operatorGet(hub, '/rungopher/results?resultName=allSms&limit=1')).body as typeof page1;
    expect(sms.items.map((i) => i.id)).toEqual(['1']);
    const after = (await operatorGet(hub, `/rungopher/results?resultName=allSms&after=${encodeURIComponent('2017-10-26T09:15:00+10:00')}`)).body as typeof page1;
    expect(after.items.map((i) => i.id)).toEqual(['115']);
    const contact = (await operatorGet(hub, '/rungopher/results?campaignId=15&contactId=contact-40')).body as typeof page1;
    expect(contact.items.map((i) => i.id)).toEqual(['1', '2']);
  });

  it('stores a result whose text is outside the Basic Multilingual Plane (emoji) byte for byte', async () => {
    const context = 'Yes please 🎉👍 — très bien, 谢谢';
    const raw = JSON.stringify(makeResult({ id: 4242, contactId: 'emoji', context }));
    expect((await post(raw)).status).toBe(200);
    const row = await eventually(async () => (await clients.scan('rungopher-results')).find((r) => r.id === '4242'));
    expect(row.raw).toBe(raw);
    // The row keeps the body once (raw); the result is parsed from it on read.
    const listed = (await operatorGet(hub, '/rungopher/results?campaignId=15&contactId=emoji')).body as { items: { result: { context: string } }[] };
    expect(listed.items[0]?.result.context).toBe(context);
  });

  it('replays stored results into the contact views after the view table is lost', async () => {
    const before = await operatorGet(hub, '/rungopher/campaigns/15/contacts/1');
    expect(before.status).toBe(200);
    await eventually(async () => ((await hub.queueDepth('rungopher-results')) === 0 ? true : undefined));
    await clients.raw.send(new DeleteTableCommand({ TableName: 'switchboard-rungopher-contacts' }));
    // dynalite deletes in the background; createTables skips a table still being deleted.
    await waitUntilTableNotExists({ client: clients.raw, maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 }, { TableName: 'switchboard-rungopher-contacts' });
    await createTables(clients.raw);
    expect((await operatorGet(hub, '/rungopher/campaigns/15/contacts/1')).status).toBe(404);

    const replay = async (cursor?: string) => {
      const res = await fetch(`${hub.url}/rungopher/replay${cursor ? `?cursor=${cursor}` : ''}`, { method: 'POST', headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as { replayed: number; nextCursor: string | null };
    };
    let page = await replay();
    let total = page.replayed;
    while (page.nextCursor) {
      page = await replay(page.nextCursor);
      total += page.replayed;
    }
    expect(total).toBe((await clients.scan('rungopher-results')).length);
    expect((await operatorGet(hub, '/rungopher/campaigns/15/contacts/1')).body).toEqual(before.body);
    // Replaying again changes nothing.
    await replay();
    expect((await operatorGet(hub, '/rungopher/campaigns/15/contacts/1')).body).toEqual(before.body);
    // The CLI does the same, page by page, with HUB_URL and HUB_OPERATOR_TOKEN (set by the hub here).
    const lines: string[] = [];
    let code = 0;
    await rungopherProgram({ out: (l) => lines.push(l), err: (l) => lines.push(l), fail: (c) => void (code = c) }).parseAsync(['node', 'switchboard', 'rungopher', 'replay']);
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(new RegExp(`Replayed ${total} stored result`));
    const bad = await fetch(`${hub.url}/rungopher/replay?cursor=bm9wZQ`, { method: 'POST', headers: { authorization: `Bearer ${hub.env.HUB_OPERATOR_TOKEN}` } });
    expect(bad.status).toBe(400);
  });

  it('rejects bad operator requests with clear errors', async () => {
    expect((await fetch(`${hub.url}/rungopher/results`)).status).toBe(401);
    const bad = await operatorGet(hub, '/rungopher/results?limit=0&after=yesterday&contactId=1');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/limit/);
    expect(JSON.stringify(bad.body)).toMatch(/after/);
    expect(JSON.stringify(bad.body)).toMatch(/contactId needs campaignId/);
    expect((await operatorGet(hub, '/rungopher/campaigns/15/contacts/nobody')).status).toBe(404);
  });

  it('answers 401 to a wrong token and stores nothing', async () => {
    const before = await idsStored();
    const res = await post(JSON.stringify(makeResult({ id: 5001 })), 'not-the-token');
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await idsStored()).toEqual(before);
  });

  it('quarantines an authentic body that is not a result, and answers 200 so Rungopher stops resending', async () => {
    const bodies = ['{"id": 1,', JSON.stringify({ hello: 'world' }), JSON.stringify(makeResult({ id: 5002, timestamp: 'yesterday' }))];
    for (const body of bodies) {
      const res = await post(body);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'quarantined' });
    }
    const q = await clients.scan('quarantine');
    expect(q.map((i) => i.body)).toEqual(expect.arrayContaining(bodies));
    expect(q.find((i) => i.body === bodies[2])?.reason).toMatch(/timestamp/);
  });

  it('answers 413 to an oversized body and keeps one truncated copy however often it is resent', async () => {
    const big = JSON.stringify(makeResult({ id: 5003, context: 'x'.repeat(300 * 1024) }));
    expect((await post(big)).status).toBe(413);
    expect((await post(big)).status).toBe(413);
    const kept = (await clients.scan('quarantine')).filter((i) => i.bodyBytes === Buffer.byteLength(big));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ truncated: true, stage: 'webhook', vendor: 'rungopher' });
    expect(String(kept[0]?.reason)).toMatch(/over the 262144-byte limit/);
  });

  it('quarantines the same bad body once, however often it is resent', async () => {
    const body = '{"not": "a result", "n": 77}';
    for (let i = 0; i < 3; i++) expect((await post(body)).status).toBe(200);
    expect((await clients.scan('quarantine')).filter((i) => i.body === body)).toHaveLength(1);
  });

  it('answers 5xx when the queue refuses, loses nothing accepted, and takes the resend', async () => {
    const accepted = await post(JSON.stringify(makeResult({ id: 6001 })));
    expect(accepted.status).toBe(200);
    await eventually(async () => ((await idsStored()).includes('6001') ? true : undefined));
    await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: hub.queues['rungopher-results'].url }));
    const refused = await post(JSON.stringify(makeResult({ id: 6002 })));
    expect(refused.status).toBeGreaterThanOrEqual(500);
    await createQueues(clients.sqs, VISIBILITY_SECONDS);
    const resent = await post(JSON.stringify(makeResult({ id: 6002 })));
    expect(resent.status).toBe(200);
    await eventually(async () => ((await idsStored()).includes('6002') ? true : undefined));
    expect(await idsStored()).toEqual(expect.arrayContaining(['6001', '6002']));
  });

  it('retries a failing processor, then parks the message in the DLQ, and a redrive stores it once', async () => {
    // Everything earlier is fully processed first, so only the new message meets the failure.
    await eventually(async () => ((await hub.queueDepth('rungopher-results')) === 0 ? true : undefined));
    const queue = hub.queues['rungopher-results'];
    // Each redelivery waits out the visibility timeout (15 s here, so over a minute for the
    // 5 receives): at 0 for this test the consumers take the message back at once, and the test waits
    // on their reports (one per delivery) instead of on the clock.
    const setVisibility = (seconds: number) =>
      clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { VisibilityTimeout: String(seconds) } }));
    const failedDeliveries = () => consumerEvents.filter((e) => e.fn === 'rungopher-processor').reduce((n, e) => n + e.failed, 0);
    const failedBefore = failedDeliveries();
    await setVisibility(0);
    try {
      // The contact table vanishes: storing the row works, updating the view fails every time.
      await clients.dynamo.send(new DeleteTableCommand({ TableName: 'switchboard-rungopher-contacts' }));
      // dynalite deletes in the background, and a table being deleted still takes writes.
      await waitUntilTableNotExists({ client: clients.raw, maxWaitTime: 20, minDelay: 0.05, maxDelay: 0.2 }, { TableName: 'switchboard-rungopher-contacts' });
      const res = await post(JSON.stringify(makeResult({ id: 7001, contactId: 'dlq-contact' })));
      expect(res.status).toBe(200);
      await eventually(
        async () => (failedDeliveries() - failedBefore >= queue.maxReceiveCount && (await hub.queueDepth('rungopher-results', 'dlq')) === 1 ? true : undefined),
        { timeoutMs: 25_000, intervalMs: 20 },
      );
      expect(await hub.queueDepth('rungopher-results')).toBe(0);
      // Delivered (and failed) exactly maxReceiveCount times, then parked.
      expect(failedDeliveries() - failedBefore).toBe(queue.maxReceiveCount);
    } finally {
      await setVisibility(queue.visibilityTimeoutSeconds);
    }

    await createTables(clients.raw);
    const moved = await operatorRequest(hub, 'POST', '/queues/rungopher-results/redrive');
    expect(moved.body).toMatchObject({ queue: 'rungopher-results', state: 'moved', moved: 1 });
    await eventually(async () => ((await operatorGet(hub, '/rungopher/campaigns/15/contacts/dlq-contact')).status === 200 ? true : undefined));
    expect((await idsStored()).filter((id) => id === '7001')).toHaveLength(1);
  }, 40_000);

  it('with its consumers paused still acknowledges webhooks; their messages wait and are stored once the consumers resume', async () => {
    await hub.pauseConsumers();
    try {
      for (const id of [8001, 8002, 8003]) expect((await post(JSON.stringify(makeResult({ id, contactId: 'paused' })))).status).toBe(200);
      // Nothing consumes: all three wait in the queue (past a consumer's 1 s long poll), none stored.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await hub.queueDepth('rungopher-results')).toBe(3);
      expect((await idsStored()).filter((id) => id.startsWith('800'))).toEqual([]);
    } finally {
      hub.resumeConsumers();
    }
    await eventually(async () => ((await idsStored()).filter((id) => id.startsWith('800')).length === 3 ? true : undefined));
    // A message leaves the queue when its batch returns, after its result is stored (and linked in the
    // customer index): the queue empties, and nothing was stored twice.
    await eventually(async () => ((await hub.queueDepth('rungopher-results')) === 0 ? true : undefined));
    expect((await idsStored()).filter((id) => id.startsWith('800')).sort()).toEqual(['8001', '8002', '8003']);
  });
});
