import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contributions, fold, toContactView } from '#rungopher/domain/contact-view.ts';
import type { RungopherResult } from '#rungopher/domain/result.ts';
import { parseResultValue } from '#rungopher/domain/result.ts';
import { DOC_SAMPLES } from './samples.ts';

const parse = (v: unknown): RungopherResult => {
  const out = parseResultValue(v);
  if (!out.ok) throw new Error(out.reason);
  return out.result;
};
const viewOf = (results: readonly RungopherResult[]) => toContactView('15', '1', fold({}, results.flatMap(contributions)));

/** Results for one contact: several per name, equal timestamps, opt-out flips, repeated link clicks. */
const arbResult = fc
  .record({
    id: fc.integer({ min: 1, max: 40 }),
    kind: fc.constantFrom('optedOut', 'accepted', 'cancelled', 'newEmail', 'newNumber', 'newAddress', 'linkClicked', 'allSms', 'mystery'),
    minute: fc.integer({ min: 0, max: 3 }),
    answer: fc.constantFrom('yes', 'no'),
    link: fc.constantFrom('https://a.example/x', 'https://b.example/y'),
    count: fc.integer({ min: 1, max: 5 }),
  })
  .map(({ id, kind, minute, answer, link, count }) => {
    const base = { id, campaignId: 15, contactId: '1', resultName: kind, timestamp: `2017-11-14T10:0${minute}:00Z` };
    switch (kind) {
      case 'newEmail':
        return parse({ ...base, resultType: 'email', data: { email: `e${id}@x.example` } });
      case 'newNumber':
        return parse({ ...base, resultType: 'phone', data: { phone: `+6140000${id}` } });
      case 'newAddress':
        return parse({ ...base, resultType: 'address', data: { city: `c${id}` } });
      case 'linkClicked':
        return parse({ ...base, resultType: 'linkClicked', data: { link, count: String(count) } });
      case 'allSms':
        return parse({ ...base, resultType: 'sms', data: { kind: 'inbound_sms', content: `m${id}` } });
      case 'mystery':
        return parse({ ...base, resultType: 'mystery', data: { anything: id } });
      default:
        return parse({ ...base, resultType: 'boolean', data: { answer } });
    }
  });

// Ids are globally unique: one id, one result.
const uniqueById = (rs: RungopherResult[]) => [...new Map(rs.map((r) => [r.id, r])).values()];

