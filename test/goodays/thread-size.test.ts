import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, reduceThread } from '#goodays/domain/thread.ts';
import { THREAD_MAX_BYTES, boundThread } from '#goodays/domain/thread-size.ts';
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
