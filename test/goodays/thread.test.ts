import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventBody } from '#goodays/domain/events.ts';
import { allowedActions, claimKeyOf, isAwaiting, latestCustomerMessage, reduceThread, timestampMicros } from '#goodays/domain/thread.ts';
import { conversation, goodaysBody } from './fixtures.ts';

const at = (i: number) => `2026-01-01T00:00:0${i}.000Z`;
const stored = (bodies: readonly string[]) => bodies.map((body, i) => ({ body, receivedAt: at(i) }));

describe('parseEventBody', () => {
  it('reads the three documented event types and keys them on (type, response, message)', () => {
    const [response, delegated, message] = conversation();
    const r = parseEventBody(response ?? '');
    const d = parseEventBody(delegated ?? '');
    const m = parseEventBody(message ?? '');
    expect(r).toMatchObject({ kind: 'known', responseId: 'vdOpL1NJ74l', eventKey: 'response#mxo1B0eGdj' });
    expect(d).toMatchObject({ kind: 'known', eventKey: 'delegated#mxo1B0eGdj' });
    expect(m).toMatchObject({ kind: 'known', eventKey: 'message#vdJmjjLk8D' });
  });

  it('keeps unknown event types, keyed by content', () => {
    const body = JSON.stringify({ event_type: 'escalated', response: { id: 'abc123' }, level: 2 });
    const p = parseEventBody(body);
    expect(p).toMatchObject({ kind: 'unknown', eventType: 'escalated', responseId: 'abc123' });
    if (p.kind !== 'unknown') throw new Error('expected unknown');
    expect(p.eventKey).toMatch(/^escalated#sha256:[0-9a-f]{32}$/);
    expect(parseEventBody(JSON.stringify({ event_type: 'x', response: { id: '../etc' } }))).toMatchObject({ kind: 'unknown', responseId: '_none' });
  });

  it('marks non-events and documented events of the wrong shape as invalid', () => {
    expect(parseEventBody('not json').kind).toBe('invalid');
    expect(parseEventBody('[]').kind).toBe('invalid');
    expect(parseEventBody('{"response":{"id":"a"}}').kind).toBe('invalid');
    expect(parseEventBody('{"event_type":"response"}').kind).toBe('invalid');
    expect(parseEventBody(JSON.stringify({ event_type: 'response', response: { id: 'a/b' } })).kind).toBe('invalid');
  });
});

describe('reduceThread', () => {
  it('folds the documented conversation: messages with senders, state and latest actions', () => {
    const t = reduceThread('vdOpL1NJ74l', stored(conversation()));
    expect(t.state).toBe('closed');
    expect(t.offeredActions).toEqual(['message']);
    expect(t.latestEventKey).toBe('message#exqmBvGmxY');
    expect(t.delegatedTo).toMatchObject({ partner_id: 'CustomerService' });
    expect(t.messages.map((m) => [m.id, m.kind, m.from])).toEqual([
      ['mxo1B0eGdj', 'verbatim', 'customer'],
      ['54EjZ70lxy', 'reply', 'customer-service'],
      ['vdJmjjLk8D', 'message', 'customer'],
      ['LdLD59eedj', 'message', 'customer-service'],
      ['exqmBvGmxY', 'message', 'customer'],
    ]);
    expect(t.response).not.toHaveProperty('token');
    expect(t.response).not.toHaveProperty('actions');
    expect(t.eventKeys).toHaveLength(4);
  });

  it('orders by the events own times, not by arrival: a late response event does not reopen the thread', () => {
    const bodies = conversation();
    const t = reduceThread('vdOpL1NJ74l', stored([...bodies].reverse()));
    expect(t.offeredActions).toEqual(['message']);
    expect(t.state).toBe('closed');
  });

  it('keeps, of two copies with the same key, the one that orders higher, whatever the arrival', () => {
    const older = goodaysBody('response', { updatedAt: '2020-02-05T10:21:00.000000+01:00', actions: ['reply', 'spam', 'close', 'call'] });
    const newer = goodaysBody('response', { updatedAt: '2020-02-05T10:25:00.000000+01:00', actions: ['reply', 'close'] });
    for (const order of [[older, newer], [newer, older]]) {
      const t = reduceThread('vdOpL1NJ74l', stored(order));
      expect(t.offeredActions).toEqual(['reply', 'close']);
      expect(t.eventKeys).toEqual(['response#mxo1B0eGdj']);
    }
  });

  it('keeps unknown events without letting them change the state', () => {
    const unknown = JSON.stringify({ event_type: 'escalated', response: { id: 'vdOpL1NJ74l', state: 'weird' } });
    const t = reduceThread('vdOpL1NJ74l', stored([goodaysBody('response'), unknown]));
    expect(t.state).toBe('open');
    expect(t.unknownEvents).toEqual([expect.objectContaining({ eventType: 'escalated' })]);
  });

  it('property: the thread is the same for any order and any repetition of the events', () => {
    const bodies = conversation();
    const withVariant = [...bodies, goodaysBody('response', { updatedAt: '2020-02-05T10:30:00.000000+01:00' }), JSON.stringify({ event_type: 'future', response: { id: 'vdOpL1NJ74l' } })];
    const receivedAt = new Map(withVariant.map((b, i) => [b, at(i)]));
    const reference = reduceThread('vdOpL1NJ74l', withVariant.map((body) => ({ body, receivedAt: receivedAt.get(body) ?? '' })));
    fc.assert(
      fc.property(
        // Every event at least once, plus arbitrary repeats, shuffled.
        fc.array(fc.constantFrom(...withVariant), { maxLength: 12 }).chain((extra) => fc.shuffledSubarray([...withVariant, ...extra], { minLength: withVariant.length + extra.length })),
        (all) => {
          const t = reduceThread('vdOpL1NJ74l', all.map((body) => ({ body, receivedAt: receivedAt.get(body) ?? '' })));
          expect(t).toEqual(reference);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: permutations of generated events give the same thread', () => {
    const eventArb = fc.record({
      type: fc.constantFrom('response', 'delegated', 'message'),
      minute: fc.integer({ min: 0, max: 59 }),
      msgId: fc.constantFrom('m1', 'm2', 'm3'),
      actions: fc.subarray(['reply', 'message', 'call', 'close', 'spam']),
      state: fc.constantFrom('open', 'closed', 'pending'),
    });
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 8 }), (events) => {
        const bodies = events.map((e) =>
          goodaysBody(e.type, {
            updatedAt: `2020-02-05T11:${String(e.minute).padStart(2, '0')}:00.000000+01:00`,
            actions: e.actions,
            state: e.state,
            message: e.type === 'message' ? { id: e.msgId, at: `2020-02-05T11:${String(e.minute).padStart(2, '0')}:00.000000+01:00`, content: 'hi', from: 'customer' } : undefined,
          }),
        );
        const input = bodies.map((body) => ({ body, receivedAt: 'same' }));
        const reference = reduceThread('vdOpL1NJ74l', input);
        expect(reduceThread('vdOpL1NJ74l', [...input].reverse())).toEqual(reference);
        expect(reduceThread('vdOpL1NJ74l', [...input, ...input])).toEqual(reference);
        const rotated = [...input.slice(1), ...input.slice(0, 1)];
        expect(reduceThread('vdOpL1NJ74l', rotated)).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });
});

describe('allowed actions and awaiting', () => {
  const thread = reduceThread('vdOpL1NJ74l', stored([goodaysBody('response')]));
  it('starts from the latest event and removes processing actions once one is under way', () => {
    expect(allowedActions(thread, [])).toEqual(['reply', 'call', 'close', 'spam']);
    expect(allowedActions(thread, [{ action: 'reply', state: 'sending', eventKey: thread.latestEventKey }])).toEqual([]);
    expect(allowedActions(thread, [{ action: 'close', state: 'failed', eventKey: thread.latestEventKey }])).toEqual(['reply', 'call', 'close', 'spam']);
    expect(allowedActions(thread, [{ action: 'reply', state: 'succeeded', eventKey: 'response#older' }])).toEqual(['reply', 'call', 'close', 'spam']);
  });
  it('awaits customer service until something is handled after the latest event', () => {
    expect(isAwaiting(thread, undefined)).toBe(true);
    expect(isAwaiting(thread, '2026-01-01T00:00:05.000Z')).toBe(false);
    expect(isAwaiting(thread, '2025-12-31T00:00:00.000Z')).toBe(true);
  });
});

describe('timestampMicros', () => {
  it('keeps Goodays microseconds and offsets', () => {
    const a = timestampMicros('2020-02-05T10:20:39.810686+01:00');
    const b = timestampMicros('2020-02-05T09:20:39.810687Z');
    expect(a).toBeDefined();
    expect((b ?? 0) - (a ?? 0)).toBe(1);
    expect(timestampMicros('yesterday')).toBeUndefined();
  });
});

describe('what the hub did is part of the thread, whatever the order of events', () => {
  const RID = 'vdOpL1NJ74l';
  const when = (minute: number) => `2020-02-05T11:${String(minute).padStart(2, '0')}:00.000000+01:00`;
  const eventArb = fc.record({
    type: fc.constantFrom('response', 'delegated', 'message'),
    minute: fc.integer({ min: 0, max: 59 }),
    msgId: fc.constantFrom('m1', 'm2', 'm3'),
    replied: fc.boolean(),
    actions: fc.subarray(['reply', 'message', 'call', 'close', 'spam']),
  });
  type Ev = { type: string; minute: number; msgId: string; replied: boolean; actions: string[] };
  const bodyOf = (e: Ev) =>
    goodaysBody(e.type, {
      responseId: RID,
      updatedAt: when(e.minute),
      actions: e.actions,
      state: e.replied ? 'closed' : 'open',
      reply: e.replied ? { id: 'r1', at: when(0), content: 'Thanks', from: 'agent' } : null,
      message: e.type === 'message' ? { id: e.msgId, at: when(e.minute), content: 'hi', from: 'customer' } : undefined,
    });
  const STATES = ['accepted', 'sending', 'retrying', 'succeeded', 'failed', 'unknown'] as const;
  const KINDS = ['reply', 'message', 'call', 'close', 'spam'] as const;
  const historyArb = (keys: readonly string[]) =>
    fc.array(
      fc.record({
        action: fc.constantFrom(...KINDS),
        state: fc.constantFrom(...STATES),
        eventKey: fc.constantFrom(...keys),
        answers: fc.constantFrom(null, 'm1', 'm2', 'm3', undefined),
      }),
      { maxLength: 5 },
    );
  const fold = (bodies: readonly string[]) => reduceThread(RID, bodies.map((body) => ({ body, receivedAt: 'same' })));

  it('property: allowed actions and awaiting depend on the sets of events and actions, not on their order or repetition', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 7 }).chain((events) => {
          const bodies = events.map(bodyOf);
          const keys = [...new Set(bodies.map((b) => (parseEventBody(b) as { eventKey: string }).eventKey))];
          return fc.tuple(fc.constant(bodies), historyArb(keys), fc.shuffledSubarray(bodies, { minLength: bodies.length }), fc.array(fc.constantFrom(...bodies), { maxLength: 5 }), fc.nat());
        }),
        ([bodies, history, shuffled, repeats, rotate]) => {
          const reference = fold(bodies);
          const refAllowed = allowedActions(reference, history);
          const other = fold([...shuffled, ...repeats]);
          const r = rotate % (history.length + 1);
          const reordered = [...history.slice(r), ...history.slice(0, r)].reverse();
          expect(other).toEqual(reference);
          expect(allowedActions(other, reordered)).toEqual(refAllowed);
          expect(isAwaiting(other, undefined, reordered)).toBe(isAwaiting(reference, undefined, history));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: no event, however late, early or offering, re-opens a reply, call, close or spam the hub sent, is sending or left unknown', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('reply', 'call', 'close', 'spam'),
        fc.constantFrom('accepted', 'sending', 'retrying', 'succeeded', 'unknown'),
        fc.array(eventArb, { minLength: 1, maxLength: 5 }),
        (base, action, state, later) => {
          const before = fold(base.map(bodyOf));
          const done = [{ action, state, eventKey: before.latestEventKey }];
          const after = fold([...base, ...later].map(bodyOf));
          expect(allowedActions(after, done).filter((a) => a !== 'message')).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: a message the hub sent (or whose outcome is unknown) is offered again only after a newer customer message', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('accepted', 'sending', 'retrying', 'succeeded', 'unknown'),
        fc.array(eventArb, { minLength: 1, maxLength: 5 }),
        (base, state, later) => {
          const before = fold(base.map(bodyOf));
          const answered = latestCustomerMessage(before);
          const done = [{ action: 'message' as const, state, eventKey: before.latestEventKey, answers: answered?.id ?? null }];
          const after = fold([...base, ...later].map(bodyOf));
          const newest = latestCustomerMessage(after);
          const news = newest !== undefined && newest.id !== answered?.id && (answered === undefined || after.messages.indexOf(newest) > after.messages.findIndex((m) => m.id === answered.id));
          if (!news) expect(allowedActions(after, done)).not.toContain('message');
          else expect(allowedActions(after, done).includes('message')).toBe(after.offeredActions.includes('message'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a failed action holds nothing: the response is offered again', () => {
    const t = fold([goodaysBody('response', { responseId: RID })]);
    expect(allowedActions(t, [{ action: 'reply', state: 'failed', eventKey: t.latestEventKey }])).toEqual(['reply', 'call', 'close', 'spam']);
    expect(claimKeyOf({ action: 'close', eventKey: t.latestEventKey })).toBe(claimKeyOf({ action: 'reply', eventKey: 'delegated#x' }));
    expect(claimKeyOf({ action: 'message', eventKey: null, answers: 'm1' })).not.toBe(claimKeyOf({ action: 'message', eventKey: null, answers: 'm2' }));
  });
});
