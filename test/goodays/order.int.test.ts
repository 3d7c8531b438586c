import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpEvent, lambdaContext } from './harness.ts';
import type { GoodaysWorld } from './setup.ts';
import { HMAC_SECRETS, startGoodaysWorld } from './setup.ts';

/**
 * At most once, whatever the order: what the hub did on a response (a reply or message sent, or whose
 * outcome is unknown; a close, call or spam) survives every event delivered after it, however stale,
 * and concurrent requests with one Idempotency-Key all name the one action.
 */

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
interface View {
  allowedActions: string[];
  awaiting: boolean;
  actions: { actionId: string; state: string }[];
}

const act = (id: string, action: string, body: unknown, headers: Record<string, string> = {}) =>
  world.api('POST', '/goodays/responses/{id}/{action}', { id, action }, { body: JSON.stringify(body), headers });
const view = async (id: string) => (await world.api('GET', '/goodays/responses/{id}', { id })).json as View;
const putsFor = (id: string, action?: string) => world.sandbox.requests().filter((r) => r.method === 'PUT' && r.path.includes(`/responses/${id}/${action ?? ''}`));
const outboxFor = (id: string) => world.sandbox.outbox().filter((o) => o.responseId === id);

/** A Goodays-style timestamp `ms` after now (microseconds, offset). */
const later = (ms: number) => `${new Date(Date.now() + ms).toISOString().slice(0, 23)}123+00:00`;

/** Signs and posts a body to the hub's webhook as Goodays would, then runs the event processor. */
async function deliver(body: string): Promise<void> {
  const secret = HMAC_SECRETS.split(',')[0] ?? '';
  const res = await world.webhook(
    httpEvent({ method: 'POST', route: '/webhooks/goodays', headers: { 'content-type': 'application/json', 'x-hmac-sha256': createHmac('sha256', secret).update(body).digest('hex') }, body }),
    lambdaContext(),
  );
  expect(res.statusCode).toBe(200);
  await world.deliverEvents();
}

/** An event body as the sandbox builds it now, with its `updated_date` moved `ms` into the future. */
function staleCopy(eventType: 'response' | 'delegated' | 'message', id: string): (ms: number) => string {
  const json = JSON.parse(world.sandbox.eventBody(eventType, id)) as { response: Record<string, unknown> };
  return (ms) => JSON.stringify({ ...json, response: { ...json.response, updated_date: later(ms) } }, null, 2);
}

async function newResponse(o: { delegated?: boolean } = {}): Promise<string> {
  const id = world.sandbox.addResponse({ delegated: o.delegated });
  await deliver(world.sandbox.eventBody('response', id));
  return id;
}

