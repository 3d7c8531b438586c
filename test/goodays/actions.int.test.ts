import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { metrics } from '#platform/observability.ts';
import { httpEvent, lambdaContext } from './harness.ts';
import type { GoodaysWorld } from './setup.ts';
import { API_TOKEN, OPERATOR_TOKEN, startGoodaysWorld } from './setup.ts';

let world: GoodaysWorld;
const OPERATOR = 'jennifer.parker@cs.example.com';

beforeAll(async () => {
  world = await startGoodaysWorld();
});
afterAll(async () => {
  await world?.stop();
});

interface Accepted {
  actionId: string;
  state: string;
  replayed: boolean;
}
interface ActionView {
  actionId: string;
  state: string;
  attempts: number;
  vendorStatus?: number;
  vendorMessages?: string[];
  error?: string;
  needsDecision: boolean;
}

/** A new sandbox response, announced to the hub by a signed webhook and processed. */
async function newResponse(o: { source?: string; actionUrlBase?: string } = {}): Promise<string> {
  const id = world.sandbox.addResponse({ source: o.source });
  const out = await world.sandbox.sendWebhook('response', id, { actionUrlBase: o.actionUrlBase });
  expect(out.status).toBe(200);
  await world.deliverEvents();
  return id;
}

const act = (id: string, action: string, body: unknown, headers: Record<string, string> = {}) =>
  world.api('POST', '/goodays/responses/{id}/{action}', { id, action }, { body: body === undefined ? undefined : JSON.stringify(body), headers });
const action = async (actionId: string) => (await world.api('GET', '/goodays/actions/{actionId}', { actionId })).json as ActionView;
const outboxFor = (id: string) => world.sandbox.outbox().filter((o) => o.responseId === id);
const putsFor = (id: string) => world.sandbox.requests().filter((r) => r.method === 'PUT' && r.path.includes(`/responses/${id}/`));

