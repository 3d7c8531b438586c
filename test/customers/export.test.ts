import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerIndex, IndexRow } from '#platform/customer-index.ts';
import { refId, type RecordRef } from '#platform/identity.ts';
import { exportPerson, timeline } from '#customers/use-cases/customers.ts';

/**
 * The export in parts: whatever the sizes of the person's records, the parts together hold every item
 * once, in order, and no part holds more than the byte budget (unless one item alone is larger).
 */
function person(sizes: readonly number[][]) {
  const refs: RecordRef[] = sizes.map((_, i) => ({ table: 'netcore-transcripts', scope: 'index', index: 'byUserChannel', key: { userChannel: `u${i}` }, tableKey: ['botUserId', 'sortKey'] }));
  const rows: IndexRow[] = refs.map((ref, i) => ({ identifier: 'phone:+61412345678', ref: refId(ref), vendor: 'netcore', kind: 'chatbot-transcript', at: `2026-11-${String(10 + i).padStart(2, '0')}T00:00:00.000Z`, path: `/x/${i}`, identifiers: ['phone:+61412345678'], target: ref, also: [] }));
  const index: CustomerIndex = { link: async () => undefined, unlink: async () => undefined, rows: async (id) => (id === 'phone:+61412345678' ? rows : []) };
  const items = new Map(refs.map((r, i) => [refId(r), (sizes[i] ?? []).map((n, j) => ({ sortKey: `${i}#${j}`, text: 'x'.repeat(n) }))]));
  return { index, read: async (ref: RecordRef) => items.get(refId(ref)) ?? [], items };
}

describe('exportPerson in parts', () => {
  it('gives every item once, in order, each part within its budget', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 8 }), { maxLength: 6 }), fc.integer({ min: 500, max: 8000 }), async (sizes, budget) => {
        const p = person(sizes);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let calls = 0; calls < 500; calls++) {
          const part = await exportPerson(p.index, p.read, ['phone:+61412345678'], new Date(0), cursor, budget);
          const bytes = part.records.reduce((n, r) => n + r.items.reduce((m, it) => m + Buffer.byteLength(JSON.stringify(it)) + 1, 0), 0) + (part.index ? Buffer.byteLength(JSON.stringify(part.index)) : 0);
          const oneItem = part.records.length === 1 && part.records[0]?.items.length === 1;
          expect(bytes <= budget || oneItem || (part.index !== undefined && part.records.length <= 1)).toBe(true);
          for (const r of part.records) seen.push(...r.items.map((it) => String(it.sortKey)));
          if (!part.nextCursor) break;
          cursor = part.nextCursor;
        }
        // Newest record first (the higher `at`), items in their stored order.
        const expected = [...sizes.keys()].reverse().flatMap((i) => (p.items.get([...p.items.keys()][i] ?? '') ?? []).map((it) => it.sortKey));
        expect(seen).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a cursor it did not give out, and a timeline cursor of another list', async () => {
    const p = person([[10]]);
    await expect(exportPerson(p.index, p.read, ['phone:+61412345678'], new Date(0), 'bm9wZQ')).rejects.toThrow();
    const page = await timeline(p.index, ['phone:+61412345678'], 1, undefined, async () => true);
    expect(page.items).toHaveLength(1);
  });
});

describe('timeline', () => {
  it('lists exactly the records still stored, newest first, each once, whatever the page size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { maxLength: 40 }), fc.integer({ min: 1, max: 12 }), async (stored, limit) => {
        const p = person(stored.map(() => [10]));
        const gone = new Set(stored.flatMap((s, i) => (s ? [] : [`u${i}`])));
        const exists = async (ref: RecordRef) => !gone.has(String(ref.key.userChannel));
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let calls = 0; calls < 100; calls++) {
          const page = await timeline(p.index, ['phone:+61412345678'], limit, cursor, exists);
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items.map((i) => i.link));
          if (!page.nextCursor) break;
          // A next page is promised only when it holds something.
          expect(page.items.length).toBe(limit);
          cursor = page.nextCursor;
        }
        expect(seen).toEqual([...stored.keys()].reverse().filter((i) => stored[i]).map((i) => `/x/${i}`));
      }),
      { numRuns: 80 },
    );
  });
});