describe('an event delivered after an action never re-opens it', () => {
  it('a delegated event built before a reply but delivered after it (later updated_date, offering reply) does not allow a second reply', async () => {
    const id = await newResponse({ delegated: true });
    const delegated = staleCopy('delegated', id);
    const first = await act(id, 'reply', { content: 'Dear Customer, thank you.', user: OPERATOR });
    expect(first.status).toBe(202);
    await world.runActions();
    expect(outboxFor(id)).toHaveLength(1);

    await deliver(delegated(5_000));
    const after = await view(id);
    expect(after.allowedActions).toEqual([]);
    const second = await act(id, 'reply', { content: 'A second answer.', user: OPERATOR });
    expect(second.status).toBe(409);
    await world.runActions();
    expect(putsFor(id, 'reply')).toHaveLength(1);
    expect(outboxFor(id)).toHaveLength(1);
  });

  it('a stale event does not re-open a reply whose outcome is unknown, nor one still queued', async () => {
    const id = await newResponse();
    const stale = staleCopy('delegated', id);
    const a = (await act(id, 'reply', { content: 'We are on it.' })).json as Accepted;
    // Still queued: a stale event arrives before the processor ran.
    await deliver(stale(1_000));
    expect((await view(id)).allowedActions).toEqual([]);
    expect((await act(id, 'reply', { content: 'Again' })).status).toBe(409);
    world.sandbox.injectFault({ kind: 'hang-after', count: 1 });
    await world.runActions();
    expect((await view(id)).actions.map((x) => [x.actionId, x.state])).toEqual([[a.actionId, 'unknown']]);
    await deliver(stale(9_000));
    expect((await view(id)).allowedActions).toEqual([]);
    expect((await act(id, 'reply', { content: 'Again' })).status).toBe(409);
    await world.runActions();
    expect(putsFor(id, 'reply')).toHaveLength(1);
  });

  it.each(['close', 'spam', 'call'] as const)('a %s the hub did is not undone by an older event offering every action', async (kind) => {
    const id = await newResponse();
    const older = staleCopy('response', id);
    const delegated = staleCopy('delegated', id);
    expect((await act(id, kind, {})).status).toBe(202);
    await world.runActions();
    await deliver(older(3_000));
    await deliver(delegated(4_000));
    const after = await view(id);
    expect(after.allowedActions).toEqual([]);
    expect(after.awaiting).toBe(false);
    for (const [other, body] of [['reply', { content: 'x' }], ['close', {}], ['spam', {}], ['call', {}]] as const) expect((await act(id, other, body)).status).toBe(409);
    await world.runActions();
    expect(putsFor(id)).toHaveLength(1);
  });

  it('a message event built before the hub answered it does not allow a second message; a new customer message does', async () => {
    const id = await newResponse();
    expect((await act(id, 'reply', { content: 'First answer.' })).status).toBe(202);
    await world.runActions();
    world.sandbox.customerWrites(id, 'And the opening hours?');
    const stale = staleCopy('message', id);
    await deliver(world.sandbox.eventBody('message', id));
    expect((await view(id)).allowedActions).toEqual(['message']);
    expect((await act(id, 'message', { content: '9 to 18.', user: OPERATOR })).status).toBe(202);
    await world.runActions();
    expect(outboxFor(id).map((o) => o.action)).toEqual(['reply', 'message']);

    await deliver(stale(4_000));
    expect((await view(id)).allowedActions).toEqual([]);
    expect((await act(id, 'message', { content: '9 to 18, again.', user: OPERATOR })).status).toBe(409);
    await world.runActions();
    expect(putsFor(id, 'message')).toHaveLength(1);

    // The customer writes again: that message is unanswered, so a message is offered again.
    world.sandbox.customerWrites(id, 'And on Sundays?');
    await deliver(world.sandbox.eventBody('message', id));
    expect((await view(id)).allowedActions).toEqual(['message']);
    expect((await act(id, 'message', { content: 'Closed on Sundays.', user: OPERATOR })).status).toBe(202);
    await world.runActions();
    expect(outboxFor(id).map((o) => o.action)).toEqual(['reply', 'message', 'message']);
  });

  it('an action failed on its last delivery frees the response: awaiting again, and a stale event keeps it so', async () => {
    const id = await newResponse();
    const stale = staleCopy('delegated', id);
    expect((await act(id, 'reply', { content: 'Held up by configuration.' })).status).toBe(202);
    expect((await view(id)).awaiting).toBe(false);
    const token = process.env.GOODAYS_API_TOKEN;
    delete process.env.GOODAYS_API_TOKEN;
    try {
      const event = await world.harness.receive('goodays-actions', 1);
      const last = { Records: event.Records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: '5' } })) };
      const out = await world.actionProcessor(last, lambdaContext(60_000));
      await world.harness.settle('goodays-actions', event, out.batchItemFailures);
    } finally {
      process.env.GOODAYS_API_TOKEN = token;
    }
    const failed = await view(id);
    expect(failed.actions.map((a) => a.state)).toEqual(['failed']);
    expect(failed.awaiting).toBe(true);
    await deliver(stale(2_000));
    const after = await view(id);
    expect(after.allowedActions).toEqual(['reply', 'call', 'close', 'spam']);
    expect(after.awaiting).toBe(true);
    expect(putsFor(id)).toHaveLength(0);
  });

  it('two operators messaging the same customer message at once: one message is sent', async () => {
    const id = await newResponse();
    expect((await act(id, 'reply', { content: 'First answer.' })).status).toBe(202);
    await world.runActions();
    world.sandbox.customerWrites(id, 'Is it in stock?');
    await deliver(world.sandbox.eventBody('message', id));
    const [a, b] = await Promise.all([act(id, 'message', { content: 'Yes.', user: OPERATOR }), act(id, 'message', { content: 'It is.', user: OPERATOR })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    await world.runActions();
    expect(putsFor(id, 'message')).toHaveLength(1);
  });
});

describe('Idempotency-Key under concurrency', () => {
  it('20 concurrent requests with one key, 5 rounds: every one is 202 with the same action id, one PUT', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      const id = await newResponse();
      const key = `race-${id}`;
      const body = { content: `Round ${round}: thank you.`, user: OPERATOR };
      const answers = await Promise.all(Array.from({ length: 20 }, () => act(id, 'reply', body, { 'idempotency-key': key })));
      statuses.push(...answers.map((r) => r.status));
      const ids = new Set(answers.map((r) => (r.json as Accepted).actionId));
      expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 202));
      expect(ids.size).toBe(1);
      expect(answers.filter((r) => !(r.json as Accepted).replayed)).toHaveLength(1);
      // A replay of an action still `accepted` queues it again (its first request may have died
      // before queueing): up to 20 messages, one PUT.
      await world.runActions(25);
      expect(putsFor(id, 'reply')).toHaveLength(1);
    }
    expect(statuses.filter((s) => s !== 202)).toEqual([]);
  });
});