describe('operator API', () => {
  it('needs the operator token', async () => {
    const res = await world.operatorApi(httpEvent({ method: 'GET', route: '/goodays/responses', headers: { authorization: 'Bearer wrong' } }), lambdaContext());
    expect(res.statusCode).toBe(401);
    const none = await world.operatorApi(httpEvent({ method: 'GET', route: '/goodays/responses' }), lambdaContext());
    expect(none.statusCode).toBe(401);
    expect(OPERATOR_TOKEN).toBeTruthy();
  });

  it('validates actions: unknown action, bad body, remark_type for Google, unknown response', async () => {
    const id = await newResponse();
    expect((await act(id, 'delete', {})).status).toBe(400);
    expect((await act(id, 'reply', { content: '' })).status).toBe(400);
    expect((await act(id, 'call', { rating: 9 })).status).toBe(400);
    expect((await world.api('POST', '/goodays/responses/{id}/{action}', { id, action: 'reply' }, { body: '{not json' })).status).toBe(400);
    expect((await act('nope123', 'close', {})).status).toBe(404);
    expect((await act('../etc', 'close', {})).status).toBe(400);
    const google = await newResponse({ source: 'google' });
    const res = await act(google, 'reply', { content: 'Thanks' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain('remark_type');
    expect((await act(google, 'reply', { content: 'Thanks', remark_type: 'Praise' })).status).toBe(202);
    expect(world.sandbox.requests().filter((r) => r.method === 'PUT')).toHaveLength(0);
    await world.runActions();
    expect(outboxFor(google)).toHaveLength(1);
  });

  it("takes the operator as a Goodays user id too: sent as it is, with no user look-up; neither an e-mail nor an id is a 400 naming user", async () => {
    const id = await newResponse();
    const lookupsBefore = world.sandbox.requests().filter((r) => r.path.startsWith('/v2/users')).length;
    const res = await act(id, 'reply', { content: 'Thank you, we are on it.', user: '5e6f7a8', remark_type: 'Problem' });
    expect(res.status).toBe(202);
    await world.runActions();
    expect((await action((res.json as Accepted).actionId)).state).toBe('succeeded');
    expect(outboxFor(id)).toEqual([expect.objectContaining({ action: 'reply', user: '5e6f7a8' })]);
    expect(world.sandbox.requests().filter((r) => r.path.startsWith('/v2/users')).length).toBe(lookupsBefore);
    const other = await newResponse();
    for (const user of ['not an id', 'a@', '', 'x'.repeat(65)]) {
      const bad = await act(other, 'close', { user });
      expect({ user, status: bad.status }).toEqual({ user, status: 400 });
      expect((bad.json as { errors: { name: string }[] }).errors.map((e) => e.name)).toEqual(['body.user']);
    }
  });

  it('replies once: 202 with an action id, Idempotency-Key replays, a second reply is 409', async () => {
    const id = await newResponse();
    const body = { content: 'Dear Customer, thank you for your feedback.', user: OPERATOR, remark_type: 'Problem' };
    const first = await act(id, 'reply', body, { 'idempotency-key': `k-${id}` });
    expect(first.status).toBe(202);
    const a = first.json as Accepted;
    expect(a.actionId).toMatch(/^gda_/);
    const again = await act(id, 'reply', body, { 'Idempotency-Key': `k-${id}` });
    expect(again.status).toBe(202);
    expect((again.json as Accepted).actionId).toBe(a.actionId);
    expect((again.json as Accepted).replayed).toBe(true);
    const reused = await act(id, 'reply', { ...body, content: 'other text' }, { 'idempotency-key': `k-${id}` });
    expect(reused.status).toBe(409);
    const second = await act(id, 'close', {});
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ allowed: [] });

    await world.runActions();
    const done = await action(a.actionId);
    expect(done.state).toBe('succeeded');
    expect(outboxFor(id)).toEqual([expect.objectContaining({ action: 'reply', content: body.content, user: '1a2b3c4' })]);
    const put = putsFor(id)[0];
    expect(put?.authorization).toBe('sandbox-api-token');
    expect(put?.path).toBe(`/v2/responses/${id}/reply`);

    const view = (await world.api('GET', '/goodays/responses/{id}', { id })).json as { allowedActions: string[]; awaiting: boolean; actions: ActionView[] };
    expect(view.allowedActions).toEqual([]);
    expect(view.awaiting).toBe(false);
    expect(view.actions.map((x) => x.state)).toEqual(['succeeded']);

    // The customer answers privately: a message event reopens the thread for a message.
    world.sandbox.customerWrites(id, 'How long does the promotion last?');
    expect((await world.sandbox.sendWebhook('message', id)).status).toBe(200);
    await world.deliverEvents();
    const reopened = (await world.api('GET', '/goodays/responses/{id}', { id })).json as { allowedActions: string[]; awaiting: boolean };
    expect(reopened.allowedActions).toEqual(['message']);
    expect(reopened.awaiting).toBe(true);
    const msg = await act(id, 'message', { content: 'Until 19/03/2020.', user: OPERATOR });
    expect(msg.status).toBe(202);
    await world.runActions();
    expect(outboxFor(id).map((o) => o.action)).toEqual(['reply', 'message']);
    // The operator's Goodays id was looked up once and then served from the cache.
    expect(world.sandbox.requests().filter((r) => r.path.startsWith('/v2/users')).length).toBeLessThanOrEqual(1);
    const cached = await world.harness.ddb.send(new GetItemCommand({ TableName: 'goodays-users', Key: { email: { S: OPERATOR } } }));
    expect(cached.Item?.userId?.S).toBe('1a2b3c4');
  });
});

