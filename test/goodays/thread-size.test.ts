import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActionSummary, Thread, ThreadMessage } from '#goodays/domain/thread.ts';
import { allowedActions, canonicalJson, isAwaiting, reduceThread } from '#goodays/domain/thread.ts';
import { THREAD_MAX_BYTES, boundHubActions, boundThread } from '#goodays/domain/thread-size.ts';
import { storableReason } from '#platform/storable.ts';
import { goodaysEvent } from './fixtures.ts';

const at = (i: number) => `2020-02-06T1${Math.floor(i / 60) % 10}:${String(i % 60).padStart(2, '0')}:00+01:00`;

describe('boundThread', () => {
  it('keeps any history storable and under the limit, the newest messages first, the same whatever the order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ kb: fc.integer({ min: 0, max: 60 }), extra: fc.jsonValue({ depthSize: 'small' }) }), { minLength: 1, maxLength: 40 }),
        fc.integer(),
        (events, seed) => {
          const bodies = events.map(({ kb, extra }, i) =>
            JSON.stringify(goodaysEvent('message', { responseId: 'r1', updatedAt: at(i), extra: { context: { extra } }, message: { id: `m${i}`, at: at(i), content: 'w'.repeat(kb * 1024), from: 'customer' } })),
          );
          const inputs = bodies.map((body) => ({ body, receivedAt: '2020-01-01T00:00:00Z' }));
          const bounded = boundThread(reduceThread('r1', inputs));
          expect(storableReason({ thread: bounded }, {}, THREAD_MAX_BYTES)).toBeUndefined();
          const shuffled = fc.sample(fc.shuffledSubarray(inputs, { minLength: inputs.length }), { seed, numRuns: 1 })[0] ?? [];
          expect(canonicalJson(boundThread(reduceThread('r1', shuffled)))).toBe(canonicalJson(bounded));
          const kept = bounded.messages.map((m) => m.id);
          if (bounded.omitted) {
            expect(kept.length + bounded.omitted.messages).toBe(events.length + 1);
            // What is left out is the oldest: the newest message is kept.
            expect(kept).toContain(`m${events.length - 1}`);
          } else expect(kept).toHaveLength(events.length + 1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves a thread that fits as it is, and makes what DynamoDB refuses text', () => {
    const body = JSON.stringify(goodaysEvent('response', { responseId: 'r2', extra: { context: { big: 12345678901234567000, e: { '': 1 } } } }));
    const t = boundThread(reduceThread('r2', [{ body, receivedAt: '2020-01-01T00:00:00Z' }]));
    expect(t.omitted).toBeUndefined();
    expect(t.response?.context).toMatchObject({ big: '12345678901234567000', e: '{"":1}' });
    expect(storableReason({ thread: t })).toBeUndefined();
  });
});

describe('boundHubActions', () => {
  const base = reduceThread('r9', [{ body: JSON.stringify(goodaysEvent('response', { responseId: 'r9' })), receivedAt: '2020-01-01T00:00:00Z' }]);
  const message = (id: string, from: ThreadMessage['from']): ThreadMessage => ({ id, createdAt: null, kind: 'message', from, type: 'Message', content: null, attachment: null, sender: null });
  const kinds = ['reply', 'call', 'close', 'spam', 'message'] as const;
  const states = ['accepted', 'sending', 'retrying', 'succeeded', 'unknown', 'failed'] as const;
  // A thread as a list of private messages; its event keys, one per message event, plus the response's.
  const thread = (msgs: readonly ThreadMessage[], offered: Thread['offeredActions'], latestEventReceivedAt = '2020-01-02T00:00:00Z'): Thread => ({
    ...base,
    messages: [...base.messages, ...msgs],
    eventKeys: [...base.eventKeys, ...msgs.map((m) => `message#${m.id}`)],
    offeredActions: offered,
    latestEventReceivedAt,
  });
  const offered = fc.subarray(['reply', 'message', 'call', 'close', 'spam'] as const);
  const history = (ids: readonly string[]) =>
    fc.array(
      fc.record({
        actionId: fc.string({ minLength: 1, maxLength: 6 }),
        action: fc.constantFrom(...kinds),
        state: fc.constantFrom(...states),
        eventKey: fc.option(fc.constantFrom(...base.eventKeys, ...ids.map((i) => `message#${i}`), 'message#gone'), { nil: null }),
        answers: fc.option(fc.option(fc.constantFrom(...ids, 'gone'), { nil: null }), { nil: undefined }),
      }),
      { maxLength: 30 },
    );
  const scenario = fc
    .array(fc.constantFrom<ThreadMessage['from']>('customer', 'customer-service'), { minLength: 0, maxLength: 12 })
    .chain((froms) => {
      const msgs = froms.map((f, i) => message(`m${i}`, f));
      return fc.record({ msgs: fc.constant(msgs), later: fc.array(fc.constantFrom<ThreadMessage['from']>('customer', 'customer-service'), { maxLength: 5 }), acts: history(msgs.map((m) => m.id)), offeredNow: offered, offeredLater: offered, handled: fc.option(fc.constantFrom('2020-01-01T12:00:00Z', '2020-01-03T00:00:00Z'), { nil: undefined }) });
    });

  it('decides what every unbounded list decides, now and after the thread grows, keeping every processing action (property)', () => {
    fc.assert(
      fc.property(scenario, ({ msgs, later, acts, offeredNow, offeredLater, handled }) => {
        const now = thread(msgs, offeredNow);
        const bounded = boundHubActions(now, acts as ActionSummary[]) ?? [];
        // Never forgets what makes the response processed once.
        for (const a of acts) if (a.action !== 'message') expect(bounded).toContainEqual(a);
        expect(allowedActions(now, bounded)).toEqual(allowedActions(now, acts as ActionSummary[]));
        expect(isAwaiting(now, handled, bounded)).toBe(isAwaiting(now, handled, acts as ActionSummary[]));
        // Whatever comes after (more messages, any offered actions), the bounded list still decides alike.
        const grown = thread([...msgs, ...later.map((f, i) => message(`n${i}`, f))], offeredLater, '2020-01-04T00:00:00Z');
        expect(allowedActions(grown, bounded)).toEqual(allowedActions(grown, acts as ActionSummary[]));
        expect(isAwaiting(grown, handled, bounded)).toBe(isAwaiting(grown, handled, acts as ActionSummary[]));
      }),
      { numRuns: 400 },
    );
  });

  it('stays as short as what still matters: a thousand answered messages leave one', () => {
    const msgs = Array.from({ length: 2000 }, (_, i) => message(`m${i}`, i % 2 === 0 ? 'customer' : 'customer-service'));
    const acts: ActionSummary[] = Array.from({ length: 1000 }, (_, i) => ({ actionId: `a${i}`, action: 'message', state: 'succeeded', eventKey: `message#m${2 * i}`, answers: `m${2 * i}` }));
    const t = thread(msgs, ['message']);
    expect(boundHubActions(t, [{ actionId: 'r', action: 'reply', state: 'succeeded', eventKey: null }, ...acts])?.map((a) => a.actionId)).toEqual(['r', 'a999']);
  });
});