describe('contact view', () => {
  it('is the same for any permutation and duplication of the same results', () => {
    fc.assert(
      fc.property(
        fc.array(arbResult, { minLength: 1, maxLength: 25 }).map(uniqueById),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer(),
        (results, dupIdx, seed) => {
          const dups = dupIdx.map((i) => results[i % results.length]).filter((r): r is RungopherResult => !!r);
          const shuffled = fc.sample(fc.shuffledSubarray([...results, ...dups], { minLength: results.length + dups.length }), { seed, numRuns: 1 })[0] ?? [];
          expect(viewOf(shuffled)).toEqual(viewOf(results));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('shows the document samples as a person expects', () => {
    const view = viewOf(DOC_SAMPLES.slice(0, 5).map(parse));
    expect(view).toMatchObject({
      email: 'mark.hingston@rungopher.com',
      phone: '+61400222111',
      address: { city: 'sydney', postcode: '2000' },
      optedOut: false,
      links: [{ link: 'https://www.mycompany.com/myevent', count: 1, lastClickedAt: '2017-11-14T13:20:13.000Z' }],
      lastResultAt: '2017-11-14T13:20:13.000Z',
    });
    expect(Object.keys(view.results)).toEqual(['accepted', 'linkClicked', 'newAddress', 'newEmail', 'newNumber']);
  });

  it('keeps the latest opt-out answer, not the last to arrive', () => {
    const optIn = parse({ id: 2, campaignId: 15, contactId: '1', resultType: 'boolean', resultName: 'optedOut', data: { answer: 'no' }, timestamp: '2017-11-14T11:00:00Z' });
    const optOut = parse({ ...optIn, id: 1, data: { answer: 'yes' }, timestamp: '2017-11-14T10:00:00+00:00' });
    expect(viewOf([optIn, optOut]).optedOut).toBe(false);
    expect(viewOf([optOut]).optedOut).toBe(true);
  });

  it('keeps the highest click count per link', () => {
    const click = (id: number, count: number, minute: number) =>
      parse({ id, campaignId: 15, contactId: '1', resultType: 'linkClicked', resultName: 'linkClicked', data: { link: 'https://l', count: String(count) }, timestamp: `2017-11-14T10:0${minute}:00Z` });
    expect(viewOf([click(3, 3, 2), click(1, 1, 0), click(2, 2, 1)]).links).toEqual([{ link: 'https://l', count: 3, lastClickedAt: '2017-11-14T10:02:00.000Z' }]);
  });
});

describe('contact view budget', () => {
  it('keeps each class of slots, at its cap of its largest slots, within the budget', async () => {
    const { CONTACT_SLOT_BUDGET_BYTES, LINK_VALUE_MAX_BYTES, SLOT_CLASSES, SLOT_OVERHEAD_BYTES, SLOT_VALUE_MAX_BYTES } = await import('#rungopher/domain/contact-view.ts');
    const worst = { named: 402 + SLOT_VALUE_MAX_BYTES, shortLink: 258 + LINK_VALUE_MAX_BYTES, longLink: 4098 + LINK_VALUE_MAX_BYTES, hugeLink: 2 + 4 * 4096 + LINK_VALUE_MAX_BYTES };
    const total = Object.entries(SLOT_CLASSES).reduce((n, [k, c]) => n + c.cap * (worst[k as keyof typeof worst] + SLOT_OVERHEAD_BYTES), 0);
    expect(total).toBeLessThanOrEqual(CONTACT_SLOT_BUDGET_BYTES);
    expect(SLOT_CLASSES.named.cap).toBeGreaterThanOrEqual(15);
  });

  it('gives every result slot values within their class, whatever its data and context', async () => {
    const { attributeSize } = await import('#platform/storable.ts');
    const { LINK_VALUE_MAX_BYTES, SLOT_OVERHEAD_BYTES, SLOT_VALUE_MAX_BYTES } = await import('#rungopher/domain/contact-view.ts');
    fc.assert(
      fc.property(
        fc.record({
          id: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() !== ''),
          resultType: fc.constantFrom('boolean', 'email', 'address', 'linkClicked', 'sms', 'mystery'),
          resultName: fc.string({ minLength: 1, maxLength: 100 }).filter((s) => s.trim() !== ''),
          data: fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.string({ unit: 'binary', maxLength: 3000 })), { maxKeys: 6 }),
          context: fc.option(fc.string({ unit: 'binary', maxLength: 20_000 }), { nil: undefined }),
          extra: fc.record({ answer: fc.string({ minLength: 1, maxLength: 5000 }), email: fc.constant('a@b.example'), link: fc.string({ unit: 'binary', minLength: 1, maxLength: 4096 }), count: fc.constant('3'), kind: fc.constant('k'), content: fc.string({ maxLength: 9000 }) }),
        }),
        ({ extra, ...r }) => {
          const parsed = parseResultValue({ ...r, data: { ...r.data, ...extra }, campaignId: 1, contactId: 'c', timestamp: '2017-11-14T10:00:00Z' });
          if (!parsed.ok) return;
          for (const c of contributions(parsed.result)) {
            expect(Buffer.byteLength(c.rank)).toBeLessThan(SLOT_OVERHEAD_BYTES - 64);
            const size = attributeSize('v', c.value) ?? Infinity;
            expect(size).toBeLessThanOrEqual(c.slot.startsWith('l:') ? LINK_VALUE_MAX_BYTES : SLOT_VALUE_MAX_BYTES);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
