import { describe, expect, it } from 'vitest';
import type { ContactTable, ResultTable, StoredResult } from '#rungopher/adapters/store.ts';
import { MAX_SKIPPED_LISTED, replayRungopherResults } from '#rungopher/use-cases/replay.ts';
import { ValidationError } from '#platform/errors.ts';
import { makeResult } from './samples.ts';

/** In-memory results table whose scan pages by id, like DynamoDB's LastEvaluatedKey. */
function memoryResults(rows: StoredResult[]): ResultTable {
  const sorted = [...rows].sort((a, b) => a.id.localeCompare(b.id));
  return {
    putOnce: async () => true,
    query: async () => ({ items: [] }),
    async scan(limit, startKey) {
      const from = startKey ? sorted.findIndex((r) => r.id === startKey.id) + 1 : 0;
      const items = sorted.slice(from, from + limit);
      const last = items.at(-1);
      return { items, ...(from + limit < sorted.length && last ? { lastKey: { id: last.id } } : {}) };
    },
  };
}

const row = (id: number, raw = JSON.stringify(makeResult({ id, contactId: `c${id}` }))): StoredResult => ({ id: String(id), raw }) as StoredResult;

describe('replayRungopherResults', () => {
  it('pages through every row across calls with the cursor, rewriting equal ranks', async () => {
    const applied: { key: string; rewriteEqual?: boolean }[] = [];
    const contacts = { apply: async (key: string, _c: string, _ct: string, _x: unknown, o?: { rewriteEqual?: boolean }) => (applied.push({ key, ...o }), 'applied' as const) } as unknown as ContactTable;
    const results = memoryResults([1, 2, 3, 4, 5].map((i) => row(i)));
    // A clock that jumps 10 s per page against a 15 s deadline: one page per call.
    let t = 0;
    const now = () => (t += 5_000);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const out = await replayRungopherResults({ results, contacts }, { ...(cursor ? { cursor } : {}), deadlineMs: t + 15_000, pageSize: 2, now });
      seen.push(out.replayed);
      cursor = out.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(5);
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(applied.map((a) => a.key)).size).toBe(5);
    expect(applied.every((a) => a.rewriteEqual === true)).toBe(true);
  });

  it('counts rows that no longer validate and lists only the first few', async () => {
    const contacts = { apply: async () => 'applied' as const } as unknown as ContactTable;
    const rows = Array.from({ length: MAX_SKIPPED_LISTED + 5 }, (_, i) => row(100 + i, '{"not":"a result"}'));
    const out = await replayRungopherResults({ results: memoryResults(rows), contacts }, { deadlineMs: Date.now() + 60_000, pageSize: 10 });
    expect(out).toMatchObject({ replayed: 0, skippedCount: MAX_SKIPPED_LISTED + 5, nextCursor: null });
    expect(out.skipped).toHaveLength(MAX_SKIPPED_LISTED);
  });

  it('refuses a cursor it did not hand out', async () => {
    const contacts = { apply: async () => 'applied' as const } as unknown as ContactTable;
    await expect(replayRungopherResults({ results: memoryResults([]), contacts }, { cursor: 'bm9wZQ', deadlineMs: Date.now() + 1000 })).rejects.toBeInstanceOf(ValidationError);
  });
});
