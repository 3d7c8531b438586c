import fc from 'fast-check';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { MAX_ITEM_BYTES, MAX_NESTED_CONTAINERS, attributeSize, itemSize, nestingDepth, nestingReason, storableCopy, storableReason } from '#platform/storable.ts';

const nest = (levels: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = { n: v };
  return v;
};

describe('itemSize, by "DynamoDB item sizes and formats"', () => {
  it('counts names and UTF-8 bytes of strings', () => {
    expect(itemSize({ a: 'xyz' })).toBe(1 + 3);
    expect(itemSize({ name: 'é🎉' })).toBe(4 + 2 + 4);
    expect(itemSize({ a: '' })).toBe(1);
  });
  it('counts numbers by significant digits: 1 byte per two, plus 1', () => {
    expect(itemSize({ n: 123.45 })).toBe(1 + 3 + 1);
    expect(itemSize({ n: 1000 })).toBe(1 + 1 + 1);
    expect(itemSize({ n: 0.001 })).toBe(1 + 1 + 1);
    expect(itemSize({ n: 12 })).toBe(1 + 1 + 1);
  });
  it('counts null and booleans as 1, binary by its raw bytes', () => {
    expect(itemSize({ b: true, z: null })).toBe(2 + 2);
    expect(itemSize({ bin: new Uint8Array(10) })).toBe(3 + 10);
  });
  it('gives a list or map 3 bytes plus 1 per element, with the keys of a map', () => {
    expect(itemSize({ l: [] })).toBe(1 + 3);
    expect(itemSize({ m: {} })).toBe(1 + 3);
    expect(itemSize({ l: ['ab', 'c'] })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(itemSize({ m: { k: 'ab', kk: true } })).toBe(1 + 3 + (1 + 1 + 2) + (1 + 2 + 1));
  });
  it('measures one attribute however large, and names what DynamoDB cannot hold at any size', () => {
    expect(attributeSize('v', 'x'.repeat(500 * 1024))).toBe(1 + 500 * 1024);
    expect(attributeSize('v', { n: Infinity })).toBeUndefined();
  });
  it('skips undefined, as the document client does with removeUndefinedValues', () => {
    expect(itemSize({ a: 'x', b: undefined, m: { c: undefined } })).toBe(2 + 1 + 3);
  });
});

describe('storableReason', () => {
  it('takes an item of exactly 400 KB and refuses one byte more', () => {
    const at = (bytes: number) => ({ id: 'x', v: 'x'.repeat(bytes - 3 - 1) });
    expect(itemSize(at(MAX_ITEM_BYTES))).toBe(MAX_ITEM_BYTES);
    expect(storableReason(at(MAX_ITEM_BYTES))).toBeUndefined();
    expect(storableReason(at(MAX_ITEM_BYTES + 1))).toMatch(/409601 bytes, over the 409600-byte limit/);
    expect(storableReason({ v: 'x'.repeat(100) }, {}, 50)).toMatch(/over the 50-byte limit/);
  });
  it('takes 31 nested lists or maps in one attribute and refuses 32 (DynamoDB: 32 levels with the attribute)', () => {
    expect(storableReason({ id: 'x', data: nest(MAX_NESTED_CONTAINERS) })).toBeUndefined();
    expect(storableReason({ id: 'x', data: nest(MAX_NESTED_CONTAINERS + 1) })).toMatch(/^data\.n\.n.*nested deeper than DynamoDB's 32 levels/);
    // Ten thousand levels: answered, not a stack overflow.
    expect(storableReason({ data: nest(10_000) })).toMatch(/nested deeper/);
    expect(storableReason({ data: [[[[nest(28)]]]] })).toMatch(/nested deeper/);
  });
  it('refuses what the document client refuses: numbers beyond ±2^53-1, non-finite numbers, class instances', () => {
    for (const n of [12345678901234567000, 1e200, -1e20, Infinity, NaN]) {
      expect(storableReason({ v: { n } })).toMatch(/v\.n: the number (is beyond|is not finite)/);
      expect(storableReason({ v: { n } })).not.toMatch(/\d{6}/);
      expect(() => marshall({ v: { n } })).toThrow();
    }
    expect(storableReason({ v: 9007199254740991 })).toBeUndefined();
    expect(storableReason({ v: new Date(0) })).toMatch(/Date instance/);
    expect(storableReason({ v: new Set() })).toMatch(/empty set/);
  });
  it('refuses numbers DynamoDB cannot hold (non-zero magnitude under 1E-130)', () => {
    expect(storableReason({ v: 1e-200 })).toMatch(/1E-130/);
    expect(storableReason({ v: 1e-100 })).toBeUndefined();
  });
  it('refuses empty attribute names and names over 64 KB, at any level', () => {
    expect(storableReason({ '': 1 })).toMatch(/attribute name is empty/);
    expect(storableReason({ data: { a: { '': 1 } } })).toMatch(/^data\.a\.: an attribute name is empty/);
    expect(storableReason({ data: { ['k'.repeat(64 * 1024 + 1)]: 1 } })).toMatch(/65537 bytes/);
  });
  it('checks key attributes: present ones non-empty, at most 2048 (partition) and 1024 (sort) bytes', () => {
    const keys = { partition: ['pk', 'gsi'], sort: ['sk'] };
    expect(storableReason({ pk: 'a', sk: 'b' }, keys)).toBeUndefined();
    expect(storableReason({ pk: '', sk: 'b' }, keys)).toMatch(/partition key pk is empty/);
    expect(storableReason({ pk: 'a', sk: 'é'.repeat(513) }, keys)).toMatch(/sort key sk is 1026 bytes, over DynamoDB's 1024/);
    expect(storableReason({ pk: 'a'.repeat(2049) }, keys)).toMatch(/partition key pk is 2049 bytes/);
    expect(storableReason({ pk: 'a', gsi: '' }, keys)).toMatch(/partition key gsi is empty/);
    expect(storableReason({ pk: 'a', gsi: { x: 1 } }, keys)).toMatch(/not a string, number or binary/);
  });
  it('agrees with the document client: whatever it calls storable, marshall takes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'large' }), (v) => {
        if (storableReason({ v }) === undefined) expect(() => marshall({ v }, { removeUndefinedValues: true })).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

describe('storableCopy', () => {
  it('makes any JSON storable within the containers it is given, keeping text for what changed type', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'large' }), fc.integer({ min: 0, max: MAX_NESTED_CONTAINERS }), (v, depth) => {
        const copy = storableCopy(v, depth);
        // The copy sits inside `31 - depth` containers of its item and still stores.
        expect(storableReason({ v: wrap(copy, MAX_NESTED_CONTAINERS - depth) })).toBeUndefined();
      }),
      { numRuns: 300 },
    );
    expect(storableCopy(nest(10_000), 2)).toEqual({ n: { n: '[nested deeper than 64 levels]' } });
    expect(storableReason({ v: storableCopy({ big: 12345678901234567000, '': 1, ok: [1, 'a'] }) })).toBeUndefined();
    expect(storableCopy({ big: 12345678901234567000, ok: [1, 'a'] })).toEqual({ big: '12345678901234567000', ok: [1, 'a'] });
    expect(storableCopy({ a: { '': 1 } })).toEqual({ a: '{"":1}' });
    expect(storableCopy(nest(3), 2)).toEqual({ n: { n: '{"n":"leaf"}' } });
  });
});

/** `value` inside `levels` single-key maps. */
function wrap(value: unknown, levels: number): unknown {
  let v = value;
  for (let i = 0; i < levels; i++) v = { w: v };
  return v;
}

describe('nestingDepth and nestingReason', () => {
  it('measures levels of lists and maps without deep recursion, stopping past the limit', () => {
    expect(nestingDepth('x')).toBe(0);
    expect(nestingDepth({})).toBe(1);
    expect(nestingDepth([{ a: [1] }])).toBe(3);
    expect(nestingDepth(nest(10_000))).toBe(MAX_NESTED_CONTAINERS + 2);
    expect(nestingDepth(JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)))).toBe(MAX_NESTED_CONTAINERS + 2);
  });
  it('refuses a body nested deeper than 32 levels (the body itself the first)', () => {
    expect(nestingReason(nest(32))).toBeUndefined();
    expect(nestingReason(nest(33))).toMatch(/nested deeper than DynamoDB's 32 levels/);
    expect(nestingReason(nest(10_000))).toMatch(/nested deeper/);
  });
});