describe('property: random event orders and duplicates interleaved with operator actions and their outcomes', () => {
  type Kind = 'reply' | 'message' | 'call' | 'close' | 'spam';
  type Step =
    | { readonly kind: 'capture'; readonly type: 'response' | 'delegated' | 'message' }
    | { readonly kind: 'deliver'; readonly pick: number; readonly shiftMs: number }
    | { readonly kind: 'act'; readonly action: Kind; readonly outcome: 'succeeded' | 'failed' | 'unknown' }
    | { readonly kind: 'customer' };
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('capture' as const), type: fc.constantFrom('response' as const, 'delegated' as const, 'message' as const) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat(), shiftMs: fc.integer({ min: 0, max: 20_000 }) }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('act' as const),
        action: fc.constantFrom<Kind>('reply', 'message', 'reply', 'message', 'call', 'close', 'spam'),
        outcome: fc.constantFrom('succeeded' as const, 'succeeded' as const, 'failed' as const, 'unknown' as const),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'customer' as const }) },
  );
  /** The cases, run every time besides the random ones. */
  const EXAMPLES: [Step[], number][] = [
    [[{ kind: 'capture', type: 'delegated' }, { kind: 'act', action: 'reply', outcome: 'succeeded' }, { kind: 'deliver', pick: 1, shiftMs: 5_000 }, { kind: 'act', action: 'reply', outcome: 'succeeded' }], 0],
    [[{ kind: 'act', action: 'close', outcome: 'succeeded' }, { kind: 'deliver', pick: 0, shiftMs: 5_000 }, { kind: 'act', action: 'spam', outcome: 'succeeded' }], 1],
    [
      [
        { kind: 'act', action: 'reply', outcome: 'unknown' },
        { kind: 'customer' },
        { kind: 'capture', type: 'message' },
        { kind: 'act', action: 'message', outcome: 'unknown' },
        { kind: 'deliver', pick: 2, shiftMs: 9_000 },
        { kind: 'act', action: 'message', outcome: 'succeeded' },
      ],
      2,
    ],
  ];
  const BODIES: Record<Kind, Record<string, unknown>> = {
    reply: { content: 'Dear Customer, thank you.', user: OPERATOR },
    message: { content: 'Here is the answer.', user: OPERATOR },
    call: { rating: 4 },
    close: {},
    spam: {},
  };
  /** Goodays may have applied it: answered 200, or no answer at all. */
  const mayHaveApplied = (answered: number | 'hang' | 'reset') => answered === 200 || answered === 'hang' || answered === 'reset';

  it('never sends a reply or message the hub did not mean to, and ends in the same state whatever the order of the events', { timeout: 240_000 }, async () => {
    // The operator's Goodays id is resolved (and cached) first, so an injected fault hits the action's PUT.
    const warm = await newResponse();
    expect((await act(warm, 'reply', BODIES.reply)).status).toBe(202);
    await world.runActions();
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 3, maxLength: 12 }), fc.nat(), async (steps, seed) => {
        const id = await newResponse();
        const pool = [staleCopy('response', id)];
        const delivered: string[] = [];
        const send = async (body: string) => {
          delivered.push(body);
          await deliver(body);
        };
        let epoch = 0;
        const acted: { action: Kind; epoch: number; puts: { path: string; answered: number | 'hang' | 'reset' }[] }[] = [];
        for (const step of steps) {
          if (step.kind === 'capture') pool.push(staleCopy(step.type, id));
          else if (step.kind === 'deliver') {
            const copy = pool[step.pick % pool.length];
            if (copy) await send(copy(step.shiftMs));
          }
          else if (step.kind === 'customer') {
            world.sandbox.customerWrites(id, `Question ${epoch}`);
            epoch++;
            const fresh = staleCopy('message', id);
            pool.push(fresh);
            await send(fresh(0));
          } else {
            const before = putsFor(id).length;
            const res = await act(id, step.action, BODIES[step.action]);
            expect([202, 409]).toContain(res.status);
            if (res.status === 202) {
              if (step.outcome === 'failed') world.sandbox.injectFault({ kind: 'status', status: 400, count: 1 });
              if (step.outcome === 'unknown') world.sandbox.injectFault({ kind: 'reset-after', count: 1 });
              await world.runActions(25);
            }
            acted.push({ action: step.action, epoch, puts: putsFor(id).slice(before) });
          }
        }
        // What reached the customer: one reply at most, one message at most per customer message.
        expect(outboxFor(id).filter((o) => o.action === 'reply').length).toBeLessThanOrEqual(1);
        const applied = (kind: Kind, e?: number) => acted.filter((a) => a.action === kind && (e === undefined || a.epoch === e)).flatMap((a) => a.puts.filter((p) => mayHaveApplied(p.answered)));
        expect(applied('reply').length).toBeLessThanOrEqual(1);
        for (let e = 0; e <= epoch; e++) expect(applied('message', e).length).toBeLessThanOrEqual(1);
        // Nothing the hub knows was processed is processed again.
        const firstDone = acted.findIndex((a) => a.action !== 'message' && a.puts.some((p) => p.answered === 200));
        if (firstDone >= 0) expect(acted.slice(firstDone + 1).filter((a) => a.action !== 'message').flatMap((a) => a.puts)).toEqual([]);

        // Every event again, in another order: the thread and what the operator may do do not move.
        const settled = await view(id);
        const rank = (b: string) => createHash('sha256').update(`${seed}:${b}`).digest('hex');
        const again = [...delivered].sort((a, b) => (rank(a) < rank(b) ? -1 : 1));
        for (const body of [...again, ...delivered.toReversed()]) await deliver(body);
        const after = await view(id);
        expect(after).toEqual(settled);
      }),
      { numRuns: 10, examples: EXAMPLES },
    );
  });
});