describe('concurrent operators', () => {
  it('lets only one of two simultaneous replies through', async () => {
    const id = await newResponse();
    const [a, b] = await Promise.all([act(id, 'reply', { content: 'From Jennifer' }), act(id, 'reply', { content: 'From Marty' })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    await world.runActions();
    expect(outboxFor(id)).toHaveLength(1);
  });
});

describe('action processor against the sandbox', () => {
  it('a replayed request queues the reply again mid-send: the second message neither resends it nor makes it unknown', async () => {
    const id = await newResponse();
    const headers = { 'idempotency-key': `replayed-mid-send-${id}` };
    const a = (await act(id, 'reply', { content: 'Held by the first delivery.' }, headers)).json as Accepted;
    // Still `accepted`: the replay queues it again, in case the first request stopped before queueing.
    expect(((await act(id, 'reply', { content: 'Held by the first delivery.' }, headers)).json as Accepted).replayed).toBe(true);
    const event = await world.harness.receive('goodays-actions', 10);
    const [first, second] = event.Records;
    if (!first || !second) throw new Error(`expected two messages for the action, got ${event.Records.length}`);
    // Goodays keeps the first delivery's reply waiting (no user to look up: the body names none).
    world.sandbox.injectFault({ kind: 'hold', count: 1 });
    const sending = world.actionProcessor({ Records: [first] }, lambdaContext(60_000));
    try {
      // The reply reached Goodays, which holds it.
      await vi.waitFor(() => expect(world.sandbox.received().filter((r) => r.responseId === id && r.action === 'reply')).toHaveLength(1), { timeout: 10_000, interval: 20 });
      expect((await action(a.actionId)).state).toBe('sending');
      // The second message meanwhile: handed back (so a message stays should the first delivery die), nothing marked.
      const duplicate = await world.actionProcessor({ Records: [second] }, lambdaContext(60_000));
      expect(duplicate.batchItemFailures).toEqual([{ itemIdentifier: second.messageId }]);
      expect((await action(a.actionId)).state).toBe('sending');
      // On its last delivery it is dropped instead, still marking nothing.
      const last = { ...second, attributes: { ...second.attributes, ApproximateReceiveCount: '5' } };
      expect((await world.actionProcessor({ Records: [last] }, lambdaContext(60_000))).batchItemFailures).toEqual([]);
      expect((await action(a.actionId)).state).toBe('sending');
    } finally {
      world.sandbox.releaseHeld();
    }
    expect((await sending).batchItemFailures).toEqual([]);
    // Back after the first delivery settled it: done, nothing sent again.
    expect((await world.actionProcessor({ Records: [second] }, lambdaContext(60_000))).batchItemFailures).toEqual([]);
    await world.harness.settle('goodays-actions', event, []);
    const done = await action(a.actionId);
    expect({ state: done.state, error: done.error }).toEqual({ state: 'succeeded', error: undefined });
    expect(outboxFor(id)).toHaveLength(1);
    expect(putsFor(id)).toHaveLength(1);
  });

  it('retries 500s of a close with back-off and sends once', async () => {
    const id = await newResponse();
    const a = (await act(id, 'close', {})).json as Accepted;
    world.sandbox.injectFault({ kind: 'status', status: 500, count: 2 });
    await world.runActions();
    expect((await action(a.actionId)).state).toBe('succeeded');
    expect(putsFor(id).map((r) => r.answered)).toEqual([500, 500, 200]);
  });

  it('never resends a reply after a 502 that came after Goodays saved it: outcome unknown', async () => {
    const id = await newResponse();
    const a = (await act(id, 'reply', { content: 'Sorry for the wait.' })).json as Accepted;
    world.sandbox.injectFault({ kind: 'status-after', status: 502, count: 1 });
    await world.runActions();
    const view = await action(a.actionId);
    expect(view.state).toBe('unknown');
    expect(view.needsDecision).toBe(true);
    expect(outboxFor(id)).toHaveLength(1);
    expect(putsFor(id).map((r) => r.answered)).toEqual([502]);
  });

  it('retries a reply after 429 and after 503 with Retry-After (answered before acting), and sends once', async () => {
    const id = await newResponse();
    const a = (await act(id, 'reply', { content: 'Back to you shortly.' })).json as Accepted;
    world.sandbox.injectFault({ kind: 'status', status: 503, count: 1, retryAfter: 0 });
    world.sandbox.injectFault({ kind: 'status', status: 429, count: 1, retryAfter: 0 });
    await world.runActions();
    expect((await action(a.actionId)).state).toBe('succeeded');
    expect(putsFor(id).map((r) => r.answered)).toEqual([503, 429, 200]);
    expect(outboxFor(id)).toHaveLength(1);
  });

  it('honours 429 Retry-After and sends once', async () => {
    const id = await newResponse();
    const a = (await act(id, 'call', { rating: 4, note: 'Misunderstanding, sorted on the phone.' })).json as Accepted;
    world.sandbox.injectFault({ kind: 'status', status: 429, count: 1, retryAfter: 1 });
    await world.runActions();
    expect((await action(a.actionId)).state).toBe('succeeded');
    expect(putsFor(id).map((r) => r.answered)).toEqual([429, 200]);
  });

  it('hands a still-failing action back to the queue, then fails it on the last delivery', async () => {
    const id = await newResponse();
    const a = (await act(id, 'close', {})).json as Accepted;
    world.sandbox.injectFault({ kind: 'status', status: 503, count: 4 * 5 });
    const results = await world.runActions(5);
    expect(results.slice(0, 4).every((r) => r.batchItemFailures.length === 1)).toBe(true);
    const failed = await action(a.actionId);
    expect(failed.state).toBe('failed');
    expect(failed.vendorStatus).toBe(503);
    expect(failed.error).toMatch(/gave up after 5 deliveries/);
    world.sandbox.reset();
  });

  it('fails a 4xx at once with Goodays message, and frees the response', async () => {
    const id = await newResponse();
    // Goodays already processed it (elsewhere): the close is refused.
    const direct = await fetch(`${world.sandbox.url}/responses/${id}/close`, { method: 'PUT', headers: { authorization: 'sandbox-api-token' }, body: '{}' });
    expect(direct.status).toBe(200);
    const a = (await act(id, 'spam', {})).json as Accepted;
    await world.runActions();
    const failed = await action(a.actionId);
    expect(failed.state).toBe('failed');
    expect(failed.vendorStatus).toBe(400);
    expect(failed.vendorMessages).toEqual(['A processed response cannot be marked as spam']);
    expect(putsFor(id).filter((r) => r.path.endsWith('/spam'))).toHaveLength(1);
    const view = (await world.api('GET', '/goodays/responses/{id}', { id })).json as { allowedActions: string[] };
    expect(view.allowedActions).toContain('close');
  });

  it('an ambiguous outcome (answer never comes) leaves at most one reply and asks a person', async () => {
    const id = await newResponse();
    const a = (await act(id, 'reply', { content: 'We are on it.' })).json as Accepted;
    world.sandbox.injectFault({ kind: 'hang-after', count: 1 });
    await world.runActions();
    const unknown = await action(a.actionId);
    expect(unknown.state).toBe('unknown');
    expect(unknown.needsDecision).toBe(true);
    // SQS delivers the message again (at least once): still no second send.
    await world.harness.sqs.send(new SendMessageCommand({ QueueUrl: world.harness.queueUrl('goodays-actions'), MessageBody: JSON.stringify({ actionId: a.actionId }) }));
    await world.runActions();
    expect(outboxFor(id)).toHaveLength(1);
    expect(putsFor(id)).toHaveLength(1);
    // Nobody can reply again while a person has not decided.
    expect((await act(id, 'reply', { content: 'Second try' })).status).toBe(409);
    const view = (await world.api('GET', '/goodays/responses/{id}', { id })).json as { needsDecision: string[] };
    expect(view.needsDecision).toEqual([a.actionId]);
    const resolved = await world.api('POST', '/goodays/actions/{actionId}/resolve', { actionId: a.actionId }, { body: JSON.stringify({ outcome: 'sent', note: 'Seen in Goodays back office' }) });
    expect(resolved.status).toBe(200);
    expect((await action(a.actionId)).state).toBe('succeeded');
  });

  it('a connection reset after Goodays acted also leaves at most one message', async () => {
    const id = await newResponse();
    const a = (await act(id, 'reply', { content: 'First answer.' })).json as Accepted;
    await world.runActions();
    expect((await action(a.actionId)).state).toBe('succeeded');
    world.sandbox.customerWrites(id, 'And the opening hours?');
    await world.sandbox.sendWebhook('message', id);
    await world.deliverEvents();
    const m = (await act(id, 'message', { content: '9 to 18.', user: OPERATOR })).json as Accepted;
    world.sandbox.injectFault({ kind: 'reset-after', count: 1 });
    await world.runActions();
    expect((await action(m.actionId)).state).toBe('unknown');
    expect(outboxFor(id).map((o) => o.action)).toEqual(['reply', 'message']);
    const notSent = await world.api('POST', '/goodays/actions/{actionId}/resolve', { actionId: m.actionId }, { body: JSON.stringify({ outcome: 'not-sent' }) });
    expect(notSent.status).toBe(200);
    expect((await action(m.actionId)).state).toBe('failed');
  });

  it('never sends anything to the action URLs a payload carries', async () => {
    const trapped: string[] = [];
    const trap = createServer((req, res) => {
      trapped.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200).end('{}');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    try {
      const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
      const id = await newResponse({ actionUrlBase: trapUrl });
      const thread = (await world.api('GET', '/goodays/responses/{id}', { id })).json as { allowedActions: string[] };
      expect(thread.allowedActions).toContain('close');
      const a = (await act(id, 'close', { remark_type: 'Idea' })).json as Accepted;
      await world.runActions();
      expect((await action(a.actionId)).state).toBe('succeeded');
      expect(trapped).toEqual([]);
      expect(putsFor(id).map((r) => r.path)).toEqual([`/v2/responses/${id}/close`]);
    } finally {
      trap.closeAllConnections();
      await new Promise<void>((resolve) => trap.close(() => resolve()));
    }
  });

  it('fails an action whose last delivery cannot even start (no API token) and frees the response', async () => {
    const id = await newResponse();
    const a = (await act(id, 'reply', { content: 'Held up by configuration.' })).json as Accepted;
    delete process.env.GOODAYS_API_TOKEN;
    try {
      // Not the last delivery: a real failure (a Lambda error the errors alarm sees), the record goes
      // back to the queue and the action still waits.
      await expect(world.runActions(1)).rejects.toThrow(/GOODAYS_API_TOKEN/);
      expect((await action(a.actionId)).state).toBe('accepted');
      // The last delivery (ApproximateReceiveCount = GOODAYS_ACTION_MAX_RECEIVES).
      const event = await world.harness.receive('goodays-actions', 1);
      const last = { Records: event.Records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: '5' } })) };
      const out = await world.actionProcessor(last, lambdaContext(60_000));
      expect(out.batchItemFailures).toEqual([]);
      await world.harness.settle('goodays-actions', event, out.batchItemFailures);
    } finally {
      process.env.GOODAYS_API_TOKEN = API_TOKEN;
    }
    const failed = await action(a.actionId);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/GOODAYS_API_TOKEN/);
    expect(putsFor(id)).toHaveLength(0);
    // The response is free again.
    expect((await act(id, 'reply', { content: 'Second try.' })).status).toBe(202);
    await world.runActions();
    expect(outboxFor(id)).toHaveLength(1);
  });

  it('fails an action whose last delivery has too little time left for a request, instead of handing it to the DLQ', async () => {
    const id = await newResponse();
    const a = (await act(id, 'reply', { content: 'Short on time.' })).json as Accepted;
    const event = await world.harness.receive('goodays-actions', 1);
    const last = { Records: event.Records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: '5' } })) };
    // Enough for the batch handler to start the record (5 s) but not for a 1.5 s Goodays request on top.
    const out = await world.actionProcessor(last, lambdaContext(6_000));
    await world.harness.settle('goodays-actions', event, out.batchItemFailures);
    expect(out.batchItemFailures).toEqual([]);
    const failed = await action(a.actionId);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/Not enough time left/);
    expect(putsFor(id)).toHaveLength(0);
    // The response is free again.
    expect((await act(id, 'reply', { content: 'Second try.' })).status).toBe(202);
    await world.runActions();
    expect(outboxFor(id)).toHaveLength(1);
  });

  it('sends a rotated API token without a cold start', async () => {
    const id = await newResponse();
    await act(id, 'close', {});
    process.env.GOODAYS_API_TOKEN = 'rotated-token';
    try {
      await world.runActions();
    } finally {
      process.env.GOODAYS_API_TOKEN = API_TOKEN;
    }
    expect(putsFor(id).map((r) => r.authorization)).toEqual(['rotated-token']);
  });

  it('quarantines a queue message that is not an action message, without retrying it', async () => {
    const url = world.harness.queueUrl('goodays-actions');
    const added = vi.spyOn(metrics, 'addMetric');
    // The second copy of 'not json' is a redelivery of a body already kept: not counted again.
    for (const body of ['not json', '{"action":"reply"}', 'not json']) await world.harness.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const results = await world.runActions();
    expect(added.mock.calls.filter(([n]) => n === 'GoodaysActionMessageQuarantined')).toHaveLength(2);
    added.mockRestore();
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect((await world.harness.receive('goodays-actions')).Records).toHaveLength(0);
    const items = (await world.harness.ddb.send(new ScanCommand({ TableName: 'quarantine', ConsistentRead: true }))).Items ?? [];
    const bodies = items.filter((i) => i.vendor?.S === 'goodays' && i.stage?.S === 'processor').map((i) => i.body?.S);
    expect(bodies).toEqual(expect.arrayContaining(['not json', '{"action":"reply"}']));
  });
});
